// loss.ts against naive TypeScript references.
//
// Tolerances: mse, l1, huber and all gradients except bce_with_logits' are fixed f32 operation sequences
// (torch's formulas) and must match an f32 emulation (Math.fround after every operation) bit for bit.
// bce: log (<= 1 ulp) and log1p (<= 2.4 ulp) of terms that never cancel: 4 ulp. bce_with_logits: log1p(exp)
// <= 3 ulp, but (1-y)x + max(-x,0) can cancel: 4 ulp + 4u(|x| + 1). Its gradient (sigmoid(x) - y) g:
// (3 ulp of sigmoid(x) + 1 ulp of the difference) * |g| + 1 ulp (sigmoid <= 2.4 ulp, a subtraction, a product).
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats, ulp, fail, stepsAround } from "./harness";

const core = loadCore();
const ex = core.exports;
const fr = Math.fround;
const U = 2 ** -24;
const guarded = (n: number) => core.guarded(n);
const sig = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

const NAMES = ["mse", "l1", "huber", "bce", "bce_with_logits"];

/** Forward reference; exact = f32 emulation to compare bit for bit. */
function lossRef(kind: number, x: number, y: number, p1: number): { v: number; tol: number } {
  const d = fr(x - y);
  switch (kind) {
    case 0: return { v: fr(d * d), tol: 0 };
    case 1: return { v: Math.abs(d), tol: 0 };
    case 2: {
      const z = Math.abs(d), delta = fr(p1);
      return { v: z < delta ? fr(fr(0.5 * z) * z) : fr(delta * fr(z - fr(0.5 * delta))), tol: 0 };
    }
    case 3: {
      const v = (y - 1) * Math.max(Math.log1p(-x), -100) - y * Math.max(Math.log(x), -100);
      return { v, tol: 4 * ulp(v) + 4 * 2 ** -149 };
    }
    default: {
      const v = (1 - y) * x + Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
      return { v, tol: 4 * ulp(v) + 4 * U * (Math.abs(x) + 1) };
    }
  }
}
function gradRef(kind: number, x: number, y: number, g: number, p1: number): { v: number; tol: number } {
  const d = fr(x - y);
  switch (kind) {
    case 0: return { v: fr(fr(d + d) * g), tol: 0 };
    case 1: return { v: fr((d > 0 ? 1 : d < 0 ? -1 : 0) * g), tol: 0 };
    case 2: {
      const delta = fr(p1), gd = fr(g * delta);
      return { v: d <= -delta ? -gd : d >= delta ? gd : fr(d * g), tol: 0 };
    }
    case 3: return { v: fr(fr(g * d) / Math.max(fr(fr(1 - x) * x), fr(1e-12))), tol: 0 };
    default: {
      const v = (sig(x) - y) * g;
      return { v, tol: ulp(v) + (3 * ulp(sig(x)) + ulp(sig(x) - y)) * Math.abs(g) };
    }
  }
}

function inputs(kind: number, n: number, seed: number): [Float32Array, Float32Array] {
  if (kind === 3) {
    const x = randomFloats(n, seed, 0, 1);
    const y = randomFloats(n, seed + 1, 0, 1);
    if (n >= 4) { x[0] = 0; y[0] = 1; x[1] = 1; y[1] = 0; x[2] = 1e-30; x[3] = 0.999999; } // clamps at -100
    return [x, y];
  }
  if (kind === 4) return [randomFloats(n, seed, -30, 30), randomFloats(n, seed + 1, 0, 1)];
  const x = randomFloats(n, seed, -3, 3);
  const y = randomFloats(n, seed + 1, -3, 3);
  if (n >= 3) { y[0] = x[0]; y[1] = x[1] - 1; y[2] = x[2] + 0.5; } // x == y (l1 kink), |x - y| == delta
  return [x, y];
}

describe("loss_f32 / loss_bwd_f32", () => {
  for (let kind = 0; kind < 5; kind++) {
    for (const p1 of kind === 2 ? [1, 0.5] : [0]) {
      for (const n of [0, 1, 3, 17, 4032]) {
        it(`${NAMES[kind]}(${p1}) over ${n}`, () => {
          const [x, y] = inputs(kind, n, 3 + kind + n);
          const px = core.put(x), py = core.put(y);
          const out = guarded(n);
          ex.loss_f32(kind, out.ptr, px, py, n, p1);
          const got = out.get();
          for (let i = 0; i < n; i++) {
            const r = lossRef(kind, x[i], y[i], p1);
            const ok = r.tol === 0 ? got[i] === r.v : Math.abs(got[i] - r.v) <= r.tol;
            if (!ok) fail(`loss x=${x[i]} y=${y[i]}: got ${got[i]} want ${r.v}`);
          }
          expect(out.guardsIntact()).toBe(true);
          const dy = randomFloats(n, 50 + n, -2, 2);
          for (const scalar of [false, true]) {
            const dx = guarded(n);
            ex.loss_bwd_f32(kind, dx.ptr, px, py, scalar ? 0 : core.put(dy), -0.75, n, p1);
            const g = dx.get();
            for (let i = 0; i < n; i++) {
              const r = gradRef(kind, x[i], y[i], scalar ? -0.75 : dy[i], p1);
              const ok = r.tol === 0 ? Object.is(g[i], r.v) || g[i] === r.v : Math.abs(g[i] - r.v) <= r.tol;
              if (!ok) fail(`grad x=${x[i]} y=${y[i]} (scalar ${scalar}): got ${g[i]} want ${r.v}`);
            }
            expect(dx.guardsIntact()).toBe(true);
          }
          core.reset();
        });
      }
    }
  }

  it("bce_with_logits is finite and right at +-100; bce clamps its logs at -100", () => {
    // (1-y)x + max(-x,0) + log1p(exp(-|x|)): x=100,y=0 -> 100; x=100,y=1 -> log1p(e^-100) = 3.7e-44;
    // x=-100,y=1 -> 100; x=-100,y=0 -> 3.7e-44. Gradients sigmoid(x) - y: 1, -3.7e-44 ~ -0, -1, 3.7e-44.
    const x = core.put([100, 100, -100, -100]);
    const y = core.put([0, 1, 1, 0]);
    const out = core.empty(4);
    ex.loss_f32(4, out, x, y, 4, 0);
    const l = core.get(out, 4);
    expect(l[0]).toBe(100);
    expect(l[2]).toBe(100);
    expect(Math.abs(l[1] - Math.exp(-100))).toBeLessThanOrEqual(2 ** -148);
    expect(Math.abs(l[3] - Math.exp(-100))).toBeLessThanOrEqual(2 ** -148);
    ex.loss_bwd_f32(4, out, x, y, 0, 1, 4, 0);
    const g = core.get(out, 4);
    expect([g[0], g[2]]).toEqual([1, -1]);
    expect(Math.abs(g[1]) + Math.abs(g[3])).toBeLessThan(1e-40);
    // bce: x = 0, y = 1 -> -max(log 0, -100) = 100; x = 1, y = 0 -> -max(log1p(-1), -100) = 100;
    // gradient g (x - y) / max((1-x)x, 1e-12) = -1e12 and +1e12 (torch's EPSILON clamp)
    const bx = core.put([0, 1]), by = core.put([1, 0]);
    ex.loss_f32(3, out, bx, by, 2, 0);
    expect(Array.from(core.get(out, 2))).toEqual([100, 100]);
    ex.loss_bwd_f32(3, out, bx, by, 0, 1, 2, 0);
    expect(Array.from(core.get(out, 2))).toEqual([fr(-1 / fr(1e-12)), fr(1 / fr(1e-12))]);
    core.reset();
  });

  it("hand-derived huber (delta 1), l1 and mse cases", () => {
    // huber: x - y = 0.5 -> 0.5 * 0.25 = 0.125, grad 0.5; x - y = 3 -> 1 * (3 - 0.5) = 2.5, grad 1;
    // x - y = -1 = -delta -> linear branch 1 * (1 - 0.5) = 0.5, grad -1 (torch: x <= -delta gives -delta).
    // l1: |0.5| = 0.5 with grad sign(0.5) = 1; x == y -> loss 0, grad 0. mse: (x - y)^2, grad 2(x - y).
    const x = core.put([0.5, 3, -1, 2]);
    const y = core.put([0, 0, 0, 2]);
    const out = core.empty(4);
    ex.loss_f32(2, out, x, y, 3, 1);
    expect(Array.from(core.get(out, 3))).toEqual([0.125, 2.5, 0.5]);
    ex.loss_bwd_f32(2, out, x, y, 0, 1, 3, 1);
    expect(Array.from(core.get(out, 3))).toEqual([0.5, 1, -1]);
    ex.loss_bwd_f32(1, out, x, y, 0, 1, 4, 0);
    expect(Array.from(core.get(out, 4))).toEqual([1, 1, -1, 0]);
    ex.loss_bwd_f32(0, out, x, y, 0, 1, 4, 0);
    expect(Array.from(core.get(out, 4))).toEqual([1, 6, -2, 0]);
    core.reset();
  });

  it("finite differences of every loss_bwd_f32 against loss_f32", () => {
    // Elementwise losses: perturb all x at once by +-h (h = 1e-3 max(1,|x|)); truncation h^2/6 |L'''| is at
    // most ~1e-4 relative here (bce on x in [0.1, 0.9]); rounding of the two f32 losses adds 2^-24 |L| / h.
    // Inputs near kinks (l1 at x = y, huber at |x - y| = delta) are moved off them.
    const n = 256;
    for (let kind = 0; kind < 5; kind++) {
      const p1 = kind === 2 ? 0.7 : 0;
      const x = kind === 3 ? randomFloats(n, 60, 0.1, 0.9) : randomFloats(n, 60, -4, 4);
      const y = kind >= 3 ? randomFloats(n, 61, 0, 1) : randomFloats(n, 61, -4, 4);
      for (let i = 0; i < n; i++) {
        const d = Math.abs(x[i] - y[i]);
        if (kind <= 2 && (d < 0.05 || Math.abs(d - p1) < 0.05)) x[i] += 0.2;
      }
      const w = randomFloats(n, 62, -1, 1);
      const py = core.put(y);
      const dx = core.empty(n);
      ex.loss_bwd_f32(kind, dx, core.put(x), py, core.put(w), 0, n, p1);
      const g = core.get(dx, n);
      const { xp, xm, h } = stepsAround(x, 1e-3);
      const lp = core.empty(n), lm = core.empty(n);
      ex.loss_f32(kind, lp, core.put(xp), py, n, p1);
      ex.loss_f32(kind, lm, core.put(xm), py, n, p1);
      const a = core.get(lp, n), b = core.get(lm, n);
      for (let i = 0; i < n; i++) {
        const fd = (w[i] * (a[i] - b[i])) / h[i];
        const tol = 2e-3 * (1 + Math.abs(g[i])) + (2 * U * Math.max(Math.abs(a[i]), Math.abs(b[i])) * Math.abs(w[i])) / h[i];
        if (!(Math.abs(fd - g[i]) <= tol)) fail(`${NAMES[kind]} x=${x[i]} y=${y[i]}: fd ${fd} vs ${g[i]}`);
      }
      core.reset();
    }
  });
});

// Kinds 5..9 (smooth l1, kl_div, kl_div with log target; 8 and 9 are kl_div's target gradients).
// Tolerances: smooth l1 and the plain products (-g y) are fixed f32 operation sequences: bit for bit against
// an f32 emulation. Otherwise each bound adds the error of the one transcendental (log <= 0.8 ulp, exp <= 0.97
// ulp, see simd_math.ts) carried through the later operations, plus one ulp per rounding after it.
const MORE = ["smooth_l1", "kl_div", "kl_div_log"];
function moreRef(kind: number, x: number, y: number, p1: number): { v: number; tol: number } {
  switch (kind) {
    case 5: {
      const z = Math.abs(fr(x - y)), b = fr(p1);
      return { v: z < b ? fr(fr(fr(0.5 * z) * z) / b) : fr(z - fr(0.5 * b)), tol: 0 };
    }
    case 6: {
      const yl = y === 0 ? 0 : y * Math.log(y), yx = fr(y * x);
      const v = yl - yx;
      return { v, tol: 2 * ulp(yl) + ulp(yx) + ulp(v) };
    }
    default: {
      const d = fr(y - x), v = Math.exp(y) * d;
      return { v, tol: 2 * ulp(v) };
    }
  }
}
function moreGradRef(kind: number, x: number, y: number, g: number, p1: number): { v: number; tol: number } {
  switch (kind) {
    case 5: {
      const d = fr(x - y), b = fr(p1);
      return { v: d <= -b ? -g : d >= b ? g : fr(fr(d * g) / b), tol: 0 };
    }
    case 6: return { v: fr(-g * y), tol: 0 };
    case 7: { const v = -g * Math.exp(y); return { v, tol: 2 * ulp(v) }; }
    case 8: { // g (log y + y/y - x): NaN at y == 0
      const l = Math.log(y), s = fr(fr(l) + y / y), s2 = fr(s - x), v = g * s2;
      return { v, tol: Math.abs(g) * (ulp(l) + ulp(s) + ulp(s2)) + ulp(v) };
    }
    default: { // g exp(y) (y - x) + g exp(y)
      const ge = g * Math.exp(y), v = ge * fr(y - x) + ge;
      return { v, tol: 3 * U * Math.abs(ge) * (Math.abs(fr(y - x)) + 1) + ulp(v) };
    }
  }
}
function moreInputs(kind: number, n: number, seed: number, p1: number): [Float32Array, Float32Array] {
  if (kind === 5) {
    const x = randomFloats(n, seed, -3, 3), y = randomFloats(n, seed + 1, -3, 3);
    if (n >= 3) { y[0] = x[0]; y[1] = fr(x[1] - p1); y[2] = fr(x[2] + p1); } // x == y, |x - y| == beta (when exact)
    return [x, y];
  }
  const x = randomFloats(n, seed, -6, 0);
  const y = kind === 6 ? randomFloats(n, seed + 1, 0, 1) : randomFloats(n, seed + 1, -6, 1);
  if (kind === 6 && n >= 2) { y[0] = 0; y[n - 1] = 0; } // xlogy(0, 0) = 0; d/dy NaN
  return [x, y];
}
const close = (got: number, r: { v: number; tol: number }) =>
  Number.isNaN(r.v) ? Number.isNaN(got) : r.tol === 0 ? got === r.v : Math.abs(got - r.v) <= r.tol;

describe("loss_f32 / loss_bwd_f32: smooth l1 and kl_div", () => {
  const cases: [number, number[], number[]][] = [[5, [5], [1, 0.5, 0, 2]], [6, [6, 8], [0]], [7, [7, 9], [0]]];
  for (const [kind, bwdKinds, p1s] of cases) {
    for (const p1 of p1s) {
      for (const n of [0, 1, 3, 17, 4032]) {
        it(`${MORE[kind - 5]}(${p1}) over ${n}`, () => {
          const [x, y] = moreInputs(kind, n, 7 + kind + n, p1);
          const px = core.put(x), py = core.put(y);
          const out = guarded(n);
          ex.loss_f32(kind, out.ptr, px, py, n, p1);
          const got = out.get();
          for (let i = 0; i < n; i++) {
            if (!close(got[i], moreRef(kind, x[i], y[i], p1))) fail(`loss x=${x[i]} y=${y[i]}: got ${got[i]} want ${moreRef(kind, x[i], y[i], p1).v}`);
          }
          expect(out.guardsIntact()).toBe(true);
          const dy = randomFloats(n, 70 + n, -2, 2);
          for (const bk of bwdKinds) {
            for (const scalar of [false, true]) {
              const dx = guarded(n);
              ex.loss_bwd_f32(bk, dx.ptr, px, py, scalar ? 0 : core.put(dy), -0.75, n, p1);
              const g = dx.get();
              for (let i = 0; i < n; i++) {
                const r = moreGradRef(bk, x[i], y[i], scalar ? -0.75 : dy[i], p1);
                if (!close(g[i], r)) fail(`grad kind ${bk} x=${x[i]} y=${y[i]} (scalar ${scalar}): got ${g[i]} want ${r.v}`);
              }
              expect(dx.guardsIntact()).toBe(true);
            }
          }
          core.reset();
        });
      }
    }
  }

  it("hand-derived smooth l1 (beta 1 and 0) and kl_div cases", () => {
    // beta 1: d = 0.5 -> 0.5 * 0.25 / 1 = 0.125, grad 0.5; d = 3 -> 3 - 0.5 = 2.5, grad 1; d = -1 -> linear
    // 0.5, grad -1; d = 0 -> 0, grad 0. beta 0: |d| exactly (l1), grad sign(d) except -1 at d == 0 (torch).
    const x = core.put([0.5, 3, -1, 2]);
    const y = core.put([0, 0, 0, 2]);
    const out = core.empty(4);
    ex.loss_f32(5, out, x, y, 4, 1);
    expect(Array.from(core.get(out, 4))).toEqual([0.125, 2.5, 0.5, 0]);
    ex.loss_bwd_f32(5, out, x, y, 0, 1, 4, 1);
    expect(Array.from(core.get(out, 4))).toEqual([0.5, 1, -1, 0]);
    ex.loss_f32(5, out, x, y, 4, 0);
    expect(Array.from(core.get(out, 4))).toEqual([0.5, 3, 1, 0]);
    ex.loss_bwd_f32(5, out, x, y, 0, 1, 4, 0);
    expect(Array.from(core.get(out, 4))).toEqual([1, 1, -1, -1]);
    // kl_div: y = 0.5, x = -1: 0.5 (log 0.5 + 1) = 0.1534; y = 0 -> 0 even at x = -1e30; y = 1 -> -x.
    // log target: y = 0 (p = 1), x = -2: exp(0) (0 + 2) = 2; gradients -y and -exp(y).
    const kx = core.put([-1, -1e30, -3]), ky = core.put([0.5, 0, 1]);
    ex.loss_f32(6, out, kx, ky, 3, 0);
    const k = core.get(out, 3);
    expect(Math.abs(k[0] - 0.5 * (Math.log(0.5) + 1))).toBeLessThanOrEqual(2 * ulp(0.1534));
    expect([k[1], k[2]]).toEqual([0, 3]);
    ex.loss_bwd_f32(6, out, kx, ky, 0, 1, 3, 0);
    expect(Array.from(core.get(out, 3))).toEqual([-0.5, -0, -1]);
    ex.loss_f32(7, out, core.put([-2]), core.put([0]), 1, 0);
    expect(core.get(out, 1)[0]).toBe(2);
    core.reset();
  });

  it("finite differences of kinds 5..9 against loss_f32", () => {
    // As above: steps h = 1e-3 max(1, |v|), truncation h^2/6 |L'''| well under 2e-3 relative on these ranges
    // (y >= 0.05 keeps log y's third derivative small), rounding 2^-24 |L| / h. Kinds 8 and 9 perturb y.
    const n = 256;
    const w = randomFloats(n, 82, -1, 1);
    for (const [kind, bk, wrtY, p1] of [[5, 5, false, 0.7], [6, 6, false, 0], [7, 7, false, 0], [6, 8, true, 0], [7, 9, true, 0]] as const) {
      const x = kind === 5 ? randomFloats(n, 80, -4, 4) : randomFloats(n, 80, -5, 0);
      const y = kind === 5 ? randomFloats(n, 81, -4, 4) : kind === 6 ? randomFloats(n, 81, 0.05, 1) : randomFloats(n, 81, -5, 1);
      if (kind === 5) {
        for (let i = 0; i < n; i++) {
          const d = Math.abs(x[i] - y[i]);
          if (d < 0.05 || Math.abs(d - p1) < 0.05) x[i] += 0.2;
        }
      }
      const dx = core.empty(n);
      ex.loss_bwd_f32(bk, dx, core.put(x), core.put(y), core.put(w), 0, n, p1);
      const g = core.get(dx, n);
      const { xp, xm, h } = stepsAround(wrtY ? y : x, 1e-3);
      const lp = core.empty(n), lm = core.empty(n);
      ex.loss_f32(kind, lp, core.put(wrtY ? x : xp), core.put(wrtY ? xp : y), n, p1);
      ex.loss_f32(kind, lm, core.put(wrtY ? x : xm), core.put(wrtY ? xm : y), n, p1);
      const a = core.get(lp, n), b = core.get(lm, n);
      for (let i = 0; i < n; i++) {
        const fd = (w[i] * (a[i] - b[i])) / h[i];
        const tol = 2e-3 * (1 + Math.abs(g[i])) + (2 * U * Math.max(Math.abs(a[i]), Math.abs(b[i])) * Math.abs(w[i])) / h[i];
        if (!(Math.abs(fd - g[i]) <= tol)) fail(`kind ${bk} x=${x[i]} y=${y[i]}: fd ${fd} vs ${g[i]}`);
      }
      core.reset();
    }
  });
});

describe("nll_f32 / nll_bwd_f32", () => {
  /** Naive reference: per-element -w[t] x[b, t, i] (0 when ignored), the counted weight and the scattered gradient. */
  function nllRef(x: Float32Array, t: Float32Array, w: Float32Array | null, n: number, c: number, inner: number, ign: number, g: (e: number) => number) {
    const loss = new Float32Array(n * inner), dx = new Float32Array(n * c * inner);
    let total = 0;
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < inner; i++) {
        const e = b * inner + i, tt = t[e];
        if (tt === ign) continue;
        if (!(tt >= 0 && tt < c)) { loss[e] = NaN; total += 1; continue; } // out of range: NaN, counted, no gradient
        const wt = w ? w[tt] : 1, at = (b * c + tt) * inner + i;
        loss[e] = fr(-wt * x[at]);
        dx[at] = fr(-wt * g(e));
        total += wt;
      }
    }
    return { loss, dx, total };
  }

  for (const [n, c, inner] of [[0, 3, 1], [1, 1, 1], [3, 5, 1], [17, 3, 1], [2, 4, 3], [3, 2, 17], [1, 17, 0]]) {
    for (const weighted of [false, true]) {
      it(`n=${n} c=${c} inner=${inner}${weighted ? " weighted" : ""}`, () => {
        const ign = 1;
        const x = randomFloats(n * c * inner, 90 + n + c, -5, 0);
        const t = Float32Array.from(randomFloats(n * inner, 91 + n, 0, c), Math.floor);
        if (t.length > 2) t[2] = ign; // one ignored element
        if (t.length > 4) t[4] = -100; // out of range: NaN, counted (the op range-checks before calling)
        const w = weighted ? randomFloats(c, 92, 0.25, 3) : null;
        const dy = randomFloats(n * inner, 93, -2, 2);
        const pw = w ? core.put(w) : 0, pt = core.put(t), px = core.put(x);
        const out = guarded(n * inner);
        const total = ex.nll_f32(out.ptr, px, pt, pw, n, c, inner, ign);
        const ref = nllRef(x, t, w, n, c, inner, ign, (e) => dy[e]);
        const got = out.get();
        expect(Array.from(got)).toEqual(Array.from(ref.loss));
        expect(total).toBe(ref.total); // f32 weights summed in f64 in the same order: exact
        expect(out.guardsIntact()).toBe(true);
        for (const scalar of [false, true]) {
          const dx = guarded(n * c * inner, NaN);
          ex.nll_bwd_f32(dx.ptr, pt, pw, scalar ? 0 : core.put(dy), -0.75, n, c, inner, ign);
          const r = scalar ? nllRef(x, t, w, n, c, inner, ign, () => -0.75) : ref;
          expect(Array.from(dx.get())).toEqual(Array.from(r.dx));
          expect(dx.guardsIntact()).toBe(true);
        }
        core.reset();
      });
    }
  }
});

describe("ce_weighted_target_f32", () => {
  /** Naive reference in f64, rounded once per element, as the kernel documents. */
  function targetRef(t: Float32Array, w: Float32Array, n: number, c: number, inner: number, eps: number, ign: number, probs: boolean) {
    const out = new Float32Array(n * c * inner);
    let total = 0;
    for (let b = 0; b < n; b++) for (let d = 0; d < c; d++) for (let i = 0; i < inner; i++) {
      const k = (b * c + d) * inner + i;
      if (probs) out[k] = w[d] * ((1 - eps) * t[k] + eps / c);
      else {
        const label = t[b * inner + i];
        out[k] = label === ign ? 0 : w[d] * ((label === d ? 1 - eps : 0) + eps / c);
      }
    }
    if (!probs) for (const label of t) if (label !== ign) total += w[label];
    return { out, total };
  }

  for (const [n, c, inner] of [[0, 3, 1], [1, 1, 1], [3, 5, 1], [17, 3, 1], [2, 4, 3], [3, 2, 17], [1, 17, 0], [4, 17, 3]]) {
    for (const probs of [false, true]) for (const eps of [0, 0.3]) {
      it(`n=${n} c=${c} inner=${inner} ${probs ? "probabilities" : "class indices"} smoothing ${eps}`, () => {
        const ign = 2;
        const t = probs ? randomFloats(n * c * inner, 95 + n, 0, 1)
          : Float32Array.from(randomFloats(n * inner, 96 + n, 0, c), Math.floor);
        if (!probs && t.length > 1) t[1] = ign;
        const w = randomFloats(c, 97 + c, -0.5, 3); // a negative weight too: torch allows it
        const out = guarded(n * c * inner);
        const total = ex.ce_weighted_target_f32(out.ptr, core.put(t), core.put(w), n, c, inner, eps, ign, probs ? 1 : 0);
        const ref = targetRef(t, w, n, c, inner, eps, ign, probs);
        // the same f64 expressions rounded once to f32: bit for bit
        expect(Array.from(out.get())).toEqual(Array.from(ref.out));
        expect(total).toBe(ref.total);
        expect(out.guardsIntact()).toBe(true);
        core.reset();
      });
    }
  }
});
