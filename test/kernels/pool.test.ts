// pool.ts kernels against naive TypeScript references (PyTorch's CPU window rules) over awkward
// geometries, with guard floats around every output.
//
// Tolerances: max pooling values and indices are exact (NaN, -inf and ties included); the
// backward kernels add the same f32 values in the same order as the references, so they are
// exact. Average pools sum a window in f32 in row order and divide once, like the references:
// exact as well.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats } from "./harness";

const core = loadCore();
const ex = core.exports;
const f = Math.fround;

/** An output region of n floats (16-byte aligned, NaN-filled) with 4 guard floats on each side. */
const guarded = (n: number) => core.guarded(n, NaN, 4);

function expectSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

interface Pool { NC: number; H: number; W: number; OH: number; OW: number; k: number[]; s: number[]; p: number[]; d: number[]; ceil: boolean }

/** PyTorch's pooling_output_shape. */
function outSize(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let o = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= size + p) o--;
  return o;
}

function pool(NC: number, H: number, W: number, k: number[], s = k, p = [0, 0], d = [1, 1], ceil = false): Pool {
  return { NC, H, W, k, s, p, d, ceil, OH: outSize(H, k[0], s[0], p[0], d[0], ceil), OW: outSize(W, k[1], s[1], p[1], d[1], ceil) };
}

const POOLS: Pool[] = [
  pool(1, 1, 1, [1, 1]),
  pool(3, 4, 4, [2, 2]),
  pool(2, 7, 9, [2, 2]), // odd sizes: the last row/column is dropped
  pool(2, 7, 9, [2, 2], [2, 2], [0, 0], [1, 1], true), // ceil mode: windows of one row/column at the end
  pool(5, 14, 14, [2, 2]), // 4 SIMD outputs + 3 single ones per row
  pool(2, 6, 17, [2, 2]),
  pool(2, 28, 26, [2, 2]),
  pool(2, 9, 8, [3, 3], [2, 2], [1, 1]),
  pool(3, 6, 7, [3, 2], [2, 1], [1, 1], [1, 2], true),
  pool(1, 5, 5, [3, 3], [1, 1]),
  pool(2, 4, 6, [4, 6]),
  pool(1, 8, 3, [2, 1], [3, 1], [1, 0], [2, 1], true),
  pool(0, 4, 4, [2, 2]),
];
const pname = (g: Pool) => `NC${g.NC} ${g.H}x${g.W} -> ${g.OH}x${g.OW}, k ${g.k} s ${g.s} p ${g.p} d ${g.d}${g.ceil ? " ceil" : ""}`;

function dimsPtr(g: Pool): number {
  return core.putI32([g.NC, g.H, g.W, g.OH, g.OW, g.k[0], g.k[1], g.s[0], g.s[1], g.p[0], g.p[1], g.d[0], g.d[1]]);
}

/** Values on a 0.25 grid (ties in most windows), with a few NaN and -inf mixed in. */
function poolInput(n: number, seed: number, special = true): Float32Array {
  const x = randomFloats(n, seed, -2, 2).map((v) => Math.round(v * 4) / 4);
  if (special) {
    for (let i = 5; i < n; i += 37) x[i] = NaN;
    for (let i = 11; i < n; i += 41) x[i] = -Infinity;
  }
  return x;
}

/** PyTorch's CPU max pool: start at -inf with the first valid index; v replaces the max if v > max or v is NaN. */
function maxPoolRef(g: Pool, x: Float32Array): { out: Float32Array; idx: Int32Array } {
  const out = new Float32Array(g.NC * g.OH * g.OW);
  const idx = new Int32Array(out.length);
  let o = 0;
  for (let q = 0; q < g.NC; q++) for (let oh = 0; oh < g.OH; oh++) for (let ow = 0; ow < g.OW; ow++) {
    let hs = oh * g.s[0] - g.p[0];
    const he = Math.min(hs + (g.k[0] - 1) * g.d[0] + 1, g.H);
    while (hs < 0) hs += g.d[0];
    let ws = ow * g.s[1] - g.p[1];
    const we = Math.min(ws + (g.k[1] - 1) * g.d[1] + 1, g.W);
    while (ws < 0) ws += g.d[1];
    let best = -Infinity;
    let bi = hs * g.W + ws;
    for (let ih = hs; ih < he; ih += g.d[0]) for (let iw = ws; iw < we; iw += g.d[1]) {
      const v = x[q * g.H * g.W + ih * g.W + iw];
      if (v > best || Number.isNaN(v)) { best = v; bi = ih * g.W + iw; }
    }
    out[o] = best;
    idx[o++] = bi;
  }
  return { out, idx };
}

describe("max_pool2d_f32 / max_pool2d_bwd_f32", () => {
  for (const g of POOLS) {
    it(pname(g), () => {
      const x = poolInput(g.NC * g.H * g.W, g.H * 7 + g.W);
      const want = maxPoolRef(g, x);
      const out = guarded(want.out.length);
      const idx = guarded(want.out.length);
      ex.max_pool2d_f32(out.ptr, idx.ptr, core.put(x), dimsPtr(g));
      expectSame(out.get(), want.out, "out");
      expectSame(idx.getI32(), want.idx, "idx");
      expect(out.guardsIntact() && idx.guardsIntact()).toBe(true);
      // backward: dx zero except the argmaxes, which collect their outputs' gradients
      const dy = randomFloats(want.out.length, 3);
      const dx = guarded(x.length);
      ex.max_pool2d_bwd_f32(dx.ptr, idx.ptr, core.put(dy), g.NC, g.H * g.W, g.OH * g.OW);
      const wantDx = new Float32Array(x.length);
      want.idx.forEach((k, o) => {
        const j = Math.floor(o / (g.OH * g.OW)) * g.H * g.W + k;
        wantDx[j] = f(wantDx[j] + dy[o]);
      });
      expectSame(dx.get(), wantDx, "dx");
      expect(dx.guardsIntact()).toBe(true);
      core.reset();
    });
  }

  it("reports the first of tied maxima, and a window of -inf its first element", () => {
    const g = pool(1, 2, 8, [2, 2]);
    const x = Float32Array.from([1, 1, 0, 2, -Infinity, -Infinity, 5, 0, 1, 0, 2, 2, -Infinity, -Infinity, 5, 5]);
    const out = guarded(4);
    const idx = guarded(4);
    ex.max_pool2d_f32(out.ptr, idx.ptr, core.put(x), dimsPtr(g));
    expectSame(out.get(), [1, 2, -Infinity, 5], "out");
    expectSame(idx.getI32(), [0, 3, 4, 6], "idx");
    core.reset();
  });

  it("skips indices outside the plane in backward", () => {
    const dx = guarded(4);
    ex.max_pool2d_bwd_f32(dx.ptr, core.putI32([0, -1, 4, 3]), core.put([1, 2, 3, 4]), 1, 4, 4);
    expectSame(dx.get(), [1, 0, 0, 4], "dx");
    expect(dx.guardsIntact()).toBe(true);
    core.reset();
  });
});

/**
 * Every avg-pool window in output order, as PyTorch's CPU avg pool sees it: its plane q, the rows
 * [h0, h1) and columns [w0, w1) it covers inside the input (empty when it lies in the padding) and its
 * divisor (the window clipped to the padded input for count-include-pad).
 */
function forEachAvgWindow(g: Pool, includePad: boolean, divisor: number,
  visit: (q: number, h0: number, h1: number, w0: number, w1: number, div: number) => void): void {
  for (let q = 0; q < g.NC; q++) for (let oh = 0; oh < g.OH; oh++) for (let ow = 0; ow < g.OW; ow++) {
    const hs = oh * g.s[0] - g.p[0], ws = ow * g.s[1] - g.p[1];
    const hp = Math.min(hs + g.k[0], g.H + g.p[0]), wp = Math.min(ws + g.k[1], g.W + g.p[1]);
    const poolSize = (hp - hs) * (wp - ws);
    const h0 = Math.max(hs, 0), w0 = Math.max(ws, 0), h1 = Math.min(hp, g.H), w1 = Math.min(wp, g.W);
    const div = divisor > 0 ? divisor : includePad ? poolSize : (h1 - h0) * (w1 - w0);
    visit(q, h0, h1, w0, w1, div);
  }
}

/** PyTorch's CPU avg pool. */
function avgPoolRef(g: Pool, x: Float32Array, includePad: boolean, divisor: number): Float32Array {
  const out = new Float32Array(g.NC * g.OH * g.OW);
  let o = 0;
  forEachAvgWindow(g, includePad, divisor, (q, h0, h1, w0, w1, div) => {
    if (h0 >= h1 || w0 >= w1) { out[o++] = 0; return; }
    let sum = 0;
    for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) sum = f(sum + x[q * g.H * g.W + ih * g.W + iw]);
    out[o++] = f(sum / div);
  });
  return out;
}

function avgPoolBwdRef(g: Pool, dy: Float32Array, includePad: boolean, divisor: number): Float32Array {
  const dx = new Float32Array(g.NC * g.H * g.W);
  let o = 0;
  forEachAvgWindow(g, includePad, divisor, (q, h0, h1, w0, w1, div) => {
    const gv = dy[o++];
    if (h0 >= h1 || w0 >= w1) return;
    const v = f(gv / div);
    for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) {
      const j = q * g.H * g.W + ih * g.W + iw;
      dx[j] = f(dx[j] + v);
    }
  });
  return dx;
}

const AVG_POOLS = POOLS.map((g) => ({ ...g, d: [1, 1], OH: outSize(g.H, g.k[0], g.s[0], g.p[0], 1, g.ceil), OW: outSize(g.W, g.k[1], g.s[1], g.p[1], 1, g.ceil) }));

describe("avg_pool2d_f32 / avg_pool2d_bwd_f32", () => {
  for (const g of AVG_POOLS) {
    for (const [includePad, divisor] of [[true, 0], [false, 0], [true, 3]] as [boolean, number][]) {
      it(`${pname(g)}, countIncludePad ${includePad}, divisor ${divisor}`, () => {
        const x = poolInput(g.NC * g.H * g.W, g.H * 5 + g.W, false);
        const want = avgPoolRef(g, x, includePad, divisor);
        const out = guarded(want.length);
        ex.avg_pool2d_f32(out.ptr, core.put(x), dimsPtr(g), includePad ? 1 : 0, divisor);
        expectSame(out.get(), want, "out");
        expect(out.guardsIntact()).toBe(true);
        const dy = randomFloats(want.length, 4);
        const dx = guarded(x.length);
        ex.avg_pool2d_bwd_f32(dx.ptr, core.put(dy), dimsPtr(g), includePad ? 1 : 0, divisor);
        expectSame(dx.get(), avgPoolBwdRef(g, dy, includePad, divisor), "dx");
        expect(dx.guardsIntact()).toBe(true);
        core.reset();
      });
    }
  }
});

const ADAPTIVE: [number, number, number, number, number][] = [
  [1, 1, 1, 1, 1], [2, 7, 5, 3, 2], [3, 4, 4, 1, 1], [2, 5, 9, 5, 9], [1, 6, 4, 4, 3], [2, 3, 3, 5, 7], [1, 28, 28, 7, 7], [0, 3, 3, 2, 2],
];

describe("adaptive_avg_pool2d_f32 / adaptive_avg_pool2d_bwd_f32", () => {
  for (const [NC, H, W, OH, OW] of ADAPTIVE) {
    it(`NC${NC} ${H}x${W} -> ${OH}x${OW}`, () => {
      const x = randomFloats(NC * H * W, H + 3 * W);
      const dy = randomFloats(NC * OH * OW, 8);
      const want = new Float32Array(NC * OH * OW);
      const wantDx = new Float32Array(x.length);
      let o = 0;
      for (let q = 0; q < NC; q++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
        // PyTorch: start = floor(i*H/OH), end = ceil((i+1)*H/OH)
        const h0 = Math.floor((i * H) / OH), h1 = Math.ceil(((i + 1) * H) / OH);
        const w0 = Math.floor((j * W) / OW), w1 = Math.ceil(((j + 1) * W) / OW);
        let s = 0;
        for (let a = h0; a < h1; a++) for (let b = w0; b < w1; b++) s = f(s + x[q * H * W + a * W + b]);
        const cnt = (h1 - h0) * (w1 - w0);
        want[o] = f(s / cnt);
        const v = f(dy[o] / cnt);
        for (let a = h0; a < h1; a++) for (let b = w0; b < w1; b++) {
          const k = q * H * W + a * W + b;
          wantDx[k] = f(wantDx[k] + v);
        }
        o++;
      }
      const out = guarded(want.length);
      ex.adaptive_avg_pool2d_f32(out.ptr, core.put(x), NC, H, W, OH, OW);
      expectSame(out.get(), want, "out");
      const dx = guarded(x.length);
      ex.adaptive_avg_pool2d_bwd_f32(dx.ptr, core.put(dy), NC, H, W, OH, OW);
      expectSame(dx.get(), wantDx, "dx");
      expect(out.guardsIntact() && dx.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});

describe("upsample_nearest2d_f32 / upsample_nearest2d_bwd_f32", () => {
  const CASES: [number, number, number, number, number][] = [[1, 1, 1, 1, 1], [2, 3, 2, 6, 4], [3, 5, 4, 7, 3], [1, 2, 7, 1, 17], [0, 2, 2, 4, 4]];
  for (const [NC, H, W, OH, OW] of CASES) {
    it(`NC${NC} ${H}x${W} -> ${OH}x${OW}`, () => {
      // arbitrary (even repeated, out of order) source tables: the kernel must only follow them
      const hIdx = Array.from({ length: OH }, (_, i) => (i * 7 + 3) % H);
      const wIdx = Array.from({ length: OW }, (_, j) => (j * 5 + 1) % W);
      const x = randomFloats(NC * H * W, H * W + 1);
      const dy = randomFloats(NC * OH * OW, 2);
      const want = new Float32Array(NC * OH * OW);
      const wantDx = new Float32Array(x.length);
      let o = 0;
      for (let q = 0; q < NC; q++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
        const k = q * H * W + hIdx[i] * W + wIdx[j];
        want[o] = x[k];
        wantDx[k] = f(wantDx[k] + dy[o++]);
      }
      const out = guarded(want.length);
      const hp = core.putI32(hIdx), wp = core.putI32(wIdx);
      ex.upsample_nearest2d_f32(out.ptr, core.put(x), NC, H, W, OH, OW, hp, wp);
      expectSame(out.get(), want, "out");
      const dx = guarded(x.length);
      ex.upsample_nearest2d_bwd_f32(dx.ptr, core.put(dy), NC, H, W, OH, OW, hp, wp);
      expectSame(dx.get(), wantDx, "dx");
      expect(out.guardsIntact() && dx.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});
