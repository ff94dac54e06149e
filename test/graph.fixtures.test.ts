// Graph ops and layers forward and backward against PyG's formulas computed in PyTorch 1.13
// (test/fixtures/graph.json, written offline by test/fixtures/gen_graph.py). Backward uses
// L = ((out + 1)^2).mean() on the differentiable output, a non-uniform upstream gradient.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";
import { expectCloseTo } from "./helpers/close";

interface Fx { shape: number[]; data: number[]; requiresGrad?: boolean }
interface Case {
  name: string;
  op: string;
  args: Record<string, any>;
  inputs: Record<string, Fx>;
  outputs: Record<string, Fx>;
  grads: Record<string, Fx>;
}

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/graph.json", import.meta.url), "utf8")) as { cases: Case[] };

type Inputs = Record<string, Tensor>;
type Outputs = Record<string, Tensor>;

/** Load fixture parameters into a layer by their PyG state-dict keys. */
function withParams<M extends nt.nn.Module>(m: M, x: Inputs): M {
  const own = m.stateDict();
  const dict: Record<string, Tensor> = {};
  for (const k of Object.keys(own)) dict[k] = x[k];
  m.loadStateDict(dict);
  return m;
}

/** How each fixture op maps onto neurite; the last output key carries the loss. */
const calls: Record<string, (x: Inputs, a: Record<string, any>) => { outs: Outputs; params?: Inputs; module?: nt.nn.Module }> = {
  addSelfLoops: (x, a) => ({ outs: { ...nt.addSelfLoops(x.edgeIndex, a.numNodes, x.edgeWeight, a.fillValue) } as Outputs }),
  addRemainingSelfLoops: (x, a) => ({
    outs: { ...nt.addRemainingSelfLoops(x.edgeIndex, a.numNodes, x.edgeWeight, a.fillValue) } as Outputs,
  }),
  gcnNorm: (x, a) => ({
    outs: { ...nt.gcnNorm(x.edgeIndex, a.numNodes, x.edgeWeight, { addSelfLoops: a.addSelfLoops, improved: a.improved }) } as Outputs,
  }),
  propagate: (x, a) => ({ outs: { out: nt.propagate(x.x, x.edgeIndex, { edgeWeight: x.edgeWeight, aggr: a.aggr, numNodes: a.numNodes }) } }),
  scatter: (x, a) => ({ outs: { out: nt.scatter(x.src, x.index, { reduce: a.reduce, dimSize: a.dimSize }) } }),
  globalMeanPool: (x, a) => ({ outs: { out: nt.globalMeanPool(x.x, x.batch, a.size) } }),
  globalAddPool: (x, a) => ({ outs: { out: nt.globalAddPool(x.x, x.batch, a.size) } }),
  GCNConv: (x, a) => {
    const m = withParams(new nt.nn.GCNConv(a.inChannels, a.outChannels, a), x);
    return { outs: { out: m(x.x, x.edgeIndex, x.edgeWeight) }, params: Object.fromEntries(m.namedParameters()), module: m };
  },
  SAGEConv: (x, a) => {
    const m = withParams(new nt.nn.SAGEConv(a.inChannels, a.outChannels, a), x);
    return { outs: { out: m(x.x, x.edgeIndex) }, params: Object.fromEntries(m.namedParameters()), module: m };
  },
};

/**
 * |got - want| <= ATOL·scale + RTOL·|want| with scale the case's largest magnitude. f32 carries ~6e-8
 * relative precision; the kernels sum messages in edge order like index_add_ but fold the mean's
 * 1/count and the normalization into per-edge weights (PyTorch divides after summing), compute
 * deg^-1/2 in f64 and sum dot products in SIMD lanes: each a few ulp over sums of at most ~40
 * terms. 1e-5 relative covers that with margin and catches any wrong formula (errors >= 1e-3).
 */
const RTOL = 1e-5;
const ATOL = 1e-6;

function close(got: ArrayLike<number>, want: number[], what: string): void {
  expectCloseTo(got, want, what, { rtol: RTOL, atol: ATOL });
}

describe("graph ops and layers against PyTorch (PyG formulas)", () => {
  it("covers every op the fixtures hold, with enough cases", () => {
    const ops = new Set(fixtures.cases.map((c) => c.op));
    expect([...ops].filter((op) => !calls[op])).toEqual([]);
    expect(fixtures.cases.length).toBeGreaterThanOrEqual(70);
  });

  for (const c of fixtures.cases) {
    it(c.name, () => {
      nt.scope(() => {
        const inputs: Inputs = {};
        for (const [k, fx] of Object.entries(c.inputs)) inputs[k] = nt.tensor(fx.data, fx.shape, { requiresGrad: !!fx.requiresGrad });
        const { outs, params, module } = calls[c.op](inputs, c.args);
        const keys = Object.keys(c.outputs);
        for (const k of keys) {
          expect(outs[k].shape, `${k} shape`).toEqual(c.outputs[k].shape);
          close(outs[k].data(), c.outputs[k].data, k);
        }
        const last = outs[keys[keys.length - 1]];
        const gradKeys = Object.keys(c.grads);
        // Without a weight requiring grad (gcnNorm of a plain edge list) nothing is differentiable.
        expect(last.requiresGrad).toBe(gradKeys.length > 0);
        if (gradKeys.length) last.add(1).pow(2).mean().backward();
        for (const k of gradKeys) {
          // layer parameters were copied into the module; their gradients live there
          const t = params?.[k] ?? inputs[k];
          expect(t.grad, `grad of ${k}`).not.toBeNull();
          close(t.grad!.data(), c.grads[k].data, `grad ${k}`);
        }
        module?.dispose();
      });
    });
  }
});
