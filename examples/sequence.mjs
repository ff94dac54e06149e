// Sequences with recurrent networks.
//
// 1. Next value of noisy sine waves: each sequence is 24 noisy samples of A·sin(ωt + φ) (random
//    amplitude, frequency and phase per sequence, noise σ = 0.05); the model reads them and predicts
//    the next noisy sample. An LSTM, a GRU and a plain tanh RNN (24 hidden units, last hidden state
//    into a Linear) are trained with fit/Adam and compared on held-out sequences with the naive
//    baseline "repeat the last value". Stated margin: every model's test MSE is below 1/4 of the
//    baseline's (the noise alone, σ² = 0.0025 per sample, sets a floor well below that).
// 2. Exploding gradients: a ReLU RNN with identity recurrent weights (the IRNN set-up) reads
//    sequences of 200 steps and must output their mean. Gradients pass 200 steps undamped: the
//    first one has a norm in the hundreds, and with plain SGD at lr 0.05 that single step throws the
//    weights so far that the next forward pass overflows and every loss after it is NaN. The same
//    run clipping the global gradient norm to 1 (nn.utils.clipGradNorm_, what fit's clipGradNorm
//    option calls) trains to well below the loss of predicting the average target.
//
// Prints a table per part and, last, one JSON line with the figures (the tests read it).
import * as nt from "../dist/neurite.js";
import { sineData, meanData } from "./lib/seq-data.mjs";

await nt.ready();
const { nn } = nt;

/** A recurrent layer whose last hidden state goes through a Linear to one output per sequence. */
class LastStepRegressor extends nn.Module {
  constructor(rnn) {
    super();
    this.rnn = this.registerModule("rnn", rnn);
    this.head = this.registerModule("head", new nn.Linear(rnn.hiddenSize, 1));
  }

  forward(x) {
    const [, state] = this.rnn(x); // x [batch, steps, 1] (batchFirst)
    const hN = Array.isArray(state) ? state[0] : state; // LSTM gives [h_n, c_n]
    return this.head(hN.reshape([x.shape[0], this.rnn.hiddenSize]));
  }
}

const mse = (a, b) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
};
const table = (header, rows) => {
  const all = [header, ...rows].map((r) => r.map(String));
  const w = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  for (const r of all) console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  "));
};

// ---------------------------------------------------------------- part 1: noisy sine waves

const STEPS = 24;
const HIDDEN = 24;
const train = sineData(1024, STEPS, 1);
const test = sineData(512, STEPS, 2);
const xTrain = nt.keep(nt.tensor(train.x, [train.n, STEPS, 1]));
const yTrain = nt.keep(nt.tensor(train.y, [train.n, 1]));
const xTest = nt.keep(nt.tensor(test.x, [test.n, STEPS, 1]));
const baseline = mse(test.last, test.y);

console.log(`Part 1: predict the next value of noisy sine waves (${train.n} training, ${test.n} test sequences of ${STEPS} steps)\n`);
const results = {};
const rows = [];
for (const [name, make] of [
  ["LSTM", () => new nn.LSTM(1, HIDDEN, { batchFirst: true })],
  ["GRU", () => new nn.GRU(1, HIDDEN, { batchFirst: true })],
  ["RNN (tanh)", () => new nn.RNN(1, HIDDEN, { batchFirst: true })],
]) {
  nt.manualSeed(0);
  const model = new LastStepRegressor(make());
  const optimizer = new nt.optim.Adam(model.parameters(), { lr: 0.01 });
  const t0 = performance.now();
  await nt.fit(model, { x: xTrain, y: yTrain, loss: nt.mseLoss, optimizer, epochs: 12, batchSize: 32, seed: 0 });
  const seconds = (performance.now() - t0) / 1e3;
  model.eval();
  const pred = nt.predict(model, xTest, { batchSize: 256 }).data();
  const testMse = mse(pred, test.y);
  results[name] = { testMse, ratio: testMse / baseline };
  rows.push([name, testMse.toFixed(5), baseline.toFixed(5), (testMse / baseline).toFixed(3), `${seconds.toFixed(1)} s`]);
  model.dispose();
  optimizer.dispose?.();
}
table(["model", "test MSE", "baseline MSE (repeat last)", "ratio", "training"], rows);
console.log(`(noise floor: σ² = ${(0.05 ** 2).toFixed(4)}; stated margin: ratio < 0.25 for every model)\n`);
nt.dispose([xTrain, yTrain, xTest]);

// ---------------------------------------------------------------- part 2: clipping

const LONG = 200;
const long = meanData(256, LONG, 3);
const xLong = nt.keep(nt.tensor(long.x, [long.n, LONG, 1]));
const yLong = nt.keep(nt.tensor(long.y, [long.n, 1]));

/** IRNN: ReLU RNN with W_hh = I and zero biases, so activity and gradients pass 200 steps undamped. */
function irnn() {
  nt.manualSeed(1);
  const model = new LastStepRegressor(new nn.RNN(1, 32, { nonlinearity: "relu", batchFirst: true }));
  nt.noGrad(() => {
    const sd = model.stateDict();
    const eye = new Float32Array(32 * 32);
    for (let i = 0; i < 32; i++) eye[i * 33] = 1;
    sd["rnn.weight_hh_l0"].copy_(nt.tensor(eye, [32, 32]));
    sd["rnn.bias_ih_l0"].zero_();
    sd["rnn.bias_hh_l0"].zero_();
  });
  return model;
}

/**
 * Plain SGD over fixed batches (no shuffling, so both runs see the same data in the same order),
 * optionally clipping the global gradient norm (nn.utils.clipGradNorm_, which fit's clipGradNorm
 * option calls too). Keeps going after a NaN so the table shows what happens.
 */
function trainLong(model, clipGradNorm, epochs, lr, batch) {
  const params = model.parameters();
  const optimizer = new nt.optim.SGD(params, { lr });
  const perEpoch = [];
  const firstBatches = [];
  const firstNorms = [];
  for (let e = 0; e < epochs; e++) {
    let sum = 0;
    for (let i = 0; i < long.n; i += batch) {
      sum += nt.scope(() => {
        const n = Math.min(batch, long.n - i);
        const x = nt.tensor(long.x.subarray(i * LONG, (i + n) * LONG), [n, LONG, 1]);
        const y = nt.tensor(long.y.subarray(i, i + n), [n, 1]);
        const loss = nt.mseLoss(model(x), y);
        loss.backward();
        // the norm before clipping (with maxNorm Infinity nothing is scaled)
        const norm = nn.utils.clipGradNorm_(params, clipGradNorm ?? Infinity);
        if (firstNorms.length < 4) firstNorms.push(norm);
        optimizer.step();
        optimizer.zeroGrad();
        if (firstBatches.length < 4) firstBatches.push(loss.item());
        return loss.item() * n;
      });
    }
    perEpoch.push(sum / long.n);
  }
  return { losses: perEpoch, firstBatches, firstNorms };
}

const EPOCHS = 5;
const show = (l) => (Number.isFinite(l) && Math.abs(l) < 1e4 ? l.toFixed(4) : Number.isFinite(l) ? l.toExponential(1) : String(l));
console.log(`Part 2: ReLU RNN (identity recurrent weights) on ${long.n} sequences of ${LONG} steps, target = their mean; SGD lr 0.05, batch 16\n`);
const clip = {};
const clipRows = [];
const batchRows = [];
for (const [name, maxNorm] of [["no clipping", undefined], ["clipGradNorm_ 1", 1]]) {
  const model = irnn();
  const { losses, firstBatches, firstNorms } = trainLong(model, maxNorm, EPOCHS, 0.05, 16);
  const final = losses[losses.length - 1];
  clip[name] = { losses, firstBatches, firstNorms, final, diverged: !(final < 1) };
  clipRows.push([name, ...losses.map(show)]);
  batchRows.push([name, firstBatches.map(show).join(", "), firstNorms.map(show).join(", ")]);
  model.dispose();
}
table(["training loss", ...clip["no clipping"].losses.map((_, i) => `epoch ${i + 1}`)], clipRows);
console.log();
table(["first 4 batches", "loss", "gradient norm (before clipping)"], batchRows);
console.log(`(predicting the mean target for every sequence gives MSE ${long.variance.toFixed(4)})\n`);
nt.dispose([xLong, yLong]);

console.log(JSON.stringify({ baseline, results, clipping: clip, targetVariance: long.variance }));
