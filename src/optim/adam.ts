// torch.optim.Adam (L2 weight decay added to the gradient) and torch.optim.AdamW (decoupled weight decay).
import type { Tensor } from "../tensor";
import type { Core } from "../core";
import { describe } from "../shape";
import {
  Optimizer, lrSpec, maximizeSpec, nonNegative, boolean,
  type OptionSpec, type ParamGroup, type ParamState, type Params,
} from "./optimizer";

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Coefficients of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay: number;
  /** Use the maximum of past squared-gradient averages (AMSGrad). */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it. */
  maximize: boolean;
}

const betasSpec: OptionSpec = {
  key: "betas", torch: "betas", default: [0.9, 0.999],
  check: (v) => {
    if (!Array.isArray(v) || v.length !== 2 || v.some((b) => typeof b !== "number")) {
      return `betas must be an array of two numbers, got ${describe(v)}`;
    }
    for (let i = 0; i < 2; i++) if (!(v[i] >= 0 && v[i] < 1)) return `invalid beta parameter at index ${i}: ${v[i]}`;
    return null;
  },
};

function specs(weightDecay: number): OptionSpec[] {
  return [
    lrSpec(1e-3),
    betasSpec,
    nonNegative("eps", "eps", 1e-8, "epsilon value"),
    nonNegative("weightDecay", "weight_decay", weightDecay, "weight_decay value"),
    boolean("amsgrad", "amsgrad", false),
    maximizeSpec,
  ];
}

abstract class AdamBase extends Optimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;

  protected initState(p: Tensor, g: ParamGroup<AdamOptions>): ParamState {
    const st: ParamState = { step: 0, exp_avg: this.stateTensor(p), exp_avg_sq: this.stateTensor(p) };
    if (g.amsgrad) st.max_exp_avg_sq = this.stateTensor(p);
    return st;
  }

  protected update(core: Core, p: Tensor, grad: Tensor, g: ParamGroup<AdamOptions>, st: ParamState): void {
    if (g.amsgrad && !st.max_exp_avg_sq) st.max_exp_avg_sq = this.stateTensor(p); // amsgrad switched on later
    const step = (st.step as number) + 1;
    st.step = step;
    const [beta1, beta2] = g.betas;
    // Python-side scalars of torch's non-capturable branch, in f64.
    const stepSize = g.lr / (1 - beta1 ** step);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
    const wd = this.decoupled ? 0 : g.weightDecay;
    const decay = this.decoupled ? 1 - g.lr * g.weightDecay : 1;
    const vmax = g.amsgrad ? (st.max_exp_avg_sq as Tensor).ptr : 0;
    core.adam_f32(p.ptr, grad.ptr, (st.exp_avg as Tensor).ptr, (st.exp_avg_sq as Tensor).ptr, vmax, p.size,
      beta1, 1 - beta1, beta2, 1 - beta2, stepSize, bc2Sqrt, g.eps, wd, decay, g.maximize ? 1 : 0);
  }
}

/**
 * Adam (PyTorch 1.13): g += weightDecay * p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2 (AMSGrad: vmax =
 * max(vmax, v), used for v); p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 * State per parameter: `step`, `exp_avg`, `exp_avg_sq` (and `max_exp_avg_sq` with amsgrad).
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super("Adam", params, options, specs(0));
  }
}

/**
 * AdamW (PyTorch 1.13): p *= 1 - lr * weightDecay (default 1e-2), then Adam's update without the L2 term.
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super("AdamW", params, options, specs(1e-2));
  }
}
