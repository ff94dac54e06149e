// Reductions over one axis or over everything: sum, mean, max, min, argmax, argmin.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { plan, expandAlong } from "./axis";
import { abs, affine, div, mul, sign, sub } from "./elementwise";

function sumLike(op: "sum" | "mean", x: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  checkTensor(op, "input", x);
  const p = plan(op, x, dim, keepdim);
  const out = Tensor.empty(op, p.shape);
  const core = getEngine(op).core;
  core.sum_axis_f32(out.ptr, x.ptr, p.outer, p.dim, p.inner);
  // mean of an empty axis is NaN, as in PyTorch
  const scale = op === "mean" ? 1 / p.dim : 1;
  if (op === "mean") core.unary_f32(7, out.ptr, out.ptr, out.size, scale, 0);
  return record(out, op, [x], (g) => [expandAlong(op, g, x, p, scale)]);
}

/** Sum over `dim` (all elements when omitted). */
export function sum(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return sumLike("sum", x, dim, keepdim);
}

/** Mean over `dim` (all elements when omitted). */
export function mean(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return sumLike("mean", x, dim, keepdim);
}

function extreme(op: "max" | "min", x: Tensor, dim: number | null | undefined, keepdim: boolean, wantIndex: boolean): Tensor {
  checkTensor(op, "input", x);
  const p = plan(op, x, dim, keepdim);
  if (p.dim === 0) throw new RangeError(`${op}: cannot reduce over an empty dimension of a tensor of shape [${x.shape.join(", ")}]`);
  const values = Tensor.empty(op, p.shape);
  const index = Tensor.empty(op, p.shape.slice());
  const core = getEngine(op).core;
  const kernel = op === "max" ? core.max_axis_f32 : core.min_axis_f32;
  kernel(values.ptr, index.ptr, x.ptr, p.outer, p.dim, p.inner);
  if (wantIndex) {
    values.dispose();
    return index;
  }
  if (dim === null || dim === undefined) {
    // Over all elements torch splits the gradient evenly among ties: g / count where x == value.
    index.dispose();
    return record(values, op, [x], (g) => {
      const isOther = abs(sign(sub(x, values)));
      const isExtreme = affine(isOther, -1, 1);
      return [mul(isExtreme, div(g, sum(isExtreme)))];
    });
  }
  // Along a dim the gradient goes to the first extreme element, as torch.max(dim) does.
  return record(
    values,
    op,
    [x],
    (g) => {
      const dx = Tensor.empty(op, x.shape.slice());
      getEngine(op).core.scatter_axis_f32(dx.ptr, index.ptr, g.ptr, p.outer, p.dim, p.inner);
      return [dx];
    },
    [index],
  );
}

/** Maximum values over `dim` (all elements when omitted). Use argmax for the indices. */
export function max(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return extreme("max", x, dim, keepdim, false);
}

export function min(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return extreme("min", x, dim, keepdim, false);
}

/** Index of the first maximum over `dim` (flat index when omitted), as float32 values. Not differentiable. */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return extreme("max", x, dim, keepdim, true);
}

export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return extreme("min", x, dim, keepdim, true);
}
