// Activation modules, one per activation of the core (torch.nn names and defaults).
import type { Tensor } from "../tensor";
import * as F from "../ops/index";
import { Module } from "./module";

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return F.relu(x); }
}
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return F.sigmoid(x); }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return F.tanh(x); }
}
export class SELU extends Module {
  forward(x: Tensor): Tensor { return F.selu(x); }
}
/** SiLU, also called Swish. */
export class SiLU extends Module {
  forward(x: Tensor): Tensor { return F.silu(x); }
}
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return F.leakyRelu(x, this.negativeSlope); }
  extraRepr(): string { return `negative_slope=${this.negativeSlope}`; }
}
export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return F.elu(x, this.alpha); }
  extraRepr(): string { return `alpha=${this.alpha}`; }
}
export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") { super(); }
  forward(x: Tensor): Tensor { return F.gelu(x, this.approximate); }
  extraRepr(): string { return `approximate='${this.approximate}'`; }
}
export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) { super(); }
  forward(x: Tensor): Tensor { return F.softplus(x, this.beta, this.threshold); }
  extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}
export class Softmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return F.softmax(x, this.dim); }
  extraRepr(): string { return `dim=${this.dim}`; }
}
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return F.logSoftmax(x, this.dim); }
  extraRepr(): string { return `dim=${this.dim}`; }
}
