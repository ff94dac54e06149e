// Optimizers against PyTorch 1.13 (test/fixtures/optim.json, made offline by test/fixtures/gen_optim.py), plus
// state dicts, param groups, hyperparameter errors, memory, skipped and frozen parameters.
//
// Tolerance: |got - want| <= 1e-6 (|want| + 1) for parameters, and 1e-6 of each state tensor's largest magnitude
// for state. Both sides run the same f32 formula in the same order, but torch's vectorized CPU kernels fuse
// a*x + y (add_ with alpha, addcmul_) into one FMA rounding where wasm rounds the product and the sum
// separately, and its Python-side scalars (bias corrections) come from C's pow() where we use JS's. Each of
// those is 1 ulp (6e-8 relative) in one operation of a step, and a step moves a parameter by ~lr, so a step
// adds about 1 ulp of |p| plus a few ulp of the update; 20 steps of errors that mostly cancel give a few 1e-7.
// Measured on these fixtures: largest parameter error 8e-8 (|want| + 1), largest state error 3.3e-7 of the
// tensor's scale (RMSprop's square_avg, a running sum of squares). 1e-6 leaves a 3x margin, while a wrong
// formula (a missing bias correction, eps inside the sqrt, dampening on the first momentum step) is off by
// 1e-4 or more.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";

interface OptCase {
  name: string;
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad";
  options: Record<string, unknown>;
  groups: ({ params: number[] } & Record<string, unknown>)[] | null;
  shapes: number[][];
  initial: number[][];
  grads: (number[] | null)[][];
  after: Record<string, number[][]>;
  state: Record<string, Record<string, number | number[] | null>>;
  param_groups: Record<string, unknown>[];
}
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/optim.json", import.meta.url), "utf8")) as {
  optimizers: OptCase[];
};

const RTOL = 1e-6;

function close(got: ArrayLike<number>, want: number[], what: string, scale?: number): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  const s = scale ?? 0;
  for (let i = 0; i < want.length; i++) {
    const tol = RTOL * (Math.max(Math.abs(want[i]), s) + (scale === undefined ? 1 : 0));
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]} (|diff| ${Math.abs(got[i] - want[i])} > ${tol})`);
    }
  }
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
function options(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));
}

function makeOptimizer(c: OptCase, params: Tensor[]): nt.optim.Optimizer<any> {
  const Cls = nt.optim[c.optimizer] as any;
  const args = c.groups === null
    ? params
    : c.groups.map((g) => ({ ...options(g), params: g.params.map((i) => params[i]) }));
  return new Cls(args, options(c.options));
}

function setGrads(params: Tensor[], c: OptCase, step: number): void {
  params.forEach((p, i) => {
    const g = c.grads[i][step];
    if (p.grad) p.grad.dispose();
    p.grad = g === null ? null : nt.keep(nt.tensor(g, c.shapes[i]));
  });
}

function makeParams(c: OptCase): Tensor[] {
  return c.initial.map((data, i) => nt.keep(nt.tensor(data, c.shapes[i], { requiresGrad: true })));
}

/** Run steps [from, to) of a case: set the fixture gradients, step. */
function run(opt: nt.optim.Optimizer<any>, params: Tensor[], c: OptCase, from: number, to: number, check = false): void {
  for (let s = from; s < to; s++) {
    setGrads(params, c, s);
    opt.step();
    if (check && c.after[String(s + 1)]) {
      params.forEach((p, i) => close(p.data(), c.after[String(s + 1)][i], `${c.name} step ${s + 1} param ${i}`));
    }
  }
}

function cleanup(opt: nt.optim.Optimizer<any>, params: Tensor[]): void {
  opt.dispose();
  for (const p of params) p.dispose();
}

describe("optimizers match PyTorch 1.13", () => {
  for (const c of fixtures.optimizers) {
    it(c.name, () => {
      const params = makeParams(c);
      const opt = makeOptimizer(c, params);
      run(opt, params, c, 0, c.grads[0].length, true);

      // The state dict has torch's structure, key names and values.
      const sd = opt.stateDict();
      expect(Object.keys(sd.state).sort()).toEqual(Object.keys(c.state).sort());
      for (const [k, want] of Object.entries(c.state)) {
        const got = sd.state[Number(k)];
        expect(Object.keys(got).sort(), `state ${k} keys`).toEqual(Object.keys(want).sort());
        for (const [key, w] of Object.entries(want)) {
          const v = got[key];
          if (w === null || typeof w === "number") expect(v, `state ${k}.${key}`).toBe(w);
          else {
            const scale = Math.max(...w.map(Math.abs));
            close((v as Tensor).data(), w, `${c.name} state ${k}.${key}`, scale);
          }
        }
      }
      expect(sd.param_groups.length).toBe(c.param_groups.length);
      sd.param_groups.forEach((g, i) => {
        for (const [k, v] of Object.entries(g)) {
          expect(k in c.param_groups[i], `param_groups[${i}] key ${k} is one of torch's`).toBe(true);
          expect(v, `param_groups[${i}].${k}`).toEqual(c.param_groups[i][k]);
        }
      });
      cleanup(opt, params);
    });
  }
});

describe("state dicts", () => {
  const cases = ["sgd/momentum", "adam/amsgrad", "adamw/amsgrad_weight_decay", "rmsprop/centered_momentum",
    "adagrad/lr_decay_initial_accumulator", "sgd/param_groups", "adam/lr"];
  for (const name of cases) {
    it(`${name}: save after 5 steps, load into a fresh optimizer, the next 15 steps are identical`, () => {
      const c = fixtures.optimizers.find((x) => x.name === name)!;
      const a = makeParams(c);
      const optA = makeOptimizer(c, a);
      run(optA, a, c, 0, 5);
      const sd = optA.stateDict();
      // a fresh optimizer on copies of the parameters, built with other hyperparameters: loading restores them
      const b = a.map((p) => nt.keep(p.detach()).requiresGrad_());
      const optB = new (nt.optim[c.optimizer] as any)(
        c.groups === null ? b : c.groups.map((g) => ({ params: g.params.map((i) => b[i]) })),
        { lr: 0.5 },
      ) as nt.optim.Optimizer<any>;
      optB.loadStateDict(sd);
      expect(optB.paramGroups.map((g) => g.lr)).toEqual(optA.paramGroups.map((g) => g.lr));
      const b2 = a.map((p) => nt.keep(p.detach()).requiresGrad_());
      // a dict that went through JSON (tensors as plain arrays) loads too
      const json = JSON.parse(JSON.stringify({
        state: Object.fromEntries(Object.entries(sd.state).map(([k, st]) => [k, Object.fromEntries(
          Object.entries(st).map(([key, v]) => [key, v instanceof nt.Tensor ? Array.from(v.data()) : v]))])),
        param_groups: sd.param_groups,
      }));
      const optC = makeOptimizer(c, b2);
      optC.loadStateDict(json);
      expect(optC.stateDict().param_groups).toEqual(json.param_groups);
      run(optA, a, c, 5, 20);
      run(optB, b, c, 5, 20);
      run(optC, b2, c, 5, 20);
      a.forEach((p, i) => {
        expect(Array.from(b[i].data()), `param ${i}`).toEqual(Array.from(p.data()));
        expect(Array.from(b2[i].data()), `param ${i} (from JSON)`).toEqual(Array.from(p.data()));
      });
      cleanup(optA, a);
      cleanup(optB, b);
      cleanup(optC, b2);
    });
  }

  it("loadStateDict checks the group structure and shapes before changing anything", () => {
    const p = nt.keep(nt.zeros([3], { requiresGrad: true }));
    const q = nt.keep(nt.zeros([2], { requiresGrad: true }));
    const opt = new nt.optim.Adam([p, q], { lr: 0.1 });
    p.grad = nt.keep(nt.ones([3]));
    opt.step();
    const sd = opt.stateDict();
    const other = new nt.optim.Adam([{ params: [p] }, { params: [q] }]);
    expect(() => other.loadStateDict(sd)).toThrow(/2 parameter groups|1 parameter groups/);
    const three = new nt.optim.Adam([p]);
    expect(() => three.loadStateDict({ ...sd, param_groups: [{ ...sd.param_groups[0], params: [0, 1, 2] }] }))
      .toThrow(/3 parameters, the optimizer's group 1/);
    const swapped = new nt.optim.Adam([q, p]);
    expect(() => swapped.loadStateDict(sd)).toThrow(/state 0\.exp_avg has shape \[3\] but parameter 0 has shape \[2\]/);
    expect(swapped.state.size).toBe(0);
    expect(() => opt.loadStateDict({ ...sd, param_groups: [{ ...sd.param_groups[0], betas: [0.9, 2] }] }))
      .toThrow("Adam: invalid beta parameter at index 1: 2 (param group 0 of the state dict)");
    expect(opt.paramGroups[0].betas).toEqual([0.9, 0.999]);
    for (const o of [opt, other, three, swapped]) o.dispose();
    p.dispose();
    q.dispose();
  });
});

describe("param groups", () => {
  it("each group keeps its own options, missing ones come from the constructor's", () => {
    const [w, b, c] = [nt.keep(nt.zeros([2, 2])), nt.keep(nt.zeros([2])), nt.keep(nt.zeros([1]))];
    const opt = new nt.optim.SGD([{ params: [w], lr: 0.1 }, { params: [b, c], momentum: 0.5 }], { lr: 0.01, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum, g.weightDecay, g.nesterov])).toEqual([[0.1, 0.9, 0, false], [0.01, 0.5, 0, false]]);
    expect(opt.paramGroups[1].params).toEqual([b, c]);
    // each group steps with its own lr: p -= lr * g with g = 1 (first momentum step: buf = g)
    for (const p of [w, b, c]) p.grad = nt.keep(nt.ones(p.shape));
    opt.step();
    expect(Array.from(w.data())).toEqual([-0.1, -0.1, -0.1, -0.1].map(Math.fround));
    expect(Array.from(b.data())).toEqual([-0.01, -0.01].map(Math.fround));
    opt.addParamGroup({ params: [nt.keep(nt.zeros([1]))], lr: 1 });
    expect(opt.paramGroups.length).toBe(3);
    expect(opt.paramGroups[2].momentum).toBe(0.9);
    opt.dispose();
    for (const g of opt.paramGroups) for (const p of g.params) p.dispose();
  });

  it("stateDict numbers parameters across groups in order, with torch's key names", () => {
    const ps = [0, 1, 2].map(() => nt.keep(nt.zeros([2])));
    const opt = new nt.optim.Adagrad([{ params: [ps[2]] }, { params: [ps[0], ps[1]], lrDecay: 0.1 }], { initialAccumulatorValue: 0.5 });
    const sd = opt.stateDict();
    expect(sd.param_groups.map((g) => g.params)).toEqual([[0], [1, 2]]);
    expect(sd.param_groups[1]).toEqual({
      lr: 0.01, lr_decay: 0.1, weight_decay: 0, initial_accumulator_value: 0.5, eps: 1e-10, maximize: false, params: [1, 2],
    });
    // Adagrad creates its state with the optimizer, as torch does
    expect(Object.keys(sd.state)).toEqual(["0", "1", "2"]);
    expect(sd.state[0].step).toBe(0);
    expect(Array.from((sd.state[0].sum as Tensor).data())).toEqual([0.5, 0.5]);
    opt.dispose();
    ps.forEach((p) => p.dispose());
  });
});

describe("hyperparameter and argument errors", () => {
  const p = () => nt.keep(nt.zeros([2], { requiresGrad: true }));
  const cases: [string, () => unknown, string | RegExp][] = [
    ["Adam beta", () => new nt.optim.Adam([p()], { betas: [1.5, 0.9] }), "Adam: invalid beta parameter at index 0: 1.5"],
    ["Adam beta 1", () => new nt.optim.Adam([p()], { betas: [0.9, 1] }), "Adam: invalid beta parameter at index 1: 1"],
    ["Adam betas shape", () => new nt.optim.Adam([p()], { betas: [0.9] as any }), /Adam: betas must be an array of two numbers/],
    ["Adam lr", () => new nt.optim.Adam([p()], { lr: -1 }), "Adam: invalid learning rate: -1"],
    ["Adam eps", () => new nt.optim.Adam([p()], { eps: -1e-8 }), "Adam: invalid epsilon value: -1e-8"],
    ["AdamW weight decay", () => new nt.optim.AdamW([p()], { weightDecay: -0.1 }), "AdamW: invalid weight_decay value: -0.1"],
    ["SGD lr required", () => new nt.optim.SGD([p()]), /SGD: param group 0 didn't specify a value of required optimization parameter lr/],
    ["SGD momentum", () => new nt.optim.SGD([p()], { lr: 0.1, momentum: -0.5 }), "SGD: invalid momentum value: -0.5"],
    ["SGD nesterov", () => new nt.optim.SGD([p()], { lr: 0.1, nesterov: true }), "SGD: Nesterov momentum requires a momentum and zero dampening"],
    ["SGD nesterov dampening", () => new nt.optim.SGD([p()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /Nesterov/],
    ["SGD lr NaN", () => new nt.optim.SGD([p()], { lr: NaN }), "SGD: invalid learning rate: NaN"],
    ["SGD lr string", () => new nt.optim.SGD([p()], { lr: "0.1" as any }), "SGD: lr must be a number, got string 0.1"],
    ["RMSprop alpha", () => new nt.optim.RMSprop([p()], { alpha: -0.1 }), "RMSprop: invalid alpha value: -0.1"],
    ["RMSprop centered", () => new nt.optim.RMSprop([p()], { centered: 1 as any }), "RMSprop: centered must be a boolean, got number 1"],
    ["Adagrad lr decay", () => new nt.optim.Adagrad([p()], { lrDecay: -1 }), "Adagrad: invalid lr_decay value: -1"],
    ["Adagrad accumulator", () => new nt.optim.Adagrad([p()], { initialAccumulatorValue: -1 }), "Adagrad: invalid initial_accumulator_value value: -1"],
    ["snake_case option", () => new nt.optim.Adam([p()], { weight_decay: 0.1 } as any), "Adam: unknown option weight_decay (did you mean weightDecay?)"],
    ["unknown option", () => new nt.optim.Adam([p()], { foo: 1 } as any), "Adam: unknown option foo"],
    ["group option", () => new nt.optim.Adam([{ params: [p()] }, { params: [p()], lr: -2 }]), "Adam: invalid learning rate: -2 (param group 1)"],
    ["group snake_case", () => new nt.optim.SGD([{ params: [p()], weight_decay: 1 }], { lr: 1 }), /param group 0: unknown option weight_decay \(did you mean weightDecay\?\)/],
    ["empty", () => new nt.optim.SGD([], { lr: 0.1 }), "SGD: got an empty parameter list"],
    ["single tensor", () => new nt.optim.SGD(p() as any, { lr: 0.1 }), /got a single Tensor; wrap it in \[ \]/],
    ["not a tensor", () => new nt.optim.SGD([p(), 3 as any], { lr: 0.1 }), "SGD: param group 0: params[1] must be a Tensor, got number 3"],
    ["twice in groups", () => { const t = p(); return new nt.optim.SGD([{ params: [t] }, { params: [t] }], { lr: 0.1 }); }, /already in param group 0/],
    ["non-leaf", () => { const t = p(); return new nt.optim.SGD([t.mul(2)], { lr: 0.1 }); }, /is not a leaf tensor/],
  ];
  for (const [name, fn, msg] of cases) it(name, () => expect(fn).toThrow(msg));

  it("step refuses a gradient of the wrong shape and changes nothing", () => {
    const a = p(), b = p();
    const opt = new nt.optim.SGD([a, b], { lr: 1 });
    a.grad = nt.keep(nt.ones([2]));
    b.grad = nt.keep(nt.ones([3]));
    expect(() => opt.step()).toThrow("SGD.step: the gradient of parameter 1 of param group 0 has shape [3] but the parameter has shape [2]");
    expect(Array.from(a.data())).toEqual([0, 0]);
    a.dispose();
    b.dispose();
  });

  it("step checks hyperparameters changed after construction", () => {
    const a = p();
    const opt = new nt.optim.Adam([a]);
    a.grad = nt.keep(nt.ones([2]));
    opt.paramGroups[0].lr = -0.5;
    expect(() => opt.step()).toThrow("Adam: invalid learning rate: -0.5 (param group 0)");
    a.dispose();
  });
});

describe("step, zeroGrad and memory", () => {
  it("skips parameters whose grad is null and leaves their state alone", () => {
    const a = nt.keep(nt.tensor([1, 2], undefined, { requiresGrad: true }));
    const b = nt.keep(nt.tensor([3, 4], undefined, { requiresGrad: true }));
    const opt = new nt.optim.Adam([a, b], { lr: 0.1 });
    a.grad = nt.keep(nt.ones([2]));
    opt.step();
    expect(Array.from(b.data())).toEqual([3, 4]);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(a)!.step).toBe(1);
    // Adam's first step moves by lr * sign(g): 1 - 0.1, 2 - 0.1
    const got = a.data();
    expect(got[0]).toBeCloseTo(0.9, 6);
    expect(got[1]).toBeCloseTo(1.9, 6);
    opt.dispose();
    a.dispose();
    b.dispose();
  });

  it("frozen parameters (requiresGrad false) are untouched, even with weight decay and momentum", () => {
    nt.manualSeed(3);
    const model = new nt.nn.Sequential(new nt.nn.Linear(4, 3), new nt.nn.Linear(3, 2));
    const frozen = model.parameters().slice(0, 2);
    for (const f of frozen) f.requiresGrad_(false);
    const before = frozen.map((f) => Array.from(f.data()));
    const opt = new nt.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 0.1 });
    const trained = model.parameters()[2];
    const trainedBefore = Array.from(trained.data());
    for (let i = 0; i < 3; i++) {
      nt.scope(() => {
        opt.zeroGrad();
        const x = nt.randn([5, 4]);
        const loss = nt.mseLoss(model(x), nt.randn([5, 2]));
        loss.backward();
        opt.step();
      });
    }
    frozen.forEach((f, i) => {
      expect(f.grad).toBe(null);
      expect(Array.from(f.data())).toEqual(before[i]);
    });
    expect(Array.from(trained.data())).not.toEqual(trainedBefore);
    opt.dispose();
    model.dispose();
  });

  it("a constructor that fails on a later group frees the state it created for earlier ones (Adagrad)", () => {
    const a = nt.keep(nt.zeros([3], { requiresGrad: true }));
    const b = nt.keep(nt.zeros([3], { requiresGrad: true }));
    const before = nt.memory();
    expect(() => new nt.optim.Adagrad([{ params: [a] }, { params: [b], eps: -1 }])).toThrow("Adagrad: invalid epsilon value: -1 (param group 1)");
    expect(nt.memory()).toEqual(before);
    a.dispose();
    b.dispose();
  });

  it("zeroGrad zeros in place by default (torch 1.13) and frees with setToNone", () => {
    const a = nt.keep(nt.zeros([3], { requiresGrad: true }));
    const opt = new nt.optim.SGD([a], { lr: 0.1 });
    const g = nt.keep(nt.tensor([1, 2, 3]));
    a.grad = g;
    opt.zeroGrad();
    expect(a.grad).toBe(g);
    expect(Array.from(g.data())).toEqual([0, 0, 0]);
    const n = nt.memory().numTensors;
    opt.zeroGrad({ setToNone: true });
    expect(a.grad).toBe(null);
    expect(g.isDisposed).toBe(true);
    expect(nt.memory().numTensors).toBe(n - 1);
    a.dispose();
  });

  it("step(closure) evaluates the loss with grad enabled and returns it", () => {
    const w = nt.keep(nt.tensor([2], undefined, { requiresGrad: true }));
    const opt = new nt.optim.SGD([w], { lr: 0.25 });
    const loss = opt.step(() => {
      opt.zeroGrad({ setToNone: true });
      const l = w.mul(w).sum(); // d(w^2)/dw = 2w = 4
      l.backward();
      return l.item();
    });
    expect(loss).toBe(4);
    expect(w.item()).toBe(1); // 2 - 0.25 * 4
    w.grad?.dispose();
    w.dispose();
  });

  const makers: [string, (ps: Tensor[]) => nt.optim.Optimizer<any>][] = [
    ["SGD", (ps) => new nt.optim.SGD(ps, { lr: 0.01, momentum: 0.9, nesterov: true })],
    ["Adam", (ps) => new nt.optim.Adam(ps, { lr: 1e-3, amsgrad: true })],
    ["AdamW", (ps) => new nt.optim.AdamW(ps)],
    ["RMSprop", (ps) => new nt.optim.RMSprop(ps, { lr: 1e-3, momentum: 0.9, centered: true })],
    ["Adagrad", (ps) => new nt.optim.Adagrad(ps)],
  ];
  for (const [name, make] of makers) {
    it(`${name}: state allocated once, memory() unchanged across 100 steps in scope(), dispose() frees it`, () => {
      nt.manualSeed(11);
      const model = new nt.nn.Sequential(new nt.nn.Linear(8, 16), new nt.nn.ReLU(), new nt.nn.Linear(16, 4));
      const params = model.parameters();
      const opt = make(params);
      const x = nt.keep(nt.randn([32, 8]));
      const y = nt.keep(nt.randn([32, 4]));
      const trainStep = () =>
        nt.scope(() => {
          opt.zeroGrad();
          const loss = nt.mseLoss(model(x), y);
          loss.backward();
          opt.step();
          return loss.item();
        });
      const start = nt.memory();
      const first = trainStep();
      const afterFirst = nt.memory();
      const stateTensors = [...opt.state.values()].reduce((n, st) => n + Object.values(st).filter((v) => v instanceof nt.Tensor).length, 0);
      // grads (one per param) and the optimizer's state are the only survivors of the first step
      const adagradEager = opt.name === "Adagrad" ? stateTensors : 0;
      expect(afterFirst.numTensors).toBe(start.numTensors + params.length + stateTensors - adagradEager);
      let last = first;
      for (let i = 0; i < 100; i++) {
        last = trainStep();
        expect(nt.memory().numTensors).toBe(afterFirst.numTensors);
        expect(nt.memory().numBytes).toBe(afterFirst.numBytes);
      }
      expect(last).toBeLessThan(first);
      opt.dispose();
      expect(opt.state.size).toBe(0);
      expect(nt.memory().numTensors).toBe(afterFirst.numTensors - stateTensors);
      model.dispose();
      x.dispose();
      y.dispose();
    });
  }
});
