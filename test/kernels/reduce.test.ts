// reduce.ts against naive TypeScript references.
//
// Tolerances: sum_axis accumulates in f64 and rounds once, so it must equal the f64 reference sum rounded to f32
// (allowing 1e-15 * sum|x| for the different f64 summation order). max/min values and indices, expand_axis,
// scatter_axis are exact. sumsq_f32 is an f64 sum of exact f64 squares: relative 1e-13.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats, fail, centralDifference } from "./harness";

const core = loadCore();
const ex = core.exports;
const fr = Math.fround;

const guarded = (n: number) => core.guarded(n);

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 17, 1], [2, 5, 3], [1, 64, 63], [64, 63, 1], [1, 4032, 1], [5, 100, 9], [1, 3, 17], [2, 7, 8],
  [0, 5, 3], [3, 0, 2], [2, 3, 0], [4, 1, 5], [3, 5, 1],
];
const at = (o: number, d: number, i: number, dim: number, inner: number) => (o * dim + d) * inner + i;

describe("sum_axis_f32", () => {
  for (const [outer, dim, inner] of SHAPES) {
    it(`[${outer}, ${dim}, ${inner}]`, () => {
      const x = randomFloats(outer * dim * inner, outer + 7 * dim + inner, -1, 1);
      const out = guarded(outer * inner);
      ex.sum_axis_f32(out.ptr, core.put(x), outer, dim, inner);
      const got = out.get();
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let s = 0, a = 0;
          for (let d = 0; d < dim; d++) { s += x[at(o, d, i, dim, inner)]; a += Math.abs(x[at(o, d, i, dim, inner)]); }
          const g = got[o * inner + i];
          if (g !== fr(s) && Math.abs(g - s) > 1e-15 * a + Math.abs(fr(s) - s)) fail(`[${o},${i}]: ${g} vs ${s}`);
        }
      }
      expect(out.guardsIntact()).toBe(true);
      core.reset();
    });
  }
  it("is accurate where a serial f32 sum is not: 10^6 * 0.1 + 1 along a row and down a column", () => {
    const n = 1_000_000;
    const x = new Float32Array(n).fill(0.1);
    x[0] = 1;
    const px = core.put(x);
    const out = core.empty(2);
    ex.sum_axis_f32(out, px, 1, n, 1);
    const want = fr(1 + (n - 1) * fr(0.1));
    expect(core.get(out, 1)[0]).toBe(want);
    ex.sum_axis_f32(out, px, 1, n / 2, 2); // column sums of a [500000, 2] matrix
    const c = core.get(out, 2);
    expect(c[0]).toBe(fr(1 + (n / 2 - 1) * fr(0.1)));
    expect(c[1]).toBe(fr((n / 2) * fr(0.1)));
    core.reset();
  });
});

function extremeRef(isMax: boolean, x: Float32Array, outer: number, dim: number, inner: number) {
  const v = new Float32Array(outer * inner), idx = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let m = x[at(o, 0, i, dim, inner)], mi = 0;
      for (let d = 1; d < dim; d++) {
        const e = x[at(o, d, i, dim, inner)];
        if (Number.isNaN(m)) break;
        if (Number.isNaN(e) || (isMax ? e > m : e < m)) { m = e; mi = d; }
      }
      v[o * inner + i] = m;
      idx[o * inner + i] = mi;
    }
  }
  return { v, idx };
}

describe("max_axis_f32 / min_axis_f32", () => {
  for (const isMax of [true, false]) {
    const name = isMax ? "max" : "min";
    for (const [outer, dim, inner] of SHAPES) {
      if (dim === 0) continue;
      it(`${name} [${outer}, ${dim}, ${inner}] with ties, NaN and signed zeros`, () => {
        const n = outer * dim * inner;
        // quantised values give many ties (the first index must win); a few NaN, -0 and infinities
        const x = randomFloats(n, 3 * dim + inner, -4, 4).map((v) => Math.round(v * 2) / 2);
        for (let k = 0; k < n; k += 37) x[k] = NaN;
        for (let k = 5; k < n; k += 23) x[k] = -0;
        for (let k = 11; k < n; k += 41) x[k] = isMax ? Infinity : -Infinity;
        const out = guarded(outer * inner), idx = guarded(outer * inner);
        const f = isMax ? ex.max_axis_f32 : ex.min_axis_f32;
        f(out.ptr, idx.ptr, core.put(x), outer, dim, inner);
        const ref = extremeRef(isMax, x, outer, dim, inner);
        const gv = out.get(), gi = idx.get();
        for (let j = 0; j < outer * inner; j++) {
          if (!Object.is(gv[j], ref.v[j]) && !(gv[j] === ref.v[j] && gi[j] === ref.idx[j])) fail(`value ${j}: ${gv[j]} vs ${ref.v[j]}`);
          if (gi[j] !== ref.idx[j]) fail(`index ${j}: ${gi[j]} vs ${ref.idx[j]}`);
        }
        expect(out.guardsIntact() && idx.guardsIntact()).toBe(true);
        // without an index buffer only values are written
        const out2 = guarded(outer * inner);
        f(out2.ptr, 0, core.put(x), outer, dim, inner);
        expect(Array.from(out2.get())).toEqual(Array.from(gv));
        core.reset();
      });
    }
  }
  it("hand-derived: rows [1, 3, 3] and [2, 0, -1]", () => {
    // max along dim 1: values [3, 2], first maximum at index 1 (not 2) and 0; min: [1, -1] at [0, 2].
    const px = core.put([1, 3, 3, 2, 0, -1]);
    const v = core.empty(2), i = core.empty(2);
    ex.max_axis_f32(v, i, px, 2, 3, 1);
    expect(Array.from(core.get(v, 2))).toEqual([3, 2]);
    expect(Array.from(core.get(i, 2))).toEqual([1, 0]);
    ex.min_axis_f32(v, i, px, 2, 3, 1);
    expect(Array.from(core.get(v, 2))).toEqual([1, -1]);
    expect(Array.from(core.get(i, 2))).toEqual([0, 2]);
    // backward of the max: dy = [5, 7] lands on the argmax positions, zeros elsewhere
    ex.max_axis_f32(v, i, px, 2, 3, 1);
    const dx = core.empty(6);
    ex.scatter_axis_f32(dx, i, core.put([5, 7]), 2, 3, 1);
    expect(Array.from(core.get(dx, 6))).toEqual([0, 5, 0, 7, 0, 0]);
    core.reset();
  });
  it("a long row (SIMD lanes) whose maximum sits in the scalar tail or ties across lanes", () => {
    const x = new Float32Array(4031).fill(1);
    x[4030] = 2; // tail element
    const v = core.empty(1), i = core.empty(1);
    ex.max_axis_f32(v, i, core.put(x), 1, 4031, 1);
    expect([core.get(v, 1)[0], core.get(i, 1)[0]]).toEqual([2, 4030]);
    x[4030] = 1;
    x[9] = 5; x[6] = 5; x[4000] = 5; // ties in different lanes: first index wins
    ex.max_axis_f32(v, i, core.put(x), 1, 4031, 1);
    expect([core.get(v, 1)[0], core.get(i, 1)[0]]).toEqual([5, 6]);
    x[3001] = NaN; x[2002] = NaN; // first NaN wins over everything
    ex.max_axis_f32(v, i, core.put(x), 1, 4031, 1);
    expect(Number.isNaN(core.get(v, 1)[0])).toBe(true);
    expect(core.get(i, 1)[0]).toBe(2002);
    core.reset();
  });
});

describe("expand_axis_f32 / scatter_axis_f32", () => {
  for (const [outer, dim, inner] of SHAPES) {
    it(`expand [${outer}, ${dim}, ${inner}]`, () => {
      const src = randomFloats(outer * inner, 9 + dim);
      const out = guarded(outer * dim * inner);
      const scale = dim ? 1 / dim : 1;
      ex.expand_axis_f32(out.ptr, core.put(src), outer, dim, inner, scale);
      const got = out.get();
      for (let o = 0; o < outer; o++) for (let d = 0; d < dim; d++) for (let i = 0; i < inner; i++) {
        if (got[at(o, d, i, dim, inner)] !== fr(src[o * inner + i] * fr(scale))) fail(`[${o},${d},${i}]`);
      }
      expect(out.guardsIntact()).toBe(true);
      core.reset();
    });
    it(`scatter [${outer}, ${dim}, ${inner}]`, () => {
      if (dim === 0) return;
      const idx = randomFloats(outer * inner, 4 + inner, 0, dim).map(Math.floor);
      const dy = randomFloats(outer * inner, 5 + inner);
      const out = guarded(outer * dim * inner);
      ex.scatter_axis_f32(out.ptr, core.put(idx), core.put(dy), outer, dim, inner);
      const got = out.get();
      for (let o = 0; o < outer; o++) for (let d = 0; d < dim; d++) for (let i = 0; i < inner; i++) {
        const want = idx[o * inner + i] === d ? dy[o * inner + i] : 0;
        if (got[at(o, d, i, dim, inner)] !== want) fail(`[${o},${d},${i}]`);
      }
      expect(out.guardsIntact()).toBe(true);
      core.reset();
    });
  }
  it("finite differences: expand is the gradient of sum (scaled: mean), scatter the gradient of max", () => {
    // L = sum_j w_j * f(x)_j with random weights w; central differences with h = 1e-2 (both f are piecewise
    // linear, so the only error is f32 rounding of L's terms: tolerance 1e-3). Inputs are distinct and well
    // separated so no max changes under the perturbation.
    const [outer, dim, inner] = [2, 5, 3];
    const n = outer * dim * inner;
    const x = Float32Array.from({ length: n }, (_, k) => ((k * 7) % n) * 0.25 - 3);
    const w = randomFloats(outer * inner, 8);
    const pw = core.put(w);
    const grad = core.empty(n);
    const idx = core.empty(outer * inner);
    const tmp = core.empty(outer * inner);
    for (const which of ["mean", "max"]) {
      if (which === "mean") ex.expand_axis_f32(grad, pw, outer, dim, inner, 1 / dim);
      else { ex.max_axis_f32(tmp, idx, core.put(x), outer, dim, inner); ex.scatter_axis_f32(grad, idx, pw, outer, dim, inner); }
      const g = core.get(grad, n);
      const L = (xs: Float32Array) => {
        const out = core.empty(outer * inner);
        if (which === "mean") ex.sum_axis_f32(out, core.put(xs), outer, dim, inner);
        else ex.max_axis_f32(out, 0, core.put(xs), outer, dim, inner);
        const r = core.get(out, outer * inner);
        let s = 0;
        for (let j = 0; j < r.length; j++) s += w[j] * (which === "mean" ? r[j] / dim : r[j]);
        return s;
      };
      for (let k = 0; k < n; k++) {
        expect(Math.abs(centralDifference(L, x, k) - g[k]), `${which} d/dx[${k}]`).toBeLessThanOrEqual(1e-3);
      }
    }
    core.reset();
  });
});

describe("sumsq_f32", () => {
  for (const n of [0, 1, 3, 17, 4032, 100_003]) {
    it(`over ${n}`, () => {
      const x = randomFloats(n, n + 1, -3, 3);
      let ref = 0;
      for (let i = 0; i < n; i++) ref += x[i] * x[i];
      const got = ex.sumsq_f32(core.put(x), n);
      expect(Math.abs(got - ref)).toBeLessThanOrEqual(1e-13 * ref);
      core.reset();
    });
  }
});
