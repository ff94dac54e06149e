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
