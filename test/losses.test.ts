// nllLoss, klDiv, smoothL1Loss and crossEntropy's class weights (and their nn modules) forward and backward against PyTorch 1.13
// (test/fixtures/losses.json, made offline by test/fixtures/gen_losses.py), the cases the fixtures cannot
// hold (NaN results, torch's conventions at kinks), errors, and save/load of the modules.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";
import { expectCaseMatches, type Call, type Case } from "./helpers/fixtures";
import { expectBackwardLeavesNothing } from "./helpers/memory";

const { nn, io } = nt;
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/losses.json", import.meta.url), "utf8")) as { cases: Case[] };

/** Each fixture op through the function, and through its module (the same case, options as constructor options). */
const calls: Record<string, Call> = {
  nllLoss: (x, a) => nt.nllLoss(x[0], x[1], { ...a, weight: x[2] }),
  klDiv: (x, a) => nt.klDiv(x[0], x[1], a),
  smoothL1Loss: (x, a) => nt.smoothL1Loss(x[0], x[1], a),
  crossEntropy: (x, a) => nt.crossEntropy(x[0], x[1], { ...a, weight: x[2] }),
};
const moduleCalls: Record<string, Call> = {
  nllLoss: (x, a) => new nn.NLLLoss({ ...a, weight: x[2] })(x[0], x[1]),
  klDiv: (x, a) => new nn.KLDivLoss(a)(x[0], x[1]),
  smoothL1Loss: (x, a) => new nn.SmoothL1Loss(a)(x[0], x[1]),
  crossEntropy: (x, a) => new nn.CrossEntropyLoss({ ...a, weight: x[2] })(x[0], x[1]),
};

/**
 * Same tolerance as test/ops.fixtures.test.ts: 1e-5 relative (sums in another order, own exp/log within
 * ~1 ulp; sums of at most 102 terms here) plus 1e-6 of the case's largest magnitude.
 */
const TOL = { rtol: 1e-5, atol: 1e-6 };

describe("losses against PyTorch", () => {
  it("the fixtures cover every option", () => {
    const names = fixtures.cases.map((c) => c.name);
    const has = (op: string, f: (a: Record<string, any>, c: Case) => boolean) =>
      fixtures.cases.some((c) => c.op === op && f(c.args, c));
    for (const r of ["mean", "sum", "none"]) {
      expect(has("nllLoss", (a) => a.reduction === r && a.weight && a.ignoreIndex !== undefined), `nll ${r}`).toBe(true);
      expect(has("smoothL1Loss", (a) => a.reduction === r && a.beta === 0), `smoothL1 ${r}`).toBe(true);
    }
    for (const r of ["mean", "sum", "none", "batchmean"]) {
      for (const lt of [false, true]) {
        expect(has("klDiv", (a, c) => a.reduction === r && !!a.logTarget === lt && !!c.grads[1]), `kl ${r} ${lt}`).toBe(true);
      }
    }
    // crossEntropy's weight: every reduction with and without smoothing, for class indices (with ignored
    // elements, 2-D and 4-D) and for probabilities (2-D and 4-D)
    const ce = (f: (a: Record<string, any>, c: Case) => boolean) => has("crossEntropy", (a, c) => a.weight && f(a, c));
    const probTarget = (c: Case) => c.inputs[1].shape.length === c.inputs[0].shape.length;
    for (const r of ["mean", "sum", "none"]) {
      for (const ls of [false, true]) {
        for (const rank of [2, 4]) {
          expect(ce((a, c) => a.reduction === r && !!a.labelSmoothing === ls && !probTarget(c) && c.inputs[0].shape.length === rank
            && (c.inputs[1].data as number[]).includes(a.ignoreIndex ?? -100)), `ce ${r} ${ls} ${rank}`).toBe(true);
        }
        expect(ce((a, c) => a.reduction === r && !!a.labelSmoothing === ls && probTarget(c)), `ce probs ${r} ${ls}`).toBe(true);
      }
    }
    expect(ce((a, c) => probTarget(c) && c.inputs[0].shape.length === 4)).toBe(true);
    expect(has("nllLoss", (_, c) => c.inputs[0].shape.length === 4)).toBe(true);
    expect(has("nllLoss", (_, c) => c.inputs[1].shape.length === 0)).toBe(true);
    for (const b of [0, 0.5, 2]) expect(has("smoothL1Loss", (a) => a.beta === b)).toBe(true);
    expect(names.length).toBe(new Set(names).size);
  });

  for (const c of fixtures.cases) {
    it(c.name, () => expectCaseMatches(c, calls[c.op], TOL));
    it(`${c.name} (module)`, () => expectCaseMatches(c, moduleCalls[c.op], TOL));
  }
});

const t = (v: number[] | number, shape?: number[]) => nt.tensor(v, shape);
/** The gradient of sum(f(x)) for x = values (requires grad). */
function gradOf(values: number[], shape: number[], f: (x: Tensor) => Tensor): number[] {
  return nt.scope(() => {
    const x = nt.tensor(values, shape, { requiresGrad: true });
    f(x).sum().backward();
    return Array.from(x.grad!.data());
  });
}

describe("hand-derived cases", () => {
  it("nllLoss: every element ignored or zero total weight gives a NaN mean and a 0 sum, like torch", () => {
    nt.scope(() => {
      const x = nt.logSoftmax(nt.randn([3, 4]), 1);
      const ignored = t([-100, -100, -100]);
      expect(nt.nllLoss(x, ignored).item()).toBeNaN();
      expect(nt.nllLoss(x, ignored, { reduction: "sum" }).item()).toBe(0);
      expect(Array.from(nt.nllLoss(x, ignored, { reduction: "none" }).data())).toEqual([0, 0, 0]);
      expect(nt.nllLoss(x, t([0, 2, 0]), { weight: t([0, 1, 0, 1]) }).item()).toBeNaN();
      expect(nt.nllLoss(nt.zeros([0, 4]), nt.zeros([0])).item()).toBeNaN();
      // gradient of an ignored row is 0; of a counted one -w/total at the target
      expect(gradOf([-1, -2, -3, -4, -5, -6], [2, 3], (z) => nt.nllLoss(z, t([2, 1]), { ignoreIndex: 1, weight: t([1, 1, 4]) })))
        .toEqual([0, 0, -1, 0, 0, 0]);
      // -(0.5·-1 + 2·-5)/(0.5 + 2) = 4.2
      expect(nt.nllLoss(t([-1, -2, -3, -4, -5, -6], [2, 3]), t([0, 1]), { weight: t([0.5, 2, 3]) }).item()).toBeCloseTo(4.2, 6);
    });
  });

  it("klDiv: 0 where the target is 0 (even for -inf input: NaN, as torch's 0 · -inf); d/dtarget NaN there", () => {
    nt.scope(() => {
      const out = nt.klDiv(t([-1, -1e30, -Infinity, -2]), t([0, 0, 0, 1]), { reduction: "none" }).data();
      expect([out[0], out[1], out[3]]).toEqual([0, 0, 2]);
      expect(out[2]).toBeNaN();
      const target = nt.tensor([0, 0.5], [2], { requiresGrad: true });
      nt.klDiv(t([-1, -2]), target, { reduction: "sum" }).backward();
      const g = target.grad!.data();
      expect(g[0]).toBeNaN();
      expect(g[1]).toBeCloseTo(Math.log(0.5) + 1 + 2, 5);
      // batchmean divides by input.shape[0]; mean by every element
      const x = nt.logSoftmax(nt.randn([4, 3]), 1), p = nt.softmax(nt.randn([4, 3]), 1);
      const sum = nt.klDiv(x, p, { reduction: "sum" }).item();
      expect(nt.klDiv(x, p, { reduction: "batchmean" }).item()).toBeCloseTo(sum / 4, 6);
      expect(nt.klDiv(x, p).item()).toBeCloseTo(sum / 12, 6);
      expect(nt.klDiv(x, nt.log(p), { logTarget: true, reduction: "sum" }).item()).toBeCloseTo(sum, 5);
    });
  });

  it("smoothL1Loss: beta 0 is l1Loss's values (gradient -1 at x == target, as torch); beta = Infinity is 0", () => {
    nt.scope(() => {
      const x = nt.randn([5, 7]), y = nt.randn([5, 7]);
      expect(Array.from(nt.smoothL1Loss(x, y, { beta: 0, reduction: "none" }).data()))
        .toEqual(Array.from(nt.l1Loss(x, y, { reduction: "none" }).data()));
      expect(gradOf([0, 1, -1, 0.25], [4], (z) => nt.smoothL1Loss(z, nt.zeros([4]), { beta: 0, reduction: "none" }))).toEqual([-1, 1, -1, 1]);
      expect(gradOf([0, 1, -1, 0.5], [4], (z) => nt.smoothL1Loss(z, nt.zeros([4]), { reduction: "sum" }))).toEqual([0, 1, -1, 0.5]);
      expect(nt.smoothL1Loss(x, y, { beta: Infinity }).item()).toBe(0);
      // huberLoss(delta) = delta · smoothL1Loss(beta = delta)
      expect(nt.smoothL1Loss(x, y, { beta: 0.5 }).item() * 0.5).toBeCloseTo(nt.huberLoss(x, y, { delta: 0.5 }).item(), 6);
    });
  });

  it("target gradients: smoothL1Loss -d/dinput; klDiv's own", () => {
    nt.scope(() => {
      const x = nt.tensor([0.3, -2, 1.5], [3], { requiresGrad: true });
      const y = nt.tensor([0, 0, 0.5], [3], { requiresGrad: true });
      nt.smoothL1Loss(x, y, { reduction: "sum" }).backward();
      expect(Array.from(y.grad!.data())).toEqual(Array.from(x.grad!.data()).map((v) => -v));
      // log target: d/dt exp(t)(t - x) = exp(t)(t - x + 1); only the target requires grad
      const lt = nt.tensor([-0.5], [1], { requiresGrad: true });
      nt.klDiv(t([-2]), lt, { logTarget: true, reduction: "sum" }).backward();
      expect(lt.grad!.item()).toBeCloseTo(Math.exp(-0.5) * 2.5, 6);
    });
  });

  it("crossEntropy with weight: against a naive float64 version over awkward sizes (0, 1, 3, 17 rows, classes and positions)", () => {
    // loss per element and d(reduced loss)/dlogits written out from torch's definitions, in float64
    const naive = (x: Float32Array, y: Float32Array, w: Float32Array, n: number, c: number, inner: number, eps: number, probs: boolean, reduction: string) => {
      const loss: number[] = [], dx = new Array<number>(x.length).fill(0), coef: number[][] = [];
      let divisor = probs ? n * inner : 0;
      for (let b = 0; b < n; b++) {
        for (let i = 0; i < inner; i++) {
          const at = (d: number) => (b * c + d) * inner + i;
          const label = y[b * inner + i];
          // T: the per-class coefficients of -logp
          const T = Array.from({ length: c }, (_, d) =>
            probs ? w[d] * ((1 - eps) * y[at(d)] + eps / c) : label === -100 ? 0 : w[d] * eps / c + (d === label ? (1 - eps) * w[d] : 0));
          if (!probs && label !== -100) divisor += w[label];
          let m = -Infinity;
          for (let d = 0; d < c; d++) m = Math.max(m, x[at(d)]);
          let s = 0;
          for (let d = 0; d < c; d++) s += Math.exp(x[at(d)] - m);
          const lse = m + Math.log(s);
          loss.push(T.reduce((acc, td, d) => acc + td * (lse - x[at(d)]), 0));
          coef.push(T);
        }
      }
      const gScale = reduction === "mean" ? 1 / divisor : 1;
      for (let b = 0, e = 0; b < n; b++) {
        for (let i = 0; i < inner; i++, e++) {
          const at = (d: number) => (b * c + d) * inner + i;
          const T = coef[e], sumT = T.reduce((a, v) => a + v, 0);
          let m = -Infinity;
          for (let d = 0; d < c; d++) m = Math.max(m, x[at(d)]);
          let s = 0;
          for (let d = 0; d < c; d++) s += Math.exp(x[at(d)] - m);
          for (let d = 0; d < c; d++) dx[at(d)] = gScale * (sumT * Math.exp(x[at(d)] - m) / s - T[d]);
        }
      }
      const total = loss.reduce((a, v) => a + v, 0);
      return { out: reduction === "none" ? loss : [reduction === "mean" ? total / divisor : total], dx };
    };
    // 1e-5 relative + 1e-6 absolute: f32 logits and weights, sums of at most 17 terms (same as the fixtures)
    const close = (got: ArrayLike<number>, want: number[], what: string) => {
      expect(got.length, what).toBe(want.length);
      for (let k = 0; k < want.length; k++) expect(Math.abs(got[k] - want[k]), `${what} [${k}]`).toBeLessThanOrEqual(1e-5 * Math.abs(want[k]) + 1e-6);
    };
    nt.manualSeed(31);
    for (const n of [0, 1, 3, 17]) {
      for (const c of [1, 3, 17]) {
        for (const inner of n === 17 ? [1] : [1, 3, 17]) {
          for (const eps of [0, 0.3]) {
            for (const probs of [false, true]) {
              for (const reduction of ["none", "sum", "mean"] as const) {
                nt.scope(() => {
                  const shape = inner === 1 ? [n, c] : [n, c, inner];
                  const x = nt.mul(nt.randn(shape), 2), w = nt.rand([c]);
                  // labels cycle through the classes, every third element ignored (-100)
                  const labels = Array.from({ length: n * inner }, (_, e) => (e % 3 === 2 ? -100 : (e * 7) % c));
                  const y = probs ? nt.softmax(nt.randn(shape), 1) : nt.tensor(labels, inner === 1 ? [n] : [n, inner]);
                  const what = `n ${n} c ${c} inner ${inner} eps ${eps} ${probs ? "probs" : "labels"} ${reduction}`;
                  const want = naive(x.data(), y.data(), w.data(), n, c, inner, eps, probs, reduction);
                  const xg = nt.tensor(x.data(), shape, { requiresGrad: true });
                  const out = nt.crossEntropy(xg, y, { weight: w, labelSmoothing: eps, reduction });
                  // a mean over no counted weight is NaN (checked separately); compare the finite ones
                  if (reduction === "mean" && !Number.isFinite(want.out[0])) return expect(out.item(), what).toBeNaN();
                  close(out.data(), want.out, what);
                  out.sum().backward();
                  close(xg.grad!.data(), want.dx, `${what} grad`);
                });
              }
            }
          }
        }
      }
    }
  });

  it("crossEntropy with weight: NaN mean over zero summed weight, weights of ones give the unweighted loss", () => {
    nt.scope(() => {
      nt.manualSeed(7);
      const x = nt.randn([3, 4]);
      const w = t([0, 2, 0, 1]);
      // targets of weight 0 only (and with smoothing the other classes' terms are not 0): NaN, as torch
      expect(nt.crossEntropy(x, t([0, 2, 0]), { weight: w }).item()).toBeNaN();
      expect(nt.crossEntropy(x, t([0, 2, 0]), { weight: w, labelSmoothing: 0.2 }).item()).toBeNaN();
      expect(nt.crossEntropy(x, t([-100, -100, -100]), { weight: w }).item()).toBeNaN();
      expect(nt.crossEntropy(x, t([-100, -100, -100]), { weight: w, reduction: "sum" }).item()).toBe(0);
      expect(nt.crossEntropy(nt.zeros([0, 4]), nt.zeros([0]), { weight: w }).item()).toBeNaN();
      // weights of ones: the unweighted values (another kernel, so to rounding)
      const ones = nt.ones([4]);
      for (const [target, o] of [[t([1, 3, -100]), { labelSmoothing: 0.3 }], [nt.softmax(nt.randn([3, 4]), 1), { labelSmoothing: 0.1 }]] as const) {
        for (const reduction of ["mean", "none"] as const) {
          const a = nt.crossEntropy(x, target, { ...o, reduction }).data(), b = nt.crossEntropy(x, target, { ...o, reduction, weight: ones }).data();
          for (let k = 0; k < a.length; k++) expect(b[k]).toBeCloseTo(a[k], 6);
        }
      }
      // hand-derived: logits 0 (logp = -log 3), targets [0, 2], w = [0.5, 1, 2], smoothing 0.3
      // per element: (0.7 w_t + 0.1 sum w) log 3 = (0.7 w_t + 0.35) log 3; mean over w_t sum 2.5
      const z = nt.zeros([2, 3]);
      const L3 = Math.log(3);
      const perElement = nt.crossEntropy(z, t([0, 2]), { weight: t([0.5, 1, 2]), labelSmoothing: 0.3, reduction: "none" }).data();
      expect(perElement[0]).toBeCloseTo(0.7 * L3, 6);
      expect(perElement[1]).toBeCloseTo(1.75 * L3, 6);
      expect(nt.crossEntropy(z, t([0, 2]), { weight: t([0.5, 1, 2]), labelSmoothing: 0.3 }).item()).toBeCloseTo((2.45 * L3) / 2.5, 6);
    });
  });

  it("leave nothing behind after backward", () => {
    const x = nt.tensor([-1.2, -0.4, -2, -0.1, -3, -0.7], [2, 3], { requiresGrad: true });
    const labels = t([2, 0]), w = t([1, 2, 3]), p = nt.softmax(nt.randn([2, 3]), 1);
    expectBackwardLeavesNothing(x, [
      ["nllLoss", () => nt.nllLoss(x, labels, { weight: w })],
      ["nllLoss none", () => nt.nllLoss(x, labels, { reduction: "none" })],
      ["klDiv", () => nt.klDiv(x, p, { reduction: "batchmean" })],
      ["smoothL1Loss", () => nt.smoothL1Loss(x, p, { beta: 0.5 })],
      ["crossEntropy weight", () => nt.crossEntropy(x, labels, { weight: w, labelSmoothing: 0.1 })],
      ["crossEntropy weight none", () => nt.crossEntropy(x, labels, { weight: w, reduction: "none" })],
      ["crossEntropy weight probabilities", () => nt.crossEntropy(x, p, { weight: w })],
    ]);
    for (const v of [x, labels, w, p]) v.dispose();
  });
});

describe("bad input", () => {
  it("nllLoss names the op, the argument and the shapes, before any kernel runs", () => {
    nt.scope(() => {
      const x = nt.randn([4, 3]), good = t([0, 1, 2, 0]);
      const [outOfRange, half, negative, ignoredOther, short, probs, one, scalar, zero, w2, wGrad, yGrad] = [
        t([0, 1, 3, 0]), t([0, 1, 0.5, 0]), t([0, -100, 2, -1]), t([0, -100, 2, 1]), t([0, 1, 2]), nt.zeros([4, 3]),
        t([1]), t(-1), t(0), t([1, 2]), nt.ones([3], { requiresGrad: true }), nt.tensor([0, 1, 2, 0], [4], { requiresGrad: true }),
      ];
      const x1 = t([-1, -2, -3]);
      const before = nt.memory().numTensors;
      expect(() => nt.nllLoss(x, outOfRange)).toThrow("nllLoss: target value 3 at index 2 is not a class index in [0, 3) for input [4, 3]");
      expect(() => nt.nllLoss(x, half)).toThrow(/nllLoss: target value 0.5 at index 2 is not a class index/);
      expect(() => nt.nllLoss(x, negative)).toThrow(/target value -1 at index 3/);
      expect(() => nt.nllLoss(x, ignoredOther, { ignoreIndex: 2 })).toThrow(/target value -100 at index 1/);
      expect(() => nt.nllLoss(x, short)).toThrow("nllLoss: target [3] must be class indices of shape [4] for input [4, 3]");
      expect(() => nt.nllLoss(x, probs)).toThrow(/target \[4, 3\] must be class indices of shape \[4\]/);
      expect(() => nt.nllLoss(x1, one)).toThrow(/target \[1\] must be class indices of shape \[\] for input \[3\]/);
      expect(() => nt.nllLoss(scalar, zero)).toThrow("nllLoss: input must have a class dimension, got shape []");
      expect(() => nt.nllLoss(x, good, { weight: w2 })).toThrow("nllLoss: weight [2] must have shape [3] (one per class) for input [4, 3]");
      expect(() => nt.nllLoss(x, good, { weight: wGrad })).toThrow(/nllLoss: the derivative for weight is not implemented; detach\(\) the weight/);
      expect(() => nt.nllLoss(x, yGrad)).toThrow(/nllLoss: the derivative for target is not implemented/);
      expect(() => nt.nllLoss(x, good, { ignoreIndex: 0.5 })).toThrow("nllLoss: ignoreIndex must be a 32-bit integer, got number 0.5");
      expect(() => nt.nllLoss(x, good, { ignoreIndex: 2 ** 32 + 1 })).toThrow(/nllLoss: ignoreIndex must be a 32-bit integer/);
      expect(() => nt.crossEntropy(x, good, { ignoreIndex: -(2 ** 31) - 1 })).toThrow(/crossEntropy: ignoreIndex must be a 32-bit integer/);
      expect(() => nt.nllLoss(x, good, { reduction: "batchmean" as any })).toThrow('nllLoss: reduction must be "mean", "sum" or "none", got string batchmean');
      expect(() => nt.nllLoss(x, [0, 1] as any)).toThrow(/nllLoss: target must be a Tensor/);
      expect(nt.memory().numTensors).toBe(before); // nothing allocated on the way to any of these errors
    });
  });

  it("crossEntropy's weight: shape, gradient and type, before any kernel runs", () => {
    nt.scope(() => {
      const x = nt.randn([4, 3]), labels = t([0, 1, 2, 0]), p = nt.softmax(nt.randn([4, 3]), 1);
      const [w2, w23, wGrad] = [t([1, 2]), nt.ones([2, 3]), nt.ones([3], { requiresGrad: true })];
      const [x4, y4, w11, bad, w123] = [nt.randn([2, 3, 2, 2]), nt.zeros([2, 2, 2]), t([1, 1]), t([0, 3, 1, 0]), t([1, 2, 3])];
      const before = nt.memory().numTensors;
      expect(() => nt.crossEntropy(x, labels, { weight: w2 })).toThrow("crossEntropy: weight [2] must have shape [3] (one per class) for input [4, 3]");
      expect(() => nt.crossEntropy(x, p, { weight: w23 })).toThrow("crossEntropy: weight [2, 3] must have shape [3] (one per class) for input [4, 3]");
      expect(() => nt.crossEntropy(x4, y4, { weight: w11 })).toThrow("crossEntropy: weight [2] must have shape [3] (one per class) for input [2, 3, 2, 2]");
      expect(() => nt.crossEntropy(x, labels, { weight: wGrad })).toThrow(/crossEntropy: the derivative for weight is not implemented; detach\(\) the weight/);
      expect(() => nt.crossEntropy(x, p, { weight: wGrad, labelSmoothing: 0.1 })).toThrow(/crossEntropy: the derivative for weight is not implemented/);
      expect(() => nt.crossEntropy(x, labels, { weight: [1, 2, 3] as any })).toThrow(/crossEntropy: weight must be a Tensor/);
      expect(() => nt.crossEntropy(x, bad, { weight: w123 })).toThrow(/crossEntropy: target value 3 at index 1 is not a class index/);
      expect(nt.memory().numTensors).toBe(before);
    });
  });

  it("klDiv and smoothL1Loss", () => {
    nt.scope(() => {
      const a = nt.randn([2, 3]), b = nt.rand([2, 3]);
      expect(() => nt.klDiv(a, nt.rand([3, 2]))).toThrow("klDiv: input [2, 3] and target [3, 2] must have the same shape");
      expect(() => nt.klDiv(a, b, { reduction: "avg" as any })).toThrow('klDiv: reduction must be "mean", "sum", "none" or "batchmean", got string avg');
      expect(() => nt.klDiv(a, b, { logTarget: 1 as any })).toThrow("klDiv: logTarget must be a boolean, got number 1");
      expect(() => nt.smoothL1Loss(a, b, { beta: -1 })).toThrow("smoothL1Loss: beta must be a number >= 0, got number -1");
      expect(() => nt.smoothL1Loss(a, b, { beta: NaN })).toThrow(/smoothL1Loss: beta must be a number >= 0, got number NaN/);
      expect(() => nt.smoothL1Loss(a, b, { reduction: "batchmean" as any })).toThrow(/smoothL1Loss: reduction must be "mean", "sum" or "none"/);
      expect(() => nt.smoothL1Loss(a, nt.rand([2]))).toThrow("smoothL1Loss: input [2, 3] and target [2] must have the same shape");
      expect(() => new nn.SmoothL1Loss({ beta: -0.5 })(a, b)).toThrow(/smoothL1Loss: beta must be a number >= 0/);
    });
  });
});

describe("modules", () => {
  it("PyTorch's defaults, reprs and the weight buffer's state-dict key", () => {
    const nll = new nn.NLLLoss(), kl = new nn.KLDivLoss(), s = new nn.SmoothL1Loss();
    expect([nll.reduction, nll.ignoreIndex, nll.weight]).toEqual(["mean", -100, null]);
    expect([kl.reduction, kl.logTarget]).toEqual(["mean", false]);
    expect([s.reduction, s.beta]).toEqual(["mean", 1]);
    const ce = new nn.CrossEntropyLoss();
    expect([ce.weight, Object.keys(ce.stateDict())]).toEqual([null, []]);
    const cw = nt.tensor([1, 2, 3]);
    const ceWeighted = new nn.CrossEntropyLoss({ weight: cw, labelSmoothing: 0.1 });
    expect(Object.keys(ceWeighted.stateDict())).toEqual(["weight"]);
    expect(ceWeighted.weight).toBe(cw);
    ceWeighted.dispose();
    expect(Object.keys(nll.stateDict())).toEqual([]);
    expect(String(kl)).toBe("KLDivLoss(reduction='mean')");
    const w = nt.tensor([1, 2, 3]);
    const weighted = new nn.NLLLoss({ weight: w, ignoreIndex: 0, reduction: "sum" });
    expect(Object.keys(weighted.stateDict())).toEqual(["weight"]);
    expect(weighted.weight).toBe(w);
    weighted.dispose();
  });

  it("save and load with their options; NLLLoss's and CrossEntropyLoss's weight travels in the state dict", () => {
    const modules = [
      new nn.NLLLoss({ ignoreIndex: 3, reduction: "none" }),
      new nn.NLLLoss({ weight: nt.tensor([0.5, 2, 1, 4]), reduction: "sum" }),
      new nn.KLDivLoss({ reduction: "batchmean", logTarget: true }),
      new nn.SmoothL1Loss({ beta: 0, reduction: "sum" }),
      new nn.SmoothL1Loss({ beta: 2.5 }),
      new nn.CrossEntropyLoss({ weight: nt.tensor([3, 0.25, 1]), labelSmoothing: 0.2, ignoreIndex: 1 }),
      new nn.CrossEntropyLoss({ reduction: "sum" }),
    ];
    for (const m of modules) {
      const loaded = io.loadModel(io.saveModel(m));
      expect(loaded.constructor).toBe(m.constructor);
      expect(io.describeModel(loaded)).toEqual(io.describeModel(m));
      for (const key of ["reduction", "ignoreIndex", "logTarget", "beta", "labelSmoothing"]) expect((loaded as any)[key], key).toBe((m as any)[key]);
      const w = (m as any).weight as Tensor | null | undefined;
      if (w !== undefined) expect((loaded as any).weight?.toArray() ?? null).toEqual(w?.toArray() ?? null);
      loaded.dispose();
      m.dispose();
    }
  });
});
