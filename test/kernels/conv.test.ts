// conv.ts kernels against naive TypeScript references over awkward geometries (1x1 and larger
// kernels, strides, paddings larger than the kernel reach, dilations, odd sizes, SIMD tails,
// empty dims), with guard floats around every output to catch stray writes.
//
// Tolerances: im2col, the layout moves and bias_add copy or add exactly once, so they must
// match bit for bit. col2im adds up to kH*kW column values per input element in its own order;
// the reference adds in the same order (row by row of col, as the kernel walks them), so it is
// exact too. bias_grad sums in f64 per (n, c) row after 4-lane f32 partial sums: within
// 1e-6 * sum|dy| of the f64 sum (a few f32 roundings of partial sums of at most P terms).
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats } from "./harness";

const core = loadCore();
const ex = core.exports;

/** An output region of n floats (16-byte aligned) with 4 guard floats on each side. */
const guarded = (n: number, fill = NaN) => core.guarded(n, fill, 4);

interface Geo { N: number; C: number; H: number; W: number; OH: number; OW: number; kH: number; kW: number;
  sH: number; sW: number; pH: number; pW: number; dH: number; dW: number }

/** Output size by PyTorch's conv formula, unless given (asymmetric "same" padding passes OH/OW explicitly). */
function geo(N: number, C: number, H: number, W: number, k: [number, number], s: [number, number] = [1, 1],
  p: [number, number] = [0, 0], d: [number, number] = [1, 1], out?: [number, number]): Geo {
  const OH = out ? out[0] : Math.floor((H + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const OW = out ? out[1] : Math.floor((W + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  return { N, C, H, W, OH, OW, kH: k[0], kW: k[1], sH: s[0], sW: s[1], pH: p[0], pW: p[1], dH: d[0], dW: d[1] };
}

const GEOMETRIES: Geo[] = [
  geo(1, 1, 1, 1, [1, 1]),
  geo(2, 3, 5, 4, [3, 2], [2, 1], [1, 2], [1, 2]),
  geo(1, 2, 7, 7, [3, 3], [1, 1], [1, 1]),
  geo(3, 1, 28, 28, [3, 3], [1, 1], [1, 1]),
  geo(2, 2, 6, 17, [1, 1], [3, 3]),
  geo(1, 1, 4, 4, [4, 4]),
  geo(2, 3, 9, 6, [2, 3], [3, 2], [2, 3], [2, 1]),
  geo(1, 2, 3, 17, [3, 5], [1, 2], [4, 4], [1, 3]), // padding past the kernel's reach: all-zero rows
  geo(2, 1, 5, 5, [2, 2], [1, 1], [0, 0], [1, 1], [5, 5]), // "same" with an even kernel: extra zero row/column at the end
  geo(1, 3, 64, 63, [3, 3], [2, 2], [1, 1]),
  geo(1, 1, 1, 9, [1, 3], [1, 1], [0, 1], [1, 1]),
  geo(0, 2, 4, 4, [3, 3], [1, 1], [1, 1]),
];
const name = (g: Geo) =>
  `N${g.N} C${g.C} ${g.H}x${g.W} -> ${g.OH}x${g.OW}, k ${g.kH}x${g.kW} s ${g.sH},${g.sW} p ${g.pH},${g.pW} d ${g.dH},${g.dW}`;

function dimsPtr(g: Geo): number {
  return core.putI32([g.N, g.C, g.H, g.W, g.OH, g.OW, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW]);
}

/** Naive im2col: col[(c*kH + i)*kW + j, (n*OH + oh)*OW + ow]. */
function im2colRef(g: Geo, x: Float32Array): Float32Array {
  const L = g.N * g.OH * g.OW;
  const col = new Float32Array(g.C * g.kH * g.kW * L);
  for (let c = 0; c < g.C; c++) for (let i = 0; i < g.kH; i++) for (let j = 0; j < g.kW; j++) {
    const r = (c * g.kH + i) * g.kW + j;
    for (let n = 0; n < g.N; n++) for (let oh = 0; oh < g.OH; oh++) for (let ow = 0; ow < g.OW; ow++) {
      const ih = oh * g.sH - g.pH + i * g.dH;
      const iw = ow * g.sW - g.pW + j * g.dW;
      const inside = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
      col[r * L + (n * g.OH + oh) * g.OW + ow] = inside ? x[((n * g.C + c) * g.H + ih) * g.W + iw] : 0;
    }
  }
  return col;
}

/** Naive col2im: every column value added to the input element it came from, in im2col's order. */
function col2imRef(g: Geo, col: Float32Array): Float32Array {
  const L = g.N * g.OH * g.OW;
  const x = new Float32Array(g.N * g.C * g.H * g.W);
  for (let n = 0; n < g.N; n++) for (let c = 0; c < g.C; c++) for (let i = 0; i < g.kH; i++) for (let j = 0; j < g.kW; j++) {
    const r = (c * g.kH + i) * g.kW + j;
    for (let oh = 0; oh < g.OH; oh++) for (let ow = 0; ow < g.OW; ow++) {
      const ih = oh * g.sH - g.pH + i * g.dH;
      const iw = ow * g.sW - g.pW + j * g.dW;
      if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
      const k = ((n * g.C + c) * g.H + ih) * g.W + iw;
      x[k] = Math.fround(x[k] + col[r * L + (n * g.OH + oh) * g.OW + ow]);
    }
  }
  return x;
}

function expectSame(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

describe("im2col_f32", () => {
  for (const g of GEOMETRIES) {
    it(name(g), () => {
      const x = randomFloats(g.N * g.C * g.H * g.W, g.H * 31 + g.W);
      const want = im2colRef(g, x);
      const col = guarded(want.length);
      ex.im2col_f32(col.ptr, core.put(x), dimsPtr(g));
      expectSame(col.get(), want, "col");
      expect(col.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});

describe("col2im_f32", () => {
  for (const g of GEOMETRIES) {
    it(name(g), () => {
      const L = g.N * g.OH * g.OW;
      const colv = randomFloats(g.C * g.kH * g.kW * L, g.OH * 17 + g.OW);
      const want = col2imRef(g, colv);
      const x = guarded(want.length);
      ex.col2im_f32(x.ptr, core.put(colv), dimsPtr(g));
      expectSame(x.get(), want, "x");
      expect(x.guardsIntact()).toBe(true);
      core.reset();
    });
  }

  it("is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>", () => {
    const g = geo(2, 3, 9, 7, [3, 2], [2, 1], [1, 2], [2, 1]);
    const x = randomFloats(g.N * g.C * g.H * g.W, 5);
    const c = randomFloats(g.C * g.kH * g.kW * g.N * g.OH * g.OW, 6);
    const colPtr = core.empty(c.length);
    ex.im2col_f32(colPtr, core.put(x), dimsPtr(g));
    const xPtr = core.empty(x.length);
    ex.col2im_f32(xPtr, core.put(c), dimsPtr(g));
    const a = core.get(colPtr, c.length).reduce((s, v, i) => s + v * c[i], 0);
    const b = core.get(xPtr, x.length).reduce((s, v, i) => s + v * x[i], 0);
    // both sides are sums of the same ~1000 f32 products; f64 accumulation leaves only the f32 col2im sums' rounding
    expect(Math.abs(a - b)).toBeLessThan(1e-4 * Math.max(1, Math.abs(a)));
    core.reset();
  });
});

const LAYOUTS: [number, number, number][] = [[1, 1, 1], [2, 3, 5], [3, 4, 17], [1, 8, 676], [4, 2, 3], [0, 3, 4], [2, 0, 4], [2, 3, 0], [5, 7, 63]];

describe("cnp_to_nchw_f32 / nchw_to_cnp_f32 / bias_add_nchw_f32 / bias_grad_nchw_f32", () => {
  for (const [N, C, P] of LAYOUTS) {
    it(`N ${N}, C ${C}, P ${P}`, () => {
      const n = N * C * P;
      const src = randomFloats(n, N + 3 * C + 7 * P);
      const bias = randomFloats(C, 99);
      const srcPtr = core.put(src);
      const biasPtr = core.put(bias);
      // cnp -> nchw, with and without bias
      for (const withBias of [false, true]) {
        const out = guarded(n);
        ex.cnp_to_nchw_f32(out.ptr, srcPtr, withBias ? biasPtr : 0, N, C, P);
        const want = new Float32Array(n);
        for (let b = 0; b < N; b++) for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) {
          want[(b * C + c) * P + p] = Math.fround(src[(c * N + b) * P + p] + (withBias ? bias[c] : 0));
        }
        expectSame(out.get(), want, `cnp_to_nchw bias=${withBias}`);
        expect(out.guardsIntact()).toBe(true);
      }
      // nchw -> cnp
      const t = guarded(n);
      ex.nchw_to_cnp_f32(t.ptr, srcPtr, N, C, P);
      const wantT = new Float32Array(n);
      for (let b = 0; b < N; b++) for (let c = 0; c < C; c++) for (let p = 0; p < P; p++) wantT[(c * N + b) * P + p] = src[(b * C + c) * P + p];
      expectSame(t.get(), wantT, "nchw_to_cnp");
      expect(t.guardsIntact()).toBe(true);
      // bias add in place
      const y = guarded(n);
      new Float32Array(ex.memory.buffer, y.ptr, n).set(src);
      ex.bias_add_nchw_f32(y.ptr, biasPtr, N, C, P);
      const wantY = src.map((v, i) => Math.fround(v + bias[Math.floor(i / P) % C]));
      expectSame(y.get(), wantY, "bias_add");
      expect(y.guardsIntact()).toBe(true);
      // bias gradient: overwrite, then accumulate onto it
      const db = guarded(C);
      for (const acc of [0, 1]) {
        const before = db.get();
        ex.bias_grad_nchw_f32(db.ptr, srcPtr, N, C, P, acc);
        const got = db.get();
        for (let c = 0; c < C; c++) {
          let s = acc ? before[c] : 0;
          let a = Math.abs(s);
          for (let b = 0; b < N; b++) for (let p = 0; p < P; p++) {
            s += src[(b * C + c) * P + p];
            a += Math.abs(src[(b * C + c) * P + p]);
          }
          if (!(Math.abs(got[c] - s) <= 1e-6 * a + Math.abs(Math.fround(s) - s))) throw new Error(`db[${c}] acc=${acc}: ${got[c]} vs ${s}`);
        }
      }
      expect(db.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});
