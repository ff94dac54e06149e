// Reductions along one axis (or over everything) view a tensor as [outer, dim, inner]: the
// plan of that view and broadcasting a reduced tensor back along the axis. Internal to the ops.
import { Tensor } from "../tensor";
import { getEngine } from "../engine";
import { normAxis, splitAt, describe } from "../shape";

export interface Plan {
  outer: number;
  dim: number;
  inner: number;
  /** Output shape (keepdim applied); its memory layout is [outer, inner] either way. */
  shape: number[];
}

/** Where a reduction runs: over all elements (dim null/undefined) or one axis. */
export function plan(op: string, x: Tensor, dim: number | null | undefined, keepdim: boolean): Plan {
  if (typeof keepdim !== "boolean") throw new TypeError(`${op}: keepdim must be a boolean, got ${describe(keepdim)}`);
  if (dim === null || dim === undefined) {
    return { outer: 1, dim: x.size, inner: 1, shape: keepdim ? x.shape.map(() => 1) : [] };
  }
  const axis = normAxis(op, dim, x.ndim, x.shape);
  const [outer, d, inner] = splitAt(x.shape, axis);
  const shape = x.shape.slice();
  if (x.ndim > 0) {
    if (keepdim) shape[axis] = 1;
    else shape.splice(axis, 1);
  }
  return { outer, dim: d, inner, shape };
}

/** A tensor of x's shape holding `r` (in the plan's [outer, inner] layout) broadcast along the axis, times scale. */
export function expandAlong(op: string, r: Tensor, x: Tensor, p: Plan, scale: number): Tensor {
  const out = Tensor.empty(op, x.shape.slice());
  getEngine(op).core.expand_axis_f32(out.ptr, r.ptr, p.outer, p.dim, p.inner, scale);
  return out;
}
