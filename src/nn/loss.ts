// Loss modules wrapping the functional losses, with PyTorch's constructor options.
import type { Tensor } from "../tensor";
import * as F from "../ops/loss";
import { Module } from "./module";

abstract class Loss extends Module {
  constructor(readonly reduction: F.Reduction = "mean") {
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
export class CrossEntropyLoss extends Loss {
  readonly labelSmoothing: number;
  readonly ignoreIndex: number;
  constructor(options: F.CrossEntropyOptions = {}) {
    super(options.reduction);
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor { return F.crossEntropy(input, target, this); }
}
