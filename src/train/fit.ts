// fit / evaluate / predict: the training loop, Keras's shape with PyTorch's parts.
//
// Each training step is one synchronous scope(): gather the batch rows (gather_rows_f32 through a
// per-epoch permutation kept in wasm memory), forward, loss, backward, optional clipping,
// optimizer.step(), optimizer.zeroGrad(). Everything the step creates dies with its scope, so
// memory after N epochs equals memory after one. The loop awaits only every `yieldEvery` ms (and for
// callbacks that return a Promise), so a step costs little beyond its kernels.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { noGrad } from "../autograd";
import { scope, keep } from "../scope";
import { Module } from "../nn/module";
import { clipGradNorm_, clipGradValue_ } from "../nn/utils";
import { fmt, describe, sameShape } from "../shape";
import { resolveMetrics, type MetricName, type MetricFn, type ResolvedMetric } from "./metrics";
import type { Callback, CallbackResult, Logs } from "./callbacks";
import { Shuffler } from "./shuffle";

/** A loss: a module such as nn.CrossEntropyLoss() or a function; it must return a scalar mean over the batch. */
export type LossFn = Module | ((pred: Tensor, target: Tensor) => Tensor);

/** What fit needs of an optimizer (every optim.* optimizer has these). */
export interface Optimizer {
  step(): void;
  zeroGrad(): void;
}

/** A learning-rate scheduler, stepped once per epoch. */
export interface Scheduler {
  step(metric?: number): void;
}

export interface FitOptions {
  x: Tensor;
  y: Tensor;
  loss: LossFn;
  optimizer: Optimizer;
  /** Passes over the training rows (default 1). */
  epochs?: number;
  /** Rows per step (default 32); the last, partial batch is used too. */
  batchSize?: number;
  /** Shuffle the training rows every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling stream; without it one is drawn from the core's RNG (so manualSeed() fixes it). */
  seed?: number;
  /** Hold out the last fraction of the rows (taken before shuffling, as Keras) for validation. */
  validationSplit?: number;
  /** Validation rows [x, y] (not together with validationSplit). */
  validationData?: [Tensor, Tensor];
  /** Rows per validation step (default batchSize). */
  validationBatchSize?: number;
  metrics?: (MetricName | MetricFn)[];
  callbacks?: Callback[];
  /**
   * Stepped once after each epoch's validation (before onEpochEnd). A ReduceLROnPlateau-style
   * scheduler (recognised by its class name containing "Plateau", an isBetter() method, or
   * `stepWithMetric: true`) gets step(logs[schedulerMonitor]); others get step().
   */
  scheduler?: Scheduler;
  /** The log key a plateau scheduler watches (default "val_loss" with validation, else "loss"). */
  schedulerMonitor?: string;
  /** Clip the gradients' global L2 norm to this after each backward (nn.utils.clipGradNorm_). */
  clipGradNorm?: number;
  /** Clamp each gradient element into [-v, v] after each backward (nn.utils.clipGradValue_). */
  clipGradValue?: number;
  /** Abort training: fit stops after the current batch and rejects with an AbortError (see fit). */
  signal?: AbortSignal;
  /** Let the event loop run at least every this many ms (default 50; 0 = after every batch). */
  yieldEvery?: number;
  /** 1: print one line per epoch with console.log (default 0: silent). */
  verbose?: 0 | 1;
}

export interface History {
  /** The epochs that ran, from 0. */
  epoch: number[];
  /** Per epoch: "loss", each metric, "val_loss" and "val_<metric>" (with validation). */
  history: Record<string, number[]>;
}

export interface EvaluateOptions {
  loss?: LossFn;
  metrics?: (MetricName | MetricFn)[];
  /** Rows per step (default 32). */
  batchSize?: number;
}

export interface PredictOptions {
  /** Rows per step (default 32). */
  batchSize?: number;
}

// ---------------------------------------------------------------- helpers

const now: () => number =
  typeof performance !== "undefined" && typeof performance.now === "function" ? () => performance.now() : () => Date.now();

/** Give the event loop a turn: setImmediate where it exists (Node, Bun), else setTimeout 0. */
const yieldToEventLoop: () => Promise<void> =
  typeof (globalThis as any).setImmediate === "function"
    ? () => new Promise((resolve) => (globalThis as any).setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

function positiveInt(op: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new RangeError(`${op}: ${arg} must be a positive integer, got ${describe(v)}`);
  return v;
}

function checkModel(op: string, model: unknown): Module {
  if (!(model instanceof Module)) throw new TypeError(`${op}: model must be an nn.Module, got ${describe(model)}`);
  return model;
}

function checkLoss(op: string, loss: unknown): LossFn {
  if (typeof loss !== "function") {
    throw new TypeError(`${op}: loss must be a loss module (e.g. nn.CrossEntropyLoss()) or a function (pred, target) => Tensor, got ${describe(loss)}`);
  }
  return loss as LossFn;
}

/** Check x (and y) as row-major data sets: at least 1-D, same number of rows. */
function checkData(op: string, xName: string, x: unknown, yName?: string, y?: unknown): void {
  checkTensor(op, xName, x);
  const xt = x as Tensor;
  if (xt.ndim === 0) throw new RangeError(`${op}: ${xName} must have a batch (first) dim, got shape ${fmt(xt.shape)}`);
  if (yName === undefined) return;
  checkTensor(op, yName, y);
  const yt = y as Tensor;
  if (yt.ndim === 0) throw new RangeError(`${op}: ${yName} must have a batch (first) dim, got shape ${fmt(yt.shape)}`);
  if (yt.shape[0] !== xt.shape[0]) {
    throw new RangeError(`${op}: ${xName} ${fmt(xt.shape)} and ${yName} ${fmt(yt.shape)} must have the same number of rows (first dim)`);
  }
}

/** Rows [start, start + n) of `src` as a new tensor (a contiguous copy). */
function sliceRows(op: string, src: Tensor, start: number, n: number): Tensor {
  const rowSize = src.size / src.shape[0];
  const shape = src.shape.slice();
  shape[0] = n;
  const t = Tensor.empty(op, shape);
  getEngine(op).core.copy_f32(t.ptr, src.ptr + start * rowSize * 4, n * rowSize);
  return t;
}

/** Rows idx[0..n) of `src` (idxPtr points at n float indices in wasm memory). */
function gatherRows(op: string, src: Tensor, idxPtr: number, n: number): Tensor {
  const rowSize = src.size / src.shape[0];
  const shape = src.shape.slice();
  shape[0] = n;
  const t = Tensor.empty(op, shape);
  getEngine(op).core.gather_rows_f32(t.ptr, src.ptr, idxPtr, n, rowSize);
  return t;
}

function callLoss(op: string, loss: LossFn, pred: unknown, target: Tensor): Tensor {
  if (!(pred instanceof Tensor)) throw new TypeError(`${op}: the model must return a Tensor, got ${describe(pred)}`);
  const l = (loss as (p: Tensor, t: Tensor) => Tensor)(pred, target);
  if (!(l instanceof Tensor)) throw new TypeError(`${op}: the loss must return a Tensor, got ${describe(l)}`);
  if (l.size !== 1) {
    throw new RangeError(`${op}: the loss must be a scalar (a mean over the batch, reduction "mean"), got shape ${fmt(l.shape)}`);
  }
  return l;
}

/** Save every module's training flag; the returned function puts them back. */
function saveModes(model: Module): () => void {
  const saved = model.modules().map((m) => [m, m.training] as const);
  return () => {
    for (const [m, t] of saved) m.training = t;
  };
}

/** Sample-weighted running means of the loss and each metric. */
class Meter {
  rows = 0;
  loss = 0;
  readonly sums: Float64Array;
  constructor(readonly metrics: ResolvedMetric[]) {
    this.sums = new Float64Array(metrics.length);
  }
  reset(): void {
    this.rows = 0;
    this.loss = 0;
    this.sums.fill(0);
  }
  /** Add a batch of n rows; metric values are written to `batchValues` when given. */
  add(n: number, loss: number, pred: Tensor, target: Tensor, batchValues?: Float64Array): void {
    this.rows += n;
    this.loss += loss * n;
    for (let k = 0; k < this.metrics.length; k++) {
      const v = this.metrics[k].fn(pred, target);
      this.sums[k] += v * n;
      if (batchValues) batchValues[k] = v;
    }
  }
  into(logs: Logs, prefix: string, withLoss: boolean): void {
    if (withLoss) logs[prefix + "loss"] = this.loss / this.rows;
    for (let k = 0; k < this.metrics.length; k++) logs[prefix + this.metrics[k].name] = this.sums[k] / this.rows;
  }
}

/** Loss and metrics over rows [start, start + count) of (x, y), batched, in eval mode under noGrad. */
function evaluateRows(
  op: string, model: Module, x: Tensor, y: Tensor, start: number, count: number, batchSize: number,
  loss: LossFn | null, meter: Meter,
): void {
  meter.reset();
  noGrad(() => {
    for (let s = 0; s < count; s += batchSize) {
      const n = Math.min(batchSize, count - s);
      scope(() => {
        const xb = sliceRows(op, x, start + s, n);
        const yb = sliceRows(op, y, start + s, n);
        const pred = model(xb);
        if (!(pred instanceof Tensor)) throw new TypeError(`${op}: the model must return a Tensor, got ${describe(pred)}`);
        const lv = loss ? callLoss(op, loss, pred, yb).item() : 0;
        meter.add(n, lv, pred, yb);
      });
    }
  });
}

function abortError(signal: AbortSignal, where: string, history: History): Error {
  const err = new Error(`fit: aborted ${where}`, { cause: (signal as any).reason }) as Error & { history: History };
  err.name = "AbortError";
  err.history = history;
  return err;
}

// ---------------------------------------------------------------- fit

/**
 * Train `model` on (x, y) for `epochs` epochs of mini-batches and resolve with the History
 * (Keras's model.fit, with a PyTorch model, loss and optimizer).
 *
 * - The model is in train() mode while training and eval() mode (under noGrad) for validation;
 *   every module's mode is restored afterwards.
 * - Epoch "loss" (and each metric) is the sample-weighted mean of the batch values, so a partial
 *   last batch counts for its rows. The loss must be a mean over the batch (reduction "mean").
 * - A NaN or infinite batch loss rejects with `fit: loss is NaN at epoch E, batch B` (0-based, like
 *   History.epoch and the callbacks) before that batch's update is applied.
 * - Aborting `signal` stops after the current batch and rejects with an Error named "AbortError"
 *   (cause: signal.reason) whose `history` property holds the epochs completed so far. An already
 *   aborted signal rejects before any training.
 * - Callbacks: see Callback; a hook returning false stops training. onTrainEnd runs on every exit.
 * - Shuffling: with `seed`, epoch k uses the k-th permutation of the core's RNG algorithm
 *   (rng_permutation_f32) seeded with `seed`, computed in TypeScript without touching the core's
 *   own stream; the same seed gives the same order in every runtime.
 */
export async function fit(model: Module, options: FitOptions): Promise<History> {
  const op = "fit";
  checkModel(op, model);
  if (options === null || typeof options !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
  const o = options;
  if (o.x === undefined) throw new TypeError(`${op}: options.x (the inputs, a Tensor) is required`);
  if (o.y === undefined) throw new TypeError(`${op}: options.y (the targets, a Tensor) is required`);
  checkData(op, "x", o.x, "y", o.y);
  const x = o.x;
  const y = o.y;
  const lossFn = checkLoss(op, o.loss);
  const optimizer = o.optimizer;
  if (!optimizer || typeof optimizer.step !== "function" || typeof optimizer.zeroGrad !== "function") {
    throw new TypeError(`${op}: optimizer must have step() and zeroGrad() (e.g. new optim.SGD(model.parameters(), { lr })), got ${describe(optimizer)}`);
  }
  const epochs = o.epochs ?? 1;
  if (typeof epochs !== "number" || !Number.isInteger(epochs) || epochs < 0) throw new RangeError(`${op}: epochs must be an integer >= 0, got ${describe(epochs)}`);
  const batchSize = positiveInt(op, "batchSize", o.batchSize ?? 32);
  const valBatchSize = positiveInt(op, "validationBatchSize", o.validationBatchSize ?? batchSize);
  const shuffle = o.shuffle ?? true;
  if (typeof shuffle !== "boolean") throw new TypeError(`${op}: shuffle must be a boolean, got ${describe(shuffle)}`);
  if (o.seed !== undefined && (typeof o.seed !== "number" || !Number.isFinite(o.seed))) {
    throw new TypeError(`${op}: seed must be a finite number, got ${describe(o.seed)}`);
  }
  const metrics = resolveMetrics(op, o.metrics);
  const callbacks = o.callbacks ?? [];
  if (!Array.isArray(callbacks)) throw new TypeError(`${op}: callbacks must be an array, got ${describe(callbacks)}`);
  callbacks.forEach((c, i) => {
    if (c === null || typeof c !== "object") throw new TypeError(`${op}: callbacks[${i}] must be an object of hooks, got ${describe(c)}`);
  });
  const scheduler = o.scheduler;
  if (scheduler !== undefined && (scheduler === null || typeof scheduler.step !== "function")) {
    throw new TypeError(`${op}: scheduler must have a step() method, got ${describe(scheduler)}`);
  }
  for (const k of ["clipGradNorm", "clipGradValue"] as const) {
    const v = o[k];
    if (v !== undefined && (typeof v !== "number" || !(v > 0))) throw new RangeError(`${op}: ${k} must be a positive number, got ${describe(v)}`);
  }
  const signal = o.signal;
  if (signal !== undefined && (signal === null || typeof signal !== "object" || typeof signal.aborted !== "boolean")) {
    throw new TypeError(`${op}: signal must be an AbortSignal, got ${describe(signal)}`);
  }
  const yieldEvery = o.yieldEvery ?? 50;
  if (typeof yieldEvery !== "number" || !(yieldEvery >= 0)) throw new RangeError(`${op}: yieldEvery must be a number of ms >= 0, got ${describe(yieldEvery)}`);
  const verbose = o.verbose ?? 0;
  const plateau = scheduler !== undefined && isPlateauScheduler(scheduler);

  // Training and validation rows.
  const total = x.shape[0];
  let nTrain = total;
  let val: { x: Tensor; y: Tensor; start: number; count: number } | null = null;
  if (o.validationSplit !== undefined && o.validationData !== undefined) {
    throw new TypeError(`${op}: give either validationSplit or validationData, not both`);
  }
  if (o.validationSplit !== undefined && o.validationSplit !== 0) {
    const s = o.validationSplit;
    if (typeof s !== "number" || !(s > 0 && s < 1)) throw new RangeError(`${op}: validationSplit must be in [0, 1), got ${describe(s)}`);
    nTrain = Math.floor(total * (1 - s)); // Keras: split_at = int(n * (1 - validation_split))
    if (nTrain === total) throw new RangeError(`${op}: validationSplit ${s} of ${total} rows leaves no validation rows`);
    val = { x, y, start: nTrain, count: total - nTrain };
  } else if (o.validationData !== undefined) {
    const vd = o.validationData;
    if (!Array.isArray(vd) || vd.length !== 2) throw new TypeError(`${op}: validationData must be [x, y], got ${describe(vd)}`);
    checkData(op, "validationData[0]", vd[0], "validationData[1]", vd[1]);
    if (!sameShape(vd[0].shape.slice(1), x.shape.slice(1)) || !sameShape(vd[1].shape.slice(1), y.shape.slice(1))) {
      throw new RangeError(
        `${op}: validationData shapes ${fmt(vd[0].shape)}, ${fmt(vd[1].shape)} do not match the rows of x ${fmt(x.shape)} and y ${fmt(y.shape)}`,
      );
    }
    if (vd[0].shape[0] > 0) val = { x: vd[0], y: vd[1], start: 0, count: vd[0].shape[0] };
  }
  if (nTrain === 0) throw new RangeError(`${op}: no training rows (x ${fmt(x.shape)}${val && val.x === x ? ` after validationSplit ${o.validationSplit}` : ""})`);

  const schedulerMonitor = o.schedulerMonitor ?? (val ? "val_loss" : "loss");
  if (typeof schedulerMonitor !== "string") throw new TypeError(`${op}: schedulerMonitor must be a log key, got ${describe(schedulerMonitor)}`);
  const keys = ["loss", ...metrics.map((m) => m.name)];
  const history: History = { epoch: [], history: {} };
  for (const k of keys) history.history[k] = [];
  if (val) for (const k of keys) history.history["val_" + k] = [];
  if (signal?.aborted) throw abortError(signal, "before training", history);

  const engine = getEngine(op);
  const params = model.parameters();
  const batchEnd = callbacks.filter((c) => typeof c.onBatchEnd === "function");
  const trainMeter = new Meter(metrics);
  const valMeter = new Meter(metrics);
  const batchValues = new Float64Array(metrics.length);
  const shuffler = shuffle ? new Shuffler(o.seed !== undefined ? o.seed >>> 0 : engine.core.rng_next_u32()) : null;
  const restoreModes = saveModes(model);
  let perm: Tensor | null = null;
  let lastLogs: Logs = {};
  let trainBegun = false;
  let failed = false;

  /** Run one hook on every callback; true if any returned false. */
  const run = async (hook: keyof Callback, ...args: unknown[]): Promise<boolean> => {
    let stop = false;
    for (const c of callbacks) {
      const f = c[hook] as ((...a: unknown[]) => CallbackResult) | undefined;
      if (typeof f !== "function") continue;
      let r = f.apply(c, args);
      if (r instanceof Promise) r = await r;
      if (r === false) stop = true;
    }
    return stop;
  };

  try {
    perm = keep(Tensor.empty(op, [nTrain]));
    if (!shuffler) {
      const v = engine.f32(perm.ptr, nTrain);
      for (let i = 0; i < nTrain; i++) v[i] = i;
    }
    for (const c of callbacks) if (typeof c.setModel === "function") c.setModel(model);
    trainBegun = true;
    let stop = await run("onTrainBegin", {});
    let lastYield = now();
    const nBatches = Math.ceil(nTrain / batchSize);
    const clipN = o.clipGradNorm;
    const clipV = o.clipGradValue;
    const t0 = now();

    for (let epoch = 0; epoch < epochs && !stop; epoch++) {
      if (await run("onEpochBegin", epoch, {})) break;
      model.train();
      if (shuffler) shuffler.permutation(engine.f32(perm.ptr, nTrain), nTrain);
      trainMeter.reset();
      const permPtr = perm.ptr;
      const tEpoch = now();

      for (let b = 0; b < nBatches; b++) {
        const n = Math.min(batchSize, nTrain - b * batchSize);
        const idxPtr = permPtr + b * batchSize * 4;
        const lossValue = scope(() => {
          const xb = gatherRows(op, x, idxPtr, n);
          const yb = gatherRows(op, y, idxPtr, n);
          const pred = model(xb);
          const loss = callLoss(op, lossFn, pred, yb);
          const lv = loss.item();
          if (!Number.isFinite(lv)) throw new Error(`${op}: loss is ${lv} at epoch ${epoch}, batch ${b}`);
          trainMeter.add(n, lv, pred, yb, batchValues);
          loss.backward();
          if (clipN !== undefined) clipGradNorm_(params, clipN);
          if (clipV !== undefined) clipGradValue_(params, clipV);
          optimizer.step();
          optimizer.zeroGrad();
          return lv;
        });
        if (batchEnd.length) {
          const logs: Logs = { batch: b, size: n, loss: lossValue };
          for (let k = 0; k < metrics.length; k++) logs[metrics[k].name] = batchValues[k];
          for (const c of batchEnd) {
            let r = c.onBatchEnd!(b, logs);
            if (r instanceof Promise) r = await r;
            if (r === false) stop = true;
          }
        }
        if (signal?.aborted) throw abortError(signal, `at epoch ${epoch}, batch ${b}`, history);
        if (stop) break;
        if (now() - lastYield >= yieldEvery) {
          await yieldToEventLoop();
          lastYield = now();
          if (signal?.aborted) throw abortError(signal, `at epoch ${epoch}, batch ${b}`, history);
        }
      }

      const logs: Logs = {};
      trainMeter.into(logs, "", true);
      if (val) {
        model.eval();
        evaluateRows(op, model, val.x, val.y, val.start, val.count, valBatchSize, lossFn, valMeter);
        model.train();
        valMeter.into(logs, "val_", true);
      }
      history.epoch.push(epoch);
      for (const k of Object.keys(history.history)) history.history[k].push(logs[k]);
      lastLogs = logs;
      if (scheduler) {
        if (plateau) {
          const v = logs[schedulerMonitor];
          if (v === undefined) {
            throw new Error(`${op}: schedulerMonitor "${schedulerMonitor}" is not in the epoch logs (available: ${Object.keys(logs).join(", ")})`);
          }
          scheduler.step(v);
        } else {
          scheduler.step();
        }
      }
      if (verbose) {
        const parts = Object.keys(history.history).map((k) => `${k}: ${logs[k].toPrecision(4)}`);
        console.log(`Epoch ${epoch + 1}/${epochs} - ${((now() - tEpoch) / 1000).toFixed(2)}s - ${parts.join(" - ")}`);
      }
      if (await run("onEpochEnd", epoch, logs)) stop = true;
      if (now() - lastYield >= yieldEvery) {
        await yieldToEventLoop();
        lastYield = now();
      }
      if (signal?.aborted) throw abortError(signal, `after epoch ${epoch}`, history);
    }
    if (verbose) console.log(`fit: ${history.epoch.length} epoch(s) in ${((now() - t0) / 1000).toFixed(2)}s`);
    return history;
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    perm?.dispose();
    restoreModes();
    if (trainBegun) {
      try {
        await run("onTrainEnd", { ...lastLogs });
      } catch (e) {
        if (!failed) throw e; // the first error wins
      }
    }
  }
}

/** ReduceLROnPlateau-style schedulers take the monitored value in step(metric). */
function isPlateauScheduler(s: Scheduler): boolean {
  const name = (s as object).constructor?.name ?? "";
  const a = s as { stepWithMetric?: unknown; isBetter?: unknown };
  return /plateau/i.test(name) || typeof a.isBetter === "function" || a.stepWithMetric === true;
}

// ---------------------------------------------------------------- evaluate / predict

/**
 * Loss and metrics of `model` on (x, y), batched, in eval mode under noGrad (every module's mode is
 * restored afterwards). Returns { loss, <metric>... } as sample-weighted means over the rows
 * ("loss" only when a loss is given). Empty x gives NaN values.
 */
export function evaluate(model: Module, x: Tensor, y: Tensor, options: EvaluateOptions = {}): Record<string, number> {
  const op = "evaluate";
  checkModel(op, model);
  checkData(op, "x", x, "y", y);
  const loss = options.loss === undefined ? null : checkLoss(op, options.loss);
  const metrics = resolveMetrics(op, options.metrics);
  if (!loss && metrics.length === 0) throw new TypeError(`${op}: give a loss or at least one metric to compute`);
  const batchSize = positiveInt(op, "batchSize", options.batchSize ?? 32);
  const meter = new Meter(metrics);
  const restoreModes = saveModes(model);
  try {
    model.eval();
    evaluateRows(op, model, x, y, 0, x.shape[0], batchSize, loss, meter);
  } finally {
    restoreModes();
  }
  const out: Record<string, number> = {};
  meter.into(out, "", loss !== null);
  return out;
}

/**
 * The model's outputs for every row of x, computed in batches in eval mode under noGrad, as one
 * Tensor [rows, ...output dims] (registered with the current scope, like any op result).
 */
export function predict(model: Module, x: Tensor, options: PredictOptions = {}): Tensor {
  const op = "predict";
  checkModel(op, model);
  checkData(op, "x", x);
  const batchSize = positiveInt(op, "batchSize", options.batchSize ?? 32);
  const rows = x.shape[0];
  const restoreModes = saveModes(model);
  try {
    model.eval();
    return noGrad(() => {
      const batch = (start: number, n: number): Tensor =>
        scope(() => {
          const pred = model(sliceRows(op, x, start, n));
          if (!(pred instanceof Tensor)) throw new TypeError(`${op}: the model must return a Tensor, got ${describe(pred)}`);
          if (pred.ndim === 0 || pred.shape[0] !== n) {
            throw new RangeError(`${op}: the model returned shape ${fmt(pred.shape)} for a batch of ${n} rows; outputs must keep the batch dim first`);
          }
          return pred;
        });
      const first = batch(0, Math.min(batchSize, rows));
      if (first.shape[0] === rows) return first;
      const outShape = first.shape.slice();
      outShape[0] = rows;
      const out = Tensor.empty(op, outShape);
      const rowSize = first.size / first.shape[0];
      const core = getEngine(op).core;
      core.copy_f32(out.ptr, first.ptr, first.size);
      first.dispose();
      try {
        for (let s = batchSize; s < rows; s += batchSize) {
          const n = Math.min(batchSize, rows - s);
          scope(() => {
            const pred = batch(s, n);
            if (!sameShape(pred.shape.slice(1), outShape.slice(1))) {
              throw new RangeError(`${op}: the model returned shape ${fmt(pred.shape)} for rows ${s}.., but ${fmt(first.shape)} for the first batch`);
            }
            core.copy_f32(out.ptr + s * rowSize * 4, pred.ptr, pred.size);
          });
        }
      } catch (e) {
        out.dispose();
        throw e;
      }
      return out;
    });
  } finally {
    restoreModes();
  }
}
