// torch.nn.init parity: the same formulas, fans and gains, checked statistically on large tensors.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";
const { init } = nt;

function stats(t: nt.Tensor) {
  const v = t.data();
  let mean = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    mean += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  mean /= v.length;
  let varSum = 0;
  for (const x of v) varSum += (x - mean) ** 2;
  return { mean, std: Math.sqrt(varSum / v.length), min, max, n: v.length };
}

/**
 * Moments of n = 200,000 samples: the sample mean has standard error std/sqrt(n) ≈ 0.0022·std and
 * the sample std about std/sqrt(2n) ≈ 0.0016·std; 5 standard errors keep false failures
 * below 1e-6 while a wrong formula (a factor sqrt(2) or 3 off) fails by far.
 */
function expectMoments(t: nt.Tensor, mean: number, std: number) {
  const s = stats(t);
  expect(Math.abs(s.mean - mean)).toBeLessThan(5 * std / Math.sqrt(s.n) + 1e-7);
  expect(Math.abs(s.std - std) / std).toBeLessThan(5 / Math.sqrt(2 * s.n));
  return s;
}

describe("torch.nn.init", () => {
  it("calculateGain matches torch's table", () => {
    expect(init.calculateGain("linear")).toBe(1);
    expect(init.calculateGain("conv2d")).toBe(1);
    expect(init.calculateGain("sigmoid")).toBe(1);
    expect(init.calculateGain("tanh")).toBeCloseTo(5 / 3, 12);
    expect(init.calculateGain("relu")).toBeCloseTo(Math.SQRT2, 12);
    expect(init.calculateGain("leaky_relu")).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 12);
    expect(init.calculateGain("leaky_relu", 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(init.calculateGain("selu")).toBe(0.75);
    expect(() => init.calculateGain("swish" as any)).toThrow(/unsupported nonlinearity/);
  });

  it("fans: [out, in, *receptive]", () => {
    nt.scope(() => {
      expect(init.calculateFanInAndFanOut(nt.empty([8, 3, 5, 5]))).toEqual({ fanIn: 75, fanOut: 200 });
      expect(init.calculateFanInAndFanOut(nt.empty([10, 20]))).toEqual({ fanIn: 20, fanOut: 10 });
      expect(() => init.calculateFanInAndFanOut(nt.empty([10]))).toThrow(/fewer than 2 dims/);
    });
  });

  it("uniform_, normal_, constant_, zeros_, ones_, eye_", () => {
    nt.scope(() => {
      nt.manualSeed(1);
      const u = init.uniform_(nt.empty([400, 500]), -2, 3);
      const s = expectMoments(u, 0.5, 5 / Math.sqrt(12));
      expect(s.min).toBeGreaterThanOrEqual(-2);
      expect(s.max).toBeLessThan(3);
      expectMoments(init.normal_(nt.empty([400, 500]), 1.5, 0.3), 1.5, 0.3);
      expect(init.constant_(nt.empty([3]), 0.25).toArray()).toEqual([0.25, 0.25, 0.25]);
      expect(init.zeros_(nt.empty([2])).toArray()).toEqual([0, 0]);
      expect(init.ones_(nt.empty([2])).toArray()).toEqual([1, 1]);
      expect(init.eye_(nt.empty([2, 3])).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    });
  });

  it("xavierUniform_ and xavierNormal_: bound gain·sqrt(6/(fan_in+fan_out)), std gain·sqrt(2/(fan_in+fan_out))", () => {
    nt.scope(() => {
      nt.manualSeed(2);
      const a = 1.7 * Math.sqrt(6 / (400 + 500));
      const s = expectMoments(init.xavierUniform_(nt.empty([500, 400]), 1.7), 0, a / Math.sqrt(3));
      expect(s.min).toBeGreaterThanOrEqual(-a);
      expect(s.max).toBeLessThanOrEqual(a);
      expectMoments(init.xavierNormal_(nt.empty([500, 400]), 0.5), 0, 0.5 * Math.sqrt(2 / 900));
    });
  });

  it("kaimingUniform_ and kaimingNormal_: gain/sqrt(fan) with mode and nonlinearity", () => {
    nt.scope(() => {
      nt.manualSeed(3);
      // default: leaky_relu with a = 0 -> gain sqrt(2), fan_in
      const b = Math.sqrt(2) * Math.sqrt(3 / 400);
      const s = expectMoments(init.kaimingUniform_(nt.empty([500, 400])), 0, b / Math.sqrt(3));
      expect(s.max).toBeLessThanOrEqual(b);
      expect(s.min).toBeGreaterThanOrEqual(-b);
      expectMoments(init.kaimingNormal_(nt.empty([500, 400]), { mode: "fan_out", nonlinearity: "relu" }), 0, Math.SQRT2 / Math.sqrt(500));
      expectMoments(init.kaimingNormal_(nt.empty([20, 10, 5, 5]), { nonlinearity: "tanh" }), 0, (5 / 3) / Math.sqrt(250));
      // a = sqrt(5) (nn.Linear's default): gain sqrt(2/6), bound = 1/sqrt(fan_in)
      const w = init.kaimingUniform_(nt.empty([500, 400]), { a: Math.sqrt(5) });
      expectMoments(w, 0, 1 / Math.sqrt(400) / Math.sqrt(3));
      expect(() => init.kaimingUniform_(nt.empty([5, 5]), { mode: "fan_avg" as any })).toThrow(/mode must be/);
    });
  });

  it("orthogonal_ gives orthonormal rows or columns times gain", () => {
    nt.scope(() => {
      nt.manualSeed(4);
      for (const shape of [[6, 4], [4, 6], [5, 5]]) {
        const q = init.orthogonal_(nt.empty(shape), 2);
        const tall = shape[0] >= shape[1];
        const gram = tall ? nt.matmul(q.T, q) : nt.matmul(q, q.T);
        const n = Math.min(...shape);
        const g = gram.data();
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(g[i * n + j]).toBeCloseTo(i === j ? 4 : 0, 4);
      }
    });
  });

  it("the same seed gives the same weights", () => {
    nt.scope(() => {
      nt.manualSeed(99);
      const a = new nt.nn.Linear(30, 20);
      nt.manualSeed(99);
      const b = new nt.nn.Linear(30, 20);
      expect(Array.from(a.weight.data())).toEqual(Array.from(b.weight.data()));
      expect(Array.from(a.bias!.data())).toEqual(Array.from(b.bias!.data()));
      a.dispose();
      b.dispose();
    });
  });
});
