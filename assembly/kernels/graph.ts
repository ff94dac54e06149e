// Message passing on graphs given as edge lists (PyTorch Geometric's edge_index): gather rows along
// edges, scale them by an edge weight and scatter-add them into other rows, plus the GCN degree
// normalization. Node indices are float values holding whole numbers (the engine's only dtype),
// validated by the TypeScript side (0 <= index < rows) before any kernel runs.
//
// An index pointer of 0 means "the edge's own position" (e -> e) and a weight pointer of 0 means
// weight 1, so one kernel covers the fused gather-scatter (out[dst] += w·x[src]), a plain scatter
// (out[idx] += w·src[e]) and a plain gather (out[e] += w·x[idx]). Address 0 is never a tensor: the
// allocator's heap starts above the static data.

import { axpyRow, dotRow } from "./common";

// @ts-ignore: decorator
@inline function row(idx: usize, e: i32): usize {
  return idx == 0 ? <usize>e : <usize><i32>load<f32>(idx + (<usize>e << 2));
}

/**
 * For each edge e in order: out[to[e], :] += w[e] * x[from[e], :], rows of rowSize floats.
 * from = 0 reads x[e], to = 0 writes out[e], w = 0 uses weight 1. The caller zeroes out first for a
 * plain aggregation. Edges landing on the same row accumulate in edge order. out must not overlap x.
 * Forward of message passing (from = source, to = target); its gradient with respect to x is the
 * same kernel with from and to swapped.
 */
export function graph_propagate_f32(out: usize, x: usize, from: usize, to: usize, w: usize, nEdges: i32, rowSize: i32): void {
  if (nEdges <= 0 || rowSize <= 0) return;
  const rowBytes = <usize>rowSize << 2;
  for (let e = 0; e < nEdges; e++) {
    const a: f32 = w == 0 ? 1 : load<f32>(w + (<usize>e << 2));
    const o = out + row(to, e) * rowBytes;
    const v = x + row(from, e) * rowBytes;
    if (rowSize == 1) store<f32>(o, load<f32>(o) + a * load<f32>(v));
    else axpyRow(o, v, a, rowSize);
  }
}

/**
 * out[e] = scale[e] * dot(a[aIdx[e], :], b[bIdx[e], :]) over rows of rowSize floats (an index pointer
 * of 0 reads row e; scale = 0 means 1). The gradient of message passing with respect to the edge
 * weights: dw[e] = dy[target]·x[source], times 1/count for mean aggregation.
 */
export function graph_edge_dot_f32(out: usize, a: usize, aIdx: usize, b: usize, bIdx: usize, scale: usize,
  nEdges: i32, rowSize: i32): void {
  if (nEdges <= 0) return;
  const rowBytes = <usize>rowSize << 2;
  for (let e = 0; e < nEdges; e++) {
    let s: f32 = rowSize <= 0 ? 0 : dotRow(a + row(aIdx, e) * rowBytes, b + row(bIdx, e) * rowBytes, rowSize);
    if (scale != 0) s *= load<f32>(scale + (<usize>e << 2));
    store<f32>(out + (<usize>e << 2), s);
  }
}

/**
 * Mean-aggregation weights: cnt[i] = number of edges with idx[e] == i (numNodes floats, overwritten),
 * then out[e] = w[e] / cnt[idx[e]] (w = 0: 1 / cnt). Nodes with no edges keep count 0 and get no
 * weight, so their mean is 0, as in PyTorch Geometric's scatter mean.
 */
export function graph_mean_weights_f32(out: usize, cnt: usize, idx: usize, w: usize, nEdges: i32, numNodes: i32): void {
  if (numNodes > 0) memory.fill(cnt, 0, <usize>numNodes << 2);
  if (nEdges <= 0) return;
  for (let e = 0; e < nEdges; e++) {
    const p = cnt + (row(idx, e) << 2);
    store<f32>(p, load<f32>(p) + 1);
  }
  for (let e = 0; e < nEdges; e++) {
    const c = load<f32>(cnt + (row(idx, e) << 2));
    const a: f32 = w == 0 ? 1 : load<f32>(w + (<usize>e << 2));
    store<f32>(out + (<usize>e << 2), a / c);
  }
}

/**
 * GCN normalization (PyTorch Geometric's gcn_norm after self loops were added):
 * deg[i] = sum of w[e] over edges whose target dst[e] == i (w = 0: weight 1), dis[i] = deg[i]^-1/2
 * with 0 where deg[i] == 0 (PyG masks the infinity; a negative degree gives NaN, as in PyTorch), and
 * out[e] = dis[src[e]] * w[e] * dis[dst[e]]. dis (numNodes floats) is overwritten and kept for backward.
 * Degrees are summed in f32 in edge order, as PyTorch's scatter_add/index_add_ do on the CPU.
 */
export function gcn_norm_f32(out: usize, dis: usize, src: usize, dst: usize, w: usize, nEdges: i32, numNodes: i32): void {
  if (numNodes > 0) memory.fill(dis, 0, <usize>numNodes << 2);
  for (let e = 0; e < nEdges; e++) {
    const p = dis + (row(dst, e) << 2);
    const a: f32 = w == 0 ? 1 : load<f32>(w + (<usize>e << 2));
    store<f32>(p, load<f32>(p) + a);
  }
  for (let i = 0; i < numNodes; i++) {
    const p = dis + (<usize>i << 2);
    const d = load<f32>(p);
    store<f32>(p, d == 0 ? 0 : <f32>(1.0 / Math.sqrt(<f64>d)));
  }
  for (let e = 0; e < nEdges; e++) {
    const a: f32 = w == 0 ? 1 : load<f32>(w + (<usize>e << 2));
    const s = load<f32>(dis + (row(src, e) << 2));
    const t = load<f32>(dis + (row(dst, e) << 2));
    store<f32>(out + (<usize>e << 2), s * a * t);
  }
}

/**
 * Backward of gcn_norm_f32 with respect to the edge weights, given g = dL/dout:
 *   ddis[i] = sum over edges with src[e] == i of g[e]·w[e]·dis[dst[e]]
 *           + sum over edges with dst[e] == i of g[e]·w[e]·dis[src[e]]
 *   ddeg[i] = -1/2 · dis[i]^3 · ddis[i]          (0 where deg was 0, since dis is 0 there)
 *   dw[e]   = g[e]·dis[src[e]]·dis[dst[e]] + ddeg[dst[e]]
 * ddis (numNodes floats) is scratch, overwritten. w = 0 means all weights 1.
 */
export function gcn_norm_bwd_f32(dw: usize, ddis: usize, g: usize, src: usize, dst: usize, w: usize, dis: usize,
  nEdges: i32, numNodes: i32): void {
  if (numNodes > 0) memory.fill(ddis, 0, <usize>numNodes << 2);
  for (let e = 0; e < nEdges; e++) {
    const a: f32 = w == 0 ? 1 : load<f32>(w + (<usize>e << 2));
    const ge = load<f32>(g + (<usize>e << 2)) * a;
    const i = row(src, e) << 2;
    const j = row(dst, e) << 2;
    store<f32>(ddis + i, load<f32>(ddis + i) + ge * load<f32>(dis + j));
    store<f32>(ddis + j, load<f32>(ddis + j) + ge * load<f32>(dis + i));
  }
  for (let i = 0; i < numNodes; i++) {
    const p = ddis + (<usize>i << 2);
    const d = load<f32>(dis + (<usize>i << 2));
    store<f32>(p, <f32>-0.5 * d * d * d * load<f32>(p));
  }
  for (let e = 0; e < nEdges; e++) {
    const i = row(src, e) << 2;
    const j = row(dst, e) << 2;
    const direct = load<f32>(g + (<usize>e << 2)) * load<f32>(dis + i) * load<f32>(dis + j);
    store<f32>(dw + (<usize>e << 2), direct + load<f32>(ddis + j));
  }
}
