// Loss modules wrapping the functional losses, with PyTorch's constructor options.
import type { Tensor } from "../tensor";
import * as F from "../ops/loss";
import { Module } from "./module";

abstract class Loss<R extends string = F.Reduction> extends Module {
  constructor(readonly reduction: R = "mean" as R) {
    super();
  }
  abstract forward(input: Tensor, target: Tensor): Tensor;
  extraRepr(): string {
    return `reduction='${this.reduction}'`;
  }
}

export class MSELoss extends Loss {
  constructor(options: F.LossOptions = {}) { super(options.reduction); }
  forward(input: Tensor, target: Tensor): Tensor { return F.mseLoss(input, target, this); }
}
export class L1Loss extends Loss {
  constructor(options: F.LossOptions = {}) { super(options.reduction); }
  forward(input: Tensor, target: Tensor): Tensor { return F.l1Loss(input, target, this); }
}
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options: F.LossOptions & { delta?: number } = {}) {
    super(options.reduction);
    this.delta = options.delta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.huberLoss(input, target, this); }
}
export class BCELoss extends Loss {
  constructor(options: F.LossOptions = {}) { super(options.reduction); }
  forward(input: Tensor, target: Tensor): Tensor { return F.bceLoss(input, target, this); }
}
export class BCEWithLogitsLoss extends Loss {
  constructor(options: F.LossOptions = {}) { super(options.reduction); }
  forward(input: Tensor, target: Tensor): Tensor { return F.bceWithLogitsLoss(input, target, this); }
}
/** Cross-entropy from logits; the optional per-class `weight` becomes the module's buffer "weight" (as in torch). */
export class CrossEntropyLoss extends Loss {
  readonly labelSmoothing: number;
  readonly ignoreIndex: number;
  readonly weight: Tensor | null;
  constructor(options: F.CrossEntropyOptions = {}) {
    super(options.reduction);
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.weight = this.registerBuffer("weight", options.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.crossEntropy(input, target, this); }
}
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options: F.LossOptions & { beta?: number } = {}) {
    super(options.reduction);
    this.beta = options.beta ?? 1;
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.smoothL1Loss(input, target, this); }
}
export class KLDivLoss extends Loss<F.Reduction | "batchmean"> {
  readonly logTarget: boolean;
  constructor(options: F.KLDivOptions = {}) {
    super(options.reduction);
    this.logTarget = options.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.klDiv(input, target, this); }
}
/** Negative log-likelihood; the optional per-class `weight` becomes the module's buffer "weight" (as in torch). */
export class NLLLoss extends Loss {
  readonly ignoreIndex: number;
  readonly weight: Tensor | null;
  constructor(options: F.NLLLossOptions = {}) {
    super(options.reduction);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.weight = this.registerBuffer("weight", options.weight ?? null);
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.nllLoss(input, target, this); }
}
