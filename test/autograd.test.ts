// The tape: accumulation, noGrad, detach, graph freeing, deep graphs, hand-derived cases.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";

describe("autograd", () => {
  it("hand-derived: y = sum(w·x + b)² gives dy/dw = 2(w·x+b)·x and dy/db = 2(w·x+b)", () => {
    nt.scope(() => {
      // w = [[1, 2]], x = [[3], [4]], b = [0.5]: w·x + b = 11.5, y = 132.25
      const w = nt.tensor([[1, 2]], undefined, { requiresGrad: true });
      const x = nt.tensor([[3], [4]]);
      const b = nt.tensor([0.5], undefined, { requiresGrad: true });
      const y = w.matmul(x).add(b).pow(2).sum();
      expect(y.item()).toBe(132.25);
      y.backward();
      expect(w.grad!.toArray()).toEqual([[69, 92]]); // 2·11.5·[3, 4]
      expect(b.grad!.toArray()).toEqual([23]);
      expect(x.grad).toBeNull();
    });
  });

  it("hand-derived: softmax cross-entropy gradient is softmax - onehot, divided by the batch", () => {
    nt.scope(() => {
      // logits [[0, ln 3]] -> softmax [1/4, 3/4]; target class 1 -> grad [1/4, -1/4]
      const z = nt.tensor([[0, Math.log(3)]], undefined, { requiresGrad: true });
      const loss = nt.crossEntropy(z, nt.tensor([1]));
      expect(loss.item()).toBeCloseTo(-Math.log(0.75), 6);
      loss.backward();
      const g = z.grad!.data();
      expect(g[0]).toBeCloseTo(0.25, 6);
      expect(g[1]).toBeCloseTo(-0.25, 6);
    });
  });

  it("gradients accumulate across backward calls until zeroed", () => {
    nt.scope(() => {
      const x = nt.tensor([1, 2, 3], undefined, { requiresGrad: true });
      x.mul(2).sum().backward();
      x.mul(x).sum().backward();
      expect(x.grad!.toArray()).toEqual([4, 6, 8]); // 2 + 2x
      x.grad!.zero_();
      x.sum().backward();
      expect(x.grad!.toArray()).toEqual([1, 1, 1]);
    });
  });

  it("a tensor used twice gets both contributions (x + x, x * x)", () => {
    nt.scope(() => {
      const x = nt.tensor([3], undefined, { requiresGrad: true });
      x.add(x).mul(x).sum().backward(); // d/dx 2x² = 4x
      expect(x.grad!.item()).toBe(12);
    });
  });

  it("noGrad records nothing and restores grad mode even when fn throws", () => {
    nt.scope(() => {
      const x = nt.ones([2], { requiresGrad: true });
      const y = nt.noGrad(() => x.mul(2));
      expect(y.requiresGrad).toBe(false);
      expect(() => nt.noGrad(() => { throw new Error("inside"); })).toThrow("inside");
      expect(nt.isGradEnabled()).toBe(true);
      expect(x.mul(2).requiresGrad).toBe(true);
    });
  });

  it("detach cuts the graph", () => {
    nt.scope(() => {
      const x = nt.tensor([2], undefined, { requiresGrad: true });
      const y = x.mul(x.detach()); // d/dx = x.detach() = 2
      y.sum().backward();
      expect(x.grad!.item()).toBe(2);
      expect(x.detach().requiresGrad).toBe(false);
    });
  });

  it("backward frees the graph; a second backward says so unless retainGraph", () => {
    nt.scope(() => {
      const x = nt.tensor([1, 2], undefined, { requiresGrad: true });
      const y = x.exp().sum();
      y.backward(undefined, { retainGraph: true });
      y.backward();
      expect(x.grad!.data()[0]).toBeCloseTo(2 * Math.E, 5);
      expect(() => y.backward()).toThrow(/second time/);
    });
  });

  it("non-scalar outputs need an explicit gradient", () => {
    nt.scope(() => {
      const x = nt.tensor([1, 2], undefined, { requiresGrad: true });
      const y = x.mul(3);
      expect(() => y.backward()).toThrow(/only for scalar outputs/);
      y.backward(nt.tensor([1, 10]));
      expect(x.grad!.toArray()).toEqual([3, 30]);
      expect(() => nt.ones([2]).backward()).toThrow(/does not require grad/);
    });
  });

  it("walks a 20,000-op chain without overflowing the stack", () => {
    nt.scope(() => {
      const x = nt.tensor([1], undefined, { requiresGrad: true });
      let y = x;
      for (let i = 0; i < 20000; i++) y = y.mul(1.0001);
      y.sum().backward();
      expect(x.grad!.item()).toBeCloseTo(Math.pow(1.0001, 20000), 2);
    });
  });

  it("backward leaves no temporaries behind", () => {
    const x = nt.keep(nt.randn([5, 3], { requiresGrad: true }));
    nt.scope(() => nt.softmax(x.matmul(x.T).tanh(), 1).max(1).sum().backward());
    const m = nt.memory();
    nt.scope(() => nt.softmax(x.matmul(x.T).tanh(), 1).max(1).sum().backward());
    expect(nt.memory()).toEqual(m);
    x.dispose();
  });

  it("in-place updates of a tensor that requires grad need noGrad", () => {
    nt.scope(() => {
      const w = nt.ones([2], { requiresGrad: true });
      expect(() => w.sub_(1)).toThrow(/noGrad/);
      nt.noGrad(() => w.sub_(nt.tensor([0.5, 0.25])));
      expect(w.toArray()).toEqual([0.5, 0.75]);
    });
  });

  it("max/min over all elements split the gradient evenly among ties (torch); along a dim the first wins", () => {
    nt.scope(() => {
      const x = nt.tensor([1, 3, 3], undefined, { requiresGrad: true });
      x.max().backward();
      expect(x.grad!.toArray()).toEqual([0, 0.5, 0.5]);
      const y = nt.tensor([2, 2, 5], undefined, { requiresGrad: true });
      y.min().mul(3).backward();
      expect(y.grad!.toArray()).toEqual([1.5, 1.5, 0]);
      const z = nt.tensor([[4, 4]], undefined, { requiresGrad: true });
      z.max(1).sum().backward();
      expect(z.grad!.toArray()).toEqual([[1, 0]]);
    });
  });

  it("maximum/minimum split ties half and half whether the other operand is a number or a tensor", () => {
    nt.scope(() => {
      const x = nt.tensor([0.5, 1, 0], undefined, { requiresGrad: true });
      nt.maximum(x, 0.5).sum().backward();
      expect(x.grad!.toArray()).toEqual([0.5, 1, 0]);
      x.grad!.zero_();
      nt.maximum(x, nt.full([3], 0.5)).sum().backward();
      expect(x.grad!.toArray()).toEqual([0.5, 1, 0]);
    });
  });

  it("pow: the exponent's gradient is 0 where the base is 0 (torch), not NaN", () => {
    nt.scope(() => {
      const e = nt.tensor([0, 2, 1], undefined, { requiresGrad: true });
      nt.pow(nt.tensor([0, 0, 2]), e).sum().backward();
      // d/de 2^e = 2^e ln 2 = 2 ln 2 at e = 1
      const g = e.grad!.data();
      expect(g[0]).toBe(0);
      expect(g[1]).toBe(0);
      expect(g[2]).toBeCloseTo(2 * Math.LN2, 6);
    });
  });

  it("a loss returned from scope() can still backward; its graph is freed by backward", () => {
    const before = nt.memory().numTensors;
    const x = nt.tensor([1, 2], undefined, { requiresGrad: true });
    const y = nt.scope(() => x.exp().mul(2).sum());
    y.backward();
    expect(x.grad!.data()[1]).toBeCloseTo(2 * Math.exp(2), 4);
    y.dispose();
    x.dispose();
    expect(nt.memory().numTensors).toBe(before);
  });

  it("T reverses all dims, as torch's Tensor.T", () => {
    nt.scope(() => {
      expect(nt.zeros([2, 3, 4, 5]).T.shape).toEqual([5, 4, 3, 2]);
      expect(nt.tensor([[1, 2, 3]]).T.toArray()).toEqual([[1], [2], [3]]);
    });
  });
});
