// Activation functions, forward and backward through act_f32/act_bwd_f32 (PyTorch semantics).
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { Act } from "../core";
import { describe } from "../shape";

function activation(op: string, kind: number, x: Tensor, p1 = 0, p2 = 0): Tensor {
  checkTensor(op, "input", x);
  const y = Tensor.empty(op, x.shape.slice());
  getEngine(op).core.act_f32(kind, y.ptr, x.ptr, x.size, p1, p2);
  return record(y, op, [x], (g) => {
    const dx = Tensor.empty(op, x.shape.slice());
    getEngine(op).core.act_bwd_f32(kind, dx.ptr, x.ptr, y.ptr, g.ptr, x.size, p1, p2);
    return [dx];
  });
}

function num(op: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || Number.isNaN(v)) throw new TypeError(`${op}: ${arg} must be a number, got ${describe(v)}`);
  return v;
}

export const identity = (x: Tensor): Tensor => activation("identity", Act.identity, x);
export const sigmoid = (x: Tensor): Tensor => activation("sigmoid", Act.sigmoid, x);
export const tanh = (x: Tensor): Tensor => activation("tanh", Act.tanh, x);
export const relu = (x: Tensor): Tensor => activation("relu", Act.relu, x);
export const selu = (x: Tensor): Tensor => activation("selu", Act.selu, x);
/** SiLU, also called Swish: x·sigmoid(x). */
export const silu = (x: Tensor): Tensor => activation("silu", Act.silu, x);
export const swish = silu;

/** max(0,x) + negativeSlope·min(0,x). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return activation("leakyRelu", Act.leakyRelu, x, num("leakyRelu", "negativeSlope", negativeSlope));
}

/** x for x > 0, alpha·(exp(x) - 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return activation("elu", Act.elu, x, num("elu", "alpha", alpha));
}

/** GELU: x·Φ(x) with the exact erf form, or the tanh approximation with approximate = "tanh". */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  if (approximate !== "none" && approximate !== "tanh") {
    throw new TypeError(`gelu: approximate must be "none" or "tanh", got ${describe(approximate)}`);
  }
  return activation("gelu", approximate === "tanh" ? Act.geluTanh : Act.gelu, x);
}

/** (1/beta)·log(1 + exp(beta·x)), and x itself where beta·x > threshold. */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return activation("softplus", Act.softplus, x, num("softplus", "beta", beta), num("softplus", "threshold", threshold));
}
