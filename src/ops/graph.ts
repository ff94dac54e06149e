// Graph ops in PyTorch Geometric's conventions: node features x [N, F], edgeIndex [2, E] (row 0 the
// source, row 1 the target of each edge; a float tensor holding whole node ids) and optional edge
// weights [E]. Messages flow source -> target and aggregate at the target.
//
// One differentiable primitive does the message passing: out[to[e]] += w[e]·x[from[e]] (the fused
// gather-along-edges and scatter-add-into-targets, graph_propagate_f32, with no [E, F] message
// tensor in between). Its gradient with respect to x is the same kernel with from and to swapped
// (the backward of a scatter is a gather and vice versa) and with respect to w an edge-wise dot
// product. propagate, scatter and the global pools are that primitive with different index rows.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { isGradEnabled, record } from "../autograd";
import { tensor } from "./creation";
import { fmt, describe } from "../shape";

// ------------------------------------------------------------------ validation

/** Node ids are float32 values: whole numbers are exact only up to 2^24. */
const MAX_NODES = 2 ** 24;

function checkCount(op: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_NODES) {
    throw new RangeError(`${op}: ${arg} must be an integer in [0, 2^24] (node ids are float32), got ${describe(v)}`);
  }
  return v;
}

/**
 * Largest finite value + 1 of float indices (0 when there are none): PyG's maybe_num_nodes. Capped
 * at MAX_NODES, so the range check that follows names any larger id.
 */
function inferCount(values: Float32Array): number {
  let m = -1;
  for (let i = 0; i < values.length; i++) if (values[i] > m && Number.isFinite(values[i])) m = values[i];
  return Math.min(Math.floor(m) + 1, MAX_NODES);
}

/**
 * Check that `count` float values starting at `start` are whole numbers in [0, limit). `where(i)`
 * names the position of entry i (e.g. "[1, 7]") and `shapes` the arguments' shapes for the message.
 */
function checkIndexValues(op: string, arg: string, values: Float32Array, start: number, count: number, limit: number,
  where: (i: number) => string, shapes: string): void {
  for (let i = 0; i < count; i++) {
    const v = values[start + i];
    if (!Number.isInteger(v)) {
      throw new RangeError(`${op}: ${arg} value ${v} at ${where(i)} is not a whole number (${shapes})`);
    }
    if (v < 0 || v >= limit) {
      throw new RangeError(`${op}: ${arg} value ${v} at ${where(i)} is out of range for ${limit} nodes (${shapes})`);
    }
  }
}

/** An edge index [2, E] (a Tensor, 2-D, first dim 2); returns E. Values are checked separately. */
function edgeCount(op: string, edgeIndex: unknown, shapes: () => string): number {
  const ei = checkTensor(op, "edgeIndex", edgeIndex);
  if (ei.ndim !== 2 || ei.shape[0] !== 2) {
    throw new RangeError(`${op}: edgeIndex must have shape [2, E] (sources, targets), got ${fmt(ei.shape)} (${shapes()})`);
  }
  return ei.shape[1];
}

/**
 * Validate edgeIndex [2, E] against `numSrc` source and `numDst` target nodes (undefined: inferred as
 * the largest id + 1, as PyG does). Returns E and the node count used for targets.
 */
function checkEdges(op: string, edgeIndex: Tensor, numSrc: number | undefined, numDst: number | undefined,
  shapes: () => string): { nEdges: number; numSrc: number; numDst: number } {
  const nEdges = edgeCount(op, edgeIndex, shapes);
  const values = getEngine(op).f32(edgeIndex.ptr, 2 * nEdges);
  const inferred = numSrc === undefined || numDst === undefined ? inferCount(values) : 0;
  const ns = numSrc ?? inferred;
  const nd = numDst ?? inferred;
  checkIndexValues(op, "edgeIndex", values, 0, nEdges, ns, (i) => `[0, ${i}]`, shapes());
  checkIndexValues(op, "edgeIndex", values, nEdges, nEdges, nd, (i) => `[1, ${i}]`, shapes());
  return { nEdges, numSrc: ns, numDst: nd };
}

/** An optional edge weight: a Tensor of shape [E], or null. */
function checkWeight(op: string, w: unknown, nEdges: number, shapes: () => string): Tensor | null {
  if (w === undefined || w === null) return null;
  const t = checkTensor(op, "edgeWeight", w);
  if (t.ndim !== 1 || t.shape[0] !== nEdges) {
    throw new RangeError(`${op}: edgeWeight must have shape [${nEdges}] (one weight per edge), got ${fmt(t.shape)} (${shapes()})`);
  }
  return t;
}

const shapeList = (parts: [string, Tensor | null | undefined][]): string =>
  parts.filter(([, t]) => t instanceof Tensor).map(([n, t]) => `${n} ${fmt(t!.shape)}`).join(", ");

/**
 * A graph's edges over `numNodes` nodes (undefined: inferred as the largest id + 1) and an optional
 * weight per edge. Returns E, the node count N and the weight (null when none was given).
 */
function checkGraph(op: string, edgeIndex: Tensor, numNodes: number | undefined, edgeWeight?: Tensor | null):
  { nEdges: number; N: number; w: Tensor | null } {
  const shapes = () => shapeList([["edgeIndex", edgeIndex], ["edgeWeight", edgeWeight]]);
  const n = numNodes === undefined ? undefined : checkCount(op, "numNodes", numNodes);
  const { nEdges, numDst: N } = checkEdges(op, edgeIndex, n, n, shapes);
  return { nEdges, N, w: checkWeight(op, edgeWeight, nEdges, shapes) };
}

// ------------------------------------------------------------------ the message-passing primitive

interface Route {
  /** Float indices (an owned copy when kept for backward); null when both ends are the identity. */
  index: Tensor | null;
  /** Element offset in `index` of the row read from x, or -1 for x[e]. */
  from: number;
  /** Element offset in `index` of the row written in out, or -1 for out[e]. */
  to: number;
  nEdges: number;
}

const at = (index: Tensor | null, offset: number): number => (index && offset >= 0 ? index.ptr + offset * 4 : 0);

/**
 * out[to[e], :] += w'[e]·x[from[e], :] into zeros [outRows, ...x.shape[1:]], where w' = w (or 1) and,
 * with `mean`, w' = w / (number of edges into to[e]). Differentiable in x and w.
 */
function passMessages(op: string, x: Tensor, route: Route, w: Tensor | null, mean: boolean, outRows: number,
  meanRows: number): Tensor {
  const e = getEngine(op);
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const { nEdges } = route;
  // Mean aggregation: s[e] = 1 / count(to[e]); the effective weight is w·s (or s).
  let scale: Tensor | null = null;
  let eff: Tensor | null = w;
  if (mean) {
    const cnt = Tensor.empty(op, [meanRows]);
    scale = Tensor.empty(op, [nEdges]);
    e.core.graph_mean_weights_f32(scale.ptr, cnt.ptr, at(route.index, route.to), 0, nEdges, meanRows);
    if (w) {
      eff = Tensor.empty(op, [nEdges]);
      e.core.graph_mean_weights_f32(eff.ptr, cnt.ptr, at(route.index, route.to), w.ptr, nEdges, meanRows);
    } else {
      eff = scale;
    }
    cnt.dispose();
  }
  const out = Tensor.empty(op, [outRows, ...x.shape.slice(1)]);
  e.core.fill_f32(out.ptr, out.size, 0);
  e.core.graph_propagate_f32(out.ptr, x.ptr, at(route.index, route.from), at(route.index, route.to), eff ? eff.ptr : 0,
    nEdges, rowSize);
  const temps = [scale, eff].filter((t): t is Tensor => t !== null && t !== w);
  const wantsGrad = isGradEnabled() && (x.requiresGrad || (w !== null && w.requiresGrad));
  if (!wantsGrad) {
    for (const t of new Set(temps)) t.dispose();
    return out;
  }
  const saved = new Set(temps);
  if (route.index) saved.add(route.index);
  return record(
    out,
    op,
    w ? [x, w] : [x],
    (g) => {
      const c = getEngine(op).core;
      let dx: Tensor | null = null;
      let dw: Tensor | null = null;
      if (x.requiresGrad) {
        // dx[from[e]] += w'[e]·g[to[e]]: the same kernel along reversed edges
        dx = Tensor.empty(op, x.shape.slice());
        c.fill_f32(dx.ptr, dx.size, 0);
        c.graph_propagate_f32(dx.ptr, g.ptr, at(route.index, route.to), at(route.index, route.from), eff ? eff.ptr : 0,
          nEdges, rowSize);
      }
      if (w && w.requiresGrad) {
        // dw[e] = s[e]·(g[to[e]] · x[from[e]])
        dw = Tensor.empty(op, [nEdges]);
        c.graph_edge_dot_f32(dw.ptr, g.ptr, at(route.index, route.to), x.ptr, at(route.index, route.from),
          scale ? scale.ptr : 0, nEdges, rowSize);
      }
      return w ? [dx, dw] : [dx];
    },
    [...saved],
  );
}

/** The caller's index tensor, or a private copy when it will be kept for backward (theirs may change). */
function routeIndex(index: Tensor, keepForBackward: boolean): Tensor {
  if (!keepForBackward) return index;
  const copy = Tensor.empty("graph", index.shape.slice());
  getEngine("graph").core.copy_f32(copy.ptr, index.ptr, index.size);
  return copy;
}

// ------------------------------------------------------------------ message passing

export type Aggregation = "add" | "sum" | "mean";

function checkAggr(op: string, aggr: unknown): boolean {
  if (aggr !== "add" && aggr !== "sum" && aggr !== "mean") {
    throw new RangeError(`${op}: aggr must be "add", "sum" or "mean", got ${describe(aggr)}`);
  }
  return aggr === "mean";
}

export interface PropagateOptions {
  /** One weight per edge, multiplying its message (default 1). */
  edgeWeight?: Tensor | null;
  /** How messages arriving at a node combine: "add"/"sum" (default) or "mean" (0 for nodes with none). */
  aggr?: Aggregation;
  /** Number of target nodes (rows of the output); default x.shape[0]. */
  numNodes?: number;
}

/**
 * Message passing along edges, source -> target (PyG's MessagePassing.propagate with the default
 * message x_j·edge_weight): out[i] = aggr over edges e with target i of edgeWeight[e]·x[source[e]].
 * x is [N, ...] (one row per node); the output is [numNodes, ...]. Differentiable in x and edgeWeight.
 */
export function propagate(x: Tensor, edgeIndex: Tensor, options: PropagateOptions = {}): Tensor {
  const op = "propagate";
  checkTensor(op, "x", x);
  const shapes = () => shapeList([["x", x], ["edgeIndex", edgeIndex], ["edgeWeight", options.edgeWeight]]);
  if (x.ndim < 1) throw new RangeError(`${op}: x must have one row per node ([N, F]), got ${fmt(x.shape)} (${shapes()})`);
  const mean = checkAggr(op, options.aggr ?? "add");
  const numNodes = options.numNodes === undefined ? x.shape[0] : checkCount(op, "numNodes", options.numNodes);
  const { nEdges } = checkEdges(op, edgeIndex, x.shape[0], numNodes, shapes);
  const w = checkWeight(op, options.edgeWeight, nEdges, shapes);
  const keep = isGradEnabled() && (x.requiresGrad || (w !== null && w.requiresGrad));
  const route: Route = { index: routeIndex(edgeIndex, keep), from: 0, to: nEdges, nEdges };
  return passMessages(op, x, route, w, mean, numNodes, numNodes);
}

export interface ScatterOptions {
  /** Rows of the output; default index.max() + 1. */
  dimSize?: number;
  /** "sum"/"add" (default) or "mean" (0 for rows nothing was scattered into). */
  reduce?: Aggregation;
}

/**
 * PyG's scatter(src, index, dim=0, dim_size, reduce): out[index[i]] = reduce over i of src[i] along
 * dim 0. src is [E, ...], index [E] (whole numbers in [0, dimSize)); the output is [dimSize, ...].
 * Differentiable in src (its gradient is a gather of the output gradient).
 */
export function scatter(src: Tensor, index: Tensor, options: ScatterOptions = {}): Tensor {
  const op = "scatter";
  checkTensor(op, "src", src);
  checkTensor(op, "index", index);
  const shapes = () => shapeList([["src", src], ["index", index]]);
  if (src.ndim < 1) throw new RangeError(`${op}: src must have at least 1 dim, got ${fmt(src.shape)} (${shapes()})`);
  if (index.ndim !== 1 || index.shape[0] !== src.shape[0]) {
    throw new RangeError(`${op}: index must have shape [${src.shape[0]}] (one entry per row of src), got ${fmt(index.shape)} (${shapes()})`);
  }
  const mean = checkAggr(op, options.reduce ?? "sum");
  const n = index.shape[0];
  const values = getEngine(op).f32(index.ptr, n);
  const dimSize = options.dimSize === undefined ? inferCount(values) : checkCount(op, "dimSize", options.dimSize);
  checkIndexValues(op, "index", values, 0, n, dimSize, (i) => `[${i}]`, `${shapes()}, dimSize ${dimSize}`);
  const route: Route = { index: routeIndex(index, isGradEnabled() && src.requiresGrad), from: -1, to: 0, nEdges: n };
  return passMessages(op, src, route, null, mean, dimSize, dimSize);
}

/** Graph ids per node for pooling: batch [N] (or null for a single graph) and the number of graphs. */
function pool(op: string, x: Tensor, batch: Tensor | null | undefined, size: number | undefined, mean: boolean): Tensor {
  checkTensor(op, "x", x);
  if (x.ndim !== 2) throw new RangeError(`${op}: x must be [N, F], got ${fmt(x.shape)}`);
  if (batch === undefined || batch === null) {
    const all = tensor(new Float32Array(x.shape[0]), [x.shape[0]]);
    const out = scatterLike(op, x, all, 1, mean);
    all.dispose();
    return out;
  }
  checkTensor(op, "batch", batch);
  const shapes = () => shapeList([["x", x], ["batch", batch]]);
  if (batch.ndim !== 1 || batch.shape[0] !== x.shape[0]) {
    throw new RangeError(`${op}: batch must have shape [${x.shape[0]}] (a graph id per node), got ${fmt(batch.shape)} (${shapes()})`);
  }
  const values = getEngine(op).f32(batch.ptr, batch.size);
  const numGraphs = size === undefined ? inferCount(values) : checkCount(op, "size", size);
  checkIndexValues(op, "batch", values, 0, batch.size, numGraphs, (i) => `[${i}]`, `${shapes()}, size ${numGraphs}`);
  return scatterLike(op, x, batch, numGraphs, mean);
}

function scatterLike(op: string, x: Tensor, index: Tensor, rows: number, mean: boolean): Tensor {
  const route: Route = { index: routeIndex(index, isGradEnabled() && x.requiresGrad), from: -1, to: 0, nEdges: x.shape[0] };
  return passMessages(op, x, route, null, mean, rows, rows);
}

/**
 * PyG's global_mean_pool: the mean of node features per graph. x [N, F], batch [N] the graph id of
 * each node (null: one graph); returns [size, F], size defaulting to batch.max() + 1.
 */
export function globalMeanPool(x: Tensor, batch?: Tensor | null, size?: number): Tensor {
  return pool("globalMeanPool", x, batch, size, true);
}

/** PyG's global_add_pool: the sum of node features per graph ([size, F]). */
export function globalAddPool(x: Tensor, batch?: Tensor | null, size?: number): Tensor {
  return pool("globalAddPool", x, batch, size, false);
}

// ------------------------------------------------------------------ self loops and normalization

export interface EdgeSet {
  edgeIndex: Tensor;
  /** The weights of the edges in edgeIndex, or null when none were given (and none were needed). */
  edgeWeight: Tensor | null;
}

function checkFill(op: string, fill: unknown): number {
  if (typeof fill !== "number" || !Number.isFinite(fill)) throw new TypeError(`${op}: fillValue must be a finite number, got ${describe(fill)}`);
  return fill;
}

/**
 * PyG's add_self_loops: append a loop (i, i) for every node 0..numNodes-1 after the existing edges
 * (existing loops stay, so a node may end up with two). With edgeWeight, the loops get fillValue
 * (default 1) and the result is differentiable in edgeWeight. numNodes defaults to the largest id + 1.
 */
export function addSelfLoops(edgeIndex: Tensor, numNodes?: number, edgeWeight?: Tensor | null, fillValue = 1): EdgeSet {
  const op = "addSelfLoops";
  const { nEdges, N, w } = checkGraph(op, edgeIndex, numNodes, edgeWeight);
  const fill = checkFill(op, fillValue);
  const values = getEngine(op).f32(edgeIndex.ptr, 2 * nEdges);
  const idx = new Float32Array(2 * (nEdges + N));
  idx.set(values.subarray(0, nEdges), 0);
  idx.set(values.subarray(nEdges), nEdges + N);
  for (let i = 0; i < N; i++) idx[nEdges + i] = idx[2 * nEdges + N + i] = i;
  const outIndex = tensor(idx, [2, nEdges + N]);
  if (!w) return { edgeIndex: outIndex, edgeWeight: null };
  const e = getEngine(op);
  const out = Tensor.empty(op, [nEdges + N]);
  e.core.copy_f32(out.ptr, w.ptr, nEdges);
  e.core.fill_f32(out.ptr + nEdges * 4, N, fill);
  const weight = record(out, op, [w], (g) => {
    const dw = Tensor.empty(op, [nEdges]);
    getEngine(op).core.copy_f32(dw.ptr, g.ptr, nEdges);
    return [dw];
  });
  return { edgeIndex: outIndex, edgeWeight: weight };
}

/**
 * PyG's add_remaining_self_loops (what GCNConv uses): drop the existing loops from their places and
 * append one loop per node 0..numNodes-1, which keeps the weight of that node's existing loop (the
 * last one, if several) or gets fillValue. Differentiable in edgeWeight.
 */
export function addRemainingSelfLoops(edgeIndex: Tensor, numNodes?: number, edgeWeight?: Tensor | null, fillValue = 1): EdgeSet {
  const op = "addRemainingSelfLoops";
  const { nEdges, N, w } = checkGraph(op, edgeIndex, numNodes, edgeWeight);
  const fill = checkFill(op, fillValue);
  const values = getEngine(op).f32(edgeIndex.ptr, 2 * nEdges);
  const kept: number[] = [];
  const loopOf = new Int32Array(N).fill(-1); // position of each node's (last) existing loop
  for (let k = 0; k < nEdges; k++) {
    if (values[k] !== values[nEdges + k]) kept.push(k);
    else loopOf[values[k]] = k;
  }
  const total = kept.length + N;
  const idx = new Float32Array(2 * total);
  kept.forEach((k, i) => {
    idx[i] = values[k];
    idx[total + i] = values[nEdges + k];
  });
  for (let i = 0; i < N; i++) idx[kept.length + i] = idx[total + kept.length + i] = i;
  const outIndex = tensor(idx, [2, total]);
  if (!w) return { edgeIndex: outIndex, edgeWeight: null };
  // Weights: out[pos] = w[k] for every copied position (kept edges and reused loops), fill elsewhere.
  const from: number[] = [...kept];
  const to: number[] = kept.map((_, i) => i);
  const fillAt = new Float32Array(total);
  for (let i = 0; i < N; i++) {
    if (loopOf[i] >= 0) {
      from.push(loopOf[i]);
      to.push(kept.length + i);
    } else {
      fillAt[kept.length + i] = fill;
    }
  }
  const copies = from.length;
  const pairs = tensor(Float32Array.from([...from, ...to]), [2, copies]);
  const out = tensor(fillAt, [total]);
  const e = getEngine(op);
  e.core.graph_propagate_f32(out.ptr, w.ptr, pairs.ptr, pairs.ptr + copies * 4, 0, copies, 1);
  const weight = record(
    out,
    op,
    [w],
    (g) => {
      const c = getEngine(op).core;
      const dw = Tensor.empty(op, [nEdges]);
      c.fill_f32(dw.ptr, nEdges, 0);
      c.graph_propagate_f32(dw.ptr, g.ptr, pairs.ptr + copies * 4, pairs.ptr, 0, copies, 1);
      return [dw];
    },
    [pairs],
  );
  return { edgeIndex: outIndex, edgeWeight: weight };
}

export interface GcnNormOptions {
  /** Add the remaining self loops first (default true), as GCNConv does. */
  addSelfLoops?: boolean;
  /** Self loops weigh 2 instead of 1 (GCNConv's `improved`). */
  improved?: boolean;
}

/**
 * PyG's gcn_norm: the edges and weights of D^-1/2 (A + I) D^-1/2. Self loops are added with
 * addRemainingSelfLoops (weight 1, or 2 when improved), the degree of node i is the sum of the
 * weights of the edges whose target is i (self loops included; edge weight default 1), and edge
 * (j -> i) gets deg(j)^-1/2 · w · deg(i)^-1/2 (0 for a zero degree). Differentiable in edgeWeight.
 */
export function gcnNorm(edgeIndex: Tensor, numNodes?: number, edgeWeight?: Tensor | null, options: GcnNormOptions = {}): EdgeSet {
  const op = "gcnNorm";
  const edges = checkGraph(op, edgeIndex, numNodes, edgeWeight);
  const { nEdges, N } = edges;
  let w = edges.w;
  let ei = edgeIndex;
  let E = nEdges;
  if (options.addSelfLoops ?? true) {
    const fill = options.improved ? 2 : 1;
    // Without weights every edge weighs 1; the loops need explicit weights only when improved.
    const base = w ?? (fill === 1 ? null : tensor(new Float32Array(nEdges).fill(1), [nEdges]));
    const looped = addRemainingSelfLoops(edgeIndex, N, base, fill);
    if (base && base !== w) base.dispose();
    ei = looped.edgeIndex;
    w = looped.edgeWeight;
    E = ei.shape[1];
  }
  const e = getEngine(op);
  const out = Tensor.empty(op, [E]);
  const dis = Tensor.empty(op, [N]);
  e.core.gcn_norm_f32(out.ptr, dis.ptr, ei.ptr, ei.ptr + E * 4, w ? w.ptr : 0, E, N);
  // The edges returned are always a new tensor the caller owns (a copy when no loops were added).
  const outIndex = ei === edgeIndex ? routeIndex(edgeIndex, true) : ei;
  if (!(w && w.requiresGrad && isGradEnabled())) {
    dis.dispose();
    if (w && w !== edgeWeight) w.dispose(); // the looped weights were only an intermediate
    return { edgeIndex: outIndex, edgeWeight: out };
  }
  const src = w;
  const savedIndex = routeIndex(ei, true); // backward's own copy: the caller may dispose theirs
  const weight = record(
    out,
    op,
    [src],
    (g) => {
      const c = getEngine(op).core;
      const dw = Tensor.empty(op, [E]);
      const ddis = Tensor.empty(op, [N]);
      c.gcn_norm_bwd_f32(dw.ptr, ddis.ptr, g.ptr, savedIndex.ptr, savedIndex.ptr + E * 4, src.ptr, dis.ptr, E, N);
      ddis.dispose();
      return [dw];
    },
    [dis, savedIndex],
  );
  return { edgeIndex: outIndex, edgeWeight: weight };
}

/**
 * PyG's to_undirected for an edge index without attributes: every edge in both directions, duplicates
 * removed, sorted by (source, target). Not differentiable (indices only).
 */
export function toUndirected(edgeIndex: Tensor, numNodes?: number): Tensor {
  const op = "toUndirected";
  const { nEdges, N } = checkGraph(op, edgeIndex, numNodes);
  const values = getEngine(op).f32(edgeIndex.ptr, 2 * nEdges);
  const keys = new Set<number>();
  for (let k = 0; k < nEdges; k++) {
    const a = values[k];
    const b = values[nEdges + k];
    keys.add(a * N + b);
    keys.add(b * N + a);
  }
  const sorted = [...keys].sort((p, q) => p - q);
  const idx = new Float32Array(2 * sorted.length);
  sorted.forEach((key, i) => {
    idx[i] = Math.floor(key / N);
    idx[sorted.length + i] = key % N;
  });
  return tensor(idx, [2, sorted.length]);
}
