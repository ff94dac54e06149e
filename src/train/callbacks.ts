// Training callbacks (Keras-style hooks) and earlyStopping.
//
// Stopping: a hook stops training by returning `false` (or a Promise of false). That is the one
// mechanism. From onBatchEnd, training stops after that batch: the partial epoch is still closed
// (its logs averaged over the batches trained, validation run, onEpochEnd called, history
// recorded), as Keras does. From onEpochEnd (or onEpochBegin), training stops after (before) that
// epoch. The other callbacks' hooks for the same event still run.
import type { Tensor } from "../tensor";
import type { Module } from "../nn/module";
import { getEngine } from "../engine";
import { keep } from "../scope";
import { noGrad } from "../autograd";
import { describe } from "../shape";

/** Numbers logged by fit: "loss", metric names, "val_loss", "val_<metric>"; batch logs add "batch" and "size". */
export type Logs = Record<string, number>;

/** What a hook may return: `false` (or a Promise of false) stops training; anything else continues. */
export type CallbackResult = void | boolean | undefined | Promise<void | boolean | undefined>;

export interface Callback {
  /** Called by fit before onTrainBegin with the model being trained (Keras's set_model). */
  setModel?(model: Module): void;
  onTrainBegin?(logs: Logs): CallbackResult;
  /** epoch counts from 0, as in History.epoch. */
  onEpochBegin?(epoch: number, logs: Logs): CallbackResult;
  /** batch counts from 0 within the epoch; logs: { batch, size, loss, <metric>... } for this batch. */
  onBatchEnd?(batch: number, logs: Logs): CallbackResult;
  /** logs: the epoch's loss and metrics (sample-weighted means) and their val_ versions. */
  onEpochEnd?(epoch: number, logs: Logs): CallbackResult;
  /**
   * Called once when training ends for any reason (finished, stopped, aborted, or an error such as
   * a NaN loss), with the last completed epoch's logs ({} if none). Use it to release resources.
   */
  onTrainEnd?(logs: Logs): CallbackResult;
}

export interface EarlyStoppingOptions {
  /** The log key to watch (default "val_loss"). */
  monitor?: string;
  /** Stop after this many epochs in a row without improvement (default 0; 0 and 1 both stop at the first, as in Keras). */
  patience?: number;
  /** An improvement must exceed this (absolute) amount (default 0). */
  minDelta?: number;
  /** "min", "max", or "auto" (default): max for keys containing "acc", min otherwise. */
  mode?: "min" | "max" | "auto";
  /** At the end of training, copy back the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
}

/** The callback earlyStopping returns, with what it saw. */
export interface EarlyStopping extends Callback {
  /** Best value of the monitored key so far (Infinity / -Infinity before the first epoch). */
  readonly best: number;
  /** Epoch (0-based) of the best value, -1 before the first epoch. */
  readonly bestEpoch: number;
  /** Epoch at which it stopped training, -1 if it did not. */
  readonly stoppedEpoch: number;
}

/**
 * Stop training when `monitor` has not improved for `patience` epochs (Keras's EarlyStopping).
 * With restoreBestWeights, the parameters and buffers (the state dict) of the best epoch are
 * copied aside each time the monitored value improves and copied back into the model when
 * training ends (even if it ran all its epochs without stopping early, as Keras 3 does); the
 * copies are freed then. A monitor key missing from the epoch logs is an error.
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): EarlyStopping {
  const op = "earlyStopping";
  const monitor = options.monitor ?? "val_loss";
  const patience = options.patience ?? 0;
  const minDelta = options.minDelta ?? 0;
  const modeOpt = options.mode ?? "auto";
  const restore = options.restoreBestWeights ?? false;
  if (typeof monitor !== "string" || monitor === "") throw new TypeError(`${op}: monitor must be a log key such as "val_loss", got ${describe(monitor)}`);
  if (typeof patience !== "number" || !Number.isInteger(patience) || patience < 0) {
    throw new RangeError(`${op}: patience must be an integer >= 0, got ${describe(patience)}`);
  }
  if (typeof minDelta !== "number" || !(minDelta >= 0)) throw new RangeError(`${op}: minDelta must be a number >= 0, got ${describe(minDelta)}`);
  if (modeOpt !== "min" && modeOpt !== "max" && modeOpt !== "auto") {
    throw new RangeError(`${op}: mode must be "min", "max" or "auto", got ${describe(modeOpt)}`);
  }
  const mode = modeOpt === "auto" ? (monitor.toLowerCase().includes("acc") ? "max" : "min") : modeOpt;
  const sign = mode === "min" ? 1 : -1; // compare sign·value: lower is better

  let model: Module | null = null;
  let copies: Map<string, Tensor> | null = null;
  let wait = 0;
  const state = { best: sign * Infinity, bestEpoch: -1, stoppedEpoch: -1 };

  const freeCopies = () => {
    if (copies) for (const t of copies.values()) t.dispose();
    copies = null;
  };

  const saveWeights = () => {
    if (!model) return;
    const dict = model.stateDict();
    const core = getEngine(op).core;
    if (!copies) {
      copies = new Map();
      for (const [k, t] of Object.entries(dict)) copies.set(k, keep(t.detach()));
    } else {
      for (const [k, t] of Object.entries(dict)) {
        const c = copies.get(k);
        if (c && c.size === t.size) core.copy_f32(c.ptr, t.ptr, t.size);
        else {
          c?.dispose();
          copies.set(k, keep(t.detach()));
        }
      }
    }
  };

  const cb: EarlyStopping = {
    get best() { return state.best; },
    get bestEpoch() { return state.bestEpoch; },
    get stoppedEpoch() { return state.stoppedEpoch; },
    setModel(m: Module) {
      model = m;
    },
    onTrainBegin() {
      freeCopies();
      wait = 0;
      state.best = sign * Infinity;
      state.bestEpoch = -1;
      state.stoppedEpoch = -1;
    },
    onEpochEnd(epoch: number, logs: Logs) {
      const current = logs[monitor];
      if (current === undefined) {
        throw new Error(
          `${op}: monitor "${monitor}" is not in the epoch logs (available: ${Object.keys(logs).join(", ")})` +
            (monitor.startsWith("val_") ? "; pass validationData or validationSplit to fit, or monitor \"loss\"" : ""),
        );
      }
      // NaN never counts as an improvement.
      if (sign * current < sign * state.best - minDelta) {
        state.best = current;
        state.bestEpoch = epoch;
        wait = 0;
        if (restore) saveWeights();
        return;
      }
      wait++;
      if (wait >= patience) {
        state.stoppedEpoch = epoch;
        return false;
      }
    },
    onTrainEnd() {
      try {
        if (restore && copies && model) {
          const m = model;
          const c = copies;
          noGrad(() => m.loadStateDict(c, { strict: false }));
        }
      } finally {
        freeCopies();
      }
    },
  };
  return cb;
}
