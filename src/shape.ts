// Shape arithmetic shared by every op: validation, sizes, strides, axes and broadcasting.
// All checks throw errors that name the op, the argument and the shapes involved.

export type Shape = readonly number[];

export function fmt(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throw unless `shape` is an array of non-negative safe integers (no NaN, no negatives, no fractions). */
export function checkShape(op: string, arg: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${op}: ${arg} must be an array of sizes, got ${describe(shape)}`);
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`${op}: ${arg} ${fmtLoose(shape)} has an invalid size ${String(d)} (sizes are integers >= 0)`);
    }
  }
  const n = sizeOf(shape);
  // 2^31 bytes is past what a 32-bit wasm memory can ever hold; refuse before allocating.
  if (n * 4 >= 2 ** 31) throw new RangeError(`${op}: ${arg} ${fmt(shape)} has ${n} elements, more than wasm memory can hold`);
  return shape.slice();
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `array ${fmtLoose(v)}`;
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return `${typeof v} ${String(v)}`;
}

function fmtLoose(v: unknown[]): string {
  return `[${v.map((x) => String(x)).join(", ")}]`;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Normalize a possibly negative axis; throws naming the op when it is out of range. */
export function normAxis(op: string, axis: unknown, ndim: number, shape: Shape): number {
  if (typeof axis !== "number" || !Number.isInteger(axis)) {
    throw new TypeError(`${op}: dim must be an integer, got ${describe(axis)} for a tensor of shape ${fmt(shape)}`);
  }
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (axis < lo || axis > hi) {
    throw new RangeError(`${op}: dim ${axis} is out of range for a tensor of shape ${fmt(shape)} (expected ${lo}..${hi})`);
  }
  return axis < 0 ? axis + Math.max(ndim, 1) : axis;
}

/** View a shape as [outer, dim, inner] around `axis`. */
export function splitAt(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape.length === 0 ? 1 : shape[axis], inner];
}

/** NumPy/PyTorch broadcasting of two shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together (dim ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides (in elements) with which a tensor of shape `src` is read when broadcast to `out`:
 * 0 on broadcast dims.
 */
export function broadcastStrides(src: Shape, out: Shape): number[] {
  const strides = contiguousStrides(src);
  const offset = out.length - src.length;
  const res = new Array<number>(out.length).fill(0);
  for (let i = 0; i < src.length; i++) res[i + offset] = src[i] === 1 ? 0 : strides[i];
  return res;
}

/**
 * Merge adjacent dims that iterate contiguously for every operand, so kernels see as few
 * dims as possible (e.g. [2,3,4] + [2,3,4] becomes a single dim of 24).
 * `strides` holds one stride list per operand, each the length of `shape`.
 */
export function collapse(shape: Shape, strides: number[][]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue; // size-1 dims contribute nothing to the iteration
    const last = outShape.length - 1;
    const mergeable =
      last >= 0 && strides.every((s, k) => outStrides[k][last] === s[i] * shape[i]);
    if (mergeable) {
      outShape[last] *= shape[i];
      strides.forEach((s, k) => (outStrides[k][last] = s[i]));
    } else {
      outShape.push(shape[i]);
      strides.forEach((s, k) => outStrides[k].push(s[i]));
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => s.push(0));
  }
  return { shape: outShape, strides: outStrides };
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
