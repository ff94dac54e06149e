// Creating tensors: from JS data, constants, ranges and the core's seeded random streams.
import { Tensor, checkTensor, type NestedArray } from "../tensor";
import { getEngine } from "../engine";
import { checkShape, fmt, describe, sizeOf } from "../shape";
import { record } from "../autograd";

export interface CreateOptions {
  requiresGrad?: boolean;
}

function finish(t: Tensor, options?: CreateOptions): Tensor {
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Infer the shape of nested arrays, checking they are rectangular and hold only numbers. */
function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return shape;
}

function flattenInto(op: string, data: NestedArray, shape: number[], dim: number, out: Float32Array, offset: number): number {
  if (dim === shape.length) {
    if (typeof data !== "number") throw new TypeError(`${op}: expected a number at depth ${dim}, got ${describe(data)}`);
    out[offset] = data;
    return offset + 1;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new RangeError(
      `${op}: nested arrays are not rectangular: expected ${shape[dim]} entries at depth ${dim} (shape ${fmt(shape)}), got ${describe(data)}`,
    );
  }
  for (const child of data) offset = flattenInto(op, child, shape, dim + 1, out, offset);
  return offset;
}

/**
 * A tensor from nested arrays, a flat array or a Float32Array (with `shape`), or a number (0-d).
 * tensor([[1, 2], [3, 4]]), tensor(new Float32Array(6), [2, 3]), tensor(3).
 */
export function tensor(
  data: NestedArray | Float32Array | ArrayLike<number>,
  shape?: number[],
  options?: CreateOptions,
): Tensor {
  const op = "tensor";
  let flat: Float32Array;
  let finalShape: number[];
  if (typeof data === "number") {
    flat = Float32Array.of(data);
    finalShape = [];
  } else if (ArrayBuffer.isView(data) || (Array.isArray(data) && shape !== undefined && !data.some(Array.isArray))) {
    const arr = data as ArrayLike<number>;
    if (!Array.isArray(arr) && !(arr instanceof Float32Array) && !ArrayBuffer.isView(arr)) {
      throw new TypeError(`${op}: unsupported data ${describe(data)}`);
    }
    flat = arr instanceof Float32Array ? arr : Float32Array.from(arr as ArrayLike<number>);
    if (Array.isArray(arr)) {
      for (let i = 0; i < arr.length; i++) {
        if (typeof arr[i] !== "number") throw new TypeError(`${op}: element ${i} is ${describe(arr[i])}, not a number`);
      }
    }
    finalShape = shape === undefined ? [flat.length] : checkShape(op, "shape", shape);
  } else if (Array.isArray(data)) {
    const inferred = inferShape(data as NestedArray);
    flat = new Float32Array(sizeOf(inferred));
    flattenInto(op, data as NestedArray, inferred, 0, flat, 0);
    finalShape = shape === undefined ? inferred : checkShape(op, "shape", shape);
  } else {
    throw new TypeError(`${op}: data must be a number, nested arrays or a Float32Array, got ${describe(data)}`);
  }
  if (sizeOf(finalShape) !== flat.length) {
    throw new RangeError(`${op}: ${flat.length} values do not fill shape ${fmt(finalShape)} (${sizeOf(finalShape)} elements)`);
  }
  const t = Tensor.empty(op, finalShape);
  getEngine(op).f32(t.ptr, flat.length).set(flat);
  return finish(t, options);
}

/** An uninitialized tensor of `shape` (its values are whatever the memory held). */
export function empty(shape: number[], options?: CreateOptions): Tensor {
  return finish(Tensor.empty("empty", checkShape("empty", "shape", shape)), options);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: number[], value: number, options?: CreateOptions): Tensor {
  const s = checkShape("full", "shape", shape);
  if (typeof value !== "number") throw new TypeError(`full: value must be a number, got ${describe(value)}`);
  const t = Tensor.empty("full", s);
  getEngine("full").core.fill_f32(t.ptr, t.size, value);
  return finish(t, options);
}

export function zeros(shape: number[], options?: CreateOptions): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: number[], options?: CreateOptions): Tensor {
  return full(shape, 1, options);
}

export function zerosLike(t: Tensor): Tensor {
  return full(checkTensor("zerosLike", "input", t).shape, 0);
}

export function onesLike(t: Tensor): Tensor {
  return full(checkTensor("onesLike", "input", t).shape, 1);
}

/** Seed the core's random streams: the same seed gives the same numbers in every runtime. */
export function manualSeed(seed: number): void {
  if (typeof seed !== "number" || !Number.isFinite(seed)) throw new TypeError(`manualSeed: seed must be a finite number, got ${describe(seed)}`);
  getEngine("manualSeed").core.rng_seed(seed >>> 0);
}

/** A snapshot of the core's random stream (torch.get_rng_state): 4 words of xoshiro128** state. */
export function getRngState(): Uint32Array {
  const e = getEngine("getRngState");
  const ptr = e.params([0, 0, 0, 0]);
  e.core.rng_get_state(ptr);
  return new Uint32Array(e.core.memory.buffer, ptr, 4).slice();
}

/** Restore a snapshot from getRngState (torch.set_rng_state). */
export function setRngState(state: Uint32Array | number[]): void {
  if (!(state instanceof Uint32Array || Array.isArray(state)) || state.length !== 4 ||
      !Array.from(state).every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)) {
    throw new TypeError(`setRngState: state must be 4 unsigned 32-bit words from getRngState(), got ${describe(state)}`);
  }
  const e = getEngine("setRngState");
  const ptr = e.params([0, 0, 0, 0]);
  new Uint32Array(e.core.memory.buffer, ptr, 4).set(Array.from(state));
  e.core.rng_set_state(ptr);
}

/** Uniform samples in [low, high) (default [0, 1)), like torch.rand. */
export function rand(shape: number[], options?: CreateOptions & { low?: number; high?: number }): Tensor {
  const t = Tensor.empty("rand", checkShape("rand", "shape", shape));
  getEngine("rand").core.rng_uniform_f32(t.ptr, t.size, options?.low ?? 0, options?.high ?? 1);
  return finish(t, options);
}

/** Normal samples (default mean 0, std 1), like torch.randn. */
export function randn(shape: number[], options?: CreateOptions & { mean?: number; std?: number }): Tensor {
  const t = Tensor.empty("randn", checkShape("randn", "shape", shape));
  getEngine("randn").core.rng_normal_f32(t.ptr, t.size, options?.mean ?? 0, options?.std ?? 1);
  return finish(t, options);
}

/** Values start, start+step, ... below end, like torch.arange (arange(n) counts 0..n-1). */
export function arange(start: number, end?: number, step = 1, options?: CreateOptions): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  for (const [name, v] of [["start", start], ["end", end], ["step", step]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`arange: ${name} must be a finite number, got ${describe(v)}`);
  }
  if (step === 0) throw new RangeError("arange: step must be nonzero");
  const n = Math.max(0, Math.ceil((end - start) / step));
  const t = Tensor.empty("arange", checkShape("arange", "length", [n]));
  const view = getEngine("arange").f32(t.ptr, n);
  for (let i = 0; i < n; i++) view[i] = start + i * step;
  return finish(t, options);
}

/** A copy that stays in the graph (gradient passes through unchanged). */
export function clone(x: Tensor): Tensor {
  checkTensor("clone", "input", x);
  const out = Tensor.empty("clone", x.shape.slice());
  getEngine("clone").core.copy_f32(out.ptr, x.ptr, x.size);
  return record(out, "clone", [x], (g) => [g]);
}

/** A copy cut out of the graph. */
export function detach(x: Tensor): Tensor {
  checkTensor("detach", "input", x);
  const out = Tensor.empty("detach", x.shape.slice());
  getEngine("detach").core.copy_f32(out.ptr, x.ptr, x.size);
  return out;
}
