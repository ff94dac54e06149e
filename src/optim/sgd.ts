// torch.optim.SGD: momentum (with dampening), Nesterov momentum, L2 weight decay, maximize.
import type { Tensor } from "../tensor";
import type { Core } from "../core";
import {
  Optimizer, REQUIRED, lrSpec, maximizeSpec, nonNegative, finiteNumber, boolean,
  type ParamGroup, type ParamState, type Params,
} from "./optimizer";

export interface SGDOptions {
  /** Learning rate (required, as in torch). */
  lr: number;
  /** Momentum factor (default 0: no momentum buffer). */
  momentum: number;
  /** Dampening for momentum (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it. */
  maximize: boolean;
}

const SPECS = [
  lrSpec(REQUIRED),
  nonNegative("momentum", "momentum", 0, "momentum value"),
  finiteNumber("dampening", "dampening", 0),
  nonNegative("weightDecay", "weight_decay", 0, "weight_decay value"),
  boolean("nesterov", "nesterov", false),
  maximizeSpec,
];

/**
 * Stochastic gradient descent, PyTorch 1.13's update:
 *   d = g (+ weightDecay * p);  with momentum: buf = momentum * buf + (1 - dampening) * d (buf = d at the first
 *   step), d = nesterov ? d + momentum * buf : buf;  p -= lr * d.
 * State per parameter: `momentum_buffer` (null without momentum).
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> & { lr?: number } = {}) {
    super("SGD", params, options, SPECS);
  }

  protected checkOptions(o: Record<string, unknown>, where: string): void {
    if (o.nesterov === true && ((o.momentum as number) <= 0 || o.dampening !== 0)) {
      throw new RangeError(`SGD: Nesterov momentum requires a momentum and zero dampening${where}`);
    }
  }

  protected initState(): ParamState {
    return { momentum_buffer: null };
  }

  protected update(core: Core, p: Tensor, grad: Tensor, g: ParamGroup<SGDOptions>, st: ParamState): void {
    let flags = (g.maximize ? 1 : 0) | (g.nesterov ? 2 : 0);
    let buf = 0;
    if (g.momentum !== 0) {
      if (!st.momentum_buffer) {
        st.momentum_buffer = this.stateTensor(p, null); // written whole by the kernel's first step
        flags |= 4;
      }
      buf = (st.momentum_buffer as Tensor).ptr;
    }
    core.sgd_f32(p.ptr, grad.ptr, buf, p.size, g.lr, g.momentum, 1 - g.dampening, g.weightDecay, flags);
  }
}
