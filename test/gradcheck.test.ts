// Every differentiable op through a central-difference gradient check, and a test that no
// exported op is left without either a check here or a statement that it is not differentiable.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";
import * as ops from "../src/ops/index";
import { nonDifferentiable } from "../src/ops/index";
import type { Tensor } from "../src/index";

/**
 * Inputs in [lo, hi), seeded, requiring grad. Values within `away` of a kink (0 for relu/abs, or
 * the points in `kinks`) are moved `away` from it, so the finite difference never straddles one.
 */
function input(shape: number[], seed: number, lo = -2, hi = 2, away = 0, kinks: number[] = [0]): Tensor {
  let s = seed * 2654435761;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    let x = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
    for (const k of kinks) if (Math.abs(x - k) < away) x = x < k ? k - away : k + away;
    v[i] = x;
  }
  return nt.tensor(v, shape, { requiresGrad: true });
}
const target = (shape: number[], seed: number, lo = -1, hi = 1) => input(shape, seed, lo, hi).detach();
const labels = (values: number[]) => nt.tensor(values);

export interface Check { fn: (...x: Tensor[]) => Tensor; inputs: () => Tensor[] }
const u = (fn: (x: Tensor) => Tensor, lo = -2, hi = 2, away = 0.05, kinks = [0]): Check => ({
  fn,
  inputs: () => [input([3, 5], 1, lo, hi, away, kinks)],
});

/** One or more checks per differentiable op. */
const checks: Record<string, Check[]> = {
  add: [{ fn: nt.add, inputs: () => [input([3, 4], 1), input([4], 2)] }],
  sub: [{ fn: nt.sub, inputs: () => [input([3, 1], 1), input([1, 4], 2)] }],
  mul: [{ fn: nt.mul, inputs: () => [input([2, 3, 4], 1), input([3, 1], 2)] }],
  div: [{ fn: nt.div, inputs: () => [input([3, 4], 1), input([4], 2, 0.5, 2)] }],
  pow: [{ fn: nt.pow, inputs: () => [input([3, 4], 1, 0.5, 2), input([3, 1], 2, -1.5, 1.5)] }],
  powScalar: [u((x) => nt.powScalar(x, 2.5), 0.5, 2)],
  reciprocal: [u(nt.reciprocal, 0.5, 2)],
  affine: [u((x) => nt.affine(x, -1.5, 0.25))],
  maximum: [{ fn: nt.maximum, inputs: () => [input([3, 4], 1), input([4], 2)] }],
  minimum: [{ fn: nt.minimum, inputs: () => [input([3, 4], 1), input([3, 1], 2)] }],
  neg: [u(nt.neg)], exp: [u(nt.exp)], log: [u(nt.log, 0.3, 3)], sqrt: [u(nt.sqrt, 0.3, 3)], abs: [u(nt.abs)],
  clamp: [u((x) => nt.clamp(x, -0.7, 0.9), -2, 2, 0.05, [-0.7, 0.9])],
  sum: [u((x) => nt.sum(x, 1)), u((x) => nt.sum(x))],
  mean: [u((x) => nt.mean(x, 0, true)), u((x) => nt.mean(x))],
  max: [u((x) => nt.max(x, 1)), u((x) => nt.max(x))],
  min: [u((x) => nt.min(x, 0))],
  matmul: [
    { fn: nt.matmul, inputs: () => [input([3, 4], 1), input([4, 5], 2)] },
    { fn: nt.matmul, inputs: () => [input([2, 3, 4], 1), input([4, 2], 2)] },
    { fn: nt.matmul, inputs: () => [input([4], 1), input([2, 4, 3], 2)] },
  ],
  gemm: [
    { fn: (a, b) => nt.gemm(a, b, true, false), inputs: () => [input([4, 3], 1), input([4, 5], 2)] },
    { fn: (a, b) => nt.gemm(a, b, false, true), inputs: () => [input([3, 4], 1), input([5, 4], 2)] },
    { fn: (a, b) => nt.gemm(a, b, true, true), inputs: () => [input([4, 3], 1), input([5, 4], 2)] },
  ],
  linear: [
    { fn: nt.linear, inputs: () => [input([4, 3], 1), input([5, 3], 2), input([5], 3)] },
    { fn: (x, w) => nt.linear(x, w), inputs: () => [input([2, 2, 3], 1), input([4, 3], 2)] },
  ],
  reshape: [u((x) => nt.reshape(x, [5, 3]))],
  flatten: [{ fn: (x) => nt.flatten(x, 1), inputs: () => [input([2, 3, 2], 1)] }],
  unsqueeze: [u((x) => nt.unsqueeze(x, 1))],
  squeeze: [{ fn: (x) => nt.squeeze(x), inputs: () => [input([3, 1, 2], 1)] }],
  transpose: [u((x) => nt.transpose(x, 0, 1))],
  permute: [{ fn: (x) => nt.permute(x, [2, 0, 1]), inputs: () => [input([2, 3, 4], 1)] }],
  clone: [u(nt.clone)],
  identity: [u(nt.identity)], sigmoid: [u(nt.sigmoid)], tanh: [u(nt.tanh)], relu: [u(nt.relu)],
  leakyRelu: [u((x) => nt.leakyRelu(x, 0.1))], elu: [u((x) => nt.elu(x, 0.7))], selu: [u(nt.selu)],
  silu: [u(nt.silu)], swish: [u(nt.swish)], gelu: [u((x) => nt.gelu(x)), u((x) => nt.gelu(x, "tanh"))],
  softplus: [u((x) => nt.softplus(x, 2, 3))],
  softmax: [u((x) => nt.softmax(x, 0)), u((x) => nt.softmax(x, -1))],
  logSoftmax: [u((x) => nt.logSoftmax(x, 1))],
  mseLoss: [{ fn: (x, y) => nt.mseLoss(x, y), inputs: () => [input([3, 4], 1), input([3, 4], 2)] }],
  l1Loss: [{ fn: (x) => nt.l1Loss(x, target([3, 4], 2, 3, 4), { reduction: "sum" }), inputs: () => [input([3, 4], 1)] }],
  huberLoss: [{ fn: (x) => nt.huberLoss(x, target([3, 4], 2), { delta: 0.5, reduction: "none" }), inputs: () => [input([3, 4], 1)] }],
  bceLoss: [{ fn: (x) => nt.bceLoss(x, target([3, 4], 2, 0, 1)), inputs: () => [input([3, 4], 1, 0.1, 0.9)] }],
  bceWithLogitsLoss: [{ fn: (x) => nt.bceWithLogitsLoss(x, target([3, 4], 2, 0, 1)), inputs: () => [input([3, 4], 1, -3, 3)] }],
  crossEntropy: [
    { fn: (x) => nt.crossEntropy(x, labels([0, 3, 1, 4])), inputs: () => [input([4, 5], 1)] },
    { fn: (x) => nt.crossEntropy(x, labels([0, 3, 1, 2]), { labelSmoothing: 0.2, ignoreIndex: 1 }), inputs: () => [input([4, 5], 1)] },
    { fn: (x) => nt.crossEntropy(x, nt.softmax(target([4, 5], 3), 1), { reduction: "sum" }), inputs: () => [input([4, 5], 1)] },
    { fn: (x) => nt.crossEntropy(x, labels([0, 2, 1, 1, 0, 2]).reshape([2, 3]), { reduction: "none" }), inputs: () => [input([2, 3, 3], 1)] },
  ],
};

// Further families (conv, rnn, graph, ...) keep their checks in test/gradchecks/<family>.ts,
// each exporting `checks: Record<string, { fn, inputs }[]>` in the shape used above.
const families = import.meta.glob<{ checks: Record<string, Check[]> }>("./gradchecks/*.ts", { eager: true });
for (const mod of Object.values(families)) {
  for (const [name, list] of Object.entries(mod.checks)) checks[name] = [...(checks[name] ?? []), ...list];
}

describe("gradcheck: autograd against central differences", () => {
  for (const [name, list] of Object.entries(checks)) {
    list.forEach((c, i) => {
      it(`${name} #${i}`, () => {
        nt.scope(() => {
          const report = nt.gradcheck(c.fn, c.inputs());
          expect(report.ok).toBe(true);
          expect(report.checked).toBeGreaterThan(0);
        });
      });
    });
  }

  it("every exported op is gradchecked or declared non-differentiable", () => {
    const exported = Object.entries(ops)
      .filter(([, v]) => typeof v === "function")
      .map(([k]) => k);
    expect(exported.length).toBeGreaterThan(50);
    const unaccounted = exported.filter((k) => !checks[k] && !nonDifferentiable.includes(k));
    expect(unaccounted).toEqual([]);
  });

  it("reports the worst element when a gradient is wrong", () => {
    nt.scope(() => {
      // A deliberately wrong backward: claims d/dx (x*x) = x instead of 2x.
      const wrong = (x: Tensor) => nt.mul(x, x.detach()).add(nt.mul(x.detach(), x.detach()).mul(0));
      const x = input([2, 3], 4, 0.5, 2);
      const report = nt.gradcheck(wrong, [x], { raiseException: false });
      // d/dx of x*stopgrad(x) is x, but the function's true derivative is 2x: they differ.
      expect(report.ok).toBe(false);
      expect(report.worst).not.toBeNull();
      expect(() => nt.gradcheck(wrong, [x])).toThrow(/gradient mismatch for inputs\[0\] at \[\d, \d\]/);
    });
  });
});
