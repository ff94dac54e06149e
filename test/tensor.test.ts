// Tensors, scopes and memory accounting.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";
import { expectBackwardLeavesNothing } from "./helpers/memory";

describe("creating and reading tensors", () => {
  it("builds from nested arrays, flat arrays, Float32Array and numbers", () => {
    nt.scope(() => {
      const a = nt.tensor([[1, 2, 3], [4, 5, 6]]);
      expect(a.shape).toEqual([2, 3]);
      expect(a.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
      expect(Array.from(nt.tensor(new Float32Array([1, 2, 3, 4]), [2, 2]).data())).toEqual([1, 2, 3, 4]);
      expect(nt.tensor([1, 2, 3, 4, 5, 6], [3, 2]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
      const s = nt.tensor(3.5);
      expect(s.shape).toEqual([]);
      expect(s.item()).toBe(3.5);
      expect(s.toArray()).toBe(3.5);
      expect(nt.tensor([]).shape).toEqual([0]);
    });
  });

  it("zeros, ones, full, arange", () => {
    nt.scope(() => {
      expect(nt.zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
      expect(nt.ones([3]).toArray()).toEqual([1, 1, 1]);
      expect(nt.full([2], -2.5).toArray()).toEqual([-2.5, -2.5]);
      expect(nt.arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
      expect(nt.arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
      expect(nt.arange(3, 0, -1).toArray()).toEqual([3, 2, 1]);
      expect(nt.zeros([0, 3]).size).toBe(0);
    });
  });

  it("rand and randn are reproducible under manualSeed and have the right moments", () => {
    nt.scope(() => {
      nt.manualSeed(42);
      const a = nt.randn([20000]).data();
      nt.manualSeed(42);
      const b = nt.randn([20000]).data();
      expect(Array.from(a)).toEqual(Array.from(b));
      const mean = a.reduce((s, v) => s + v, 0) / a.length;
      const std = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
      // standard error of the mean is 1/sqrt(20000) ~ 0.007; 5 sigma bounds
      expect(Math.abs(mean)).toBeLessThan(0.035);
      expect(Math.abs(std - 1)).toBeLessThan(0.03);
      const r = nt.rand([20000], { low: 2, high: 4 }).data();
      expect(Math.min(...r)).toBeGreaterThanOrEqual(2);
      expect(Math.max(...r)).toBeLessThan(4);
      nt.manualSeed(7);
      const c = nt.rand([5]).data();
      expect(Array.from(c)).not.toEqual(Array.from(nt.rand([5]).data()));
    });
  });

  it("reshape, view, transpose, permute, squeeze, unsqueeze, T", () => {
    nt.scope(() => {
      const a = nt.arange(6).reshape(2, 3);
      expect(a.view([3, -1]).toArray()).toEqual([[0, 1], [2, 3], [4, 5]]);
      expect(a.T.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
      expect(a.transpose(0, 1).shape).toEqual([3, 2]);
      const b = nt.arange(24).reshape([2, 3, 4]);
      const p = b.permute(2, 0, 1);
      expect(p.shape).toEqual([4, 2, 3]);
      // p[i, j, k] = b[j, k, i] = 12j + 4k + i
      const pv = p.toArray() as number[][][];
      expect(pv[3][1][2]).toBe(12 + 8 + 3);
      expect(b.unsqueeze(0).shape).toEqual([1, 2, 3, 4]);
      expect(nt.zeros([1, 3, 1]).squeeze().shape).toEqual([3]);
      expect(nt.zeros([1, 3, 1]).squeeze(2).shape).toEqual([1, 3]);
      expect(b.flatten(1).shape).toEqual([2, 12]);
    });
  });

  it("data() is a copy, and reading works after memory grows", () => {
    nt.scope(() => {
      const a = nt.tensor([1, 2, 3]);
      const d = a.data();
      d[0] = 100;
      expect(a.toArray()).toEqual([1, 2, 3]);
      const before = nt.memory().wasmBytes;
      const big = nt.zeros([8 * 1024 * 1024]); // 32 MiB: forces memory.grow
      expect(nt.memory().wasmBytes).toBeGreaterThan(before);
      expect(a.toArray()).toEqual([1, 2, 3]);
      expect(a.add(1).toArray()).toEqual([2, 3, 4]);
      big.dispose();
    });
  });
});

describe("scopes and memory", () => {
  it("scope frees everything but what it returns and what is kept", () => {
    const start = nt.memory();
    let kept!: nt.Tensor;
    const out = nt.scope(() => {
      const a = nt.ones([10]);
      const b = a.mul(2);
      kept = nt.keep(b.add(1));
      return { result: b.sum() };
    });
    expect(out.result.item()).toBe(20);
    expect(kept.toArray()).toEqual(Array(10).fill(3));
    expect(nt.memory().numTensors).toBe(start.numTensors + 2);
    out.result.dispose();
    kept.dispose();
    expect(nt.memory()).toMatchObject({ numTensors: start.numTensors, numBytes: start.numBytes });
  });

  it("returned tensors move to the enclosing scope", () => {
    const start = nt.memory().numTensors;
    nt.scope(() => {
      const inner = nt.scope(() => nt.ones([4]).mul(3));
      expect(inner.toArray()).toEqual([3, 3, 3, 3]);
    });
    expect(nt.memory().numTensors).toBe(start);
  });

  it("a scope that throws frees everything it made", () => {
    const start = nt.memory().numTensors;
    expect(() => nt.scope(() => {
      nt.ones([5]);
      throw new Error("boom");
    })).toThrow("boom");
    expect(nt.memory().numTensors).toBe(start);
  });

  it("ops used outside any scope leave nothing behind once their output and the grads are disposed", () => {
    const x = nt.randn([4, 3], { requiresGrad: true });
    const t = nt.randn([4, 3]);
    const labels = nt.tensor([0, 2, 1, 1]);
    const probs = nt.softmax(t, 1);
    const calls: [string, () => nt.Tensor][] = [
      ["mseLoss", () => nt.mseLoss(x, t)],
      ["mseLoss sum", () => nt.mseLoss(x, t, { reduction: "sum" })],
      ["l1Loss none", () => nt.l1Loss(x, t, { reduction: "none" })],
      ["crossEntropy", () => nt.crossEntropy(x, labels)],
      ["crossEntropy probabilities", () => nt.crossEntropy(x, probs, { labelSmoothing: 0.1 })],
      ["div(number, x)", () => nt.div(2, x)],
      ["pow(number, x)", () => nt.pow(2, x)],
      ["maximum(x, number)", () => nt.maximum(x, 0.1)],
      ["max()", () => x.max()],
      ["dropout", () => nt.dropout(x, 0.5)],
    ];
    expectBackwardLeavesNothing(x, calls);
    nt.dispose([x, t, labels, probs]);
  });

  it("using a disposed tensor throws an error that says so", () => {
    const a = nt.ones([2, 2]);
    a.dispose();
    a.dispose(); // idempotent
    expect(() => a.data()).toThrow(/disposed/);
    expect(() => nt.add(a, 1)).toThrow(/add: input \(shape \[2, 2\]\) was disposed/);
  });

  it("memory is the same before and after 1,000 forward+backward steps in scopes", () => {
    nt.manualSeed(1);
    const w = nt.keep(nt.randn([8, 4], { requiresGrad: true }));
    const b = nt.keep(nt.zeros([4], { requiresGrad: true }));
    const x = nt.keep(nt.randn([16, 8]));
    const y = nt.keep(nt.tensor(Array.from({ length: 16 }, (_, i) => i % 4)));
    // The first step allocates the gradients that later steps accumulate into.
    const step = () =>
      nt.scope(() => {
        const loss = nt.crossEntropy(x.matmul(w).add(b).relu(), y);
        loss.backward();
        nt.noGrad(() => {
          w.sub_(w.grad!, 0.01);
          b.sub_(b.grad!, 0.01);
        });
        w.grad!.zero_();
        b.grad!.zero_();
      });
    step();
    const before = nt.memory();
    for (let i = 0; i < 1000; i++) step();
    expect(nt.memory()).toEqual(before);
    nt.dispose([w, b, x, y]);
  });
});

describe("random stream state", () => {
  it("getRngState/setRngState replay the stream; loadModel does not shift it", () => {
    nt.scope(() => {
      nt.manualSeed(11);
      const state = nt.getRngState();
      const a = nt.randn([5]).data();
      nt.setRngState(state);
      expect(Array.from(nt.randn([5]).data())).toEqual(Array.from(a));
      const bytes = nt.io.saveModel(new nt.nn.Sequential(new nt.nn.Linear(30, 20), new nt.nn.ReLU(), new nt.nn.Linear(20, 2)));
      nt.setRngState(state);
      nt.io.loadModel(bytes).dispose();
      expect(Array.from(nt.randn([5]).data())).toEqual(Array.from(a));
      expect(() => nt.setRngState([1, 2, 3] as any)).toThrow(/setRngState: state must be 4 unsigned 32-bit words/);
    });
  });
});
