// torch.optim.RMSprop: smoothing constant alpha, optional centering, momentum and L2 weight decay.
import type { Tensor } from "../tensor";
import type { Core } from "../core";
import {
  Optimizer, lrSpec, maximizeSpec, nonNegative, boolean,
  type ParamGroup, type ParamState, type Params,
} from "./optimizer";

export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha: number;
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Normalize by the estimated variance of the gradient (default false). */
  centered: boolean;
  /** Maximize the objective instead of minimizing it. */
  maximize: boolean;
}

const SPECS = [
  lrSpec(1e-2),
  nonNegative("alpha", "alpha", 0.99, "alpha value"),
  nonNegative("eps", "eps", 1e-8, "epsilon value"),
  nonNegative("weightDecay", "weight_decay", 0, "weight_decay value"),
  nonNegative("momentum", "momentum", 0, "momentum value"),
  boolean("centered", "centered", false),
  maximizeSpec,
];

/**
 * RMSprop (PyTorch 1.13): g += weightDecay * p; sq = alpha sq + (1-alpha) g^2; avg = sqrt(sq) (centered:
 * ga = alpha ga + (1-alpha) g, avg = sqrt(sq - ga^2)) + eps; momentum: buf = momentum buf + g / avg,
 * p -= lr buf; else p -= lr g / avg.
 * State per parameter: `step`, `square_avg` (`momentum_buffer` with momentum > 0, `grad_avg` if centered).
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super("RMSprop", params, options, SPECS);
  }

  protected initState(p: Tensor, g: ParamGroup<RMSpropOptions>): ParamState {
    const st: ParamState = { step: 0, square_avg: this.stateTensor(p) };
    if (g.momentum > 0) st.momentum_buffer = this.stateTensor(p);
    if (g.centered) st.grad_avg = this.stateTensor(p);
    return st;
  }

  protected update(core: Core, p: Tensor, grad: Tensor, g: ParamGroup<RMSpropOptions>, st: ParamState): void {
    // options switched on after the first step get their buffers then (torch would fail with a KeyError)
    if (g.momentum > 0 && !st.momentum_buffer) st.momentum_buffer = this.stateTensor(p);
    if (g.centered && !st.grad_avg) st.grad_avg = this.stateTensor(p);
    st.step = (st.step as number) + 1;
    const ga = g.centered ? (st.grad_avg as Tensor).ptr : 0;
    const buf = g.momentum > 0 ? (st.momentum_buffer as Tensor).ptr : 0;
    core.rmsprop_f32(p.ptr, grad.ptr, (st.square_avg as Tensor).ptr, ga, buf, p.size,
      g.lr, g.alpha, 1 - g.alpha, g.eps, g.weightDecay, g.momentum, g.maximize ? 1 : 0);
  }
}
