// nn.Linear, nn.Identity, nn.Flatten and nn.Dropout.
import { Tensor } from "../tensor";
import { empty } from "../ops/creation";
import { linear } from "../ops/linear";
import { flatten } from "../ops/layout";
import { Module } from "./module";
import { describe } from "../shape";
import { positiveInt } from "../args";
import { resetWeightAndBias } from "./reset";
import { dropout } from "../ops/dropout";

/** y = x·Wᵀ + b, weight [out, in], PyTorch's default initialization. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    this.inFeatures = positiveInt("nn.Linear", "inFeatures", inFeatures);
    this.outFeatures = positiveInt("nn.Linear", "outFeatures", outFeatures);
    this.weight = this.registerParameter("weight", empty([outFeatures, inFeatures]))!;
    this.bias = options.bias === false ? null : this.registerParameter("bias", empty([outFeatures]));
    if (options.bias === false) this.registerParameter("bias", null);
    this.resetParameters();
  }

  /** kaiming-uniform with a = sqrt(5) for the weight, U(±1/sqrt(fan_in)) for the bias (torch's reset_parameters). */
  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Flatten dims startDim..endDim (default 1..-1: keep the batch dim). */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Inverted dropout: in training, zero each element with probability p and scale the rest by 1/(1-p). */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`nn.Dropout: p must be in [0, 1], got ${describe(p)}`);
    this.p = p;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  extraRepr(): string {
    return `p=${this.p}`;
  }
}
