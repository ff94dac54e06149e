// Shape ops: reshape/view, flatten, squeeze/unsqueeze, transpose and permute.
// Storage is always contiguous, so transpose and permute copy through a strided kernel.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { collapse, contiguousStrides, fmt, normAxis, sizeOf, describe } from "../shape";

/** Same data in a new shape; one dim may be -1 (inferred). */
export function reshape(x: Tensor, shape: number[]): Tensor {
  checkTensor("reshape", "input", x);
  if (!Array.isArray(shape)) throw new TypeError(`reshape: shape must be an array, got ${describe(shape)}`);
  const target = shape.slice();
  let infer = -1;
  for (let i = 0; i < target.length; i++) {
    const d = target[i];
    if (d === -1 && infer < 0) infer = i;
    else if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`reshape: invalid size ${String(d)} in shape ${fmt(target)} for an input of shape ${fmt(x.shape)}`);
    }
  }
  if (infer >= 0) {
    const known = sizeOf(target.filter((_, i) => i !== infer));
    if (known === 0 || x.size % known !== 0) {
      throw new RangeError(`reshape: shape ${fmt(shape)} is invalid for an input of shape ${fmt(x.shape)} (${x.size} elements)`);
    }
    target[infer] = x.size / known;
  }
  if (sizeOf(target) !== x.size) {
    throw new RangeError(`reshape: shape ${fmt(shape)} is invalid for an input of shape ${fmt(x.shape)} (${x.size} elements)`);
  }
  const out = Tensor.empty("reshape", target);
  getEngine("reshape").core.copy_f32(out.ptr, x.ptr, x.size);
  return record(out, "reshape", [x], (g) => [reshape(g, x.shape)]);
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor("flatten", "input", x);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normAxis("flatten", startDim, x.ndim, x.shape);
  const e = normAxis("flatten", endDim, x.ndim, x.shape);
  if (s > e) throw new RangeError(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${fmt(x.shape)}`);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor("unsqueeze", "input", x);
  const axis = normAxis("unsqueeze", dim, x.ndim + 1, [...x.shape, 1]);
  const shape = x.shape.slice();
  shape.splice(axis, 0, 1);
  return reshape(x, shape);
}

/** Drop size-1 dims (all of them, or only `dim`). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  checkTensor("squeeze", "input", x);
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const axis = normAxis("squeeze", dim, x.ndim, x.shape);
  if (x.ndim === 0 || x.shape[axis] !== 1) return reshape(x, x.shape);
  return reshape(x, x.shape.filter((_, i) => i !== axis));
}

/** Reorder dims: out.shape[i] = x.shape[dims[i]]. */
export function permute(x: Tensor, dims: number[]): Tensor {
  checkTensor("permute", "input", x);
  if (!Array.isArray(dims) || dims.length !== x.ndim) {
    throw new RangeError(`permute: dims ${describe(dims)} must list each of the ${x.ndim} dims of shape ${fmt(x.shape)} once`);
  }
  const perm = dims.map((d) => normAxis("permute", d, x.ndim, x.shape));
  if (new Set(perm).size !== perm.length) {
    throw new RangeError(`permute: dims [${dims.join(", ")}] repeat a dim of shape ${fmt(x.shape)}`);
  }
  const outShape = perm.map((d) => x.shape[d]);
  const out = Tensor.empty("permute", outShape);
  if (out.size > 0) {
    const xs = contiguousStrides(x.shape);
    const c = collapse(outShape, [contiguousStrides(outShape), perm.map((d) => xs[d])]);
    const e = getEngine("permute");
    const outPtr = out.ptr;
    const xPtr = x.ptr;
    e.core.strided_copy_f32(outPtr, xPtr, c.shape.length, e.params([...c.shape, ...c.strides[1]]));
  }
  const inverse = new Array<number>(perm.length);
  perm.forEach((d, i) => (inverse[d] = i));
  return record(out, "permute", [x], (g) => [permute(g, inverse)]);
}

/** Swap two dims. */
export function transpose(x: Tensor, dim0 = 0, dim1 = 1): Tensor {
  checkTensor("transpose", "input", x);
  const a = normAxis("transpose", dim0, x.ndim, x.shape);
  const b = normAxis("transpose", dim1, x.ndim, x.shape);
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}
