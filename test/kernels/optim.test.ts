// optim.ts (fused optimizer steps) against naive TypeScript references.
//
// Tolerance: none. Every kernel is a fixed sequence of IEEE f32 operations (add, sub, mul, div, sqrt, max, all
// correctly rounded in wasm, no FMA), so an f32 emulation with Math.fround after every operation, in the same
// order, must match bit for bit in every element of param and of each state buffer. The runs chain several
// steps so state read back from a previous step is exercised too. Guards around every buffer catch writes past
// n (the tail path), and buffers a configuration does not use are passed as 0.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats } from "./harness";

const core = loadCore();
const ex = core.exports;
const fr = Math.fround;
const SIZES = [0, 1, 3, 17, 4032];

const guarded = (values: Float32Array) => core.guarded(values.length, values);

function same(got: Float32Array, want: Float32Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

/** Run `steps` kernel calls and the reference side by side, then compare every buffer bit for bit. */
function check(n: number, names: string[], init: Float32Array[], steps: number,
  kernel: (ptrs: number[], grad: number, step: number) => void,
  ref: (bufs: Float32Array[], grad: Float32Array, step: number) => void): void {
  const bufs = init.map((a) => a.slice());
  const live = init.map((a) => guarded(a));
  for (let s = 1; s <= steps; s++) {
    const grad = randomFloats(n, 1000 * s + n, -2, 2);
    if (n > 2) grad[2] = 0;
    const gp = guarded(grad);
    kernel(live.map((b) => b.ptr), gp.ptr, s);
    ref(bufs, grad, s);
    same(gp.get(), grad, "grad (read only)");
    expect(gp.guardsIntact()).toBe(true);
  }
  names.forEach((name, j) => {
    same(live[j].get(), bufs[j], `${name} (n=${n})`);
    expect(live[j].guardsIntact(), `${name} guards`).toBe(true);
  });
  core.reset();
}

const params = (n: number) => randomFloats(n, 7 + n, -1.5, 1.5);
const zeros = (n: number) => new Float32Array(n);

describe("sgd_f32", () => {
  const configs = [
    { name: "plain", lr: 0.1, momentum: 0, dampening: 0, wd: 0, nesterov: false, maximize: false },
    { name: "momentum", lr: 0.05, momentum: 0.9, dampening: 0, wd: 0, nesterov: false, maximize: false },
    { name: "nesterov+wd", lr: 0.05, momentum: 0.9, dampening: 0, wd: 0.01, nesterov: true, maximize: false },
    { name: "dampening+maximize", lr: 0.02, momentum: 0.8, dampening: 0.3, wd: 0.1, nesterov: false, maximize: true },
    { name: "wd, no momentum", lr: 0.1, momentum: 0, dampening: 0, wd: 0.2, nesterov: false, maximize: false },
  ];
  for (const c of configs) {
    for (const n of SIZES) {
      it(`${c.name} over ${n}`, () => {
        const hasBuf = c.momentum !== 0;
        const lr = fr(c.lr), mom = fr(c.momentum), damp = fr(1 - c.dampening), wd = fr(c.wd);
        check(n, hasBuf ? ["param", "buf"] : ["param"], hasBuf ? [params(n), zeros(n).fill(NaN)] : [params(n)], 4,
          (ptrs, grad, s) => {
            const flags = (c.maximize ? 1 : 0) | (c.nesterov ? 2 : 0) | (s === 1 ? 4 : 0);
            ex.sgd_f32(ptrs[0], grad, hasBuf ? ptrs[1] : 0, n, c.lr, c.momentum, 1 - c.dampening, c.wd, flags);
          },
          ([p, b], grad, s) => {
            for (let i = 0; i < n; i++) {
              let d = c.maximize ? -grad[i] : grad[i];
              if (wd !== 0) d = fr(d + fr(wd * p[i]));
              if (hasBuf) {
                b[i] = s === 1 ? d : fr(fr(b[i] * mom) + fr(damp * d));
                d = c.nesterov ? fr(d + fr(mom * b[i])) : b[i];
              }
              p[i] = fr(p[i] - fr(lr * d));
            }
          });
      });
    }
  }
});

describe("adam_f32", () => {
  const configs = [
    { name: "adam", lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0, amsgrad: false, decoupled: false, maximize: false },
    { name: "adam amsgrad", lr: 1e-2, b1: 0.8, b2: 0.99, eps: 1e-6, wd: 0, amsgrad: true, decoupled: false, maximize: false },
    { name: "adam wd+maximize", lr: 1e-2, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.05, amsgrad: false, decoupled: false, maximize: true },
    { name: "adamw", lr: 1e-2, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.01, amsgrad: false, decoupled: true, maximize: false },
    { name: "adamw amsgrad", lr: 1e-2, b1: 0.9, b2: 0.95, eps: 1e-8, wd: 0.1, amsgrad: true, decoupled: true, maximize: false },
  ];
  for (const c of configs) {
    for (const n of SIZES) {
      it(`${c.name} over ${n}`, () => {
        const names = c.amsgrad ? ["param", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["param", "exp_avg", "exp_avg_sq"];
        const init = names.map((_, j) => (j === 0 ? params(n) : zeros(n)));
        const coeffs = (s: number) => {
          const bc1 = 1 - c.b1 ** s, bc2 = 1 - c.b2 ** s;
          return {
            stepSize: c.lr / bc1, bc2Sqrt: Math.sqrt(bc2),
            wd: c.decoupled ? 0 : c.wd, decay: c.decoupled ? 1 - c.lr * c.wd : 1,
          };
        };
        check(n, names, init, 4,
          (ptrs, grad, s) => {
            const k = coeffs(s);
            ex.adam_f32(ptrs[0], grad, ptrs[1], ptrs[2], c.amsgrad ? ptrs[3] : 0, n, c.b1, 1 - c.b1, c.b2, 1 - c.b2,
              k.stepSize, k.bc2Sqrt, c.eps, k.wd, k.decay, c.maximize ? 1 : 0);
          },
          ([p, m, v, vmax], grad, s) => {
            const k = coeffs(s);
            const b1 = fr(c.b1), c1 = fr(1 - c.b1), b2 = fr(c.b2), c2 = fr(1 - c.b2), ss = fr(k.stepSize);
            const bc2 = fr(k.bc2Sqrt), eps = fr(c.eps), wd = fr(k.wd), decay = fr(k.decay);
            for (let i = 0; i < n; i++) {
              let g = c.maximize ? -grad[i] : grad[i];
              if (wd !== 0) g = fr(g + fr(wd * p[i]));
              if (decay !== 1) p[i] = fr(p[i] * decay);
              m[i] = fr(fr(m[i] * b1) + fr(c1 * g));
              v[i] = fr(fr(v[i] * b2) + fr(fr(c2 * g) * g));
              let vh = v[i];
              if (c.amsgrad) vh = vmax[i] = Math.max(vmax[i], v[i]);
              const denom = fr(fr(fr(Math.sqrt(vh)) / bc2) + eps);
              p[i] = fr(p[i] - fr(fr(ss * m[i]) / denom));
            }
          });
      });
    }
  }
});

describe("rmsprop_f32", () => {
  const configs = [
    { name: "plain", lr: 1e-2, alpha: 0.99, eps: 1e-8, wd: 0, momentum: 0, centered: false, maximize: false },
    { name: "centered+momentum", lr: 1e-2, alpha: 0.9, eps: 1e-6, wd: 0, momentum: 0.9, centered: true, maximize: false },
    { name: "wd+maximize", lr: 5e-3, alpha: 0.99, eps: 1e-8, wd: 0.1, momentum: 0, centered: false, maximize: true },
    { name: "momentum", lr: 1e-2, alpha: 0.95, eps: 1e-8, wd: 0.01, momentum: 0.5, centered: false, maximize: false },
    { name: "centered", lr: 1e-2, alpha: 0.95, eps: 1e-8, wd: 0, momentum: 0, centered: true, maximize: false },
  ];
  for (const c of configs) {
    for (const n of SIZES) {
      it(`${c.name} over ${n}`, () => {
        const names = ["param", "square_avg", "grad_avg", "momentum_buffer"];
        check(n, names, [params(n), zeros(n), zeros(n), zeros(n)], 4,
          (ptrs, grad) => {
            ex.rmsprop_f32(ptrs[0], grad, ptrs[1], c.centered ? ptrs[2] : 0, c.momentum > 0 ? ptrs[3] : 0, n,
              c.lr, c.alpha, 1 - c.alpha, c.eps, c.wd, c.momentum, c.maximize ? 1 : 0);
          },
          ([p, sq, ga, buf], grad) => {
            const lr = fr(c.lr), alpha = fr(c.alpha), k = fr(1 - c.alpha), eps = fr(c.eps), wd = fr(c.wd), mom = fr(c.momentum);
            for (let i = 0; i < n; i++) {
              let g = c.maximize ? -grad[i] : grad[i];
              if (wd !== 0) g = fr(g + fr(wd * p[i]));
              sq[i] = fr(fr(sq[i] * alpha) + fr(fr(k * g) * g));
              let avg: number;
              if (c.centered) {
                ga[i] = fr(fr(ga[i] * alpha) + fr(k * g));
                avg = fr(Math.sqrt(fr(sq[i] - fr(ga[i] * ga[i]))));
              } else avg = fr(Math.sqrt(sq[i]));
              avg = fr(avg + eps);
              if (c.momentum > 0) {
                buf[i] = fr(fr(buf[i] * mom) + fr(g / avg));
                p[i] = fr(p[i] - fr(lr * buf[i]));
              } else p[i] = fr(p[i] - fr(fr(lr * g) / avg));
            }
          });
      });
    }
  }
});

describe("adagrad_f32", () => {
  const configs = [
    { name: "plain", lr: 1e-2, lrDecay: 0, eps: 1e-10, wd: 0, init: 0, maximize: false },
    { name: "lr decay+initial accumulator", lr: 5e-2, lrDecay: 0.1, eps: 1e-10, wd: 0, init: 0.1, maximize: false },
    { name: "wd+maximize", lr: 1e-2, lrDecay: 0, eps: 1e-6, wd: 0.05, init: 0, maximize: true },
  ];
  for (const c of configs) {
    for (const n of SIZES) {
      it(`${c.name} over ${n}`, () => {
        const clrOf = (s: number) => c.lr / (1 + (s - 1) * c.lrDecay);
        check(n, ["param", "sum"], [params(n), zeros(n).fill(c.init)], 4,
          (ptrs, grad, s) => ex.adagrad_f32(ptrs[0], grad, ptrs[1], n, clrOf(s), c.eps, c.wd, c.maximize ? 1 : 0),
          ([p, sum], grad, s) => {
            const clr = fr(clrOf(s)), eps = fr(c.eps), wd = fr(c.wd);
            for (let i = 0; i < n; i++) {
              let g = c.maximize ? -grad[i] : grad[i];
              if (wd !== 0) g = fr(g + fr(wd * p[i]));
              sum[i] = fr(sum[i] + fr(g * g));
              const std = fr(fr(Math.sqrt(sum[i])) + eps);
              p[i] = fr(p[i] - fr(fr(clr * g) / std));
            }
          });
      });
    }
  }
});

describe("optimizer kernels: hand-derived cases", () => {
  it("Adam's first step moves every param by lr * sign(g) (up to eps)", () => {
    // t = 1: m = (1-b1) g, v = (1-b2) g^2; m^ = m / (1-b1) = g, sqrt(v^) = |g| -> p -= lr g / (|g| + eps).
    const p = core.put([1, 1, 1, 1, 1]);
    const g = core.put([0.5, -2, 3, -0.25, 1e-3]);
    const m = core.empty(5, 0), v = core.empty(5, 0);
    ex.adam_f32(p, g, m, v, 0, 5, 0.9, 1 - 0.9, 0.999, 1 - 0.999, 0.1 / (1 - 0.9), Math.sqrt(1 - 0.999), 1e-8, 0, 1, 0);
    const got = core.get(p, 5);
    const want = [0.9, 1.1, 0.9, 1.1, 0.9];
    for (let i = 0; i < 5; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(2e-6);
    core.reset();
  });

  it("SGD momentum: buffer starts as the gradient, then buf = m buf + (1-d) g", () => {
    // step 1: buf = g = 1, p = 0 - 0.5 * 1 = -0.5; step 2: buf = 0.9 * 1 + 0.5 * 1 = 1.4, p = -0.5 - 0.7 = -1.2.
    const p = core.put([0]), g = core.put([1]), b = core.empty(1);
    ex.sgd_f32(p, g, b, 1, 0.5, 0.9, 0.5, 0, 4);
    expect(core.get(p, 1)[0]).toBe(-0.5);
    ex.sgd_f32(p, g, b, 1, 0.5, 0.9, 0.5, 0, 0);
    expect(core.get(b, 1)[0]).toBe(fr(fr(0.9) + 0.5));
    expect(core.get(p, 1)[0]).toBeCloseTo(-1.2, 6);
    core.reset();
  });

  it("Adagrad with zero gradient leaves the param and accumulator alone", () => {
    // sum += 0; p -= clr * 0 / (sqrt(sum) + eps) = p (sum = 0 gives 0 / 1e-10 = 0).
    const p = core.put([0.25, -3]), g = core.put([0, 0]), s = core.empty(2, 0);
    ex.adagrad_f32(p, g, s, 2, 0.1, 1e-10, 0, 0);
    expect(Array.from(core.get(p, 2))).toEqual([0.25, -3]);
    expect(Array.from(core.get(s, 2))).toEqual([0, 0]);
    core.reset();
  });
});
