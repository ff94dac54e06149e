// Node classification on Zachary's karate club: which faction did each member join after the
// split? A 2-layer GCN (Kipf & Welling, 2017) sees the friendship graph and one-hot node ids as
// features, is told the answer for one member of each faction (the instructor, node 0, and the
// administrator, node 33), and predicts the other 32. Writes out/karate.svg: the graph in a
// force-directed layout coloured by prediction, labelled nodes ringed, wrong predictions crossed.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as nt from "../dist/neurite.js";
import { KARATE_EDGES, KARATE_CLUB, NUM_NODES, FACTIONS } from "./lib/graph-karate.mjs";
import { forceLayout, drawGraph, svgDocument } from "./lib/graph-draw.mjs";

const { values: opts } = parseArgs({
  options: {
    epochs: { type: "string", default: "200" },
    hidden: { type: "string", default: "16" },
    lr: { type: "string", default: "0.01" },
    seed: { type: "string", default: "0" },
    out: { type: "string", default: "out" },
    help: { type: "boolean", default: false },
  },
});
if (opts.help) {
  console.log(`usage: node examples/karate.mjs [--epochs 200] [--hidden 16] [--lr 0.01] [--seed 0] [--out out]`);
  process.exit(0);
}

await nt.ready();
nt.manualSeed(Number(opts.seed));

// The graph as PyTorch Geometric takes it: both directions of every friendship.
const edgeIndex = nt.toUndirected(nt.tensor([KARATE_EDGES.map((e) => e[0]), KARATE_EDGES.map((e) => e[1])]), NUM_NODES);
const x = nt.tensor(Array.from({ length: NUM_NODES }, (_, i) => Array.from({ length: NUM_NODES }, (_, j) => (i === j ? 1 : 0))));
const labelled = [0, 33];
const trainIndex = nt.tensor(labelled);
const trainTarget = nt.tensor(labelled.map((i) => KARATE_CLUB[i]));

class GCN extends nt.nn.Module {
  constructor(inChannels, hidden, classes) {
    super();
    this.conv1 = this.registerModule("conv1", new nt.nn.GCNConv(inChannels, hidden));
    this.conv2 = this.registerModule("conv2", new nt.nn.GCNConv(hidden, classes));
    this.dropout = this.registerModule("dropout", new nt.nn.Dropout(0.5));
  }
  forward(x, edgeIndex) {
    const h = this.dropout(nt.relu(this.conv1(x, edgeIndex)));
    return this.conv2(h, edgeIndex);
  }
}

const model = new GCN(NUM_NODES, Number(opts.hidden), 2);
const optimizer = new nt.optim.Adam(model.parameters(), { lr: Number(opts.lr), weightDecay: 5e-4 });
const epochs = Number(opts.epochs);
console.log(`karate club: ${NUM_NODES} members, ${KARATE_EDGES.length} friendships (${edgeIndex.shape[1]} directed edges)`);
console.log(`training a 2-layer GCN on ${labelled.length} labelled members (nodes ${labelled.join(" and ")}), ${epochs} epochs`);
for (let epoch = 1; epoch <= epochs; epoch++) {
  const loss = nt.scope(() => {
    model.train();
    optimizer.zeroGrad();
    const logits = model(x, edgeIndex);
    const loss = nt.crossEntropy(nt.indexSelect(logits, 0, trainIndex), trainTarget);
    loss.backward();
    optimizer.step();
    return loss.item();
  });
  if (epoch % 50 === 0 || epoch === 1) console.log(`epoch ${String(epoch).padStart(3)}  loss ${loss.toFixed(4)}`);
}

model.eval();
const predicted = nt.scope(() => Array.from(nt.noGrad(() => nt.argmax(model(x, edgeIndex), 1)).data()));
const unlabelled = [...Array(NUM_NODES).keys()].filter((i) => !labelled.includes(i));
const wrong = unlabelled.filter((i) => predicted[i] !== KARATE_CLUB[i]);
const correct = unlabelled.length - wrong.length;
const accuracy = correct / unlabelled.length;
console.log(`test accuracy ${(accuracy * 100).toFixed(1)}% (${correct}/${unlabelled.length} unlabelled members)`);
console.log(`misclassified: ${wrong.length ? wrong.map((i) => `${i} (${FACTIONS[KARATE_CLUB[i]]})`).join(", ") : "none"}`);

// The picture: colour = predicted faction, ring = labelled, red cross = wrong.
const pos = forceLayout(NUM_NODES, KARATE_EDGES, { iterations: 400, seed: 7 });
const palette = ["#1f77b4", "#ff7f0e"];
const body = [
  drawGraph({
    pos, edges: KARATE_EDGES, colors: predicted.map((c) => palette[c]), labels: [...Array(NUM_NODES).keys()],
    ring: Array.from({ length: NUM_NODES }, (_, i) => labelled.includes(i)),
    wrong: Array.from({ length: NUM_NODES }, (_, i) => wrong.includes(i)), box: [20, 40, 560, 540], radius: 11,
  }),
  `<circle cx="30" cy="600" r="8" fill="${palette[0]}"/><text x="44" y="605">predicted ${FACTIONS[0]}</text>`,
  `<circle cx="200" cy="600" r="8" fill="${palette[1]}"/><text x="214" y="605">predicted ${FACTIONS[1]}</text>`,
  `<circle cx="370" cy="600" r="8" fill="#ccc" stroke="#000" stroke-width="3"/><text x="384" y="605">labelled</text>`,
  `<path d="M466,592 L482,608 M482,592 L466,608" stroke="#d00" stroke-width="2.5"/><text x="490" y="605">wrong</text>`,
].join("\n");
mkdirSync(opts.out, { recursive: true });
const file = `${opts.out}/karate.svg`;
writeFileSync(file, svgDocument(600, 620, `Karate club: GCN with 1 label per faction, ${(accuracy * 100).toFixed(1)}% of the rest right`, body));
console.log(`wrote ${file}`);
console.log(JSON.stringify({ accuracy, correct, total: unlabelled.length, wrong, svg: file }));
