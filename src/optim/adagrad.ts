// torch.optim.Adagrad: per-element learning rates from the sum of squared gradients.
import type { Tensor } from "../tensor";
import type { Core } from "../core";
import {
  Optimizer, lrSpec, maximizeSpec, nonNegative,
  type ParamGroup, type ParamState, type Params,
} from "./optimizer";

export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Learning-rate decay: step t uses lr / (1 + (t - 1) lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Starting value of the squared-gradient sum (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator (default 1e-10). */
  eps: number;
  /** Maximize the objective instead of minimizing it. */
  maximize: boolean;
}

const SPECS = [
  lrSpec(1e-2),
  nonNegative("lrDecay", "lr_decay", 0, "lr_decay value"),
  nonNegative("weightDecay", "weight_decay", 0, "weight_decay value"),
  nonNegative("initialAccumulatorValue", "initial_accumulator_value", 0, "initial_accumulator_value value"),
  nonNegative("eps", "eps", 1e-10, "epsilon value"),
  maximizeSpec,
];

/**
 * Adagrad (PyTorch 1.13): g += weightDecay * p; sum += g^2; p -= lr / (1 + (t-1) lrDecay) * g / (sqrt(sum) + eps).
 * State per parameter (created with the optimizer, as in torch): `step`, `sum`.
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super("Adagrad", params, options, SPECS);
  }

  protected onAddGroup(g: ParamGroup<AdagradOptions>): void {
    for (const p of g.params) if (!this.state.has(p)) this.state.set(p, this.initState(p, g));
  }

  protected initState(p: Tensor, g: ParamGroup<AdagradOptions>): ParamState {
    return { step: 0, sum: this.stateTensor(p, g.initialAccumulatorValue) };
  }

  protected update(core: Core, p: Tensor, grad: Tensor, g: ParamGroup<AdagradOptions>, st: ParamState): void {
    const step = (st.step as number) + 1;
    st.step = step;
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    core.adagrad_f32(p.ptr, grad.ptr, (st.sum as Tensor).ptr, p.size, clr, g.eps, g.weightDecay, g.maximize ? 1 : 0);
  }
}
