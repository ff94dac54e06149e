// Joining and slicing along a dim, as torch.cat, torch.stack, Tensor.narrow, torch.split and
// torch.chunk. Storage is contiguous, so each is a run of block copies: a tensor viewed as
// [outer, size along dim, inner] moves in blocks of (size along dim)·inner floats.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { fmt, normAxis, describe } from "../shape";

function prod(xs: number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

/**
 * Copy `parts` (each [outer, widths[i]] in blocks of floats) into or out of `whole`
 * ([outer, Σ widths]): join when `intoWhole`, split otherwise.
 */
function blockCopy(op: string, whole: Tensor, parts: Tensor[], widths: number[], outer: number, intoWhole: boolean): void {
  const core = getEngine(op).core;
  const total = widths.reduce((a, b) => a + b, 0);
  const base = whole.ptr;
  let offset = 0;
  parts.forEach((p, i) => {
    const w = widths[i];
    const ptr = p.ptr;
    if (w > 0) {
      for (let o = 0; o < outer; o++) {
        const wholeAt = base + (o * total + offset) * 4;
        const partAt = ptr + o * w * 4;
        if (intoWhole) core.copy_f32(wholeAt, partAt, w);
        else core.copy_f32(partAt, wholeAt, w);
      }
    }
    offset += w;
  });
}

function tensorList(op: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new TypeError(`${op}: expects a non-empty array of tensors, got ${describe(tensors)}`);
  }
  return tensors.map((t, i) => checkTensor(op, `tensors[${i}]`, t));
}

/** Join tensors along an existing dim (torch.cat): all other dims must match. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  const op = "cat";
  const list = tensorList(op, tensors);
  const first = list[0];
  if (first.ndim === 0) throw new RangeError(`${op}: zero-dimensional tensors cannot be concatenated`);
  const axis = normAxis(op, dim, first.ndim, first.shape);
  list.forEach((t, i) => {
    const ok = t.ndim === first.ndim && t.shape.every((d, k) => k === axis || d === first.shape[k]);
    if (!ok) {
      throw new RangeError(
        `${op}: tensors[${i}] ${fmt(t.shape)} does not match tensors[0] ${fmt(first.shape)} outside dim ${axis}`,
      );
    }
  });
  const outer = prod(first.shape.slice(0, axis));
  const inner = prod(first.shape.slice(axis + 1));
  const widths = list.map((t) => t.shape[axis] * inner);
  const outShape = first.shape.slice();
  outShape[axis] = list.reduce((s, t) => s + t.shape[axis], 0);
  const out = Tensor.empty(op, outShape);
  blockCopy(op, out, list, widths, outer, true);
  return record(out, op, list, (g) => {
    const grads = list.map((t) => Tensor.empty(op, t.shape.slice()));
    blockCopy(op, g, grads, widths, outer, false);
    return grads.map((gi, i) => (list[i].requiresGrad ? gi : (gi.dispose(), null)));
  });
}

/** Join same-shaped tensors along a new dim (torch.stack). */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  const op = "stack";
  const list = tensorList(op, tensors);
  const shape = list[0].shape;
  list.forEach((t, i) => {
    if (t.shape.join() !== shape.join()) {
      throw new RangeError(`${op}: tensors[${i}] ${fmt(t.shape)} differs from tensors[0] ${fmt(shape)}; stack needs equal shapes`);
    }
  });
  const axis = normAxis(op, dim, shape.length + 1, [...shape, 1]);
  const outer = prod(shape.slice(0, axis));
  const block = prod(shape.slice(axis));
  const outShape = [...shape.slice(0, axis), list.length, ...shape.slice(axis)];
  const out = Tensor.empty(op, outShape);
  const widths = list.map(() => block);
  blockCopy(op, out, list, widths, outer, true);
  return record(out, op, list, (g) => {
    const grads = list.map((t) => Tensor.empty(op, t.shape.slice()));
    blockCopy(op, g, grads, widths, outer, false);
    return grads.map((gi, i) => (list[i].requiresGrad ? gi : (gi.dispose(), null)));
  });
}

/** Elements start..start+length-1 along `dim` (Tensor.narrow), as a new tensor. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const op = "narrow";
  checkTensor(op, "input", x);
  if (x.ndim === 0) throw new RangeError(`${op}: cannot narrow a zero-dimensional tensor`);
  const axis = normAxis(op, dim, x.ndim, x.shape);
  const size = x.shape[axis];
  if (!Number.isInteger(start) || !Number.isInteger(length) || length < 0) {
    throw new RangeError(`${op}: start ${describe(start)} and length ${describe(length)} must be integers, length >= 0`);
  }
  const s = start < 0 ? start + size : start;
  if (s < 0 || s + length > size) {
    throw new RangeError(`${op}: start ${start} + length ${length} is out of range for dim ${axis} of size ${size} (shape ${fmt(x.shape)})`);
  }
  const outer = prod(x.shape.slice(0, axis));
  const inner = prod(x.shape.slice(axis + 1));
  const outShape = x.shape.slice();
  outShape[axis] = length;
  const out = Tensor.empty(op, outShape);
  const widths = [s * inner, length * inner, (size - s - length) * inner];
  // The slice is the middle of three parts; the outer two are not materialized.
  const copySlice = (whole: Tensor, part: Tensor, intoWhole: boolean) => {
    const core = getEngine(op).core;
    const total = size * inner;
    const base = whole.ptr;
    const ptr = part.ptr;
    if (widths[1] === 0) return;
    for (let o = 0; o < outer; o++) {
      const wholeAt = base + (o * total + widths[0]) * 4;
      const partAt = ptr + o * widths[1] * 4;
      if (intoWhole) core.copy_f32(wholeAt, partAt, widths[1]);
      else core.copy_f32(partAt, wholeAt, widths[1]);
    }
  };
  copySlice(x, out, false);
  return record(out, op, [x], (g) => {
    const dx = Tensor.empty(op, x.shape.slice());
    getEngine(op).core.fill_f32(dx.ptr, dx.size, 0);
    copySlice(dx, g, true);
    return [dx];
  });
}

/**
 * Split into pieces along `dim` (torch.split): pieces of `splitSize` (the last may be smaller),
 * or of the listed sizes, which must add up to the dim's size.
 */
export function split(x: Tensor, splitSizeOrSections: number | number[], dim = 0): Tensor[] {
  const op = "split";
  checkTensor(op, "input", x);
  const axis = normAxis(op, dim, x.ndim, x.shape);
  const size = x.shape[axis];
  let sizes: number[];
  if (Array.isArray(splitSizeOrSections)) {
    sizes = splitSizeOrSections.slice();
    if (!sizes.every((n) => Number.isInteger(n) && n >= 0) || sizes.reduce((a, b) => a + b, 0) !== size) {
      throw new RangeError(`${op}: sizes [${sizes.join(", ")}] must be integers >= 0 adding up to ${size} (dim ${axis} of ${fmt(x.shape)})`);
    }
  } else {
    const n = splitSizeOrSections;
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${op}: split size must be a positive integer, got ${describe(n)}`);
    sizes = [];
    for (let s = 0; s < size; s += n) sizes.push(Math.min(n, size - s));
    if (sizes.length === 0) sizes.push(0);
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const n of sizes) {
    out.push(narrow(x, axis, start, n));
    start += n;
  }
  return out;
}

/** Split into `chunks` pieces along `dim` (torch.chunk): pieces of ceil(size / chunks). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const op = "chunk";
  checkTensor(op, "input", x);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new RangeError(`${op}: chunks must be a positive integer, got ${describe(chunks)}`);
  const axis = normAxis(op, dim, x.ndim, x.shape);
  return split(x, Math.max(1, Math.ceil(x.shape[axis] / chunks)), axis);
}
