// Learning-rate schedulers against PyTorch 1.13 (test/fixtures/optim.json): get_last_lr() after construction
// and after each of 30 epochs of optimizer.step(); scheduler.step().
//
// Tolerance: 1e-12 relative. Learning rates are f64 on both sides and our step() evaluates torch's chainable
// formulas with the same operations in the same order, so the only differences are libm's cos and pow
// (Python calls C's, V8 its own; each within an ulp or so), compounded over 30 epochs of multiplying the
// previous lr: far below 1e-12, while any wrong formula or off-by-one epoch is off by 1e-3 or more.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as nt from "../src/index";

interface SchedCase {
  name: string;
  schedulers: { type: string; options: Record<string, unknown> }[];
  lrs: number[];
  metrics: number[] | null;
  lr: number[][];
}
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/optim.json", import.meta.url), "utf8")) as {
  schedulers: SchedCase[];
};

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/^T_max$/, "tMax");
const options = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k === "T_max" ? "tMax" : camel(k), v]));

function closeLr(got: number[], want: number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => {
    if (!(Math.abs(g - want[i]) <= 1e-12 * Math.abs(want[i]))) throw new Error(`${what}[${i}]: got ${g}, want ${want[i]}`);
  });
}

function setup(lrs: number[]) {
  const params = lrs.map(() => nt.keep(nt.zeros([2], { requiresGrad: true })));
  const opt = new nt.optim.SGD(params.map((p, i) => ({ params: [p], lr: lrs[i] })), { lr: lrs[0] });
  return { params, opt, done: () => { opt.dispose(); params.forEach((p) => p.dispose()); } };
}

describe("schedulers match PyTorch 1.13", () => {
  for (const c of fixtures.schedulers) {
    it(c.name, () => {
      const { opt, done } = setup(c.lrs);
      const scheds = c.schedulers.map((s) => new (nt.optim as any)[s.type](opt, options(s.options)));
      const last = scheds[scheds.length - 1];
      closeLr(opt.paramGroups.map((g) => g.lr), c.lr[0], `${c.name} epoch 0`);
      for (let epoch = 0; epoch < c.lr.length - 1; epoch++) {
        opt.step(); // no grads: a no-op, in the order torch wants
        for (const s of scheds) c.metrics ? s.step(c.metrics[epoch]) : s.step();
        closeLr(last.getLastLr(), c.lr[epoch + 1], `${c.name} epoch ${epoch + 1}`);
        closeLr(opt.paramGroups.map((g) => g.lr), c.lr[epoch + 1], `${c.name} group lr, epoch ${epoch + 1}`);
      }
      done();
    });
  }
});

describe("scheduler behaviour", () => {
  it("optim.StepLR and optim.lrScheduler.StepLR are the same class", () => {
    expect(nt.optim.lrScheduler.StepLR).toBe(nt.optim.StepLR);
  });

  it("records initialLr in each group (torch's initial_lr) and exposes it in the optimizer's state dict", () => {
    const { opt, done } = setup([0.1, 0.02]);
    const s = new nt.optim.ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    expect(opt.paramGroups.map((g) => [g.lr, g.initialLr])).toEqual([[0.05, 0.1], [0.01, 0.02]]);
    expect(opt.stateDict().param_groups[1]).toMatchObject({ lr: 0.01, initial_lr: 0.02 });
    expect(s.baseLrs).toEqual([0.1, 0.02]);
    done();
  });

  it("step(epoch) jumps with the closed form", () => {
    // StepLR(stepSize 3, gamma 0.5) at epoch 7: 0.1 * 0.5^floor(7/3) = 0.025. Cosine (tMax 10) at epoch 5:
    // etaMin + (base - etaMin)(1 + cos(pi/2))/2 = 0.05. LinearLR(1/3 -> 1 over 5) at 2: 0.1 (1/3 + 2/3 * 2/5).
    const a = setup([0.1]);
    const step = new nt.optim.StepLR(a.opt, { stepSize: 3, gamma: 0.5 });
    step.step(7);
    expect(step.getLastLr()[0]).toBeCloseTo(0.025, 15);
    a.done();
    const b = setup([0.1]);
    const cos = new nt.optim.CosineAnnealingLR(b.opt, { tMax: 10 });
    cos.step(5);
    expect(cos.getLastLr()[0]).toBeCloseTo(0.05, 15);
    b.done();
    const c = setup([0.1]);
    const lin = new nt.optim.LinearLR(c.opt);
    lin.step(2);
    expect(lin.getLastLr()[0]).toBeCloseTo(0.1 * (1 / 3 + (2 / 3) * (2 / 5)), 15);
    c.done();
  });

  it("the optimizer steps with the scheduled lr", () => {
    // SGD without momentum: p -= lr * g with g = 1. Epoch 0 lr 0.1, after one StepLR(1, 0.5) step lr 0.05.
    const { params, opt, done } = setup([0.1]);
    const s = new nt.optim.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    params[0].grad = nt.keep(nt.ones([2]));
    opt.step();
    s.step();
    opt.step();
    expect(Array.from(params[0].data())).toEqual([Math.fround(Math.fround(-0.1) - Math.fround(0.05)), Math.fround(Math.fround(-0.1) - Math.fround(0.05))]);
    done();
  });

  it("state dicts round-trip", () => {
    const a = setup([0.1]);
    const s1 = new nt.optim.CosineAnnealingLR(a.opt, { tMax: 7, etaMin: 0.01 });
    for (let i = 0; i < 4; i++) s1.step();
    const saved = s1.stateDict();
    expect(saved).toMatchObject({ last_epoch: 4, T_max: 7, eta_min: 0.01, base_lrs: [0.1] });
    const b = setup([0.1]);
    b.opt.paramGroups[0].lr = a.opt.paramGroups[0].lr;
    const s2 = new nt.optim.CosineAnnealingLR(b.opt, { tMax: 7, etaMin: 0.01 });
    s2.loadStateDict(saved);
    for (let i = 0; i < 5; i++) {
      s1.step();
      s2.step();
      expect(s2.getLastLr()).toEqual(s1.getLastLr());
    }
    const p = setup([0.1]);
    const r1 = new nt.optim.ReduceLROnPlateau(p.opt, { patience: 1 });
    r1.step(1);
    r1.step(2);
    const r2 = new nt.optim.ReduceLROnPlateau(p.opt, { patience: 1 });
    r2.loadStateDict(r1.stateDict());
    expect([r2.best, r2.numBadEpochs, r2.lastEpoch]).toEqual([1, 1, 2]);
    r2.step(3); // a second bad epoch > patience: 0.1 -> 0.01
    expect(r2.getLastLr()[0]).toBeCloseTo(0.01, 15);
    a.done();
    b.done();
    p.done();
  });

  it("ReduceLROnPlateau takes a one-element tensor as the metric", () => {
    const { opt, done } = setup([1]);
    const s = new nt.optim.ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
    s.step(nt.tensor(2));
    s.step(nt.tensor([2]));
    expect(s.getLastLr()).toEqual([0.5]);
    done();
  });

  type O = nt.optim.Optimizer<any>;
  const bad: [string, (o: O) => unknown, string | RegExp][] = [
    ["StepLR stepSize", (o) => new nt.optim.StepLR(o, { stepSize: 0 }), "StepLR: stepSize must be a positive integer, got number 0"],
    ["StepLR optimizer", () => new nt.optim.StepLR({} as any, { stepSize: 1 }), "StepLR: optimizer must be an Optimizer, got Object"],
    ["StepLR unknown", (o) => new nt.optim.StepLR(o, { stepSize: 1, step_size: 2 } as any), /StepLR: unknown option step_size/],
    ["MultiStepLR milestones", (o) => new nt.optim.MultiStepLR(o, { milestones: [1.5] }), /MultiStepLR: milestones must be an array of integers/],
    ["ExponentialLR gamma", (o) => new nt.optim.ExponentialLR(o, {} as any), "ExponentialLR: gamma must be a finite number, got undefined"],
    ["CosineAnnealingLR tMax", (o) => new nt.optim.CosineAnnealingLR(o, { tMax: 0 }), /CosineAnnealingLR: tMax must be a positive number/],
    ["LinearLR startFactor", (o) => new nt.optim.LinearLR(o, { startFactor: 2 }), /LinearLR: startFactor must be in \(0, 1\]/],
    ["LinearLR endFactor", (o) => new nt.optim.LinearLR(o, { endFactor: -1 }), /LinearLR: endFactor must be in \[0, 1\]/],
    ["ReduceLROnPlateau factor", (o) => new nt.optim.ReduceLROnPlateau(o, { factor: 1 }), /ReduceLROnPlateau: factor should be < 1.0/],
    ["ReduceLROnPlateau mode", (o) => new nt.optim.ReduceLROnPlateau(o, { mode: "up" as any }), "ReduceLROnPlateau: mode up is unknown (expected 'min' or 'max')"],
    ["ReduceLROnPlateau thresholdMode", (o) => new nt.optim.ReduceLROnPlateau(o, { thresholdMode: "x" as any }), /threshold mode x is unknown/],
    ["ReduceLROnPlateau minLr", (o) => new nt.optim.ReduceLROnPlateau(o, { minLr: [0.1] }), "ReduceLROnPlateau: expected 2 minLr values (one per param group), got 1"],
    ["ReduceLROnPlateau metric", (o) => new nt.optim.ReduceLROnPlateau(o).step("1" as any), /metric must be a number or a one-element Tensor/],
  ];
  for (const [name, fn, msg] of bad) {
    it(`error: ${name}; the optimizer's groups are left alone`, () => {
      const { opt, done } = setup([0.1, 0.1]);
      expect(() => fn(opt)).toThrow(msg);
      expect(opt.paramGroups.map((g) => [g.lr, g.initialLr])).toEqual([[0.1, undefined], [0.1, undefined]]);
      done();
    });
  }
});
