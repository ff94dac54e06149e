// var, std, logsumexp and norm (src/ops/stats.ts): forward and backward against PyTorch 1.13
// (test/fixtures/stats.json, made offline by test/fixtures/gen_stats.py), hand-derived values,
// torch's inf/nan edge cases, errors, and memory.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";
import { expectCloseTo } from "./helpers/close";
import { expectBackwardLeavesNothing } from "./helpers/memory";
import type { Case } from "./helpers/fixtures";

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/stats.json", import.meta.url), "utf8")) as { cases: Case[] };

const P: Record<string, number> = { inf: Infinity, "-inf": -Infinity };
const calls: Record<string, (x: Tensor, a: Record<string, any>) => Tensor> = {
  var: (x, a) => nt.var(x, a.dim, a.unbiased !== undefined ? { unbiased: a.unbiased, keepdim: a.keepdim } : { correction: a.correction, keepdim: a.keepdim }),
  std: (x, a) => x.std(a.dim, a.unbiased !== undefined ? { unbiased: a.unbiased, keepdim: a.keepdim } : { correction: a.correction, keepdim: a.keepdim }),
  logsumexp: (x, a) => nt.logsumexp(x, a.dim, a.keepdim),
  norm: (x, a) => nt.norm(x, P[a.p] ?? Number(a.p), a.dim, a.keepdim),
};

/**
 * f32 carries ~6e-8 relative precision; the kernels sum in SIMD-lane order rather than
 * torch's (tens of terms here) and use their own exp/log/pow, each within a few ulp, and a
 * norm's 1/p power or a std's sqrt keeps relative error about the same. 1e-5 relative (plus
 * 1e-6 of the case's scale) covers that with margin and still catches any wrong formula.
 */
const TOL = { rtol: 1e-5, atol: 1e-6 };
/**
 * Inputs near 1000 (the "offset 1000" cases): each input is rounded to f32 with ulp 6.1e-5,
 * and the two libraries' means may differ by about an ulp, shifting every centered value by up
 * to ~6e-5 against a spread of ~1, so var/std and their gradients agree to ~1e-4 relative.
 */
const OFFSET_TOL = { rtol: 3e-4, atol: 3e-4 };

describe("stats ops against PyTorch", () => {
  it("covers every op the fixtures hold", () => {
    expect([...new Set(fixtures.cases.map((c) => c.op))].sort()).toEqual(["logsumexp", "norm", "std", "var"]);
  });

  for (const c of fixtures.cases) {
    it(c.name, () => {
      const tol = c.name.includes("offset 1000") ? OFFSET_TOL : TOL;
      nt.scope(() => {
        const x = nt.tensor(c.inputs[0].data, c.inputs[0].shape, { requiresGrad: true });
        const out = calls[c.op](x, c.args);
        expect(out.shape, "output shape").toEqual(c.output.shape);
        expectCloseTo(out.data(), c.output.data, "output", tol);
        out.add(1).pow(2).mean().backward();
        expect(x.grad!.shape).toEqual(c.grads[0]!.shape);
        expectCloseTo(x.grad!.data(), c.grads[0]!.data, "grad", tol);
      });
    });
  }
});

/** Output and gradient of sum(op(x)) for plain arrays. */
function run(values: number[], shape: number[], f: (x: Tensor) => Tensor): { out: number[]; grad: number[] } {
  return nt.scope(() => {
    const x = nt.tensor(values, shape, { requiresGrad: true });
    const out = f(x);
    out.sum().backward();
    return { out: Array.from(out.data()), grad: Array.from(x.grad!.data()) };
  });
}

describe("stats ops by hand", () => {
  it("var and std of [1, 2, 3, 4]: mean 2.5, squared deviations sum to 5", () => {
    const v = run([1, 2, 3, 4], [4], (x) => nt.var(x));
    expect(v.out[0]).toBeCloseTo(5 / 3, 6);
    // d var/dx = 2 (x - mean) / (N - 1)
    v.grad.forEach((g, i) => expect(g).toBeCloseTo((2 * ([1, 2, 3, 4][i] - 2.5)) / 3, 6));
    expect(run([1, 2, 3, 4], [4], (x) => nt.var(x, null, { correction: 0 })).out[0]).toBeCloseTo(1.25, 6);
    expect(run([1, 2, 3, 4], [4], (x) => nt.var(x, 0, { unbiased: false })).out[0]).toBeCloseTo(1.25, 6);
    const s = run([1, 2, 3, 4], [4], (x) => x.std());
    expect(s.out[0]).toBeCloseTo(Math.sqrt(5 / 3), 6);
    // d std/dx = (x - mean) / ((N - 1) std)
    s.grad.forEach((g, i) => expect(g).toBeCloseTo(([1, 2, 3, 4][i] - 2.5) / (3 * Math.sqrt(5 / 3)), 6));
  });

  it("var and std along a dim with keepdim", () => {
    const v = run([1, 3, 2, 6], [2, 2], (x) => x.var(1, { keepdim: true }));
    expect(v.out).toEqual([2, 8]);
    const s = nt.scope(() => nt.std(nt.tensor([1, 3, 2, 6], [2, 2]), 0, { correction: 0 }).data());
    expect(Array.from(s)).toEqual([0.5, 1.5]);
  });

  it("correction >= count gives inf or nan, as torch", () => {
    // torch: var([1, 2], correction=2) = inf; var([1]) = nan (0/0); var([1, 1], correction=2) = nan
    expect(run([1, 2], [2], (x) => nt.var(x, null, { correction: 2 })).out[0]).toBe(Infinity);
    expect(run([1, 2], [2], (x) => nt.var(x, 0, { correction: 3 })).out[0]).toBe(Infinity);
    expect(run([1], [1], (x) => nt.var(x)).out[0]).toBeNaN();
    expect(run([1, 1], [2], (x) => nt.var(x, null, { correction: 2 })).out[0]).toBeNaN();
    expect(nt.scope(() => nt.std(nt.tensor(3), 0).item())).toBeNaN();
    // torch: var([1, 2], dim=0, correction=2).backward() -> [-inf, inf]
    expect(run([1, 2], [2], (x) => nt.var(x, 0, { correction: 2 })).grad).toEqual([-Infinity, Infinity]);
    // var over an empty dim is nan
    expect(Array.from(nt.scope(() => nt.var(nt.zeros([2, 0]), 1).data()))).toEqual([NaN, NaN]);
  });

  it("std of constant values has gradient 0 (torch's subgradient)", () => {
    const s = run([2, 2, 2], [3], (x) => nt.std(x));
    expect(s.out).toEqual([0]);
    expect(s.grad).toEqual([0, 0, 0]);
  });

  it("logsumexp: log(e^1 + e^2 + e^3), gradient softmax", () => {
    const r = run([1, 2, 3], [3], (x) => nt.logsumexp(x, 0));
    const want = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
    expect(r.out[0]).toBeCloseTo(want, 5);
    r.grad.forEach((g, i) => expect(g).toBeCloseTo(Math.exp(i + 1 - want), 6));
    // stable for large inputs: 1000 + log 2
    expect(run([1000, 1000], [2], (x) => x.logsumexp(0)).out[0]).toBeCloseTo(1000 + Math.LN2, 3);
  });

  it("logsumexp handles ±inf like torch", () => {
    // torch: logsumexp([[-inf, -inf], [1, inf]], 1) = [-inf, inf]
    expect(run([-Infinity, -Infinity, 1, Infinity], [2, 2], (x) => nt.logsumexp(x, 1)).out).toEqual([-Infinity, Infinity]);
    // torch: logsumexp([1, inf]).backward() -> [0, nan]
    const r = run([1, Infinity], [2], (x) => nt.logsumexp(x, 0));
    expect(r.grad[0]).toBe(0);
    expect(r.grad[1]).toBeNaN();
    // one -inf among finite values is simply left out
    expect(run([-Infinity, 0], [2], (x) => nt.logsumexp(x, 0)).out[0]).toBeCloseTo(0, 6);
    // over an empty dim: log(0) = -inf
    expect(Array.from(nt.scope(() => nt.logsumexp(nt.zeros([2, 0]), 1).data()))).toEqual([-Infinity, -Infinity]);
  });

  it("norm for p = 2, 1, inf, -inf and 3 of [3, -4]", () => {
    const two = run([3, -4], [2], (x) => nt.norm(x));
    expect(two.out[0]).toBeCloseTo(5, 6);
    expect(two.grad[0]).toBeCloseTo(0.6, 6);
    expect(two.grad[1]).toBeCloseTo(-0.8, 6);
    const one = run([3, -4], [2], (x) => x.norm(1));
    expect(one.out).toEqual([7]);
    expect(one.grad).toEqual([1, -1]);
    const inf = run([3, -4], [2], (x) => x.norm(Infinity));
    expect(inf.out).toEqual([4]);
    expect(inf.grad).toEqual([0, -1]);
    const ninf = run([3, -4], [2], (x) => x.norm(-Infinity));
    expect(ninf.out).toEqual([3]);
    expect(ninf.grad).toEqual([1, -0]);
    const three = run([3, -4], [2], (x) => x.norm(3));
    const n3 = Math.cbrt(27 + 64);
    expect(three.out[0]).toBeCloseTo(n3, 5);
    // d/dx = sign(x) |x|^2 / n^2
    expect(three.grad[0]).toBeCloseTo(9 / n3 ** 2, 5);
    expect(three.grad[1]).toBeCloseTo(-16 / n3 ** 2, 5);
    expect(run([3, -4], [2], (x) => nt.norm(x, "fro")).out[0]).toBeCloseTo(5, 6);
  });

  it("norm gradients at 0 match torch: 0 for p = 2, shared among ties for inf", () => {
    expect(run([0, 0], [2], (x) => nt.norm(x)).grad).toEqual([0, 0]);
    // torch: vector_norm([0, 0, 1], 0.5).backward() -> [0, 0, 1]
    const half = run([0, 0, 1], [3], (x) => nt.norm(x, 0.5));
    expect(half.out).toEqual([1]);
    expect(half.grad).toEqual([0, 0, 1]);
    // torch: norm([1, -3, 3], inf).backward() -> [0, -0.5, 0.5]
    expect(run([1, -3, 3], [3], (x) => nt.norm(x, Infinity)).grad).toEqual([0, -0.5, 0.5]);
    // p = 2 over an empty dim is 0
    expect(Array.from(nt.scope(() => nt.norm(nt.zeros([2, 0]), 2, 1).data()))).toEqual([0, 0]);
  });
});

describe("stats op errors", () => {
  it("name the op, the argument and the shape", () => {
    nt.scope(() => {
      const x = nt.zeros([2, 3]);
      expect(() => nt.var(x, 2)).toThrow(/var: dim 2 is out of range for a tensor of shape \[2, 3\]/);
      expect(() => nt.std(x, -3)).toThrow(/std: dim -3 is out of range/);
      expect(() => nt.logsumexp(x, 5)).toThrow(/logsumexp: dim 5 is out of range/);
      expect(() => nt.norm(x, 2, 2)).toThrow(/norm: dim 2 is out of range/);
      expect(() => nt.var(x, 0, { correction: -1 })).toThrow(/var: correction must be a non-negative number/);
      expect(() => nt.var(x, 0, { correction: 1, unbiased: true })).toThrow(/var: pass either correction or unbiased/);
      expect(() => nt.norm(x, 0)).toThrow(/norm: p must be a positive number/);
      expect(() => nt.norm(x, -2)).toThrow(/norm: p must be a positive number/);
      expect(() => nt.norm(nt.zeros([2, 0]), Infinity, 1)).toThrow(/norm: cannot compute the Infinity norm over an empty dimension of a tensor of shape \[2, 0\]/);
      expect(() => nt.var(3 as any)).toThrow(/var: input must be a Tensor/);
    });
  });
});

describe("stats op memory", () => {
  it("ops used outside any scope leave nothing behind once their output and the grads are disposed", () => {
    const x = nt.randn([4, 3], { requiresGrad: true });
    const calls: [string, () => Tensor][] = [
      ["var", () => nt.var(x, 1)],
      ["var all", () => nt.var(x)],
      ["std", () => nt.std(x, 0, { keepdim: true })],
      ["logsumexp", () => nt.logsumexp(x, 1)],
      ["norm 2", () => nt.norm(x, 2, 0)],
      ["norm 1", () => nt.norm(x, 1)],
      ["norm inf", () => nt.norm(x, Infinity, 1)],
      ["norm -inf", () => nt.norm(x, -Infinity)],
      ["norm 3", () => nt.norm(x, 3, 1)],
      ["norm 0.5", () => nt.norm(x, 0.5, 1)],
    ];
    expectBackwardLeavesNothing(x, calls);
    // without grad: no node, the saved tensors are freed at once
    const before = nt.memory().numTensors;
    nt.noGrad(() => nt.var(x, 1)).dispose();
    const z = nt.zeros([3]);
    nt.std(z).dispose();
    z.dispose();
    expect(nt.memory().numTensors).toBe(before);
    x.dispose();
  });
});
