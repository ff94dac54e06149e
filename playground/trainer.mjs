// The model and its training, on neurite: no DOM and no messaging, so the worker only wires
// messages to it. `nt` is the neurite module (passed in, so the same code runs in Node too).
import { featureMatrix, gridPoints } from "./features.mjs";
import { DOMAIN, rng } from "./datasets.mjs";

export const OUTPUT_RES = 160; // the decision-boundary grid, OUTPUT_RES² cells
export const NEURON_RES = 40; // each neuron's thumbnail

const ACTIVATIONS = {
  relu: (nt) => new nt.nn.ReLU(),
  tanh: (nt) => new nt.nn.Tanh(),
  sigmoid: (nt) => new nt.nn.Sigmoid(),
  leakyRelu: (nt) => new nt.nn.LeakyReLU(0.1),
  elu: (nt) => new nt.nn.ELU(),
  gelu: (nt) => new nt.nn.GELU(),
  silu: (nt) => new nt.nn.SiLU(),
  linear: (nt) => new nt.nn.Identity(),
};

const OPTIMIZERS = {
  sgd: (nt, params, lr) => new nt.optim.SGD(params, { lr }),
  momentum: (nt, params, lr) => new nt.optim.SGD(params, { lr, momentum: 0.9 }),
  adam: (nt, params, lr) => new nt.optim.Adam(params, { lr }),
  adamw: (nt, params, lr) => new nt.optim.AdamW(params, { lr }),
  rmsprop: (nt, params, lr) => new nt.optim.RMSprop(params, { lr }),
  adagrad: (nt, params, lr) => new nt.optim.Adagrad(params, { lr }),
};

export const ACTIVATION_IDS = Object.keys(ACTIVATIONS);
export const OPTIMIZER_IDS = Object.keys(OPTIMIZERS);

/**
 * One network and its data, trained epoch by epoch.
 * config: { features: string[], hidden: number[], activation, optimizer, lr, batchSize,
 *           regularization: "none" | "l1" | "l2", regRate, seed }
 * data: { train: {x, y, label}[], test: {x, y, label}[] }
 */
export class Trainer {
  constructor(nt, config, data) {
    this.nt = nt;
    this.config = { ...config };
    this.epoch = 0;
    this.history = []; // { epoch, train, test } per evaluated epoch, until drained
    this.shuffle = rng(config.seed * 7919 + 17);
    if (!ACTIVATIONS[config.activation]) throw new RangeError(`Trainer: unknown activation ${config.activation}`);
    if (!OPTIMIZERS[config.optimizer]) throw new RangeError(`Trainer: unknown optimizer ${config.optimizer}`);
    if (config.features.length === 0) throw new RangeError("Trainer: select at least one input feature");

    nt.manualSeed(config.seed);
    const f = config.features.length;
    this.linears = [];
    const modules = [];
    let width = f;
    for (const n of config.hidden) {
      const lin = new nt.nn.Linear(width, n);
      this.linears.push(lin);
      modules.push(lin, ACTIVATIONS[config.activation](nt));
      width = n;
    }
    const out = new nt.nn.Linear(width, 1);
    this.linears.push(out);
    modules.push(out);
    this.modules = modules;
    this.model = new nt.nn.Sequential(...modules);
    this.optimizer = OPTIMIZERS[config.optimizer](nt, this.model.parameters(), config.lr);

    const tensorOf = (points) => nt.tensor(featureMatrix(points, config.features), [points.length, f]);
    const labelsOf = (points) => nt.tensor(Float32Array.from(points, (p) => p.label), [points.length, 1]);
    this.nTrain = data.train.length;
    this.xTrain = tensorOf(data.train);
    this.yTrain = labelsOf(data.train);
    this.xTest = data.test.length ? tensorOf(data.test) : null;
    this.yTest = data.test.length ? labelsOf(data.test) : null;
    this.outputGrid = tensorOf(gridPoints(OUTPUT_RES, DOMAIN));
    this.neuronGrid = tensorOf(gridPoints(NEURON_RES, DOMAIN));
    this.order = Array.from({ length: this.nTrain }, (_, i) => i);
    this.evaluate();
  }

  /** Live settings that need no new network. */
  set({ lr, batchSize, regularization, regRate }) {
    if (lr !== undefined) {
      this.config.lr = lr;
      for (const g of this.optimizer.paramGroups) g.lr = lr;
    }
    if (batchSize !== undefined) this.config.batchSize = batchSize;
    if (regularization !== undefined) this.config.regularization = regularization;
    if (regRate !== undefined) this.config.regRate = regRate;
  }

  /** The weight penalty added to the training loss (weights only, not biases, as in the original playground). */
  penalty() {
    const { regularization, regRate } = this.config;
    if (regularization === "none" || !(regRate > 0)) return null;
    const nt = this.nt;
    let total = null;
    for (const lin of this.linears) {
      const term = regularization === "l1" ? nt.abs(lin.weight).sum() : lin.weight.mul(lin.weight).sum().mul(0.5);
      total = total ? total.add(term) : term;
    }
    return total.mul(regRate);
  }

  /** One pass over the shuffled training rows in mini-batches, then the losses on both sets. */
  trainEpoch() {
    const nt = this.nt;
    const order = this.order;
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.shuffle.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const bs = Math.max(1, Math.min(this.config.batchSize, this.nTrain));
    for (let start = 0; start < this.nTrain; start += bs) {
      const idx = order.slice(start, start + bs);
      nt.scope(() => {
        const x = nt.indexSelect(this.xTrain, 0, idx);
        const y = nt.indexSelect(this.yTrain, 0, idx);
        let loss = nt.bceWithLogitsLoss(this.model(x), y);
        const pen = this.penalty();
        if (pen) loss = loss.add(pen);
        loss.backward();
        this.optimizer.step();
        this.optimizer.zeroGrad();
      });
    }
    this.epoch++;
    this.evaluate();
  }

  /** Loss (mean binary cross-entropy) and accuracy on the training and test sets, recorded in history. */
  evaluate() {
    const nt = this.nt;
    const measure = (x, y) => {
      if (!x) return { loss: NaN, acc: NaN };
      return nt.noGrad(() => nt.scope(() => {
        const logits = this.model(x);
        const loss = nt.bceWithLogitsLoss(logits, y).item();
        const z = logits.data();
        const t = y.data();
        let right = 0;
        for (let i = 0; i < z.length; i++) if ((z[i] > 0 ? 1 : 0) === t[i]) right++;
        return { loss, acc: right / z.length };
      }));
    };
    const train = measure(this.xTrain, this.yTrain);
    const test = measure(this.xTest, this.yTest);
    this.last = { trainLoss: train.loss, testLoss: test.loss, trainAcc: train.acc, testAcc: test.acc };
    this.history.push({ epoch: this.epoch, train: train.loss, test: test.loss });
  }

  /**
   * What the page draws: the output probability on the OUTPUT_RES grid (mapped to [-1, 1]), every
   * hidden neuron's activation on the NEURON_RES grid (neuron-major), and the weights and biases.
   */
  snapshot() {
    const nt = this.nt;
    return nt.noGrad(() => nt.scope(() => {
      const output = new Float32Array(OUTPUT_RES * OUTPUT_RES);
      const p = nt.sigmoid(this.model(this.outputGrid)).data();
      for (let i = 0; i < output.length; i++) output[i] = 2 * p[i] - 1;

      const cells = NEURON_RES * NEURON_RES;
      const neurons = [];
      let h = this.neuronGrid;
      for (let m = 0; m < this.modules.length - 1; m++) {
        h = this.modules[m](h);
        if (m % 2 === 1) { // after each activation: one hidden layer's outputs [cells, n]
          const n = h.shape[1];
          const a = h.data();
          const layer = new Float32Array(n * cells);
          for (let c = 0; c < cells; c++) for (let j = 0; j < n; j++) layer[j * cells + c] = a[c * n + j];
          neurons.push(layer);
        }
      }
      const weights = this.linears.map((lin) => ({
        out: lin.outFeatures, in: lin.inFeatures,
        w: lin.weight.data(), b: lin.bias.data(),
      }));
      return { epoch: this.epoch, ...this.last, output, neurons, weights };
    }));
  }

  /** The history entries recorded since the last call (the page keeps the whole curve). */
  drainHistory() {
    const out = this.history;
    this.history = [];
    return out;
  }

  dispose() {
    this.optimizer.dispose();
    this.model.dispose();
    for (const t of [this.xTrain, this.yTrain, this.xTest, this.yTest, this.outputGrid, this.neuronGrid]) t?.dispose();
  }
}
