// Graph ops and layers beyond the PyTorch fixtures: hand-derived cases, bad input (clear errors that
// name the op and shapes, nothing leaked), index ownership, PyG state-dict keys and initialization,
// saveModel/loadModel, and memory across a training step.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";

const { nn, io } = nt;

/**
 * call(...inputs) must throw an Error matching `pattern` and leave live tensors and bytes as they
 * were (the inputs are made first, so anything the failing op allocated would show).
 */
function expectCleanError<A extends unknown[]>(inputs: () => A, call: (...a: A) => unknown, pattern: RegExp) {
  const args = inputs();
  const before = nt.memory();
  expect(() => call(...args)).toThrow(pattern);
  const after = nt.memory();
  expect([after.numTensors, after.numBytes]).toEqual([before.numTensors, before.numBytes]);
}
const T = (v: number[] | number[][] | number) => nt.tensor(v as any);

const rows = (t: Tensor) => t.toArray() as number[][];

describe("message passing: hand-derived", () => {
  it("propagate sums (or averages) weighted source rows into each target", () => {
    nt.scope(() => {
      const x = nt.tensor([[1, 10], [2, 20], [3, 30], [4, 40]]);
      // edges 0->3, 1->3, 2->3, 3->0; node 1 and 2 receive nothing
      const ei = nt.tensor([[0, 1, 2, 3], [3, 3, 3, 0]]);
      expect(rows(nt.propagate(x, ei))).toEqual([[4, 40], [0, 0], [0, 0], [6, 60]]);
      expect(rows(nt.propagate(x, ei, { aggr: "mean" }))).toEqual([[4, 40], [0, 0], [0, 0], [2, 20]]);
      const w = nt.tensor([1, 0.5, -1, 2]);
      // node 3: 1·x0 + 0.5·x1 - 1·x2 = (0, 0); node 0: 2·x3
      expect(rows(nt.propagate(x, ei, { edgeWeight: w }))).toEqual([[8, 80], [0, 0], [0, 0], [-1, -10]]);
      // weighted mean divides by the number of edges (3), not by the weights' sum
      const mean = rows(nt.propagate(x, ei, { edgeWeight: w, aggr: "mean" }));
      expect(mean[3][0]).toBeCloseTo(-1 / 3, 6);
      expect(rows(nt.propagate(x, ei, { numNodes: 6 })).length).toBe(6);
    });
  });

  it("scatter and the global pools", () => {
    nt.scope(() => {
      const src = nt.tensor([[1, 2], [3, 4], [5, 6]]);
      const idx = nt.tensor([2, 0, 2]);
      expect(rows(nt.scatter(src, idx))).toEqual([[3, 4], [0, 0], [6, 8]]);
      expect(rows(nt.scatter(src, idx, { reduce: "mean", dimSize: 4 }))).toEqual([[3, 4], [0, 0], [3, 4], [0, 0]]);
      expect(nt.scatter(nt.tensor([1, 2, 3]), idx).toArray()).toEqual([2, 0, 4]);
      expect(rows(nt.globalMeanPool(src, nt.tensor([0, 0, 1])))).toEqual([[2, 3], [5, 6]]);
      expect(rows(nt.globalAddPool(src, nt.tensor([0, 0, 1])))).toEqual([[4, 6], [5, 6]]);
      expect(rows(nt.globalMeanPool(src))).toEqual([[3, 4]]);
      expect(rows(nt.globalMeanPool(src, null, undefined))).toEqual([[3, 4]]);
      expect(rows(nt.globalAddPool(src, nt.tensor([0, 0, 0]), 2))).toEqual([[9, 12], [0, 0]]);
    });
  });

  it("self loops, gcnNorm and toUndirected", () => {
    nt.scope(() => {
      const ei = nt.tensor([[0, 1, 1], [1, 1, 2]]); // 0->1, a loop on 1, 1->2
      const a = nt.addSelfLoops(ei, 3);
      expect(a.edgeIndex.toArray()).toEqual([[0, 1, 1, 0, 1, 2], [1, 1, 2, 0, 1, 2]]);
      expect(a.edgeWeight).toBeNull();
      const r = nt.addRemainingSelfLoops(ei, 3, nt.tensor([5, 7, 9]), 0.5);
      expect(r.edgeIndex.toArray()).toEqual([[0, 1, 0, 1, 2], [1, 2, 0, 1, 2]]);
      expect(r.edgeWeight!.toArray()).toEqual([5, 9, 0.5, 7, 0.5]); // node 1 keeps its loop's weight 7
      // path 0 - 1 (both directions), self loops weigh 1: degrees 2 and 2, every weight 1/2
      const n = nt.gcnNorm(nt.tensor([[0, 1], [1, 0]]), 2);
      expect(n.edgeIndex.toArray()).toEqual([[0, 1, 0, 1], [1, 0, 0, 1]]);
      for (const v of n.edgeWeight!.toArray() as number[]) expect(v).toBeCloseTo(0.5, 6);
      // improved: loops weigh 2, degrees 3: edges 1/3, loops 2/3
      const imp = nt.gcnNorm(nt.tensor([[0, 1], [1, 0]]), 2, null, { improved: true }).edgeWeight!.toArray() as number[];
      [1 / 3, 1 / 3, 2 / 3, 2 / 3].forEach((v, i) => expect(imp[i]).toBeCloseTo(v, 6));
      // no loops: node 2 has no incoming edge, so degree 0 and its outgoing edge weighs 0
      const bare = nt.gcnNorm(nt.tensor([[2, 0], [0, 1]]), 3, null, { addSelfLoops: false }).edgeWeight!.toArray();
      expect(bare).toEqual([0, 1]);
      expect(nt.toUndirected(nt.tensor([[2, 0, 1, 0], [0, 1, 0, 1]])).toArray()).toEqual([[0, 0, 1, 2], [1, 2, 0, 0]]);
      expect(nt.toUndirected(nt.tensor([[0, 3], [3, 3]]), 5).toArray()).toEqual([[0, 3, 3], [3, 0, 3]]);
    });
  });

  it("the number of nodes is inferred from the largest id when not given", () => {
    nt.scope(() => {
      expect(nt.addSelfLoops(nt.tensor([[0], [4]])).edgeIndex.shape).toEqual([2, 6]);
      expect(nt.scatter(nt.tensor([1, 1]), nt.tensor([0, 3])).shape).toEqual([4]);
      expect(nt.addSelfLoops(nt.tensor([[], []]).reshape([2, 0])).edgeIndex.shape).toEqual([2, 0]);
    });
  });

  it("an empty edge list propagates zeros and gradients of zero", () => {
    nt.scope(() => {
      const x = nt.tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
      const out = nt.propagate(x, nt.zeros([2, 0]));
      expect(rows(out)).toEqual([[0, 0], [0, 0]]);
      out.sum().backward();
      expect(rows(x.grad!)).toEqual([[0, 0], [0, 0]]);
      // GCN on a graph with no edges: only the self loops, weight 1
      const y = nt.gcnNorm(nt.zeros([2, 0]), 2);
      expect(y.edgeWeight!.toArray()).toEqual([1, 1]);
    });
  });

  it("backward uses the edges as they were at forward time (the op keeps its own copy)", () => {
    nt.scope(() => {
      const x = nt.tensor([[1], [2], [3]], undefined, { requiresGrad: true });
      const ei = nt.tensor([[0, 1], [2, 2]]);
      const w = nt.tensor([2, 3], undefined, { requiresGrad: true });
      const out = nt.propagate(x, ei, { edgeWeight: w });
      ei.fill_(0); // the caller reuses the buffer
      out.sum().backward();
      expect(rows(x.grad!)).toEqual([[2], [3], [0]]);
      expect(w.grad!.toArray()).toEqual([1, 2]);
      const n = nt.gcnNorm(nt.tensor([[0, 1], [1, 2]]), 3, nt.tensor([1, 1], undefined, { requiresGrad: true }));
      n.edgeIndex.dispose(); // the caller drops the returned edges: backward still works
      n.edgeWeight!.sum().backward();
    });
  });

  it("without grad nothing is recorded and no copies are kept", () => {
    nt.scope(() => {
      const x = nt.randn([6, 4], { requiresGrad: true });
      const ei = nt.tensor([[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]]);
      const before = nt.memory().numTensors;
      const out = nt.noGrad(() => nt.propagate(x, ei, { aggr: "mean" }));
      expect(out.requiresGrad).toBe(false);
      expect(nt.memory().numTensors).toBe(before + 1); // only the output
    });
  });
});

describe("graph ops: errors name the op, the argument and the shapes", () => {
  it("bad edge indices", () => {
    nt.scope(() => {
      const x = nt.zeros([4, 2]);
      const prop = (ei: Tensor, numNodes?: number) => nt.propagate(x, ei, { numNodes });
      expectCleanError(() => [nt.zeros([3, 5])], prop, /propagate: edgeIndex must have shape \[2, E\].*got \[3, 5\] \(x \[4, 2\], edgeIndex \[3, 5\]\)/);
      expectCleanError(() => [nt.zeros([2])], prop, /propagate: edgeIndex must have shape \[2, E\].*got \[2\]/);
      expectCleanError(() => [T([[0, 1], [4, 0]])], prop, /propagate: edgeIndex value 4 at \[1, 0\] is out of range for 4 nodes \(x \[4, 2\], edgeIndex \[2, 2\]\)/);
      expectCleanError(() => [T([[0, -1], [1, 0]])], prop, /propagate: edgeIndex value -1 at \[0, 1\] is out of range/);
      expectCleanError(() => [T([[0, 1.5], [1, 0]])], prop, /propagate: edgeIndex value 1.5 at \[0, 1\] is not a whole number/);
      expectCleanError(() => [T([[0, NaN], [1, 0]])], prop, /edgeIndex value NaN at \[0, 1\] is not a whole number/);
      expectCleanError(() => [T([[0, 1], [1, 0]]), 1] as [Tensor, number], prop, /value 1 at \[1, 0\] is out of range for 1 nodes/);
      expectCleanError(() => [[[0], [1]] as any], prop, /propagate: edgeIndex must be a Tensor/);
      expectCleanError(() => [T([[0, 9], [1, 0]])], (ei) => nt.gcnNorm(ei, 3), /gcnNorm: edgeIndex value 9 at \[0, 1\] is out of range for 3 nodes/);
      expectCleanError(() => [T([[0, 1], [2.5, 0]])], (ei) => nt.addSelfLoops(ei), /addSelfLoops: edgeIndex value 2.5 at \[1, 0\] is not a whole number/);
      expectCleanError(() => [T([[0, 1], [1, 3e7]])], (ei) => nt.toUndirected(ei), /toUndirected: edgeIndex value 30000000 at \[1, 1\] is out of range for 16777216 nodes/);
    });
  });

  it("bad weights, features, options and scatter indices", () => {
    nt.scope(() => {
      const x = nt.zeros([3, 2]);
      const ei = T([[0, 1], [1, 2]]);
      const none = () => [] as [];
      expectCleanError(() => [nt.ones([3])], (w) => nt.propagate(x, ei, { edgeWeight: w }), /propagate: edgeWeight must have shape \[2\].*got \[3\]/);
      expectCleanError(() => [nt.ones([2, 1])], (w) => nt.propagate(x, ei, { edgeWeight: w }), /edgeWeight must have shape \[2\].*got \[2, 1\]/);
      expectCleanError(() => [T(1)], (v) => nt.propagate(v, ei), /propagate: x must have one row per node/);
      expectCleanError(none, () => nt.propagate(x, ei, { aggr: "max" as any }), /propagate: aggr must be "add", "sum" or "mean", got string max/);
      expectCleanError(none, () => nt.propagate(x, ei, { numNodes: -1 }), /propagate: numNodes must be an integer/);
      expectCleanError(() => [T([0, 1])], (i) => nt.scatter(x, i), /scatter: index must have shape \[3\].*got \[2\] \(src \[3, 2\], index \[2\]\)/);
      expectCleanError(() => [T([0, 1, 5])], (i) => nt.scatter(x, i, { dimSize: 3 }), /scatter: index value 5 at \[2\] is out of range for 3 nodes \(src \[3, 2\], index \[3\], dimSize 3\)/);
      expectCleanError(() => [T([0, 1])], (b) => nt.globalMeanPool(x, b), /globalMeanPool: batch must have shape \[3\].*got \[2\]/);
      expectCleanError(() => [nt.zeros([3])], (v) => nt.globalMeanPool(v, null), /globalMeanPool: x must be \[N, F\], got \[3\]/);
      expectCleanError(none, () => nt.addSelfLoops(ei, 3, null, NaN), /addSelfLoops: fillValue must be a finite number/);
      const conv = new nn.GCNConv(2, 4);
      expectCleanError(() => [nt.zeros([3, 5])], (v) => conv(v, ei), /nn.GCNConv: x must be node features \[N, 2\], got \[3, 5\]/);
      const sage = new nn.SAGEConv(2, 4);
      expectCleanError(() => [nt.zeros([3])], (v) => sage(v, ei), /nn.SAGEConv: x must be node features \[N, 2\], got \[3\]/);
      expectCleanError(() => [T([[0, 7], [1, 0]])], (e) => conv(x, e), /gcnNorm: edgeIndex value 7 at \[0, 1\] is out of range for 3 nodes/);
      expectCleanError(() => [T([[0, 7], [1, 0]])], (e) => sage(x, e), /propagate: edgeIndex value 7 at \[0, 1\] is out of range for 3 nodes/);
      expect(() => new nn.GCNConv(0, 2)).toThrow(/nn.GCNConv: inChannels must be a positive integer/);
      expect(() => new nn.SAGEConv(2, 2, { aggr: "max" as any })).toThrow(/nn.SAGEConv: aggr must be "mean", "add" or "sum"/);
      expect(() => new nn.GCNConv(2, 2, { bias: 1 as any })).toThrow(/nn.GCNConv: bias must be a boolean/);
      conv.dispose();
      sage.dispose();
    });
  });
});

describe("nn.GCNConv and nn.SAGEConv", () => {
  it("PyG's state-dict keys and shapes; GCN weight glorot-initialized and bias zero", () => {
    nt.manualSeed(3);
    const conv = new nn.GCNConv(40, 24);
    const sd = conv.stateDict();
    expect(Object.entries(sd).map(([k, t]) => [k, t.shape])).toEqual([["bias", [24]], ["lin.weight", [24, 40]]]);
    expect(sd.bias.toArray()).toEqual(new Array(24).fill(0));
    const w = sd["lin.weight"].data();
    const bound = Math.sqrt(6 / (40 + 24));
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    // uniform(-b, b) has variance b²/3; with 960 values the sample variance is within ~10%
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance / (bound * bound / 3)).toBeGreaterThan(0.85);
    expect(variance / (bound * bound / 3)).toBeLessThan(1.15);
    expect(Object.keys(new nn.GCNConv(3, 2, { bias: false }).stateDict())).toEqual(["lin.weight"]);
    const sage = new nn.SAGEConv(5, 3);
    expect(Object.entries(sage.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ["lin_l.weight", [3, 5]], ["lin_l.bias", [3]], ["lin_r.weight", [3, 5]],
    ]);
    expect(Object.keys(new nn.SAGEConv(5, 3, { rootWeight: false, bias: false }).stateDict())).toEqual(["lin_l.weight"]);
    expect(String(conv)).toBe("GCNConv(40, 24)");
    expect(String(sage)).toBe("SAGEConv(5, 3, aggr=mean)");
    conv.dispose();
    sage.dispose();
  });

  it("hand-derived GCN on two connected nodes: out = Â X Wᵀ + b with Â = [[1/2, 1/2], [1/2, 1/2]]", () => {
    nt.scope(() => {
      const conv = new nn.GCNConv(2, 1);
      conv.loadStateDict({ "lin.weight": nt.tensor([[1, 2]]), bias: nt.tensor([0.25]) });
      const out = conv(nt.tensor([[1, 0], [0, 1]]), nt.tensor([[0, 1], [1, 0]]));
      // X Wᵀ = [1, 2]; each node averages both: 1.5, plus the bias
      const v = out.toArray() as number[][];
      expect(v[0][0]).toBeCloseTo(1.75, 6);
      expect(v[1][0]).toBeCloseTo(1.75, 6);
      // normalize off: plain sum over incoming edges (no self loops), plus the bias
      const raw = new nn.GCNConv(2, 1, { normalize: false });
      raw.loadStateDict({ "lin.weight": nt.tensor([[1, 2]]), bias: nt.tensor([0]) });
      expect(raw(nt.tensor([[1, 0], [0, 1]]), nt.tensor([[0, 1], [1, 0]]), nt.tensor([3, 1])).toArray()).toEqual([[2], [3]]);
      conv.dispose();
      raw.dispose();
    });
  });

  it("SAGE: a node with no neighbours gets lin_l's bias plus its own lin_r term", () => {
    nt.scope(() => {
      const sage = new nn.SAGEConv(1, 1);
      sage.loadStateDict({ "lin_l.weight": nt.tensor([[2]]), "lin_l.bias": nt.tensor([0.5]), "lin_r.weight": nt.tensor([[10]]) });
      // 0 -> 1, 2 -> 1: node 1 averages x0 and x2; nodes 0 and 2 receive nothing
      const out = sage(nt.tensor([[1], [3], [5]]), nt.tensor([[0, 2], [1, 1]])).toArray();
      expect(out).toEqual([[0.5 + 10], [2 * 3 + 0.5 + 30], [0.5 + 50]]);
      const unit = new nn.SAGEConv(1, 2, { normalize: true });
      const u = unit(nt.tensor([[1], [3]]), nt.tensor([[0], [1]])).toArray() as number[][];
      for (const r of u) expect(Math.hypot(...r)).toBeCloseTo(1, 6);
      sage.dispose();
      unit.dispose();
    });
  });

  it("saveModel / loadModel round trips, and hostile configs are refused", () => {
    nt.scope(() => {
      const x = nt.randn([5, 3]);
      const ei = nt.tensor([[0, 1, 2, 3, 4, 0], [1, 2, 3, 4, 0, 2]]);
      for (const m of [new nn.GCNConv(3, 4, { improved: true }), new nn.SAGEConv(3, 4, { aggr: "sum", normalize: true }), new nn.GCNConv(3, 2, { bias: false, normalize: false })]) {
        const loaded = io.loadModel(io.saveModel(m));
        expect(loaded.constructor).toBe(m.constructor);
        expect(String(loaded)).toBe(String(m));
        expect(loaded(x, ei).toArray()).toEqual(m(x, ei).toArray());
        m.dispose();
        loaded.dispose();
      }
      const bytes = io.saveModel(new nn.GCNConv(3, 4));
      const header = io.readSafetensorsHeader(bytes);
      const rewrite = (config: object) => {
        const arch = { ...JSON.parse(header.metadata!.architecture), config };
        return io.saveSafetensors(io.loadSafetensors(bytes), { ...header.metadata!, architecture: JSON.stringify(arch) });
      };
      expect(() => io.loadModel(rewrite({ inChannels: 3, outChannels: 4, cached: true }))).toThrow(/unknown key "cached"/);
      expect(() => io.loadModel(rewrite({ inChannels: 0, outChannels: 4 }))).toThrow(/config.inChannels must be an integer/);
      expect(() => io.loadModel(rewrite({ inChannels: 3000, outChannels: 4000 }))).toThrow(/needs 12004000 parameters/);
    });
  });

  it("a GCN training step frees everything it creates", async () => {
    nt.manualSeed(0);
    const conv1 = new nn.GCNConv(4, 8);
    const conv2 = new nn.GCNConv(8, 2);
    const params = [...conv1.parameters(), ...conv2.parameters()];
    const opt = new nt.optim.Adam(params, { lr: 0.01 });
    const x = nt.keep(nt.randn([6, 4]));
    const ei = nt.keep(nt.tensor([[0, 1, 2, 3, 4, 5, 1, 2], [1, 2, 3, 4, 5, 0, 0, 4]]));
    const w = nt.keep(nt.ones([8], { requiresGrad: true }));
    const y = nt.keep(nt.tensor([0, 1, 0, 1, 0, 1]));
    const step = () =>
      nt.scope(() => {
        opt.zeroGrad();
        const h = nt.relu(conv1(x, ei, w));
        const loss = nt.crossEntropy(conv2(h, ei, w), y);
        loss.backward();
        opt.step();
        return loss.item();
      });
    step(); // creates the optimizer state and gradients
    const before = nt.memory();
    const losses = [step(), step(), step()];
    expect(nt.memory().numTensors).toBe(before.numTensors);
    expect(nt.memory().numBytes).toBe(before.numBytes);
    expect(losses[2]).toBeLessThan(losses[0]);
    expect(w.grad).not.toBeNull();
    for (const t of [x, ei, w, y]) t.dispose();
    conv1.dispose();
    conv2.dispose();
  });
});
