// Every op forward and backward against PyTorch 1.13 (test/fixtures/ops.json, made offline by
// test/fixtures/gen_ops.py). Backward uses L = ((out + 1)^2).mean(), a non-uniform upstream gradient.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";
import { expectCaseMatches, type Call, type Case } from "./helpers/fixtures";

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/ops.json", import.meta.url), "utf8")) as { cases: Case[] };

const binary = (f: (a: Tensor, b: Tensor) => Tensor): Call => (x) => f(x[0], x[1]);
const unary = (f: (a: Tensor) => Tensor): Call => (x) => f(x[0]);
const reduction = (f: (x: Tensor, dim?: number | null, keep?: boolean) => Tensor): Call => (x, a) => f(x[0], a.dim, a.keepdim ?? false);

/** How each fixture op name maps onto neurite's API. */
export const calls: Record<string, Call> = {
  add: binary(nt.add), sub: binary(nt.sub), mul: binary(nt.mul), div: binary(nt.div), pow: binary(nt.pow),
  maximum: binary(nt.maximum), minimum: binary(nt.minimum),
  powScalar: (x, a) => nt.pow(x[0], a.exponent),
  neg: unary(nt.neg), exp: unary(nt.exp), log: unary(nt.log), sqrt: unary(nt.sqrt), abs: unary(nt.abs),
  clamp: (x, a) => nt.clamp(x[0], a.min, a.max),
  sum: reduction(nt.sum), mean: reduction(nt.mean), max: reduction(nt.max), min: reduction(nt.min),
  matmul: binary(nt.matmul),
  linear: (x) => nt.linear(x[0], x[1], x[2]),
  cat: (x, a) => nt.cat(x, a.dim),
  stack: (x, a) => nt.stack(x, a.dim),
  narrow: (x, a) => nt.narrow(x[0], a.dim, a.start, a.length),
  where: (x) => nt.where(x[0], x[1], x[2]),
  transpose: (x, a) => nt.transpose(x[0], a.dim0, a.dim1),
  reshape: (x, a) => nt.reshape(x[0], a.shape),
  sigmoid: unary(nt.sigmoid), tanh: unary(nt.tanh), relu: unary(nt.relu), selu: unary(nt.selu), silu: unary(nt.silu),
  leakyRelu: (x, a) => nt.leakyRelu(x[0], a.negativeSlope),
  elu: (x, a) => nt.elu(x[0], a.alpha),
  gelu: (x, a) => nt.gelu(x[0], a.approximate),
  softplus: (x, a) => nt.softplus(x[0], a.beta, a.threshold),
  softmax: (x, a) => nt.softmax(x[0], a.dim),
  logSoftmax: (x, a) => nt.logSoftmax(x[0], a.dim),
  mseLoss: (x, a) => nt.mseLoss(x[0], x[1], a),
  l1Loss: (x, a) => nt.l1Loss(x[0], x[1], a),
  huberLoss: (x, a) => nt.huberLoss(x[0], x[1], a),
  bceLoss: (x, a) => nt.bceLoss(x[0], x[1], a),
  bceWithLogitsLoss: (x, a) => nt.bceWithLogitsLoss(x[0], x[1], a),
  crossEntropy: (x, a) => nt.crossEntropy(x[0], x[1], a),
};

/**
 * Tolerance: |got - want| <= ATOL + RTOL·|want|, scaled by the case's largest magnitude for the
 * absolute part. f32 carries ~6e-8 relative precision; kernels sum in a different order than
 * PyTorch (SIMD lanes vs. cascade) and use their own exp/log/erf, each within a few ulp, and
 * errors grow with a sum's length (at most a few hundred terms here). 1e-5 relative covers
 * that with margin and still catches any wrong formula (errors of 1e-3 and up).
 */
const RTOL = 1e-5;
/** The absolute part, relative to the case's largest magnitude (so ±1e4 logits are judged fairly). */
const ATOL = 1e-6;

describe("ops against PyTorch", () => {
  it("covers every op the fixtures hold", () => {
    const missing = [...new Set(fixtures.cases.map((c) => c.op))].filter((op) => !calls[op]);
    expect(missing).toEqual([]);
  });

  for (const c of fixtures.cases) it(c.name, () => expectCaseMatches(c, calls[c.op], { rtol: RTOL, atol: ATOL }));
});
