// Graph-level classification: is a small graph a ring or a star? Every node carries the same
// constant feature, so only the structure tells them apart. Two GCN layers compute node
// embeddings, globalMeanPool averages them per graph, and a Linear layer classifies the graph.
// Graphs of 6-16 nodes are batched PyG-style (one disjoint graph plus a batch vector).
// Writes out/graphs.svg: some test graphs with their predicted class.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as nt from "../dist/neurite.js";
import { makeGraphs, collate, SHAPES } from "./lib/graph-synthetic.mjs";
import { forceLayout, drawGraph, svgDocument, esc } from "./lib/graph-draw.mjs";

const { values: opts } = parseArgs({
  options: {
    epochs: { type: "string", default: "40" },
    "batch-size": { type: "string", default: "32" },
    lr: { type: "string", default: "0.01" },
    seed: { type: "string", default: "0" },
    out: { type: "string", default: "out" },
    help: { type: "boolean", default: false },
  },
});
if (opts.help) {
  console.log(`usage: node examples/graph-classify.mjs [--epochs 40] [--batch-size 32] [--lr 0.01] [--seed 0] [--out out]`);
  process.exit(0);
}

await nt.ready();
const seed = Number(opts.seed);
nt.manualSeed(seed);
const train = makeGraphs(256, { seed: 100 + seed });
const test = makeGraphs(128, { seed: 200 + seed });

/** A batch of graphs as tensors (kept: they live across epochs). */
function toTensors(graphs) {
  const b = collate(graphs);
  return {
    x: nt.keep(nt.tensor(b.x)),
    edgeIndex: nt.keep(nt.tensor([b.src, b.dst])),
    batch: nt.keep(nt.tensor(b.batch)),
    y: nt.keep(nt.tensor(b.y)),
    count: graphs.length,
  };
}

class GraphClassifier extends nt.nn.Module {
  constructor(hidden, classes) {
    super();
    this.conv1 = this.registerModule("conv1", new nt.nn.GCNConv(1, hidden));
    this.conv2 = this.registerModule("conv2", new nt.nn.GCNConv(hidden, hidden));
    this.head = this.registerModule("head", new nt.nn.Linear(hidden, classes));
  }
  forward(x, edgeIndex, batch, numGraphs) {
    let h = nt.relu(this.conv1(x, edgeIndex));
    h = nt.relu(this.conv2(h, edgeIndex));
    return this.head(nt.globalMeanPool(h, batch, numGraphs));
  }
}

const model = new GraphClassifier(16, 2);
const optimizer = new nt.optim.Adam(model.parameters(), { lr: Number(opts.lr) });
const batchSize = Number(opts["batch-size"]);
const batches = [];
for (let i = 0; i < train.length; i += batchSize) batches.push(toTensors(train.slice(i, i + batchSize)));
const testBatch = toTensors(test);
const epochs = Number(opts.epochs);

console.log(`${train.length} training and ${test.length} test graphs (rings and stars, 6-16 nodes), batches of ${batchSize}`);
for (let epoch = 1; epoch <= epochs; epoch++) {
  let total = 0;
  for (const b of batches) {
    total += nt.scope(() => {
      optimizer.zeroGrad();
      const loss = nt.crossEntropy(model(b.x, b.edgeIndex, b.batch, b.count), b.y);
      loss.backward();
      optimizer.step();
      return loss.item() * b.count;
    });
  }
  if (epoch % 10 === 0 || epoch === 1) console.log(`epoch ${String(epoch).padStart(3)}  loss ${(total / train.length).toFixed(4)}`);
}

const predicted = nt.scope(() =>
  Array.from(nt.noGrad(() => nt.argmax(model(testBatch.x, testBatch.edgeIndex, testBatch.batch, testBatch.count), 1)).data()),
);
const correct = predicted.filter((p, i) => p === test[i].label).length;
const accuracy = correct / test.length;
console.log(`test accuracy ${(accuracy * 100).toFixed(1)}% (${correct}/${test.length} graphs)`);

// The picture: the first 24 test graphs, coloured by predicted class, wrong ones crossed out.
const palette = ["#2ca02c", "#9467bd"];
const cols = 6, cell = 150, shown = Math.min(24, test.length);
const parts = [];
for (let k = 0; k < shown; k++) {
  const g = test[k];
  const [cx, cy] = [10 + (k % cols) * cell, 36 + Math.floor(k / cols) * (cell + 18)];
  const ok = predicted[k] === g.label;
  parts.push(drawGraph({
    pos: forceLayout(g.n, g.edges, { iterations: 200, seed: k + 1, minSeparation: 0.12 }),
    edges: g.edges, colors: new Array(g.n).fill(palette[predicted[k]]), box: [cx + 10, cy, cell - 20, cell - 20], radius: 6,
  }));
  parts.push(`<text x="${cx + cell / 2}" y="${cy + cell}" text-anchor="middle" fill="${ok ? "#000" : "#d00"}">` +
    `${esc(SHAPES[predicted[k]])}${ok ? "" : ` ✗ (a ${SHAPES[g.label]})`} · ${g.n} nodes</text>`);
}
const rowsShown = Math.ceil(shown / cols);
mkdirSync(opts.out, { recursive: true });
const file = `${opts.out}/graphs.svg`;
writeFileSync(file, svgDocument(cols * cell + 20, 46 + rowsShown * (cell + 18),
  `Rings vs stars: GCN + mean pool, predicted class (test accuracy ${(accuracy * 100).toFixed(1)}%)`, parts.join("\n")));
console.log(`wrote ${file}`);
for (const b of [...batches, testBatch]) for (const t of [b.x, b.edgeIndex, b.batch, b.y]) t.dispose();
console.log(JSON.stringify({ accuracy, correct, total: test.length, svg: file }));
