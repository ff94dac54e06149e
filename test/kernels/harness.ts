// Raw access to the wasm core for kernel tests: instantiate dist/neurite.wasm without the
// TypeScript engine, allocate, write, call and read back. Views are rebuilt on every access
// because any allocation may grow (and detach) the memory buffer.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const wasmPath = fileURLToPath(new URL("../../dist/neurite.wasm", import.meta.url));

/** The value guard floats around an output hold; a kernel that writes past its output changes one. */
export const SENTINEL = 12345.5;

/**
 * An output region with guard floats around it: `lead` before (5 by default, so it starts 4 bytes past
 * 16-byte alignment; 4 makes it 16-byte aligned) and 4 after.
 */
export interface Guarded {
  ptr: number;
  get(): Float32Array;
  /** The region read as i32 values. */
  getI32(): Int32Array;
  /** Overwrite the region with `values` (at most its length). */
  set(values: ArrayLike<number>): void;
  /** True while every guard float still holds SENTINEL. */
  guardsIntact(): boolean;
}

/** Throw an Error with `msg` (for checks that report their own message). */
export function fail(msg: string): never {
  throw new Error(msg);
}

export interface Core {
  exports: any;
  /** Allocate and fill floats; returns the pointer. */
  put(values: ArrayLike<number>): number;
  /** Allocate `n` floats filled with `fill` (default NaN, so unwritten outputs show up). */
  empty(n: number, fill?: number): number;
  /** Allocate and fill i32 values; returns the pointer. */
  putI32(values: ArrayLike<number>): number;
  /** Copy `n` floats out of memory. */
  get(ptr: number, n: number): Float32Array;
  getI32(ptr: number, n: number): Int32Array;
  /** Free every block allocated through this harness. */
  reset(): void;
  /** A guarded output of n floats, filled with `init` (a value or values; default SENTINEL), `lead` guards first (default 5). */
  guarded(n: number, init?: number | ArrayLike<number>, lead?: number): Guarded;
}

export function loadCore(): Core {
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  const instance = new WebAssembly.Instance(module, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`wasm abort at ${line}:${col}`);
      },
    },
  });
  const ex: any = instance.exports;
  const live: number[] = [];
  const alloc = (bytes: number) => {
    const p = ex.alloc(Math.max(bytes, 4));
    live.push(p);
    return p;
  };
  return {
    exports: ex,
    put(values) {
      const p = alloc(values.length * 4);
      new Float32Array(ex.memory.buffer, p, values.length).set(values);
      return p;
    },
    empty(n, fill = NaN) {
      const p = alloc(n * 4);
      new Float32Array(ex.memory.buffer, p, n).fill(fill);
      return p;
    },
    putI32(values) {
      const p = alloc(values.length * 4);
      new Int32Array(ex.memory.buffer, p, values.length).set(values);
      return p;
    },
    get(ptr, n) {
      return new Float32Array(ex.memory.buffer, ptr, n).slice();
    },
    getI32(ptr, n) {
      return new Int32Array(ex.memory.buffer, ptr, n).slice();
    },
    reset() {
      while (live.length) ex.free(live.pop());
    },
    guarded(n, init = SENTINEL, lead = 5) {
      const total = lead + n + 4;
      const base = alloc(total * 4);
      new Float32Array(ex.memory.buffer, base, total).fill(SENTINEL);
      const ptr = base + lead * 4;
      const view = new Float32Array(ex.memory.buffer, ptr, n);
      if (typeof init === "number") view.fill(init);
      else view.set(init);
      return {
        ptr,
        get: () => new Float32Array(ex.memory.buffer, ptr, n).slice(),
        getI32: () => new Int32Array(ex.memory.buffer, ptr, n).slice(),
        set: (values) => new Float32Array(ex.memory.buffer, ptr, n).set(values),
        guardsIntact: () => {
          const all = new Float32Array(ex.memory.buffer, base, total);
          for (let i = 0; i < lead; i++) if (all[i] !== SENTINEL) return false;
          for (let i = lead + n; i < total; i++) if (all[i] !== SENTINEL) return false;
          return true;
        },
      };
    },
  };
}

/** Deterministic pseudo-random floats in [lo, hi) for test inputs (mulberry32). */
export function randomFloats(n: number, seed = 1, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * u;
  }
  return out;
}

/**
 * The central difference of a scalar function L of the floats x along element k: (L(x + h·e_k) -
 * L(x - h·e_k)) divided by the step as actually taken in float32.
 */
export function centralDifference(L: (xs: Float32Array) => number, x: Float32Array, k: number, h = 1e-2): number {
  const xp = x.slice(), xm = x.slice();
  xp[k] += h; xm[k] -= h;
  return (L(xp) - L(xm)) / (xp[k] - xm[k]);
}

/**
 * Elementwise central-difference points xp, xm = x ± rel·max(1, |x|) (rounded to float32) and the
 * step each actually takes, h = xp - xm.
 */
export function stepsAround(x: Float32Array, rel: number): { xp: Float32Array; xm: Float32Array; h: Float64Array } {
  const n = x.length;
  const xp = new Float32Array(n), xm = new Float32Array(n);
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const step = rel * Math.max(1, Math.abs(x[i]));
    xp[i] = x[i] + step; xm[i] = x[i] - step;
    h[i] = xp[i] - xm[i];
  }
  return { xp, xm, h };
}

/** The spacing of float32 values at |v| (one unit in the last place), for ulp-based tolerances. */
export function ulp(v: number): number {
  const a = Math.abs(Math.fround(v));
  if (!isFinite(a)) return Infinity;
  if (a < 2 ** -126) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 23);
}
