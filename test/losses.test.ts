// nllLoss, klDiv and smoothL1Loss (and their nn modules) forward and backward against PyTorch 1.13
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
};
const moduleCalls: Record<string, Call> = {
  nllLoss: (x, a) => new nn.NLLLoss({ ...a, weight: x[2] })(x[0], x[1]),
  klDiv: (x, a) => new nn.KLDivLoss(a)(x[0], x[1]),
  smoothL1Loss: (x, a) => new nn.SmoothL1Loss(a)(x[0], x[1]),
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

  it("leave nothing behind after backward", () => {
    const x = nt.tensor([-1.2, -0.4, -2, -0.1, -3, -0.7], [2, 3], { requiresGrad: true });
    const labels = t([2, 0]), w = t([1, 2, 3]), p = nt.softmax(nt.randn([2, 3]), 1);
    expectBackwardLeavesNothing(x, [
      ["nllLoss", () => nt.nllLoss(x, labels, { weight: w })],
      ["nllLoss none", () => nt.nllLoss(x, labels, { reduction: "none" })],
      ["klDiv", () => nt.klDiv(x, p, { reduction: "batchmean" })],
      ["smoothL1Loss", () => nt.smoothL1Loss(x, p, { beta: 0.5 })],
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
    expect(Object.keys(nll.stateDict())).toEqual([]);
    expect(String(kl)).toBe("KLDivLoss(reduction='mean')");
    const w = nt.tensor([1, 2, 3]);
    const weighted = new nn.NLLLoss({ weight: w, ignoreIndex: 0, reduction: "sum" });
    expect(Object.keys(weighted.stateDict())).toEqual(["weight"]);
    expect(weighted.weight).toBe(w);
    weighted.dispose();
  });

  it("save and load with their options; NLLLoss's weight travels in the state dict", () => {
    const modules = [
      new nn.NLLLoss({ ignoreIndex: 3, reduction: "none" }),
      new nn.NLLLoss({ weight: nt.tensor([0.5, 2, 1, 4]), reduction: "sum" }),
      new nn.KLDivLoss({ reduction: "batchmean", logTarget: true }),
      new nn.SmoothL1Loss({ beta: 0, reduction: "sum" }),
      new nn.SmoothL1Loss({ beta: 2.5 }),
    ];
    for (const m of modules) {
      const loaded = io.loadModel(io.saveModel(m));
      expect(loaded.constructor).toBe(m.constructor);
      expect(io.describeModel(loaded)).toEqual(io.describeModel(m));
      for (const key of ["reduction", "ignoreIndex", "logTarget", "beta"]) expect((loaded as any)[key], key).toBe((m as any)[key]);
      const w = (m as any).weight as Tensor | null | undefined;
      if (w !== undefined) expect((loaded as any).weight?.toArray() ?? null).toEqual(w?.toArray() ?? null);
      loaded.dispose();
      m.dispose();
    }
  });
});
