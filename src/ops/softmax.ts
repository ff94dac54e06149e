// softmax and logSoftmax along an axis (numerically stable in the kernel: max subtracted).
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { normAxis, splitAt } from "../shape";

function along(op: "softmax" | "logSoftmax", x: Tensor, dim: number): Tensor {
  checkTensor(op, "input", x);
  const [outer, d, inner] = splitAt(x.shape, normAxis(op, dim, x.ndim, x.shape));
  const y = Tensor.empty(op, x.shape.slice());
  const core = getEngine(op).core;
  (op === "softmax" ? core.softmax_f32 : core.log_softmax_f32)(y.ptr, x.ptr, outer, d, inner);
  return record(y, op, [x], (g) => {
    const dx = Tensor.empty(op, x.shape.slice());
    const c = getEngine(op).core;
    (op === "softmax" ? c.softmax_bwd_f32 : c.log_softmax_bwd_f32)(dx.ptr, y.ptr, g.ptr, outer, d, inner);
    return [dx];
  });
}

/** exp(x) / Σ exp(x) along `dim` (default: the last). */
export function softmax(x: Tensor, dim = -1): Tensor {
  return along("softmax", x, dim);
}

/** log(softmax(x)) along `dim` (default: the last), computed without forming softmax. */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  return along("logSoftmax", x, dim);
}
