// nn modules: PyTorch names and layouts, state dicts, freezing, modes, Sequential slicing.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";
const { nn } = nt;

describe("nn.Module and nn.Linear", () => {
  it("Linear has weight [out, in], PyTorch's default init bounds, and computes x·Wᵀ + b", () => {
    nt.scope(() => {
      nt.manualSeed(0);
      const l = new nn.Linear(400, 300);
      expect(l.weight.shape).toEqual([300, 400]);
      expect(l.bias!.shape).toEqual([300]);
      const bound = 1 / Math.sqrt(400); // kaiming-uniform a=sqrt(5) and the bias both give 1/sqrt(fan_in)
      const w = l.weight.data();
      let max = 0, sq = 0;
      for (const v of w) { max = Math.max(max, Math.abs(v)); sq += v * v; }
      expect(max).toBeLessThanOrEqual(bound);
      expect(max).toBeGreaterThan(0.99 * bound);
      // U(-b, b) has std b/sqrt(3); 120,000 samples -> relative standard error ~0.2%
      expect(Math.sqrt(sq / w.length) / (bound / Math.sqrt(3))).toBeCloseTo(1, 1);
      for (const v of l.bias!.data()) expect(Math.abs(v)).toBeLessThanOrEqual(bound);

      const small = new nn.Linear(2, 1);
      nt.noGrad(() => {
        small.weight.copy_(nt.tensor([[2, -1]]));
        small.bias!.copy_(nt.tensor([0.5]));
      });
      expect(small(nt.tensor([[3, 4], [1, 1]])).toArray()).toEqual([[2.5], [1.5]]);
      expect(new nn.Linear(3, 2, { bias: false }).bias).toBeNull();
      expect(() => new nn.Linear(0, 2)).toThrow(/nn.Linear: inFeatures must be a positive integer/);
      nt.dispose([l.parameters(), small.parameters()]);
    });
  });

  it("state-dict keys and layouts follow PyTorch", () => {
    nt.scope(() => {
      const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3, { bias: false }));
      const dict = model.stateDict();
      expect(Object.keys(dict)).toEqual(["0.weight", "0.bias", "2.weight"]);
      expect(dict["2.weight"].shape).toEqual([3, 8]);
      expect(model.namedParameters().map(([k]) => k)).toEqual(["0.weight", "0.bias", "2.weight"]);
      const nested = new nn.Sequential(new nn.Sequential(new nn.Linear(2, 2)), new nn.Linear(2, 1));
      expect(Object.keys(nested.stateDict())).toEqual(["0.0.weight", "0.0.bias", "1.weight", "1.bias"]);
      model.dispose();
      nested.dispose();
    });
  });

  it("loadStateDict copies values, checks keys (strict) and shapes, and leaves the module untouched on error", () => {
    nt.scope(() => {
      const a = new nn.Sequential(new nn.Linear(3, 2));
      const b = new nn.Sequential(new nn.Linear(3, 2));
      b.loadStateDict(a.stateDict());
      expect(b.at(0).weight.toArray()).toEqual(a.at(0).weight.toArray());
      const before = b.at(0).weight.toArray();
      expect(() => b.loadStateDict({ "0.weight": nt.zeros([2, 3]) })).toThrow(/missing keys 0.bias/);
      expect(() => b.loadStateDict({ ...a.stateDict(), extra: nt.zeros([1]) })).toThrow(/unexpected keys extra/);
      expect(() => b.loadStateDict({ "0.weight": nt.zeros([3, 2]), "0.bias": nt.zeros([2]) })).toThrow(
        /0.weight has shape \[3, 2\] in the dict but \[2, 3\] in the module/,
      );
      expect(b.at(0).weight.toArray()).toEqual(before);
      const r = b.loadStateDict({ "0.bias": nt.ones([2]), other: nt.ones([1]) }, { strict: false });
      expect(r).toEqual({ missingKeys: ["0.weight"], unexpectedKeys: ["other"] });
      expect(b.at(0).bias.toArray()).toEqual([1, 1]);
      a.dispose();
      b.dispose();
    });
  });

  it("requiresGrad_(false) freezes layers: no gradient reaches them", () => {
    nt.scope(() => {
      const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 1));
      model.at(0).requiresGrad_(false);
      nt.mseLoss(model(nt.randn([5, 3])), nt.zeros([5, 1])).backward();
      expect(model.at(0).weight.grad).toBeNull();
      expect(model.at(2).weight.grad).not.toBeNull();
      model.zeroGrad();
      expect(Array.from(model.at(2).weight.grad!.data()).every((v) => v === 0)).toBe(true);
      model.zeroGrad({ setToNone: true });
      expect(model.at(2).weight.grad).toBeNull();
      model.dispose();
    });
  });

  it("Sequential indexing and slicing share layers (feature extractor)", () => {
    nt.scope(() => {
      const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
      expect(model.length).toBe(3);
      expect(model.at(-1)).toBe(model.at(2));
      const features = model.slice(0, 2);
      expect(features.at(0)).toBe(model.at(0));
      const x = nt.randn([2, 3]);
      expect(model.at(2)(features(x)).toArray()).toEqual(model(x).toArray());
      expect(() => model.at(3)).toThrow(/out of range for 3 layers/);
      expect([...model].length).toBe(3);
      model.dispose();
    });
  });

  it("train()/eval() switch dropout, which is inverted (scaled by 1/(1-p))", () => {
    nt.scope(() => {
      nt.manualSeed(5);
      const drop = new nn.Dropout(0.25);
      const model = new nn.Sequential(drop);
      const x = nt.ones([100000]);
      const y = model(x).data();
      let zeros = 0, sum = 0;
      for (const v of y) { if (v === 0) zeros++; else expect(v).toBeCloseTo(1 / 0.75, 6); sum += v; }
      // Binomial(1e5, 0.25): std of the zero fraction is 0.0014; 5 sigma
      expect(Math.abs(zeros / 1e5 - 0.25)).toBeLessThan(0.007);
      expect(Math.abs(sum / 1e5 - 1)).toBeLessThan(0.01);
      model.eval();
      expect(drop.training).toBe(false);
      expect(model(x)).toBe(x);
      model.train();
      expect(drop.training).toBe(true);
      expect(() => new nn.Dropout(1.5)).toThrow(/p must be in \[0, 1\]/);
    });
  });

  it("activation and loss modules match the functions", () => {
    nt.scope(() => {
      const x = nt.randn([4, 5]);
      const pairs: [nt.nn.Module, (t: nt.Tensor) => nt.Tensor][] = [
        [new nn.ReLU(), nt.relu], [new nn.Sigmoid(), nt.sigmoid], [new nn.Tanh(), nt.tanh],
        [new nn.LeakyReLU(0.2), (t) => nt.leakyRelu(t, 0.2)], [new nn.ELU(0.5), (t) => nt.elu(t, 0.5)],
        [new nn.SELU(), nt.selu], [new nn.SiLU(), nt.silu], [new nn.GELU("tanh"), (t) => nt.gelu(t, "tanh")],
        [new nn.Softplus(2, 10), (t) => nt.softplus(t, 2, 10)], [new nn.Softmax(0), (t) => nt.softmax(t, 0)],
        [new nn.LogSoftmax(1), (t) => nt.logSoftmax(t, 1)], [new nn.Identity(), (t) => t], [new nn.Flatten(0), (t) => t.flatten()],
      ];
      for (const [m, f] of pairs) expect(m(x).toArray()).toEqual(f(x).toArray());
      const y = nt.randn([4, 5]);
      const labels = nt.tensor([0, 4, 2, 1]);
      expect(new nn.MSELoss()(x, y).item()).toBe(nt.mseLoss(x, y).item());
      expect(new nn.L1Loss({ reduction: "sum" })(x, y).item()).toBe(nt.l1Loss(x, y, { reduction: "sum" }).item());
      expect(new nn.HuberLoss({ delta: 0.5 })(x, y).item()).toBe(nt.huberLoss(x, y, { delta: 0.5 }).item());
      const p = nt.sigmoid(x);
      const t = nt.rand([4, 5]);
      expect(new nn.BCELoss()(p, t).item()).toBe(nt.bceLoss(p, t).item());
      expect(new nn.BCEWithLogitsLoss()(x, t).item()).toBe(nt.bceWithLogitsLoss(x, t).item());
      expect(new nn.CrossEntropyLoss({ labelSmoothing: 0.1 })(x, labels).item()).toBe(
        nt.crossEntropy(x, labels, { labelSmoothing: 0.1 }).item(),
      );
    });
  });

  it("toString prints like PyTorch", () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
    expect(String(model)).toBe("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=true)\n  (1): ReLU()\n)");
    model.dispose();
  });
});
