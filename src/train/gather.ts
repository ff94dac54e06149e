// indexSelect (torch.index_select): pick slices of a tensor along one dim by integer indices.
// Forward gathers rows with gather_rows_f32; backward scatter-adds the gradient rows back with
// scatter_add_rows_f32 into a zeroed gradient (repeated indices accumulate, as in PyTorch).
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { isGradEnabled, record } from "../autograd";
import { tensor } from "../ops/creation";
import { fmt, normAxis, splitAt, describe } from "../shape";

/**
 * Slices of `x` along `dim` at the positions in `index` (1-D, or 0-d for a single position),
 * like torch.index_select: out.shape = x.shape with shape[dim] replaced by index.size.
 * Indices are whole numbers in [0, x.shape[dim]) (negative indices are refused, as in PyTorch).
 * Differentiable in x; the index gets no gradient.
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor | readonly number[]): Tensor {
  const op = "indexSelect";
  checkTensor(op, "input", x);
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new TypeError(`${op}: dim must be an integer, got ${describe(dim)} (input ${fmt(x.shape)})`);
  }
  if (x.ndim === 0) throw new RangeError(`${op}: input must have at least one dim, got shape ${fmt(x.shape)}`);
  const axis = normAxis(op, dim, x.ndim, x.shape);
  const idx = Array.isArray(index) ? tensor(index as number[], [index.length]) : checkTensor(op, "index", index as Tensor);
  if (idx.ndim > 1) {
    throw new RangeError(`${op}: index must be 1-D (or 0-d), got shape ${fmt(idx.shape)} for input ${fmt(x.shape)}`);
  }
  const e = getEngine(op);
  const [outer, size, inner] = splitAt(x.shape, axis);
  const n = idx.size;
  const values = e.f32(idx.ptr, n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) {
      throw new RangeError(`${op}: index value ${v} at position ${i} is not an integer (index ${fmt(idx.shape)}, input ${fmt(x.shape)})`);
    }
    if (v < 0 || v >= size) {
      throw new RangeError(
        `${op}: index value ${v} at position ${i} is out of range for dim ${axis} of size ${size} (index ${fmt(idx.shape)}, input ${fmt(x.shape)})`,
      );
    }
  }
  const outShape = x.shape.slice();
  outShape[axis] = n;
  const out = Tensor.empty(op, outShape);
  const core = e.core;
  const idxPtr = idx.ptr;
  const xPtr = x.ptr;
  const outPtr = out.ptr;
  for (let o = 0; o < outer; o++) {
    core.gather_rows_f32(outPtr + o * n * inner * 4, xPtr + o * size * inner * 4, idxPtr, n, inner);
  }
  if (!(x.requiresGrad && isGradEnabled())) {
    if (idx !== index) idx.dispose();
    return out;
  }
  // Keep our own copy of the indices for backward (the caller may dispose or change theirs).
  const saved = idx === index ? idx.detach() : idx;
  return record(
    out,
    op,
    [x],
    (g) => {
      const ex = getEngine(op);
      const dx = Tensor.empty(op, x.shape.slice());
      ex.core.fill_f32(dx.ptr, dx.size, 0);
      const dxPtr = dx.ptr;
      const gPtr = g.ptr;
      const sPtr = saved.ptr;
      for (let o = 0; o < outer; o++) {
        ex.core.scatter_add_rows_f32(dxPtr + o * size * inner * 4, gPtr + o * n * inner * 4, sPtr, n, inner);
      }
      return [dx];
    },
    [saved],
  );
}
