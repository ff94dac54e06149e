// softmax.ts (softmax, log-softmax, fused cross-entropy) against naive f64 TypeScript references.
//
// Tolerances (u = 2^-24, ulp = of the reference):
//  softmax      3 ulp + u |x - max| ref: exp <= 1 ulp, f64 sum rounded once, one division; the f32 subtraction
//               x - max can round, which moves exp by u|x - max| relatively (conditioning).
//  log_softmax  2 ulp + 2u (|x - max| + |lse| + 1): two f32 subtractions of those magnitudes; lse from an f64 log.
//  *_bwd        2 ulp + 4u * (sum of |terms|): one f32 rounding of the f64 reduction plus 2-3 f32 operations.
//  cross-entropy loss  2 ulp + 4u (1 + |lse|): computed in f64 from f32 exponentials (each <= 1 ulp).
//  cross-entropy grads 2 ulp + 4u |g| (p + |t'| + 1): p = exp/sum as in softmax, then p - t' and * g.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats, ulp, fail, centralDifference } from "./harness";

const core = loadCore();
const ex = core.exports;
const fr = Math.fround;
const U = 2 ** -24;
const guarded = (n: number) => core.guarded(n);

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 17, 1], [2, 5, 3], [1, 64, 63], [64, 63, 1], [4, 1, 5], [1, 4032, 1], [3, 10, 6], [2, 17, 7],
  [0, 5, 1], [2, 3, 0], [5, 2, 1],
];
const at = (o: number, d: number, i: number, dim: number, inner: number) => (o * dim + d) * inner + i;

/** Row statistics along dim for position (o, i). */
function rowStats(x: ArrayLike<number>, o: number, i: number, dim: number, inner: number) {
  let m = -Infinity;
  for (let d = 0; d < dim; d++) m = Math.max(m, x[at(o, d, i, dim, inner)]);
  let s = 0;
  for (let d = 0; d < dim; d++) s += Math.exp(x[at(o, d, i, dim, inner)] - m);
  return { m, lse: Math.log(s), s };
}

describe("softmax_f32 / log_softmax_f32 and backward", () => {
  for (const [outer, dim, inner] of SHAPES) {
    it(`[${outer}, ${dim}, ${inner}]`, () => {
      const n = outer * dim * inner;
      const x = randomFloats(n, 3 + dim + inner, -8, 8);
      const px = core.put(x);
      const sm = guarded(n), ls = guarded(n);
      ex.softmax_f32(sm.ptr, px, outer, dim, inner);
      ex.log_softmax_f32(ls.ptr, px, outer, dim, inner);
      const y = sm.get(), ly = ls.get();
      const dy = randomFloats(n, 5 + dim, -1, 1);
      const pdy = core.put(dy);
      const dsm = guarded(n), dls = guarded(n);
      ex.softmax_bwd_f32(dsm.ptr, sm.ptr, pdy, outer, dim, inner);
      ex.log_softmax_bwd_f32(dls.ptr, ls.ptr, pdy, outer, dim, inner);
      const g1 = dsm.get(), g2 = dls.get();
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const { m, lse } = rowStats(x, o, i, dim, inner);
          let dot = 0, sdy = 0, dotAbs = 0, sAbs = 0;
          for (let d = 0; d < dim; d++) {
            const k = at(o, d, i, dim, inner);
            dot += dy[k] * y[k]; dotAbs += Math.abs(dy[k] * y[k]);
            sdy += dy[k]; sAbs += Math.abs(dy[k]);
          }
          for (let d = 0; d < dim; d++) {
            const k = at(o, d, i, dim, inner);
            const r1 = Math.exp(x[k] - m - lse);
            if (!(Math.abs(y[k] - r1) <= 3 * ulp(r1) + U * Math.abs(x[k] - m) * r1)) fail(`softmax ${k}: ${y[k]} vs ${r1}`);
            const r2 = x[k] - m - lse;
            if (!(Math.abs(ly[k] - r2) <= 2 * ulp(r2) + 2 * U * (Math.abs(x[k] - m) + Math.abs(lse) + 1))) fail(`log_softmax ${k}: ${ly[k]} vs ${r2}`);
            // backward from the kernel's own forward outputs
            const b1 = y[k] * (dy[k] - dot);
            if (!(Math.abs(g1[k] - b1) <= 2 * ulp(b1) + 4 * U * y[k] * (Math.abs(dy[k]) + dotAbs))) fail(`softmax_bwd ${k}: ${g1[k]} vs ${b1}`);
            const e = Math.exp(ly[k]);
            const b2 = dy[k] - e * sdy;
            if (!(Math.abs(g2[k] - b2) <= 2 * ulp(b2) + 4 * U * (Math.abs(dy[k]) + e * sAbs))) fail(`log_softmax_bwd ${k}: ${g2[k]} vs ${b2}`);
          }
        }
      }
      expect([sm, ls, dsm, dls].every((g) => g.guardsIntact())).toBe(true);
      core.reset();
    });
  }

  it("stable for logits of +-1e4 (finite, exact), dim = 1 gives 1 and 0, NaN rows give NaN", () => {
    // softmax([1e4, -1e4, 0, 1e4]) = [1/2, 0, 0, 1/2] (exp(-1e4) underflows: the exact value rounds to 0);
    // log_softmax = x - 1e4 - ln 2 = [-ln2, -2e4 - ln2, -1e4 - ln2, -ln2].
    for (const inner of [1, 3]) {
      const row = [1e4, -1e4, 0, 1e4];
      const x = new Float32Array(4 * inner);
      for (let d = 0; d < 4; d++) for (let i = 0; i < inner; i++) x[d * inner + i] = row[d];
      const px = core.put(x);
      const out = core.empty(4 * inner);
      ex.softmax_f32(out, px, 1, 4, inner);
      const s = core.get(out, 4 * inner);
      for (let d = 0; d < 4; d++) expect(s[d * inner]).toBe([0.5, 0, 0, 0.5][d]);
      ex.log_softmax_f32(out, px, 1, 4, inner);
      const l = core.get(out, 4 * inner);
      const want = [-Math.LN2, -2e4 - Math.LN2, -1e4 - Math.LN2, -Math.LN2];
      for (let d = 0; d < 4; d++) expect(l[d * inner]).toBe(fr(want[d]));
      // dim = 1
      ex.softmax_f32(out, px, 4, 1, inner);
      expect(Array.from(core.get(out, 4 * inner)).every((v) => v === 1)).toBe(true);
      ex.log_softmax_f32(out, px, 4, 1, inner);
      expect(Array.from(core.get(out, 4 * inner)).every((v) => v === 0)).toBe(true);
      // a NaN anywhere in a row makes the row NaN (as torch)
      const xn = x.slice();
      xn[2 * inner] = NaN;
      ex.softmax_f32(out, core.put(xn), 1, 4, inner);
      expect(Number.isNaN(core.get(out, 1)[0])).toBe(true);
    }
    core.reset();
  });

  it("hand-derived backward: y = softmax([0, ln 3]) = [1/4, 3/4], dy = [1, 0]", () => {
    // sum(dy*y) = 1/4, dx = y * (dy - 1/4) = [1/4 * 3/4, 3/4 * (-1/4)] = [3/16, -3/16].
    // log_softmax: y = log([1/4, 3/4]), sum(dy) = 1, dx = dy - exp(y) * 1 = [3/4, -3/4].
    const y = core.put([0.25, 0.75]);
    const dy = core.put([1, 0]);
    const dx = core.empty(2);
    ex.softmax_bwd_f32(dx, y, dy, 1, 2, 1);
    expect(Array.from(core.get(dx, 2))).toEqual([3 / 16, -3 / 16]);
    ex.log_softmax_bwd_f32(dx, core.put([Math.log(0.25), Math.log(0.75)]), dy, 1, 2, 1);
    const g = core.get(dx, 2);
    expect(Math.abs(g[0] - 0.75)).toBeLessThan(1e-7);
    expect(Math.abs(g[1] + 0.75)).toBeLessThan(1e-7);
    core.reset();
  });

  it("finite differences of softmax_bwd / log_softmax_bwd against the forward kernels", () => {
    // L = sum w * f(x). Central differences in f64 of the f32 forward, h = 1e-2 per coordinate: truncation
    // h^2/6 |f'''| <= 2e-5 (softmax derivatives are O(1)), rounding of L: n * 2^-24 * max|w f| / h <= 1e-4.
    for (const [outer, dim, inner] of [[2, 5, 3], [3, 4, 1]] as [number, number, number][]) {
      const n = outer * dim * inner;
      const x = randomFloats(n, 21, -2, 2);
      const w = randomFloats(n, 22, -1, 1);
      const pw = core.put(w);
      for (const log of [false, true]) {
        const fwd = log ? ex.log_softmax_f32 : ex.softmax_f32;
        const y = core.empty(n), dx = core.empty(n);
        fwd(y, core.put(x), outer, dim, inner);
        (log ? ex.log_softmax_bwd_f32 : ex.softmax_bwd_f32)(dx, y, pw, outer, dim, inner);
        const g = core.get(dx, n);
        const L = (xs: Float32Array) => {
          const o = core.empty(n);
          fwd(o, core.put(xs), outer, dim, inner);
          const r = core.get(o, n);
          let s = 0;
          for (let k = 0; k < n; k++) s += w[k] * r[k];
          return s;
        };
        for (let k = 0; k < n; k++) {
          expect(Math.abs(centralDifference(L, x, k) - g[k]), `${log ? "log_" : ""}softmax [${outer},${dim},${inner}] k=${k}`).toBeLessThanOrEqual(3e-4);
        }
      }
    }
    core.reset();
  });
});

// ----------------------------------------------------------------- cross-entropy

const CE_SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 17, 1], [2, 5, 3], [1, 64, 63], [64, 63, 1], [4, 10, 1], [2, 3, 7], [0, 5, 1], [3, 4, 0], [2, 1000, 1],
];
const IGNORE = -100;

function ceRef(x: Float32Array, t: Float32Array, n: number, c: number, inner: number, eps: number) {
  const loss = new Float64Array(n * inner);
  const grad = new Float64Array(n * c * inner); // per unit g
  const lseAbs = new Float64Array(n * inner);
  let count = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < inner; i++) {
      const e = b * inner + i;
      if (t[e] === IGNORE) continue;
      count++;
      const { m, lse } = rowStats(x, b, i, c, inner);
      let smooth = 0;
      for (let d = 0; d < c; d++) smooth -= x[at(b, d, i, c, inner)] - m - lse;
      const nll = -(x[at(b, t[e], i, c, inner)] - m - lse);
      loss[e] = (1 - eps) * nll + (eps / c) * smooth;
      lseAbs[e] = Math.abs(m + lse);
      for (let d = 0; d < c; d++) {
        const p = Math.exp(x[at(b, d, i, c, inner)] - m - lse);
        grad[at(b, d, i, c, inner)] = p - (eps / c + (d === t[e] ? 1 - eps : 0));
      }
    }
  }
  return { loss, grad, count, lseAbs };
}

describe("cross_entropy_f32 / cross_entropy_bwd_f32 (class indices)", () => {
  for (const [n, c, inner] of CE_SHAPES) {
    for (const eps of [0, 0.1]) {
      it(`[${n}, ${c}, ${inner}] smoothing ${eps}`, () => {
        const x = randomFloats(n * c * inner, 4 + c + inner, -6, 6);
        const t = randomFloats(n * inner, 9 + c, 0, c).map(Math.floor);
        for (let k = 3; k < t.length; k += 5) t[k] = IGNORE;
        const px = core.put(x), pt = core.put(t);
        const out = guarded(n * inner);
        const count = ex.cross_entropy_f32(out.ptr, px, pt, n, c, inner, eps, IGNORE);
        const ref = ceRef(x, t, n, c, inner, fr(eps));
        expect(count).toBe(ref.count);
        const got = out.get();
        for (let e = 0; e < n * inner; e++) {
          const r = ref.loss[e];
          if (!(Math.abs(got[e] - r) <= 2 * ulp(r) + 4 * U * (1 + ref.lseAbs[e]))) fail(`loss ${e}: ${got[e]} vs ${r}`);
        }
        expect(out.guardsIntact()).toBe(true);
        // backward with per-element dloss and with a scalar
        const dl = randomFloats(n * inner, 12, 0.5, 2);
        for (const scalar of [false, true]) {
          const dx = guarded(n * c * inner);
          ex.cross_entropy_bwd_f32(dx.ptr, px, pt, scalar ? 0 : core.put(dl), 0.37, n, c, inner, eps, IGNORE);
          const g = dx.get();
          for (let b = 0; b < n; b++) for (let d = 0; d < c; d++) for (let i = 0; i < inner; i++) {
            const k = at(b, d, i, c, inner);
            const e = b * inner + i;
            const gs = t[e] === IGNORE ? 0 : scalar ? fr(0.37) : dl[e];
            const r = gs * ref.grad[k];
            const tol = 2 * ulp(r) + 4 * U * Math.abs(gs) * (Math.abs(ref.grad[k]) + 2);
            if (!(Math.abs(g[k] - r) <= tol)) fail(`grad ${k} (scalar ${scalar}): ${g[k]} vs ${r}`);
          }
          expect(dx.guardsIntact()).toBe(true);
        }
        core.reset();
      });
    }
  }

  it("hand-derived: logits [0, 0, 0], target 1, label smoothing 0.3", () => {
    // p = 1/3 each, -log p_c = ln 3 for all c: nll = ln 3, mean_c(-log p_c) = ln 3, so
    // loss = 0.7 ln 3 + 0.3 ln 3 = ln 3. Smoothed target t' = 0.3/3 + 0.7 onehot = [0.1, 0.8, 0.1], so
    // dlogits = p - t' = [1/3 - 0.1, 1/3 - 0.8, 1/3 - 0.1] = [0.2333.., -0.4666.., 0.2333..].
    const px = core.put([0, 0, 0]), pt = core.put([1]);
    const out = core.empty(1);
    expect(ex.cross_entropy_f32(out, px, pt, 1, 3, 1, 0.3, IGNORE)).toBe(1);
    expect(Math.abs(core.get(out, 1)[0] - Math.log(3))).toBeLessThan(2e-7);
    const dx = core.empty(3);
    ex.cross_entropy_bwd_f32(dx, px, pt, 0, 1, 1, 3, 1, 0.3, IGNORE);
    const g = core.get(dx, 3);
    const want = [1 / 3 - 0.1, 1 / 3 - 0.8, 1 / 3 - 0.1];
    for (let d = 0; d < 3; d++) expect(Math.abs(g[d] - want[d])).toBeLessThan(1e-7);
    core.reset();
  });

  it("logits of +-1e4 stay finite; ignored elements give 0 and are not counted", () => {
    // row [1e4, -1e4, 0]: lse = 1e4 (+ exp(-1e4) terms that vanish), so loss(target 1) = 2e4, loss(target 0) = 0.
    for (const inner of [1, 2]) {
      const x = new Float32Array(3 * inner * 3);
      const rows = [[1e4, -1e4, 0], [1e4, -1e4, 0], [-1e4, 1e4, 1e4]];
      for (let b = 0; b < 3; b++) for (let d = 0; d < 3; d++) for (let i = 0; i < inner; i++) x[at(b, d, i, 3, inner)] = rows[b][d];
      const t = new Float32Array(3 * inner);
      for (let i = 0; i < inner; i++) { t[i] = 1; t[inner + i] = IGNORE; t[2 * inner + i] = 0; }
      const out = core.empty(3 * inner);
      const px = core.put(x), pt = core.put(t);
      expect(ex.cross_entropy_f32(out, px, pt, 3, 3, inner, 0.1, IGNORE)).toBe(2 * inner);
      const l = core.get(out, 3 * inner);
      expect(l.every(Number.isFinite)).toBe(true);
      // row 0, smoothing eps: nll = 2e4, sum_c(-logp_c) = (1e4 - 1e4) + (1e4 + 1e4) + (1e4 - 0) = 3e4,
      // loss = (1 - eps) 2e4 + eps/3 * 3e4 = 19000 (eps = f32(0.1)); row 1 is ignored.
      expect(l[0]).toBe(fr((1 - fr(0.1)) * 2e4 + (fr(0.1) / 3) * 3e4));
      expect(l[inner]).toBe(0);
      const dx = core.empty(9 * inner);
      ex.cross_entropy_bwd_f32(dx, px, pt, 0, 1, 3, 3, inner, 0.1, IGNORE);
      const g = core.get(dx, 9 * inner);
      expect(g.every(Number.isFinite)).toBe(true);
      for (let d = 0; d < 3; d++) expect(g[at(1, d, 0, 3, inner)]).toBe(0);
    }
    core.reset();
  });

  it("finite differences of cross_entropy_bwd_f32 (with smoothing and an ignored element)", () => {
    // L = sum_e w_e loss_e; h = 1e-2; the loss is smooth with O(1) third derivatives: tolerance 3e-4.
    const [n, c, inner] = [3, 4, 2];
    const x = randomFloats(n * c * inner, 31, -2, 2);
    const t = Float32Array.from([0, 3, IGNORE, 1, 2, 2]);
    const w = randomFloats(n * inner, 32, 0.5, 1.5);
    const pt = core.put(t), pw = core.put(w);
    const dx = core.empty(n * c * inner);
    ex.cross_entropy_bwd_f32(dx, core.put(x), pt, pw, 0, n, c, inner, 0.2, IGNORE);
    const g = core.get(dx, n * c * inner);
    const L = (xs: Float32Array) => {
      const o = core.empty(n * inner);
      ex.cross_entropy_f32(o, core.put(xs), pt, n, c, inner, 0.2, IGNORE);
      const r = core.get(o, n * inner);
      return r.reduce((s, v, e) => s + w[e] * v, 0);
    };
    for (let k = 0; k < x.length; k++) {
      expect(Math.abs(centralDifference(L, x, k) - g[k]), `k=${k}`).toBeLessThanOrEqual(3e-4);
    }
    core.reset();
  });
});

describe("cross_entropy_prob_f32 / cross_entropy_prob_bwd_f32 (probability targets)", () => {
  for (const [n, c, inner] of CE_SHAPES) {
    for (const eps of [0, 0.2]) {
      it(`[${n}, ${c}, ${inner}] smoothing ${eps}`, () => {
        const size = n * c * inner;
        const x = randomFloats(size, 6 + c, -6, 6);
        // targets: a softmax of random numbers per row (sums to 1), except the first row which is unnormalised
        const raw = randomFloats(size, 7 + c, -3, 3);
        const t = new Float32Array(size);
        for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) {
          const { m, s } = rowStats(raw, b, i, c, inner);
          for (let d = 0; d < c; d++) {
            const k = at(b, d, i, c, inner);
            t[k] = b === 0 ? Math.abs(raw[k]) : Math.exp(raw[k] - m) / s;
          }
        }
        const px = core.put(x), pt = core.put(t);
        const out = guarded(n * inner);
        ex.cross_entropy_prob_f32(out.ptr, px, pt, n, c, inner, eps);
        const got = out.get();
        const dl = randomFloats(n * inner, 13, 0.5, 2);
        const dx = guarded(size);
        ex.cross_entropy_prob_bwd_f32(dx.ptr, px, pt, core.put(dl), 0, n, c, inner, eps);
        const g = dx.get();
        const e32 = fr(eps);
        for (let b = 0; b < n; b++) for (let i = 0; i < inner; i++) {
          const e = b * inner + i;
          const { m, lse } = rowStats(x, b, i, c, inner);
          let loss = 0, tsum = 0, scale = 0;
          for (let d = 0; d < c; d++) {
            const k = at(b, d, i, c, inner);
            const tp = t[k] * (1 - e32) + e32 / c;
            loss -= tp * (x[k] - m - lse);
            scale += tp * (Math.abs(x[k] - m) + Math.abs(lse));
            tsum += tp;
          }
          if (!(Math.abs(got[e] - loss) <= 2 * ulp(loss) + 4 * U * (1 + scale))) fail(`loss ${e}: ${got[e]} vs ${loss}`);
          for (let d = 0; d < c; d++) {
            const k = at(b, d, i, c, inner);
            const tp = t[k] * (1 - e32) + e32 / c;
            const p = Math.exp(x[k] - m - lse);
            const r = dl[e] * (p * tsum - tp);
            const tol = 2 * ulp(r) + 4 * U * dl[e] * (p * tsum + tp + 1);
            if (!(Math.abs(g[k] - r) <= tol)) fail(`grad ${k}: ${g[k]} vs ${r}`);
          }
        }
        expect(out.guardsIntact() && dx.guardsIntact()).toBe(true);
        core.reset();
      });
    }
  }

  it("finite differences of cross_entropy_prob_bwd_f32 (unnormalised targets, smoothing, scalar dloss)", () => {
    const [n, c, inner] = [2, 5, 3];
    const x = randomFloats(n * c * inner, 41, -2, 2);
    const t = randomFloats(n * c * inner, 42, 0, 0.6);
    const pt = core.put(t);
    const dx = core.empty(x.length);
    ex.cross_entropy_prob_bwd_f32(dx, core.put(x), pt, 0, 0.5, n, c, inner, 0.1);
    const g = core.get(dx, x.length);
    const L = (xs: Float32Array) => {
      const o = core.empty(n * inner);
      ex.cross_entropy_prob_f32(o, core.put(xs), pt, n, c, inner, 0.1);
      return core.get(o, n * inner).reduce((s, v) => s + 0.5 * v, 0);
    };
    for (let k = 0; k < x.length; k++) {
      expect(Math.abs(centralDifference(L, x, k) - g[k]), `k=${k}`).toBeLessThanOrEqual(3e-4);
    }
    core.reset();
  });

  it("logits of +-1e4 stay finite", () => {
    const x = core.put([1e4, -1e4, 0, -1e4, 1e4, 1e4]);
    const t = core.put([0.5, 0.5, 0, 0, 0.25, 0.75]);
    const out = core.empty(2);
    ex.cross_entropy_prob_f32(out, x, t, 2, 3, 1, 0);
    const l = core.get(out, 2);
    // row 0: lse = 1e4; loss = 0.5 * 0 + 0.5 * 2e4 = 1e4. Row 1: lse = 1e4 + ln 2; loss = ln 2.
    expect(l[0]).toBe(1e4);
    expect(Math.abs(l[1] - Math.LN2)).toBeLessThan(1e-6);
    const dx = core.empty(6);
    ex.cross_entropy_prob_bwd_f32(dx, x, t, 0, 1, 2, 3, 1, 0);
    expect(core.get(dx, 6).every(Number.isFinite)).toBe(true);
    core.reset();
  });
});
