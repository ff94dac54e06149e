// norm.ts kernels against naive TypeScript references over awkward sizes.
//
// Tolerances:
// - statistics (batch mean/var, layer-norm mean/rstd) accumulate in f64 and round once, so they must equal the
//   f64 reference rounded to f32, up to 1e-12 relative for the different f64 summation order;
// - the normalizing forwards evaluate a fixed f32 expression per element from per-channel constants computed
//   in f64 and rounded once, so a reference replaying that expression with Math.fround matches bit for bit
//   (this also proves the SIMD bodies and the scalar tails agree);
// - the backward kernels are checked against the f64 formula: their f32 arithmetic (a handful of roundings per
//   element, f64 sums) stays within 2^-20 (about 1e-6) of the magnitude of the terms combined.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats, fail } from "./harness";

const core = loadCore();
const ex = core.exports;
const fr = Math.fround;

const guarded = (n: number) => core.guarded(n);

/** |got - want| within 1e-12 relative of the exact value beyond f32 rounding of it. */
function roundedEqual(got: number, exact: number, what: string): void {
  if (got === fr(exact)) return;
  if (Math.abs(got - exact) > Math.abs(fr(exact) - exact) + 1e-12 * Math.abs(exact) + 1e-300) fail(`${what}: ${got} vs ${exact}`);
}

const BN_SHAPES: [number, number, number][] = [
  [1, 1, 1], [2, 1, 1], [3, 17, 1], [17, 3, 1], [64, 63, 1], [5, 4, 1], [2, 5, 3], [3, 4, 17], [2, 3, 64], [4, 7, 4],
  [3, 2, 63], [0, 3, 1], [3, 0, 2], [2, 3, 0], [1, 6, 5],
];
const idx = (i: number, ch: number, j: number, c: number, l: number) => (i * c + ch) * l + j;

function refStats(x: Float32Array, n: number, c: number, l: number) {
  const mean: number[] = [], variance: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) s += x[idx(i, ch, j, c, l)];
    const m = s / (n * l);
    let q = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) q += (x[idx(i, ch, j, c, l)] - m) ** 2;
    mean.push(m);
    variance.push(q / (n * l));
  }
  return { mean, variance };
}

const invStd = (v: number, eps: number) => fr(1 / Math.sqrt(v + eps));

describe("batch_norm_stats_f32", () => {
  for (const [n, c, l] of BN_SHAPES) {
    it(`[${n}, ${c}, ${l}]`, () => {
      const x = randomFloats(n * c * l, 3 + n + 5 * c + 11 * l, -2, 3);
      const mean = guarded(c), variance = guarded(c);
      ex.batch_norm_stats_f32(mean.ptr, variance.ptr, core.put(x), n, c, l);
      const ref = refStats(x, n, c, l);
      const gm = mean.get(), gv = variance.get();
      for (let ch = 0; ch < c; ch++) {
        if (n * l === 0) {
          expect(Number.isNaN(gm[ch]) && Number.isNaN(gv[ch])).toBe(true);
          continue;
        }
        roundedEqual(gm[ch], ref.mean[ch], `mean[${ch}]`);
        roundedEqual(gv[ch], ref.variance[ch], `var[${ch}]`);
      }
      expect(mean.guardsIntact() && variance.guardsIntact()).toBe(true);
      core.reset();
    });
  }

  it("has no E[x²] - E[x]² cancellation: values 10000 + U(-1, 1) in both layouts", () => {
    for (const [n, c, l] of [[4096, 3, 1], [16, 3, 256]] as const) {
      const x = randomFloats(n * c * l, 9, -1, 1).map((v) => fr(10000 + v));
      const mean = guarded(c), variance = guarded(c);
      ex.batch_norm_stats_f32(mean.ptr, variance.ptr, core.put(x), n, c, l);
      const ref = refStats(x, n, c, l);
      for (let ch = 0; ch < c; ch++) roundedEqual(variance.get()[ch], ref.variance[ch], `var[${ch}] of [${n}, ${c}, ${l}]`);
      core.reset();
    }
  });
});

describe("batch_norm_f32", () => {
  for (const [n, c, l] of BN_SHAPES) {
    for (const affine of [true, false]) {
      it(`[${n}, ${c}, ${l}]${affine ? "" : " without weight and bias"}`, () => {
        const size = n * c * l;
        const x = randomFloats(size, 7 + n + 3 * c + l, -3, 2);
        const mean = randomFloats(c, 2, -0.5, 0.5);
        const variance = randomFloats(c, 3, 0.1, 2);
        const w = randomFloats(c, 4, -2, 2);
        const b = randomFloats(c, 5, -1, 1);
        const eps = 1e-3;
        const y = guarded(size);
        ex.batch_norm_f32(y.ptr, core.put(x), core.put(mean), core.put(variance), affine ? core.put(w) : 0, affine ? core.put(b) : 0, n, c, l, eps);
        const got = y.get();
        for (let i = 0; i < n; i++) {
          for (let ch = 0; ch < c; ch++) {
            const s = fr(invStd(variance[ch], eps) * (affine ? w[ch] : 1));
            for (let j = 0; j < l; j++) {
              const k = idx(i, ch, j, c, l);
              const want = fr(fr(fr(x[k] - mean[ch]) * s) + (affine ? b[ch] : 0));
              if (!Object.is(got[k], want)) fail(`y[${i}, ${ch}, ${j}]: ${got[k]} vs ${want}`);
            }
          }
        }
        expect(y.guardsIntact()).toBe(true);
        core.reset();
      });
    }
  }

  it("may write y over x", () => {
    const [n, c, l] = [5, 6, 3];
    const x = randomFloats(n * c * l, 1);
    const stats = [core.put(randomFloats(c, 2)), core.put(randomFloats(c, 3, 0.5, 1))];
    const separate = core.empty(x.length);
    ex.batch_norm_f32(separate, core.put(x), stats[0], stats[1], 0, 0, n, c, l, 1e-5);
    const inPlace = core.put(x);
    ex.batch_norm_f32(inPlace, inPlace, stats[0], stats[1], 0, 0, n, c, l, 1e-5);
    expect(core.get(inPlace, x.length)).toEqual(core.get(separate, x.length));
    core.reset();
  });
});

describe("batch_norm_bwd_f32", () => {
  for (const [n, c, l] of BN_SHAPES) {
    for (const training of [1, 0]) {
      for (const affine of [true, false]) {
        it(`[${n}, ${c}, ${l}] ${training ? "train" : "eval"}${affine ? "" : " without weight"}`, () => {
          const size = n * c * l;
          const x = randomFloats(size, 1 + n + c + l, -2, 2);
          const dy = randomFloats(size, 2 + n + c + l, -1, 1);
          const w = randomFloats(c, 3, -2, 2);
          const eps = 1e-5;
          // train: the batch's own statistics; eval: unrelated running statistics
          const st = refStats(x, n, c, l);
          const mean = Float32Array.from(training ? st.mean : randomFloats(c, 4, -0.3, 0.3));
          const variance = Float32Array.from(training ? st.variance : randomFloats(c, 5, 0.2, 2));
          const dx = guarded(size), dw = guarded(c), db = guarded(c);
          ex.batch_norm_bwd_f32(dx.ptr, dw.ptr, db.ptr, core.put(dy), core.put(x), core.put(mean), core.put(variance),
            affine ? core.put(w) : 0, n, c, l, eps, training);
          const M = n * l;
          for (let ch = 0; ch < c; ch++) {
            const inv = invStd(variance[ch], eps);
            let sg = 0, sgd = 0, mag = 0;
            for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) {
              const k = idx(i, ch, j, c, l);
              sg += dy[k];
              sgd += dy[k] * (x[k] - mean[ch]);
              mag += Math.abs(dy[k] * (x[k] - mean[ch]));
            }
            roundedEqual(db.get()[ch], sg, `dbias[${ch}]`);
            const dwGot = dw.get()[ch];
            if (Math.abs(dwGot - sgd * inv) > 2 ** -22 * mag * inv + 1e-30) fail(`dweight[${ch}]: ${dwGot} vs ${sgd * inv}`);
            const s = inv * (affine ? w[ch] : 1);
            for (let i = 0; i < n; i++) for (let j = 0; j < l; j++) {
              const k = idx(i, ch, j, c, l);
              const d = x[k] - mean[ch];
              const want = training ? s * (dy[k] - sg / M - d * sgd / M * inv * inv) : s * dy[k];
              const scale = Math.abs(s) * (Math.abs(dy[k]) + Math.abs(sg / M) + Math.abs(d * sgd / M * inv * inv));
              const got = dx.get()[k];
              if (!(Math.abs(got - want) <= 2 ** -20 * scale + 1e-30)) fail(`dx[${i}, ${ch}, ${j}]: ${got} vs ${want}`);
            }
          }
          expect(dx.guardsIntact() && dw.guardsIntact() && db.guardsIntact()).toBe(true);
          core.reset();
        });
      }
    }
  }

  it("skips outputs given as 0 and may write dx over dy", () => {
    const [n, c, l] = [6, 5, 1];
    const x = randomFloats(n * c * l, 1), dy = randomFloats(n * c * l, 2);
    const st = refStats(x, n, c, l);
    const args = [core.put(x), core.put(st.mean), core.put(st.variance), core.put(randomFloats(c, 3))];
    const full = core.empty(x.length);
    ex.batch_norm_bwd_f32(full, core.empty(c), core.empty(c), core.put(dy), ...args, n, c, l, 1e-5, 1);
    const inPlace = core.put(dy);
    ex.batch_norm_bwd_f32(inPlace, 0, 0, inPlace, ...args, n, c, l, 1e-5, 1);
    expect(core.get(inPlace, x.length)).toEqual(core.get(full, x.length));
    const untouched = core.put(dy);
    const dw = guarded(c);
    ex.batch_norm_bwd_f32(0, dw.ptr, 0, untouched, ...args, n, c, l, 1e-5, 1);
    expect(core.get(untouched, x.length)).toEqual(dy);
    expect(dw.guardsIntact()).toBe(true);
    core.reset();
  });
});

describe("batch_norm_update_f32", () => {
  it("blends running statistics in f64 with the unbiased batch variance", () => {
    for (const c of [1, 3, 17]) {
      const rm = randomFloats(c, 1), rv = randomFloats(c, 2, 0.5, 2);
      const mean = randomFloats(c, 3), variance = randomFloats(c, 4, 0.1, 3);
      const pm = core.put(rm), pv = core.put(rv);
      ex.batch_norm_update_f32(pm, pv, core.put(mean), core.put(variance), c, 0.1, 8 / 7);
      const gm = core.get(pm, c), gv = core.get(pv, c);
      for (let ch = 0; ch < c; ch++) {
        expect(gm[ch]).toBe(fr(0.1 * mean[ch] + 0.9 * rm[ch]));
        expect(gv[ch]).toBe(fr(0.1 * variance[ch] * (8 / 7) + 0.9 * rv[ch]));
      }
      core.reset();
    }
  });
});

const LN_SHAPES: [number, number][] = [[1, 1], [3, 17], [2, 3], [5, 4], [17, 64], [64, 63], [0, 5], [3, 1], [2, 1000], [4, 7]];

function refRows(x: Float32Array, rows: number, d: number, eps: number) {
  const mean: number[] = [], rstd: number[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r * d + j];
    const m = s / d;
    let q = 0;
    for (let j = 0; j < d; j++) q += (x[r * d + j] - m) ** 2;
    mean.push(m);
    rstd.push(1 / Math.sqrt(q / d + eps));
  }
  return { mean, rstd };
}

describe("layer_norm_f32", () => {
  for (const [rows, d] of LN_SHAPES) {
    for (const affine of [true, false]) {
      it(`[${rows}, ${d}]${affine ? "" : " without weight and bias"}`, () => {
        const x = randomFloats(rows * d, rows + 3 * d, -2, 4);
        const w = randomFloats(d, 1, -2, 2), b = randomFloats(d, 2, -1, 1);
        const eps = 1e-5;
        const y = guarded(rows * d), mean = guarded(rows), rstd = guarded(rows);
        ex.layer_norm_f32(y.ptr, mean.ptr, rstd.ptr, core.put(x), affine ? core.put(w) : 0, affine ? core.put(b) : 0, rows, d, eps);
        const ref = refRows(x, rows, d, eps);
        for (let r = 0; r < rows; r++) {
          roundedEqual(mean.get()[r], ref.mean[r], `mean[${r}]`);
          // rstd: the f64 variance of the two-pass sum, then 1/sqrt in f64, rounded once
          roundedEqual(rstd.get()[r], ref.rstd[r], `rstd[${r}]`);
          const m = mean.get()[r], rs = rstd.get()[r];
          for (let j = 0; j < d; j++) {
            let want = fr(fr(x[r * d + j] - m) * rs);
            if (affine) want = fr(fr(want * w[j]) + b[j]);
            const got = y.get()[r * d + j];
            if (!Object.is(got, want)) fail(`y[${r}, ${j}]: ${got} vs ${want}`);
          }
        }
        expect(y.guardsIntact() && mean.guardsIntact() && rstd.guardsIntact()).toBe(true);
        core.reset();
      });
    }
  }
});

describe("layer_norm_bwd_f32", () => {
  for (const [rows, d] of LN_SHAPES) {
    for (const affine of [true, false]) {
      it(`[${rows}, ${d}]${affine ? "" : " without weight"}`, () => {
        const x = randomFloats(rows * d, 1 + rows + d, -2, 2);
        const dy = randomFloats(rows * d, 2 + rows + d, -1, 1);
        const w = randomFloats(d, 3, -2, 2);
        const ref = refRows(x, rows, d, 1e-5);
        const mean = Float32Array.from(ref.mean), rstd = Float32Array.from(ref.rstd);
        const dx = guarded(rows * d), dw = guarded(d), db = guarded(d);
        const scratch = core.empty(Math.max(1, ex.layer_norm_bwd_scratch_bytes(d) / 4));
        ex.layer_norm_bwd_f32(dx.ptr, dw.ptr, db.ptr, core.put(dy), core.put(x), core.put(mean), core.put(rstd),
          affine ? core.put(w) : 0, rows, d, scratch);
        const wAcc = new Float64Array(d), bAcc = new Float64Array(d), wMag = new Float64Array(d);
        for (let r = 0; r < rows; r++) {
          const xh = (j: number) => (x[r * d + j] - mean[r]) * rstd[r];
          const g = (j: number) => dy[r * d + j] * (affine ? w[j] : 1);
          let sg = 0, sgx = 0, mag = 0;
          for (let j = 0; j < d; j++) {
            sg += g(j);
            sgx += g(j) * xh(j);
            mag += Math.abs(g(j) * xh(j));
            wAcc[j] += dy[r * d + j] * xh(j);
            wMag[j] += Math.abs(dy[r * d + j] * xh(j));
            bAcc[j] += dy[r * d + j];
          }
          for (let j = 0; j < d; j++) {
            const want = rstd[r] * (g(j) - sg / d - xh(j) * sgx / d);
            const scale = rstd[r] * (Math.abs(g(j)) + Math.abs(sg / d) + Math.abs(xh(j)) * mag / d);
            const got = dx.get()[r * d + j];
            if (!(Math.abs(got - want) <= 2 ** -20 * scale + 1e-30)) fail(`dx[${r}, ${j}]: ${got} vs ${want}`);
          }
        }
        for (let j = 0; j < d; j++) {
          roundedEqual(db.get()[j], bAcc[j], `dbias[${j}]`);
          if (Math.abs(dw.get()[j] - wAcc[j]) > 2 ** -22 * wMag[j] + 1e-30) fail(`dweight[${j}]: ${dw.get()[j]} vs ${wAcc[j]}`);
        }
        expect(dx.guardsIntact() && dw.guardsIntact() && db.guardsIntact()).toBe(true);
        core.reset();
      });
    }
  }

  it("skips outputs given as 0 and may write dx over dy", () => {
    const [rows, d] = [5, 9];
    const x = randomFloats(rows * d, 1), dy = randomFloats(rows * d, 2);
    const ref = refRows(x, rows, d, 1e-5);
    const args = [core.put(x), core.put(ref.mean), core.put(ref.rstd), core.put(randomFloats(d, 3))];
    const scratch = core.empty(ex.layer_norm_bwd_scratch_bytes(d) / 4);
    const full = core.empty(x.length);
    ex.layer_norm_bwd_f32(full, core.empty(d), core.empty(d), core.put(dy), ...args, rows, d, scratch);
    const inPlace = core.put(dy);
    ex.layer_norm_bwd_f32(inPlace, 0, 0, inPlace, ...args, rows, d, 0);
    expect(core.get(inPlace, x.length)).toEqual(core.get(full, x.length));
    core.reset();
  });
});
