// nn.Conv1d, nn.Conv2d and nn.ConvTranspose2d with torch.nn's arguments, parameter layouts
// (weight [out, in/groups, ...k] for convolutions, [in, out/groups, ...k] for the transposed
// one), state-dict keys ("weight", "bias") and default initialization.
import type { Tensor } from "../tensor";
import { empty } from "../ops/creation";
import { conv1d, conv2d, convTranspose2d } from "../ops/conv";
import { Module } from "./module";
import { describe } from "../shape";
import { positiveInt, sizeArg } from "../args";
import { resetWeightAndBias } from "./reset";

/** An int or an array of `n` ints, each in [min, 2^24]; names the op and argument otherwise. */

type Ints = number | number[];

export interface ConvOptions {
  stride?: Ints;
  /** An int per side, or "valid" / "same" (stride 1 only). */
  padding?: Ints | "same" | "valid";
  dilation?: Ints;
  groups?: number;
  bias?: boolean;
}

export interface ConvTransposeOptions {
  stride?: Ints;
  padding?: Ints;
  outputPadding?: Ints;
  groups?: number;
  bias?: boolean;
  dilation?: Ints;
}

function checkOptions(op: string, o: unknown, allowed: string[]): void {
  if (o === null || typeof o !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(o)}`);
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new RangeError(`${op}: unknown option ${JSON.stringify(k)} (expected ${allowed.join(", ")})`);
  }
}

const tuple = (v: number[]) => `(${v.join(", ")}${v.length === 1 ? "," : ""})`;

/** Shared parts of the convolution modules (PyTorch's _ConvNd). */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly groups: number;
  weight: Tensor;
  bias: Tensor | null;

  protected constructor(
    op: string, spatial: number, transposed: boolean, inChannels: number, outChannels: number, kernelSize: Ints,
    o: ConvOptions | ConvTransposeOptions,
  ) {
    super();
    this.inChannels = positiveInt(op, "inChannels", inChannels);
    this.outChannels = positiveInt(op, "outChannels", outChannels);
    this.kernelSize = sizeArg(op, "kernelSize", kernelSize, spatial, 1);
    this.stride = sizeArg(op, "stride", o.stride ?? 1, spatial, 1);
    const pad = o.padding ?? 0;
    if (pad === "same" || pad === "valid") {
      if (transposed) throw new RangeError(`${op}: padding must be integers, got ${describe(pad)}`);
      if (pad === "same" && this.stride.some((s) => s !== 1)) throw new RangeError(`${op}: padding "same" needs stride 1, got stride ${tuple(this.stride)}`);
      this.padding = pad;
    } else {
      this.padding = sizeArg(op, "padding", pad, spatial, 0);
    }
    this.dilation = sizeArg(op, "dilation", o.dilation ?? 1, spatial, 1);
    this.groups = positiveInt(op, "groups", o.groups ?? 1);
    if (inChannels % this.groups !== 0) throw new RangeError(`${op}: inChannels ${inChannels} must be divisible by groups ${this.groups}`);
    if (outChannels % this.groups !== 0) throw new RangeError(`${op}: outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    const bias = o.bias ?? true;
    if (typeof bias !== "boolean") throw new TypeError(`${op}: bias must be a boolean, got ${describe(bias)}`);
    const wShape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = this.registerParameter("weight", empty(wShape))!;
    this.bias = bias ? this.registerParameter("bias", empty([outChannels])) : this.registerParameter("bias", null);
    this.resetParameters();
  }

  /** kaiming-uniform with a = sqrt(5) for the weight, U(±1/sqrt(fan_in)) for the bias (torch's reset_parameters). */
  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }

  extraRepr(): string {
    const parts = [`${this.inChannels}`, `${this.outChannels}`, `kernel_size=${tuple(this.kernelSize)}`, `stride=${tuple(this.stride)}`];
    const pad = this.padding;
    if (typeof pad === "string") parts.push(`padding=${pad}`);
    else if (pad.some((p) => p !== 0)) parts.push(`padding=${tuple(pad)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${tuple(this.dilation)}`);
    const outputPadding = (this as { outputPadding?: number[] }).outputPadding;
    if (outputPadding?.some((p) => p !== 0)) parts.push(`output_padding=${tuple(outputPadding)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push("bias=False");
    return parts.join(", ");
  }
}

const CONV_KEYS = ["stride", "padding", "dilation", "groups", "bias"];

/** 2-D convolution over [N, C, H, W] inputs (torch.nn.Conv2d). */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: ConvOptions = {}) {
    checkOptions("nn.Conv2d", options, CONV_KEYS);
    super("nn.Conv2d", 2, false, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    const padding = typeof this.padding === "string" ? this.padding : (this.padding as [number, number]);
    return conv2d(x, this.weight, this.bias, {
      stride: this.stride as [number, number], padding, dilation: this.dilation as [number, number], groups: this.groups,
    });
  }
}

/** 1-D convolution over [N, C, L] inputs (torch.nn.Conv1d). */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number], options: ConvOptions = {}) {
    checkOptions("nn.Conv1d", options, CONV_KEYS);
    super("nn.Conv1d", 1, false, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    const padding = typeof this.padding === "string" ? this.padding : (this.padding as [number]);
    return conv1d(x, this.weight, this.bias, {
      stride: this.stride as [number], padding, dilation: this.dilation as [number], groups: this.groups,
    });
  }
}

/** Transposed 2-D convolution (torch.nn.ConvTranspose2d), e.g. for decoders. */
export class ConvTranspose2d extends ConvNd {
  readonly outputPadding: number[];

  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: ConvTransposeOptions = {}) {
    const op = "nn.ConvTranspose2d";
    checkOptions(op, options, ["stride", "padding", "outputPadding", "groups", "bias", "dilation"]);
    // checked before super() allocates the parameters
    const outputPadding = sizeArg(op, "outputPadding", options.outputPadding ?? 0, 2, 0);
    const stride = sizeArg(op, "stride", options.stride ?? 1, 2, 1);
    const dilation = sizeArg(op, "dilation", options.dilation ?? 1, 2, 1);
    if (outputPadding.some((p, i) => p >= Math.max(stride[i], dilation[i]))) {
      throw new RangeError(`${op}: outputPadding ${tuple(outputPadding)} must be smaller than stride ${tuple(stride)} or dilation ${tuple(dilation)}`);
    }
    super(op, 2, true, inChannels, outChannels, kernelSize, options);
    this.outputPadding = outputPadding;
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride as [number, number], padding: this.padding as [number, number],
      outputPadding: this.outputPadding as [number, number], groups: this.groups, dilation: this.dilation as [number, number],
    });
  }
}
