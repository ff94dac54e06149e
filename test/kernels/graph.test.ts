// graph.ts kernels against naive TypeScript references that emulate the same float32 operations in
// the same order (Math.fround after every operation, the kernels' SIMD lane split for dot products),
// so results must match exactly. Guard cells around every output catch stray writes; inputs are
// checked untouched. Sizes cover 0, 1, 3, 17 edges and rows of 1, 3, 4, 5, 17 and 64·63 floats.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats } from "./harness";

const core = loadCore();
const ex = core.exports;
const fr = Math.fround;

/** An output region of n floats (filled with `fill`) with 5 sentinel floats before and 4 after. */
const guarded = (n: number, fill = 0) => core.guarded(n, fill);

/** Deterministic node ids in [0, rows), with repeats. */
function ids(n: number, rows: number, seed: number): number[] {
  return Array.from(randomFloats(n, seed, 0, 1), (v) => Math.min(rows - 1, Math.floor(v * rows)));
}

const rowOf = (idx: number[] | null, e: number) => (idx ? idx[e] : e);

function propagateRef(init: Float32Array, x: Float32Array, from: number[] | null, to: number[] | null, w: Float32Array | null,
  nEdges: number, rowSize: number): Float32Array {
  const out = init.slice();
  for (let e = 0; e < nEdges; e++) {
    const a = w ? w[e] : 1;
    const o = rowOf(to, e) * rowSize;
    const v = rowOf(from, e) * rowSize;
    for (let k = 0; k < rowSize; k++) out[o + k] = fr(out[o + k] + fr(a * x[v + k]));
  }
  return out;
}

/** The kernel's dot: four lane accumulators over whole vectors, lanes summed 0+1+2+3, then the tail. */
function dotRef(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  const acc = [0, 0, 0, 0];
  let k = 0;
  for (; k + 4 <= n; k += 4) for (let l = 0; l < 4; l++) acc[l] = fr(acc[l] + fr(a[ao + k + l] * b[bo + k + l]));
  let s = fr(fr(fr(acc[0] + acc[1]) + acc[2]) + acc[3]);
  for (; k < n; k++) s = fr(s + fr(a[ao + k] * b[bo + k]));
  return s;
}

function edgeDotRef(a: Float32Array, aIdx: number[] | null, b: Float32Array, bIdx: number[] | null, scale: Float32Array | null,
  nEdges: number, rowSize: number): Float32Array {
  const out = new Float32Array(nEdges);
  for (let e = 0; e < nEdges; e++) {
    let s = rowSize > 0 ? dotRef(a, rowOf(aIdx, e) * rowSize, b, rowOf(bIdx, e) * rowSize, rowSize) : 0;
    if (scale) s = fr(s * scale[e]);
    out[e] = s;
  }
  return out;
}

const EDGES = [0, 1, 3, 17];
const ROW_SIZES = [1, 3, 4, 5, 17, 64 * 63];
const ROWS = 7;

describe("graph_propagate_f32", () => {
  for (const nEdges of EDGES) {
    for (const rowSize of ROW_SIZES) {
      it(`${nEdges} edges, rowSize ${rowSize}: fused, scatter (from = 0) and gather (to = 0) forms`, () => {
        const x = randomFloats(Math.max(ROWS, nEdges) * rowSize, nEdges * 13 + rowSize, -3, 3);
        const init = randomFloats(Math.max(ROWS, nEdges) * rowSize, nEdges + 7 * rowSize, -1, 1);
        const from = ids(nEdges, ROWS, nEdges + 3 * rowSize);
        const to = ids(nEdges, ROWS, 2 * nEdges + 5 * rowSize + 1);
        const w = randomFloats(nEdges, nEdges + rowSize + 2, -2, 2);
        const xp = core.put(x);
        const fp = core.put(from);
        const tp = core.put(to);
        const wp = core.put(w);
        const forms: [number, number[] | null, number, number[] | null, number, Float32Array | null, number][] = [
          [fp, from, tp, to, wp, w, ROWS],
          [fp, from, tp, to, 0, null, ROWS],
          [0, null, tp, to, wp, w, ROWS], // scatter
          [fp, from, 0, null, wp, w, nEdges], // gather into row e
        ];
        for (const [fPtr, f, tPtr, t, wPtr, wv, rows] of forms) {
          const out = guarded(rows * rowSize);
          out.set(init.subarray(0, rows * rowSize));
          ex.graph_propagate_f32(out.ptr, xp, fPtr, tPtr, wPtr, nEdges, rowSize);
          expect(out.get()).toEqual(propagateRef(init.subarray(0, rows * rowSize), x, f, t, wv, nEdges, rowSize));
          expect(out.guardsIntact()).toBe(true);
        }
        expect(core.get(xp, x.length)).toEqual(x);
        core.reset();
      });
    }
  }

  it("hand-computed: out[1] = 2·x[0] + 0.5·x[2], out[0] = -1·x[1], repeated edges accumulate", () => {
    const x = [1, 2, 3, 4, 5, 6]; // rows [1,2], [3,4], [5,6]
    const out = guarded(6);
    ex.graph_propagate_f32(out.ptr, core.put(x), core.put([0, 2, 1, 0]), core.put([1, 1, 0, 1]), core.put([2, 0.5, -1, 0]), 4, 2);
    expect(Array.from(out.get())).toEqual([-3, -4, 4.5, 7, 0, 0]);
    expect(out.guardsIntact()).toBe(true);
    core.reset();
  });

  it("swapping from and to gives the adjoint: <P x, g> = <x, Pᵀ g>", () => {
    const rowSize = 5, nEdges = 17;
    const x = randomFloats(ROWS * rowSize, 21);
    const g = randomFloats(ROWS * rowSize, 22);
    const from = core.put(ids(nEdges, ROWS, 23));
    const to = core.put(ids(nEdges, ROWS, 24));
    const w = core.put(randomFloats(nEdges, 25));
    const px = guarded(ROWS * rowSize);
    ex.graph_propagate_f32(px.ptr, core.put(x), from, to, w, nEdges, rowSize);
    const ptg = guarded(ROWS * rowSize);
    ex.graph_propagate_f32(ptg.ptr, core.put(g), to, from, w, nEdges, rowSize);
    const a = px.get(), b = ptg.get();
    let lhs = 0, rhs = 0;
    for (let i = 0; i < a.length; i++) lhs += a[i] * g[i];
    for (let i = 0; i < b.length; i++) rhs += x[i] * b[i];
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4); // two f32 sums of 35 terms of size ~1
    core.reset();
  });
});

describe("graph_edge_dot_f32", () => {
  for (const nEdges of EDGES) {
    for (const rowSize of [0, ...ROW_SIZES]) {
      it(`${nEdges} edges, rowSize ${rowSize}`, () => {
        const a = randomFloats(Math.max(ROWS, nEdges) * rowSize, nEdges + rowSize + 31, -2, 2);
        const b = randomFloats(Math.max(ROWS, nEdges) * rowSize, nEdges + rowSize + 32, -2, 2);
        const ai = ids(nEdges, ROWS, nEdges + 33);
        const bi = ids(nEdges, ROWS, rowSize + 34);
        const scale = randomFloats(nEdges, 35, 0.1, 1);
        const ap = core.put(a), bp = core.put(b);
        for (const [aIdx, bIdx, s] of [[ai, bi, scale], [ai, null, null], [null, bi, scale]] as const) {
          const out = guarded(nEdges, NaN);
          ex.graph_edge_dot_f32(out.ptr, ap, aIdx ? core.put(aIdx) : 0, bp, bIdx ? core.put(bIdx) : 0, s ? core.put(s) : 0, nEdges, rowSize);
          expect(out.get()).toEqual(edgeDotRef(a, aIdx as number[] | null, b, bIdx as number[] | null, s, nEdges, rowSize));
          expect(out.guardsIntact()).toBe(true);
        }
        core.reset();
      });
    }
  }
});

describe("graph_mean_weights_f32", () => {
  for (const nEdges of EDGES) {
    it(`${nEdges} edges over ${ROWS} nodes (some with none)`, () => {
      const idx = ids(nEdges, ROWS - 2, nEdges + 41); // the last two nodes receive nothing
      const w = randomFloats(nEdges, nEdges + 42, 0.5, 2);
      const cnt = guarded(ROWS, NaN);
      const out = guarded(nEdges, NaN);
      const counts = new Float32Array(ROWS);
      for (const i of idx) counts[i]++;
      ex.graph_mean_weights_f32(out.ptr, cnt.ptr, core.put(idx), core.put(w), nEdges, ROWS);
      expect(cnt.get()).toEqual(counts);
      expect(out.get()).toEqual(Float32Array.from(idx, (i, e) => fr(w[e] / counts[i])));
      ex.graph_mean_weights_f32(out.ptr, cnt.ptr, core.put(idx), 0, nEdges, ROWS);
      expect(out.get()).toEqual(Float32Array.from(idx, (i) => fr(1 / counts[i])));
      expect(cnt.guardsIntact() && out.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});

/** gcn_norm_f32 emulated: degrees in edge order, dis = 1/sqrt(deg) in f64 rounded once, 0 for deg 0. */
function gcnNormRef(src: number[], dst: number[], w: Float32Array | null, n: number) {
  const deg = new Float32Array(n);
  dst.forEach((j, e) => (deg[j] = fr(deg[j] + (w ? w[e] : 1))));
  const dis = Float32Array.from(deg, (d) => (d === 0 ? 0 : fr(1 / Math.sqrt(d))));
  const out = Float32Array.from(src, (i, e) => fr(fr(dis[i] * (w ? w[e] : 1)) * dis[dst[e]]));
  return { dis, out };
}

function gcnNormBwdRef(g: Float32Array, src: number[], dst: number[], w: Float32Array | null, dis: Float32Array, n: number) {
  const ddis = new Float32Array(n);
  src.forEach((i, e) => {
    const j = dst[e];
    const ge = fr(g[e] * (w ? w[e] : 1));
    ddis[i] = fr(ddis[i] + fr(ge * dis[j]));
    ddis[j] = fr(ddis[j] + fr(ge * dis[i]));
  });
  for (let i = 0; i < n; i++) ddis[i] = fr(fr(fr(fr(-0.5 * dis[i]) * dis[i]) * dis[i]) * ddis[i]);
  return Float32Array.from(src, (i, e) => fr(fr(fr(g[e] * dis[i]) * dis[dst[e]]) + ddis[dst[e]]));
}

describe("gcn_norm_f32 / gcn_norm_bwd_f32", () => {
  for (const nEdges of EDGES) {
    for (const weighted of [true, false]) {
      it(`${nEdges} edges, ${weighted ? "weighted" : "unit weights"}, nodes without incoming edges`, () => {
        const n = ROWS;
        const src = ids(nEdges, n, nEdges + 51);
        const dst = ids(nEdges, n - 2, nEdges + 52);
        const w = weighted ? randomFloats(nEdges, nEdges + 53, 0.5, 1.5) : null;
        const g = randomFloats(nEdges, nEdges + 54, -1, 1);
        const sp = core.put(src), dp = core.put(dst), wp = w ? core.put(w) : 0;
        const out = guarded(nEdges, NaN);
        const dis = guarded(n, NaN);
        ex.gcn_norm_f32(out.ptr, dis.ptr, sp, dp, wp, nEdges, n);
        const ref = gcnNormRef(src, dst, w, n);
        expect(dis.get()).toEqual(ref.dis);
        expect(out.get()).toEqual(ref.out);
        const dw = guarded(nEdges, NaN);
        const ddis = guarded(n, NaN);
        ex.gcn_norm_bwd_f32(dw.ptr, ddis.ptr, core.put(g), sp, dp, wp, dis.ptr, nEdges, n);
        expect(dw.get()).toEqual(gcnNormBwdRef(g, src, dst, w, ref.dis, n));
        for (const b of [out, dis, dw, ddis]) expect(b.guardsIntact()).toBe(true);
        core.reset();
      });
    }
  }

  it("hand-derived: path 0 -> 1 -> 2 with self loops", () => {
    // degrees at the targets: node 0: loop = 1; node 1: (0->1) + loop = 2; node 2: (1->2) + loop = 2
    // weights: (0->1) = 1/sqrt(1·2), (1->2) = 1/sqrt(2·2), loops 1, 1/2, 1/2, where each 1/2 is
    // f32(1/sqrt 2)² = 0.49999997 (dis is rounded to f32 before the product)
    const out = guarded(5, NaN);
    const dis = guarded(3, NaN);
    ex.gcn_norm_f32(out.ptr, dis.ptr, core.put([0, 1, 0, 1, 2]), core.put([1, 2, 0, 1, 2]), 0, 5, 3);
    expect(Array.from(dis.get())).toEqual([1, fr(Math.SQRT1_2), fr(Math.SQRT1_2)]);
    expect(Array.from(out.get())).toEqual([fr(Math.SQRT1_2), 0.49999997, 1, 0.49999997, 0.49999997].map(fr));
    core.reset();
  });
});
