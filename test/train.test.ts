// fit / evaluate / predict and callbacks through the public API.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";
import { Shuffler } from "../src/train/shuffle";
import { loadCore } from "./kernels/harness";

const { nn } = nt;

interface Opt {
  paramGroups: { lr: number }[];
  zeroGrad(): void;
  step(): void;
}

/** optim.SGD when it exists, else a minimal SGD (p -= lr·grad under noGrad; zeroGrad drops the grads). */
function sgd(params: Tensor[], lr: number): Opt {
  const SGD = (nt.optim as any).SGD;
  if (typeof SGD === "function") return new SGD(params, { lr });
  const group = { params, lr };
  return {
    paramGroups: [group],
    zeroGrad() {
      for (const p of params) {
        p.grad?.dispose();
        p.grad = null;
      }
    },
    step() {
      nt.noGrad(() => {
        for (const p of params) if (p.grad) p.sub_(p.grad, group.lr);
      });
    },
  };
}

/** Adam when it exists (stateful: its moments must not leak either), else sgd. */
function adamOrSgd(params: Tensor[], lr: number): Opt {
  const Adam = (nt.optim as any).Adam;
  return typeof Adam === "function" ? new Adam(params, { lr }) : sgd(params, lr);
}

function mlp(inF: number, hidden: number, outF: number, seed = 0) {
  nt.manualSeed(seed);
  return new nn.Sequential(new nn.Linear(inF, hidden), new nn.ReLU(), new nn.Linear(hidden, outF));
}

/** A small classification set: 3 Gaussian blobs in 2-D, labels 0..2 (kept: lives until disposed). */
function blobs(n: number, seed = 1): { x: Tensor; y: Tensor } {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const xs = new Float32Array(n * 2);
  const ys = new Float32Array(n);
  const centers = [[0, 2], [2, -1], [-2, -1]];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    ys[i] = c;
    xs[2 * i] = centers[c][0] + (rnd() - 0.5);
    xs[2 * i + 1] = centers[c][1] + (rnd() - 0.5);
  }
  return { x: nt.keep(nt.tensor(xs, [n, 2])), y: nt.keep(nt.tensor(ys, [n])) };
}

const params = (m: nt.nn.Module) => m.parameters().map((p) => Array.from(p.data()));

describe("fit", () => {
  it("learns XOR with a 2-layer ReLU net", async () => {
    const model = mlp(2, 16, 2, 3);
    const x = nt.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = nt.tensor([0, 1, 1, 0]);
    const h = await nt.fit(model, {
      x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 600, batchSize: 4, metrics: ["accuracy"],
    });
    expect(h.history.loss.at(-1)!).toBeLessThan(0.1);
    expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[0] / 5);
    expect(h.history.accuracy.at(-1)).toBe(1);
    const ev = nt.evaluate(model, x, y, { loss: new nn.CrossEntropyLoss(), metrics: ["accuracy"] });
    expect(ev.accuracy).toBe(1);
    nt.scope(() => expect(nt.argmax(nt.predict(model, x), 1).toArray()).toEqual([0, 1, 1, 0]));
    nt.dispose([x, y]);
    model.dispose();
  });

  it("history: epochs from 0, one value per epoch for loss, metrics and their val_ versions", async () => {
    const { x, y } = blobs(30);
    const { x: vx, y: vy } = blobs(12, 7);
    const model = mlp(2, 8, 3);
    const h = await nt.fit(model, {
      x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.05), epochs: 3, batchSize: 8,
      metrics: ["accuracy"], validationData: [vx, vy],
    });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(Object.keys(h.history).sort()).toEqual(["accuracy", "loss", "val_accuracy", "val_loss"]);
    for (const v of Object.values(h.history)) {
      expect(v.length).toBe(3);
      for (const e of v) expect(Number.isFinite(e)).toBe(true);
    }
    // without validation there are no val_ keys; zero epochs give empty lists
    const h0 = await nt.fit(model, { x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.05), epochs: 0 });
    expect(h0).toEqual({ epoch: [], history: { loss: [] } });
    // val_ values are evaluate() on the validation data with the weights at the end of the epoch
    const h1 = await nt.fit(model, {
      x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.05), epochs: 1, batchSize: 8,
      metrics: ["accuracy"], validationData: [vx, vy],
    });
    const ev = nt.evaluate(model, vx, vy, { loss: new nn.CrossEntropyLoss(), metrics: ["accuracy"], batchSize: 8 });
    expect(h1.history.val_loss[0]).toBeCloseTo(ev.loss, 6);
    expect(h1.history.val_accuracy[0]).toBe(ev.accuracy);
    nt.dispose([x, y, vx, vy]);
    model.dispose();
  });

  it("validationSplit holds out the last rows (before shuffling) and never trains on them", async () => {
    const x = nt.keep(nt.arange(10).reshape(10, 1));
    const y = nt.keep(nt.arange(10).reshape(10, 1));
    const model = new nn.Sequential(new nn.Linear(1, 1));
    const trainTargets = new Set<number>();
    const valTargets = new Set<number>();
    const loss = (p: Tensor, t: Tensor) => {
      for (const v of t.data()) (nt.isGradEnabled() ? trainTargets : valTargets).add(v);
      return nt.mseLoss(p, t);
    };
    const h = await nt.fit(model, { x, y, loss, optimizer: sgd(model.parameters(), 0.001), epochs: 2, batchSize: 3, validationSplit: 0.25 });
    // Keras: split_at = floor(10 * 0.75) = 7, so rows 7, 8, 9 are validation rows
    expect([...trainTargets].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([...valTargets].sort((a, b) => a - b)).toEqual([7, 8, 9]);
    expect(h.history.val_loss.length).toBe(2);
    const last = nt.evaluate(model, nt.keep(nt.tensor([[7], [8], [9]])), nt.keep(nt.tensor([[7], [8], [9]])), { loss: nt.mseLoss });
    expect(h.history.val_loss[1]).toBeCloseTo(last.loss, 5);
    await expect(nt.fit(model, { x, y, loss, optimizer: sgd(model.parameters(), 0), validationSplit: 1e-17 })).rejects.toThrow(
      "fit: validationSplit 1e-17 of 10 rows leaves no validation rows",
    );
    nt.dispose([x, y]);
    model.dispose();
  });

  it("the partial last batch counts by its rows: epoch loss is the sample-weighted mean of batch losses", async () => {
    // 10 samples, batch 4: batches of 4, 4 and 2 rows.
    const x = nt.keep(nt.tensor(Array.from({ length: 10 }, (_, i) => [i / 10, 1 - i / 10])));
    const y = nt.keep(nt.tensor(Array.from({ length: 10 }, (_, i) => [i % 3])));
    const model = new nn.Sequential(new nn.Linear(2, 1));
    // lr 0: the weights stay put, so every batch loss can be recomputed by hand afterwards.
    const batches: { size: number; loss: number }[] = [];
    const h = await nt.fit(model, {
      x, y, loss: new nn.MSELoss(), optimizer: sgd(model.parameters(), 0), epochs: 1, batchSize: 4, shuffle: false,
      callbacks: [{ onBatchEnd: (_b, logs) => void batches.push({ size: logs.size, loss: logs.loss }) }],
    });
    expect(batches.map((b) => b.size)).toEqual([4, 4, 2]);
    const manual = nt.scope(() =>
      [[0, 4], [4, 8], [8, 10]].map(([a, b]) => {
        const idx = nt.arange(a, b);
        return nt.mseLoss(model(nt.indexSelect(x, 0, idx)), nt.indexSelect(y, 0, idx)).item();
      }),
    );
    batches.forEach((b, i) => expect(b.loss).toBeCloseTo(manual[i], 6));
    const weighted = (4 * manual[0] + 4 * manual[1] + 2 * manual[2]) / 10;
    expect(h.history.loss[0]).toBeCloseTo(weighted, 6);
    // (and not the plain mean of the three batch losses)
    expect(Math.abs(weighted - (manual[0] + manual[1] + manual[2]) / 3)).toBeGreaterThan(1e-3);

    // While training (lr > 0) the epoch loss is still the weighted mean of the batch losses logged.
    batches.length = 0;
    const h2 = await nt.fit(model, {
      x, y, loss: new nn.MSELoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 1, batchSize: 4, seed: 3,
      callbacks: [{ onBatchEnd: (_b, logs) => void batches.push({ size: logs.size, loss: logs.loss }) }],
    });
    expect(h2.history.loss[0]).toBeCloseTo(batches.reduce((s, b) => s + b.size * b.loss, 0) / 10, 6);
    nt.dispose([x, y]);
    model.dispose();
  });

  describe("shuffling", () => {
    /** The target values (= row numbers) in the order training saw them, per epoch. */
    async function order(options: { seed?: number; shuffle?: boolean; epochs?: number; beforeFit?: () => void }): Promise<number[][]> {
      const n = 23;
      const x = nt.keep(nt.zeros([n, 1]));
      const y = nt.keep(nt.arange(n).reshape(n, 1));
      const model = new nn.Sequential(new nn.Linear(1, 1));
      const seen: number[][] = [];
      const loss = (p: Tensor, t: Tensor) => {
        seen[seen.length - 1].push(...t.data());
        return nt.mseLoss(p, t);
      };
      options.beforeFit?.();
      await nt.fit(model, {
        x, y, loss, optimizer: sgd(model.parameters(), 0), epochs: options.epochs ?? 2, batchSize: 5, seed: options.seed,
        shuffle: options.shuffle, callbacks: [{ onEpochBegin: () => void seen.push([]) }],
      });
      nt.dispose([x, y]);
      model.dispose();
      return seen;
    }

    it("the same seed gives the same order; different seeds and epochs differ; every row once per epoch", async () => {
      const a = await order({ seed: 42 });
      const b = await order({ seed: 42 });
      const c = await order({ seed: 43 });
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
      expect(a[0]).not.toEqual(a[1]);
      for (const epoch of [...a, ...c]) expect([...epoch].sort((p, q) => p - q)).toEqual([...Array(23).keys()]);
    });

    it("shuffle: false keeps the row order", async () => {
      expect(await order({ shuffle: false })).toEqual([[...Array(23).keys()], [...Array(23).keys()]]);
    });

    it("without a seed the order follows manualSeed (one draw from the core's stream)", async () => {
      const a = await order({ beforeFit: () => nt.manualSeed(5) });
      const b = await order({ beforeFit: () => nt.manualSeed(5) });
      const c = await order({ beforeFit: () => nt.manualSeed(6) });
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
    });

    it("epoch k's order is the core's k-th rng_permutation_f32 after rng_seed(seed), in any runtime", async () => {
      const core = loadCore();
      core.exports.rng_seed(1234);
      const expected: number[][] = [];
      for (let e = 0; e < 3; e++) {
        const p = core.empty(23);
        core.exports.rng_permutation_f32(p, 23);
        expected.push(Array.from(core.get(p, 23)));
      }
      expect(await order({ seed: 1234, epochs: 3 })).toEqual(expected);
      // and the TypeScript stream matches the core's word for word over large ranges
      for (const [seed, n] of [[0, 1], [7, 2], [99, 1000], [2 ** 32 - 1, 70000]] as const) {
        core.exports.rng_seed(seed >>> 0);
        const p = core.empty(n);
        core.exports.rng_permutation_f32(p, n);
        const mine = new Float32Array(n);
        new Shuffler(seed).permutation(mine, n);
        expect(mine).toEqual(core.get(p, n));
      }
      core.reset();
    });
  });

  describe("callbacks", () => {
    it("run in order with 0-based epochs and batches, and see the epoch logs", async () => {
      const { x, y } = blobs(10);
      const model = mlp(2, 4, 3);
      const events: string[] = [];
      const epochLogs: Record<string, number>[] = [];
      let seenModel: unknown = null;
      const cb: nt.Callback = {
        setModel: (m) => void (seenModel = m),
        onTrainBegin: () => void events.push("trainBegin"),
        onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
        onBatchEnd: (b, logs) => void events.push(`batchEnd ${b} size ${logs.size} batch ${logs.batch} ${"accuracy" in logs}`),
        onEpochEnd: (e, logs) => {
          events.push(`epochEnd ${e}`);
          epochLogs.push({ ...logs });
        },
        onTrainEnd: () => void events.push("trainEnd"),
      };
      const h = await nt.fit(model, {
        x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 2, batchSize: 4,
        metrics: ["accuracy"], validationSplit: 0.2, callbacks: [cb],
      });
      expect(seenModel).toBe(model);
      expect(events).toEqual([
        "trainBegin",
        "epochBegin 0", "batchEnd 0 size 4 batch 0 true", "batchEnd 1 size 4 batch 1 true", "epochEnd 0",
        "epochBegin 1", "batchEnd 0 size 4 batch 0 true", "batchEnd 1 size 4 batch 1 true", "epochEnd 1",
        "trainEnd",
      ]);
      expect(epochLogs.map((l) => Object.keys(l).sort())).toEqual([
        ["accuracy", "loss", "val_accuracy", "val_loss"], ["accuracy", "loss", "val_accuracy", "val_loss"],
      ]);
      expect(epochLogs.map((l) => l.loss)).toEqual(h.history.loss);
      nt.dispose([x, y]);
      model.dispose();
    });

    it("returning false from onBatchEnd stops after that batch (the partial epoch is recorded)", async () => {
      const { x, y } = blobs(12);
      const model = mlp(2, 4, 3);
      let batches = 0;
      let ended = 0;
      const h = await nt.fit(model, {
        x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 5, batchSize: 4,
        callbacks: [{
          onBatchEnd: (b) => {
            batches++;
            return batches === 5 ? false : undefined; // epoch 1, batch 1
          },
          onTrainEnd: () => void ended++,
        }],
      });
      expect(batches).toBe(5);
      expect(h.epoch).toEqual([0, 1]);
      expect(ended).toBe(1);
      nt.dispose([x, y]);
      model.dispose();
    });

    it("returning false (or a Promise of false) from onEpochEnd stops after that epoch; other callbacks still run", async () => {
      const { x, y } = blobs(8);
      const model = mlp(2, 4, 3);
      const later: number[] = [];
      const h = await nt.fit(model, {
        x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 10, batchSize: 4,
        callbacks: [
          { onEpochEnd: async (e) => (e === 2 ? false : true) },
          { onEpochEnd: (e) => void later.push(e) },
        ],
      });
      expect(h.epoch).toEqual([0, 1, 2]);
      expect(later).toEqual([0, 1, 2]);
      const h2 = await nt.fit(model, {
        x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 10,
        callbacks: [{ onEpochBegin: (e) => e !== 1 }],
      });
      expect(h2.epoch).toEqual([0]);
      nt.dispose([x, y]);
      model.dispose();
    });
  });

  describe("earlyStopping", () => {
    /** A metric that reports a scripted value per epoch (one batch per epoch). */
    function scripted(values: number[], name: string) {
      let call = 0;
      const f = { [name]: (_p: Tensor, _t: Tensor) => values[Math.min(call++, values.length - 1)] }[name];
      return f;
    }

    it("stops after `patience` epochs without improvement and restores the best epoch's weights", async () => {
      const { x, y } = blobs(6);
      const model = mlp(2, 4, 3);
      const snapshots: number[][][] = [];
      const es = nt.earlyStopping({ monitor: "score", patience: 2, restoreBestWeights: true });
      const optimizer = sgd(model.parameters(), 0.2);
      await nt.fit(model, { x, y, loss: new nn.CrossEntropyLoss(), optimizer, epochs: 1 }); // gradients exist from here on
      const before = nt.memory();
      const h = await nt.fit(model, {
        x, y, loss: new nn.CrossEntropyLoss(), optimizer, epochs: 20, batchSize: 6,
        metrics: [scripted([5, 4, 4.5, 4.2, 3, 1], "score")],
        callbacks: [{ onEpochEnd: () => void snapshots.push(params(model)) }, es],
      });
      // best 4 at epoch 1; epochs 2 and 3 do not improve -> stop at epoch 3
      expect(h.epoch).toEqual([0, 1, 2, 3]);
      expect(h.history.score).toEqual([5, 4, 4.5, 4.2]);
      expect(es.bestEpoch).toBe(1);
      expect(es.best).toBe(4);
      expect(es.stoppedEpoch).toBe(3);
      expect(params(model)).toEqual(snapshots[1]);
      expect(params(model)).not.toEqual(snapshots[3]);
      // the weight copies are freed at the end of training
      expect(nt.memory().numTensors).toBe(before.numTensors);
      nt.dispose([x, y]);
      model.dispose();
    });

    it("minDelta, mode auto (max for *acc*), patience 0, and without restoring", async () => {
      const { x, y } = blobs(6);
      const model = mlp(2, 4, 3);
      const run = async (values: number[], name: string, opts: nt.EarlyStoppingOptions) => {
        const es = nt.earlyStopping({ monitor: name, ...opts });
        const h = await nt.fit(model, {
          x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 10, batchSize: 6,
          metrics: [scripted(values, name)], callbacks: [es],
        });
        return h.epoch.length;
      };
      // min mode: 1.0 -> 0.95 is not an improvement of more than 0.1 -> stops at epoch 1
      expect(await run([1, 0.95, 0.5], "err", { minDelta: 0.1 })).toBe(2);
      expect(await run([1, 0.95, 0.5, 0.49], "err", { minDelta: 0.01, patience: 0 })).toBe(4);
      // auto -> max for a key containing "acc": rising values keep going, the first fall stops
      expect(await run([0.5, 0.6, 0.7, 0.65, 0.9], "myAcc", {})).toBe(4);
      expect(await run([0.5, 0.6, 0.7, 0.65, 0.9], "myAcc", { mode: "min" })).toBe(2);
      const weights = params(model);
      expect(await run([3, 2, 5, 6], "err", { patience: 1 })).toBe(3);
      expect(params(model)).not.toEqual(weights); // no restore: the last weights stay
      nt.dispose([x, y]);
      model.dispose();
    });

    it("monitoring val_loss without validation data is an error naming the key", async () => {
      const { x, y } = blobs(6);
      const model = mlp(2, 4, 3);
      await expect(
        nt.fit(model, { x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), callbacks: [nt.earlyStopping()] }),
      ).rejects.toThrow('earlyStopping: monitor "val_loss" is not in the epoch logs (available: loss); pass validationData or validationSplit to fit');
      expect(() => nt.earlyStopping({ patience: -1 })).toThrow(/patience must be an integer >= 0/);
      nt.dispose([x, y]);
      model.dispose();
    });

    it("works on real val_loss with restoreBestWeights", async () => {
      const { x, y } = blobs(60);
      const model = mlp(2, 8, 3);
      const es = nt.earlyStopping({ patience: 3, restoreBestWeights: true });
      const valLosses: number[] = [];
      const h = await nt.fit(model, {
        x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 2.5), epochs: 40, batchSize: 8,
        validationSplit: 0.3, callbacks: [es, { onEpochEnd: (_e, l) => void valLosses.push(l.val_loss) }],
      });
      const best = Math.min(...h.history.val_loss);
      expect(es.best).toBe(best);
      expect(h.history.val_loss[es.bestEpoch]).toBe(best);
      // after restoring, evaluating the validation rows gives the best val_loss again
      const vx = nt.keep(nt.indexSelect(x, 0, nt.arange(42, 60)));
      const vy = nt.keep(nt.indexSelect(y, 0, nt.arange(42, 60)));
      expect(nt.evaluate(model, vx, vy, { loss: new nn.CrossEntropyLoss(), batchSize: 8 }).loss).toBeCloseTo(best, 5);
      nt.dispose([x, y, vx, vy]);
      model.dispose();
    });
  });

  describe("failures", () => {
    it("a NaN loss rejects naming the epoch and batch, before that update", async () => {
      const { x, y } = blobs(12);
      const model = mlp(2, 4, 3);
      let calls = 0;
      const loss = (p: Tensor, t: Tensor) => {
        calls++;
        const l = nt.crossEntropy(p, t);
        return calls === 3 * 2 + 2 ? l.mul(NaN) : l; // epoch 2 (3 batches per epoch), batch 1
      };
      let endCalls = 0;
      const optimizer = sgd(model.parameters(), 0.1);
      await nt.fit(model, { x, y, loss: nt.crossEntropy, optimizer, epochs: 1 }); // gradients exist from here on
      const before = nt.memory().numTensors;
      let lastGood: number[][] = [];
      await expect(
        nt.fit(model, {
          x, y, loss, optimizer, epochs: 5, batchSize: 4,
          callbacks: [{ onBatchEnd: () => void (lastGood = params(model)), onTrainEnd: () => void endCalls++ }],
        }),
      ).rejects.toThrow("fit: loss is NaN at epoch 2, batch 1");
      expect(endCalls).toBe(1);
      expect(model.training).toBe(true);
      expect(params(model)).toEqual(lastGood); // the NaN batch changed nothing
      expect(nt.memory().numTensors).toBe(before);
      nt.dispose([x, y]);
      model.dispose();
    });

    it("a diverging optimizer (huge lr) stops with the same kind of error", async () => {
      const x = nt.keep(nt.randn([16, 3]));
      const y = nt.keep(nt.randn([16, 1]));
      const model = new nn.Sequential(new nn.Linear(3, 1));
      await expect(
        nt.fit(model, { x, y, loss: new nn.MSELoss(), optimizer: sgd(model.parameters(), 1e18), epochs: 50, batchSize: 4 }),
      ).rejects.toThrow(/^fit: loss is (NaN|Infinity) at epoch \d+, batch \d+$/);
      nt.dispose([x, y]);
      model.dispose();
    });

    it("bad options give clear errors", async () => {
      const { x, y } = blobs(6);
      const model = mlp(2, 4, 3);
      const loss = new nn.CrossEntropyLoss();
      const optimizer = sgd(model.parameters(), 0.1);
      const bad = (o: object) => nt.fit(model, { x, y, loss, optimizer, ...o } as nt.FitOptions);
      await expect(bad({ x: undefined })).rejects.toThrow("fit: options.x (the inputs, a Tensor) is required");
      await expect(bad({ y: undefined })).rejects.toThrow("fit: options.y (the targets, a Tensor) is required");
      await expect(bad({ y: nt.keep(nt.zeros([5])) })).rejects.toThrow("fit: x [6, 2] and y [5] must have the same number of rows (first dim)");
      await expect(bad({ batchSize: 0 })).rejects.toThrow("fit: batchSize must be a positive integer, got number 0");
      await expect(bad({ batchSize: 2.5 })).rejects.toThrow(/batchSize must be a positive integer/);
      await expect(bad({ epochs: -1 })).rejects.toThrow(/epochs must be an integer >= 0/);
      await expect(bad({ loss: undefined })).rejects.toThrow(/fit: loss must be a loss module/);
      await expect(bad({ optimizer: {} })).rejects.toThrow(/fit: optimizer must have step\(\) and zeroGrad\(\)/);
      await expect(bad({ metrics: ["acc"] })).rejects.toThrow(/fit: unknown metric "acc" \(known: accuracy, binaryAccuracy, mse, mae/);
      await expect(bad({ validationSplit: 1 })).rejects.toThrow(/validationSplit must be in \[0, 1\)/);
      await expect(bad({ validationSplit: 0.5, validationData: [x, y] })).rejects.toThrow(/either validationSplit or validationData/);
      await expect(bad({ validationData: [nt.keep(nt.zeros([3, 5])), y] })).rejects.toThrow(/validationData\[0\] \[3, 5\] and validationData\[1\] \[6\] must have the same number of rows/);
      await expect(bad({ x: nt.keep(nt.zeros([0, 2])), y: nt.keep(nt.zeros([0])) })).rejects.toThrow("fit: no training rows (x [0, 2])");
      await expect(bad({ clipGradNorm: 0 })).rejects.toThrow(/clipGradNorm must be a positive number/);
      await expect(bad({ signal: {} })).rejects.toThrow(/signal must be an AbortSignal/);
      await expect(nt.fit({} as never, { x, y, loss, optimizer })).rejects.toThrow(/fit: model must be an nn.Module/);
      await expect(bad({ loss: (p: Tensor) => p })).rejects.toThrow(/fit: the loss must be a scalar/);
      expect(() => nt.evaluate(model, x, y)).toThrow(/evaluate: give a loss or at least one metric/);
      expect(() => nt.predict(model, x, { batchSize: -2 })).toThrow(/predict: batchSize must be a positive integer/);
      nt.dispose([x, y]);
      model.dispose();
    });
  });

  describe("AbortSignal", () => {
    it("aborting stops after the current batch and rejects with an AbortError carrying the partial history", async () => {
      const { x, y } = blobs(12);
      const model = mlp(2, 4, 3);
      const ac = new AbortController();
      let batches = 0;
      let ended = 0;
      const err = await nt
        .fit(model, {
          x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 10, batchSize: 4, signal: ac.signal,
          callbacks: [{ onBatchEnd: (b) => void (++batches === 5 && ac.abort()), onTrainEnd: () => void ended++ }],
        })
        .then(() => null, (e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe("AbortError");
      expect(err.message).toBe("fit: aborted at epoch 1, batch 1");
      expect(err.history.epoch).toEqual([0]);
      expect(err.history.history.loss.length).toBe(1);
      expect(err.cause).toBe(ac.signal.reason);
      expect(batches).toBe(5);
      expect(ended).toBe(1);
      nt.dispose([x, y]);
      model.dispose();
    });

    it("an abort from a timer lands while fit runs (fit yields to the event loop)", async () => {
      const { x, y } = blobs(30);
      const model = mlp(2, 4, 3);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 20);
      const t0 = performance.now();
      const p = nt.fit(model, {
        x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.01), epochs: 1e6, batchSize: 3,
        signal: ac.signal, yieldEvery: 5,
      });
      await expect(p).rejects.toMatchObject({ name: "AbortError" });
      expect(performance.now() - t0).toBeLessThan(5000);
      nt.dispose([x, y]);
      model.dispose();
    });

    it("an already aborted signal rejects before any training", async () => {
      const { x, y } = blobs(6);
      const model = mlp(2, 4, 3);
      const w = params(model);
      let hooks = 0;
      await expect(
        nt.fit(model, {
          x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), signal: AbortSignal.abort(),
          callbacks: [{ onTrainBegin: () => void hooks++, onTrainEnd: () => void hooks++ }],
        }),
      ).rejects.toThrow("fit: aborted before training");
      expect(hooks).toBe(0);
      expect(params(model)).toEqual(w);
      nt.dispose([x, y]);
      model.dispose();
    });
  });

  it("memory after 50 epochs equals memory after 1 (validation, metrics, clipping, callbacks)", async () => {
    const { x, y } = blobs(50);
    nt.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(16, 3));
    const optimizer = adamOrSgd(model.parameters(), 0.01);
    const perEpoch: { numTensors: number; numBytes: number }[] = [];
    const h = await nt.fit(model, {
      x, y, loss: new nn.CrossEntropyLoss(), optimizer, epochs: 50, batchSize: 16, metrics: ["accuracy"],
      validationSplit: 0.2, clipGradNorm: 1, clipGradValue: 0.5, callbacks: [{
        onEpochEnd: () => {
          const m = nt.memory();
          perEpoch.push({ numTensors: m.numTensors, numBytes: m.numBytes });
        },
      }],
    });
    expect(h.epoch.length).toBe(50);
    for (const m of perEpoch) expect(m).toEqual(perEpoch[0]);
    const after50 = nt.memory();
    await nt.fit(model, { x, y, loss: new nn.CrossEntropyLoss(), optimizer, epochs: 1, batchSize: 16, validationSplit: 0.2, metrics: ["accuracy"] });
    expect(nt.memory().numTensors).toBe(after50.numTensors);
    expect(nt.memory().numBytes).toBe(after50.numBytes);
    nt.dispose([x, y]);
    model.dispose();
  });

  it("the model trains in train() mode, validates in eval() mode under noGrad, and gets its modes back", async () => {
    class Probe extends nn.Module {
      seen: string[] = [];
      lin = this.registerModule("lin", new nn.Linear(2, 3)) as nt.nn.Linear;
      forward(x: Tensor) {
        this.seen.push(`${this.training ? "train" : "eval"}/${nt.isGradEnabled() ? "grad" : "noGrad"}`);
        return this.lin(x);
      }
    }
    const { x, y } = blobs(6);
    const model = new Probe();
    model.eval();
    model.lin.training = true; // a mixed state must come back as it was
    await nt.fit(model, { x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 1, batchSize: 4, validationData: [x, y] });
    expect(model.seen).toEqual(["train/grad", "train/grad", "eval/noGrad", "eval/noGrad"]);
    expect(model.training).toBe(false);
    expect(model.lin.training).toBe(true);
    model.seen = [];
    model.train();
    nt.evaluate(model, x, y, { metrics: ["accuracy"], batchSize: 4 });
    nt.scope(() => nt.predict(model, x));
    expect(model.seen).toEqual(["eval/noGrad", "eval/noGrad", "eval/noGrad"]);
    expect(model.training).toBe(true);
    nt.dispose([x, y]);
    model.dispose();
  });

  it("clipGradNorm and clipGradValue bound the gradients the optimizer sees", async () => {
    const x = nt.keep(nt.randn([8, 3]).mul(10));
    const y = nt.keep(nt.randn([8, 2]).mul(10));
    const model = new nn.Sequential(new nn.Linear(3, 2));
    const ps = model.parameters();
    const inner = sgd(ps, 0.001);
    const norms: number[] = [];
    const maxAbs: number[] = [];
    const optimizer = {
      zeroGrad: () => inner.zeroGrad(),
      step() {
        let sq = 0;
        let mx = 0;
        for (const p of ps) for (const v of p.grad!.data()) (sq += v * v), (mx = Math.max(mx, Math.abs(v)));
        norms.push(Math.sqrt(sq));
        maxAbs.push(mx);
        inner.step();
      },
    };
    await nt.fit(model, { x, y, loss: new nn.MSELoss(), optimizer, epochs: 3, batchSize: 4, clipGradNorm: 0.5 });
    for (const n of norms) expect(n).toBeLessThanOrEqual(0.5 + 1e-5);
    expect(Math.max(...norms)).toBeGreaterThan(0.49); // the raw gradients were larger: clipping happened
    await nt.fit(model, { x, y, loss: new nn.MSELoss(), optimizer, epochs: 3, batchSize: 4, clipGradValue: 0.1 });
    for (const m of maxAbs.slice(6)) expect(m).toBeLessThanOrEqual(0.1 + 1e-7);
    nt.dispose([x, y]);
    model.dispose();
  });

  it("steps the scheduler once per epoch; plateau schedulers get val_loss", async () => {
    const { x, y } = blobs(10);
    const model = mlp(2, 4, 3);
    const calls: (number | undefined)[][] = [];
    const plain = { step: (...a: (number | undefined)[]) => void calls.push(a) };
    await nt.fit(model, { x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 3, scheduler: plain });
    expect(calls).toEqual([[], [], []]);
    class ReduceLROnPlateau {
      seen: number[] = [];
      step(metric?: number) {
        this.seen.push(metric!);
      }
    }
    const plateau = new ReduceLROnPlateau();
    const h = await nt.fit(model, {
      x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 2, validationSplit: 0.3, scheduler: plateau,
    });
    expect(plateau.seen).toEqual(h.history.val_loss);
    const p2 = { stepWithMetric: true, seen: [] as number[], step(m?: number) { this.seen.push(m!); } };
    const h2 = await nt.fit(model, {
      x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 2, scheduler: p2, schedulerMonitor: "accuracy", metrics: ["accuracy"],
    });
    expect(p2.seen).toEqual(h2.history.accuracy);
    await expect(
      nt.fit(model, { x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), scheduler: p2, schedulerMonitor: "val_loss" }),
    ).rejects.toThrow('fit: schedulerMonitor "val_loss" is not in the epoch logs (available: loss)');
    // optim's own schedulers, when present: StepLR steps per epoch, ReduceLROnPlateau reads val_loss
    const { StepLR, ReduceLROnPlateau: RealPlateau } = nt.optim as any;
    if (typeof StepLR === "function" && typeof RealPlateau === "function") {
      const opt = sgd(model.parameters(), 1);
      const sched = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
      await nt.fit(model, { x, y, loss: new nn.CrossEntropyLoss(), optimizer: opt, epochs: 3, scheduler: sched });
      expect(opt.paramGroups[0].lr).toBeCloseTo(0.125, 12);
      const opt2 = sgd(model.parameters(), 1e-3);
      const rp = new RealPlateau(opt2, { patience: 0, factor: 0.5, threshold: 0.5 });
      await nt.fit(model, { x, y, loss: new nn.CrossEntropyLoss(), optimizer: opt2, epochs: 3, validationSplit: 0.3, scheduler: rp });
      // lr 1e-3: val_loss never halves (threshold 0.5), so epochs 1 and 2 are plateaus and halve the lr twice
      expect(opt2.paramGroups[0].lr).toBeCloseTo(0.25e-3, 12);
    }
    nt.dispose([x, y]);
    model.dispose();
  });

  it("lets timers run during a long fit (yields to the event loop), and not when yieldEvery is large", async () => {
    const { x, y } = blobs(30);
    const model = mlp(2, 4, 3);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const t0 = performance.now();
    let during = 0;
    await nt.fit(model, {
      x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.01), batchSize: 3, yieldEvery: 2,
      epochs: 10000, callbacks: [{ onEpochEnd: () => (during = ticks, performance.now() - t0 < 100) }],
    });
    clearInterval(timer);
    expect(during).toBeGreaterThan(3);
    nt.dispose([x, y]);
    model.dispose();
  });
});

describe("fit output", () => {
  it("verbose: 1 prints one line per epoch with every log value, and a summary", async () => {
    const { x, y } = blobs(9);
    const model = mlp(2, 4, 3);
    const lines: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(" "));
    try {
      await nt.fit(model, {
        x, y, loss: new nn.CrossEntropyLoss(), optimizer: sgd(model.parameters(), 0.1), epochs: 2, verbose: 1,
        metrics: ["accuracy"], validationSplit: 0.34,
      });
    } finally {
      console.log = orig;
    }
    expect(lines.length).toBe(3);
    expect(lines[0]).toMatch(/^Epoch 1\/2 - [\d.]+s - loss: [\d.e+-]+ - accuracy: [\d.]+ - val_loss: [\d.e+-]+ - val_accuracy: [\d.]+$/);
    expect(lines[1]).toMatch(/^Epoch 2\/2 /);
    expect(lines[2]).toMatch(/^fit: 2 epoch\(s\) in [\d.]+s$/);
    nt.dispose([x, y]);
    model.dispose();
  });
});

describe("evaluate and predict", () => {
  it("batched results equal unbatched ones", async () => {
    const { x, y } = blobs(23);
    const model = mlp(2, 8, 3, 4);
    const loss = new nn.CrossEntropyLoss();
    const full = nt.scope(() => {
      const out = model(x);
      return { loss: loss(out, y).item(), accuracy: nt.metrics.accuracy(out, y), data: out.data() };
    });
    for (const batchSize of [1, 4, 5, 23, 100]) {
      const ev = nt.evaluate(model, x, y, { loss, metrics: ["accuracy"], batchSize });
      expect(Object.keys(ev)).toEqual(["loss", "accuracy"]);
      expect(ev.loss).toBeCloseTo(full.loss, 6);
      expect(ev.accuracy).toBeCloseTo(full.accuracy, 12);
      nt.scope(() => {
        const p = nt.predict(model, x, { batchSize });
        expect(p.shape).toEqual([23, 3]);
        expect(p.requiresGrad).toBe(false);
        expect(p.data()).toEqual(full.data);
      });
    }
    // predict output belongs to the caller's scope; nothing else is left behind
    const before = nt.memory().numTensors;
    const kept = nt.scope(() => nt.predict(model, x, { batchSize: 4 }));
    expect(nt.memory().numTensors).toBe(before + 1);
    kept.dispose();
    const lossOnly = nt.evaluate(model, x, y, { loss, batchSize: 7 });
    expect(Object.keys(lossOnly)).toEqual(["loss"]);
    expect(lossOnly.loss).toBeCloseTo(full.loss, 6);
    expect(Object.keys(nt.evaluate(model, x, y, { metrics: ["accuracy"] }))).toEqual(["accuracy"]);
    nt.dispose([x, y]);
    model.dispose();
  });

  it("predict on 0 rows gives an empty tensor; a model that drops the batch dim is an error", () => {
    const model = mlp(2, 4, 3);
    nt.scope(() => {
      expect(nt.predict(model, nt.zeros([0, 2])).shape).toEqual([0, 3]);
      class Bad extends nn.Module {
        forward(x: Tensor) {
          return x.sum();
        }
      }
      expect(() => nt.predict(new Bad(), nt.zeros([5, 2]), { batchSize: 2 })).toThrow(
        "predict: the model returned shape [] for a batch of 2 rows; outputs must keep the batch dim first",
      );
    });
    model.dispose();
  });
});
