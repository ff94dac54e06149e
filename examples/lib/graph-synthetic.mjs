// Small synthetic graphs for graph-level classification: rings (cycles) and stars, with random
// sizes, and the PyG-style batching that joins many graphs into one disjoint graph.
import { mulberry32 } from "./prng.mjs";

export const SHAPES = ["ring", "star"];

/** Undirected edges [a, b] of a ring or a star on n nodes (node 0 is a star's centre). */
export function shapeEdges(shape, n) {
  if (shape === "ring") return Array.from({ length: n }, (_, i) => [i, (i + 1) % n]);
  return Array.from({ length: n - 1 }, (_, i) => [0, i + 1]);
}

/**
 * `count` graphs, half rings and half stars in a seeded random order, each with a size drawn
 * uniformly from minNodes..maxNodes and its nodes relabelled by a random permutation (so node 0
 * is not always the centre). Returns [{ shape, label, n, edges }].
 */
export function makeGraphs(count, { seed = 1, minNodes = 6, maxNodes = 16 } = {}) {
  const rnd = mulberry32(seed);
  const graphs = [];
  for (let k = 0; k < count; k++) {
    const label = k % 2;
    const n = minNodes + Math.floor(rnd() * (maxNodes - minNodes + 1));
    const perm = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const edges = shapeEdges(SHAPES[label], n).map(([a, b]) => [perm[a], perm[b]]);
    graphs.push({ shape: SHAPES[label], label, n, edges });
  }
  for (let i = graphs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [graphs[i], graphs[j]] = [graphs[j], graphs[i]];
  }
  return graphs;
}

/**
 * Join graphs into one disjoint graph as PyG's Batch does: node ids shifted by the nodes before
 * them, both directions of every edge, `batch` giving each node's graph. Node features are
 * constant (a single 1): the layers have to tell the shapes apart from the structure alone.
 * Returns plain arrays: { x: number[][], src, dst, batch, y }.
 */
export function collate(graphs) {
  const src = [];
  const dst = [];
  const batch = [];
  let offset = 0;
  graphs.forEach((g, k) => {
    for (const [a, b] of g.edges) {
      src.push(a + offset, b + offset);
      dst.push(b + offset, a + offset);
    }
    for (let i = 0; i < g.n; i++) batch.push(k);
    offset += g.n;
  });
  return { x: Array.from({ length: offset }, () => [1]), src, dst, batch, y: graphs.map((g) => g.label) };
}
