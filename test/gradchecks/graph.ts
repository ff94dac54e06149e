// Gradient checks for the graph family (src/ops/graph.ts): message passing (add and mean, with and
// without edge weights, repeated edges, self loops and a node nothing flows into), scatter, the
// global pools, the self-loop helpers and gcnNorm (through the degree normalization to the edge
// weights), and a whole GCN layer written out functionally. Edge weights stay in [0.5, 1.5] so
// degrees are far from 0, where deg^-1/2 is steep. toUndirected only rearranges indices and is
// listed as non-differentiable.
import * as nt from "../../src/index";
import type { Tensor } from "../../src/index";
import { seededInput as input } from "../helpers/inputs"; // seeded values in [lo, hi), default [-2, 2), requiring grad

type Check = { fn: (...x: Tensor[]) => Tensor; inputs: () => Tensor[] };

// 5 nodes; edge (1 -> 2) twice, a self loop on 3, node 4 only sends (nothing flows into it).
const SRC = [0, 1, 1, 2, 3, 4, 0, 2];
const DST = [1, 2, 2, 0, 3, 1, 3, 3];
const E = SRC.length;
const edges = () => nt.tensor([SRC, DST]);
const weight = (seed: number) => input([E], seed, 0.5, 1.5);

export const checks: Record<string, Check[]> = {
  propagate: [
    { fn: (x) => nt.propagate(x, edges()), inputs: () => [input([5, 3], 1)] },
    { fn: (x, w) => nt.propagate(x, edges(), { edgeWeight: w }), inputs: () => [input([5, 3], 2), weight(3)] },
    { fn: (x) => nt.propagate(x, edges(), { aggr: "mean" }), inputs: () => [input([5, 2], 4)] },
    { fn: (x, w) => nt.propagate(x, edges(), { edgeWeight: w, aggr: "mean" }), inputs: () => [input([5, 5], 5), weight(6)] },
    { fn: (x, w) => nt.propagate(x, edges(), { edgeWeight: w, numNodes: 7 }), inputs: () => [input([5], 7), weight(8)] },
    {
      // a GCN layer: gcnNorm -> x Wᵀ -> propagate -> + b, every input differentiable
      fn: (x, w, lin, b) => {
        const { edgeIndex, edgeWeight } = nt.gcnNorm(edges(), 5, w);
        return nt.add(nt.propagate(nt.linear(x, lin), edgeIndex, { edgeWeight }), b);
      },
      inputs: () => [input([5, 3], 9), weight(10), input([4, 3], 11), input([4], 12)],
    },
  ],
  scatter: [
    { fn: (s) => nt.scatter(s, nt.tensor([2, 0, 2, 3, 0, 2]), { dimSize: 5 }), inputs: () => [input([6, 3], 13)] },
    { fn: (s) => nt.scatter(s, nt.tensor([2, 0, 2, 3, 0, 2]), { reduce: "mean" }), inputs: () => [input([6], 14)] },
  ],
  globalMeanPool: [{ fn: (x) => nt.globalMeanPool(x, nt.tensor([0, 0, 1, 1, 1, 3])), inputs: () => [input([6, 2], 15)] }],
  globalAddPool: [{ fn: (x) => nt.globalAddPool(x, nt.tensor([1, 0, 1, 1, 0, 0]), 3), inputs: () => [input([6, 2], 16)] }],
  addSelfLoops: [{ fn: (w) => nt.addSelfLoops(edges(), 5, w, 0.5).edgeWeight!, inputs: () => [weight(17)] }],
  addRemainingSelfLoops: [{ fn: (w) => nt.addRemainingSelfLoops(edges(), 5, w, 2).edgeWeight!, inputs: () => [weight(18)] }],
  gcnNorm: [
    { fn: (w) => nt.gcnNorm(edges(), 5, w).edgeWeight!, inputs: () => [weight(19)] },
    { fn: (w) => nt.gcnNorm(edges(), 5, w, { improved: true }).edgeWeight!, inputs: () => [weight(20)] },
    // without self loops node 4 has degree 0 (its outgoing edge gets weight 0 and gradient 0)
    { fn: (w) => nt.gcnNorm(edges(), 5, w, { addSelfLoops: false }).edgeWeight!, inputs: () => [weight(21)] },
  ],
};
