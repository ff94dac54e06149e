// torch.optim.lr_scheduler: learning-rate schedules that set each param group's lr, stepped once per epoch.
//
// step() uses PyTorch's chainable form (each step scales the group's current lr), so several schedulers on one
// optimizer compose as in torch (e.g. LinearLR warm-up together with StepLR), and a schedule started from a
// changed lr continues from it. step(epoch) jumps to an epoch with the closed form where PyTorch has one
// (torch's deprecated epoch argument). ReduceLROnPlateau's step(metric) takes the monitored value.
import { Tensor } from "../tensor";
import { describe } from "../shape";
import { Optimizer } from "./optimizer";

type AnyOptimizer = Optimizer<any>;

function checkOptimizer(op: string, o: unknown): AnyOptimizer {
  if (!(o instanceof Optimizer)) throw new TypeError(`${op}: optimizer must be an Optimizer, got ${describe(o)}`);
  return o;
}

function checkOptions(op: string, options: unknown, allowed: string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new TypeError(`${op}: unknown option ${k} (expected one of ${allowed.join(", ")})`);
  }
  return options as Record<string, unknown>;
}

function num(op: string, name: string, v: unknown, ok: (x: number) => boolean, what: string): number {
  if (typeof v !== "number" || !ok(v)) throw new RangeError(`${op}: ${name} must be ${what}, got ${describe(v)}`);
  return v;
}

const positiveInt = (x: number) => Number.isInteger(x) && x > 0;
const finite = (x: number) => Number.isFinite(x);

/** State of a scheduler as plain data (torch's scheduler state_dict: everything but the optimizer). */
export type SchedulerStateDict = Record<string, unknown>;

/** Base of the epoch-indexed schedulers (torch's _LRScheduler). */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  /** Each group's lr when the schedule started (its initialLr). */
  baseLrs: number[];
  /** Index of the last epoch stepped (0 right after construction). */
  lastEpoch: number;
  protected stepCount = 0;
  protected lastLr: number[] = [];
  protected readonly name: string;

  protected constructor(name: string, optimizer: unknown, lastEpoch = -1) {
    this.name = name;
    this.optimizer = checkOptimizer(name, optimizer);
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) {
      throw new RangeError(`${name}: lastEpoch must be an integer >= -1, got ${describe(lastEpoch)}`);
    }
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) {
          throw new Error(`${name}: param group ${i} has no initialLr, which resuming a schedule (lastEpoch ${lastEpoch}) needs`);
        }
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Subclasses call this at the end of their constructor (torch's _initial_step: a first step to epoch 0). */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The chainable form: each group's lr for this.lastEpoch, given the groups' current lrs. */
  protected abstract getLr(): number[];

  /** The closed form (lr as a function of the epoch and the base lrs), where PyTorch has one. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** Advance one epoch (call after the epoch's optimizer steps). With an epoch, jump to it (closed form). */
  step(epoch?: number): void {
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`${this.name}.step: epoch must be an integer >= 0, got ${describe(epoch)}`);
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i];
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates the last step() set, one per param group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Scheduler state as plain data (without the optimizer), in torch's key names. */
  stateDict(): SchedulerStateDict {
    return {
      base_lrs: this.baseLrs.slice(), last_epoch: this.lastEpoch, _step_count: this.stepCount,
      _last_lr: this.lastLr.slice(), ...this.extraState(),
    };
  }

  loadStateDict(state: SchedulerStateDict): void {
    if (state === null || typeof state !== "object") throw new TypeError(`${this.name}.loadStateDict: expected an object, got ${describe(state)}`);
    if (Array.isArray(state.base_lrs)) this.baseLrs = (state.base_lrs as number[]).slice();
    if (typeof state.last_epoch === "number") this.lastEpoch = state.last_epoch;
    if (typeof state._step_count === "number") this.stepCount = state._step_count;
    if (Array.isArray(state._last_lr)) this.lastLr = (state._last_lr as number[]).slice();
    this.loadExtraState(state);
  }

  protected extraState(): SchedulerStateDict {
    return {};
  }

  protected loadExtraState(_state: SchedulerStateDict): void {}
}

export interface StepLROptions {
  /** Period of the decay, in epochs. */
  stepSize: number;
  /** Multiplicative factor (default 0.1). */
  gamma?: number;
  lastEpoch?: number;
}

/** Multiply each group's lr by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    const o = checkOptions("StepLR", options, ["stepSize", "gamma", "lastEpoch"]);
    const stepSize = num("StepLR", "stepSize", o.stepSize, positiveInt, "a positive integer");
    const gamma = num("StepLR", "gamma", o.gamma ?? 0.1, finite, "a finite number");
    super("StepLR", optimizer, (o.lastEpoch as number | undefined) ?? -1);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected extraState(): SchedulerStateDict {
    return { step_size: this.stepSize, gamma: this.gamma };
  }
}

export interface MultiStepLROptions {
  /** Epochs at which to decay (a milestone listed twice decays twice, as torch's Counter does). */
  milestones: number[];
  /** Multiplicative factor (default 0.1). */
  gamma?: number;
  lastEpoch?: number;
}

/** Multiply each group's lr by gamma at each milestone epoch. */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: MultiStepLROptions) {
    const o = checkOptions("MultiStepLR", options, ["milestones", "gamma", "lastEpoch"]);
    const ms = o.milestones;
    if (!Array.isArray(ms) || ms.some((m) => typeof m !== "number" || !Number.isInteger(m) || m < 0)) {
      throw new TypeError(`MultiStepLR: milestones must be an array of integers >= 0, got ${describe(ms)}`);
    }
    const gamma = num("MultiStepLR", "gamma", o.gamma ?? 0.1, finite, "a finite number");
    super("MultiStepLR", optimizer, (o.lastEpoch as number | undefined) ?? -1);
    this.milestones = (ms as number[]).slice().sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (count === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma ** count);
  }

  protected closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length; // bisect_right
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }

  protected extraState(): SchedulerStateDict {
    return { milestones: this.milestones.slice(), gamma: this.gamma };
  }
}

export interface ExponentialLROptions {
  /** Multiplicative factor per epoch. */
  gamma: number;
  lastEpoch?: number;
}

/** Multiply each group's lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: ExponentialLROptions) {
    const o = checkOptions("ExponentialLR", options, ["gamma", "lastEpoch"]);
    const gamma = num("ExponentialLR", "gamma", o.gamma, finite, "a finite number");
    super("ExponentialLR", optimizer, (o.lastEpoch as number | undefined) ?? -1);
    this.gamma = gamma;
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }

  protected extraState(): SchedulerStateDict {
    return { gamma: this.gamma };
  }
}

export interface CosineAnnealingLROptions {
  /** Epochs of a half period (the lr reaches etaMin at tMax, then rises again). */
  tMax: number;
  /** Minimum learning rate (default 0). */
  etaMin?: number;
  lastEpoch?: number;
}

/** Cosine annealing from each group's initial lr down to etaMin over tMax epochs (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingLROptions) {
    const o = checkOptions("CosineAnnealingLR", options, ["tMax", "etaMin", "lastEpoch"]);
    const tMax = num("CosineAnnealingLR", "tMax", o.tMax, (x) => x > 0 && Number.isFinite(x), "a positive number");
    const etaMin = num("CosineAnnealingLR", "etaMin", o.etaMin ?? 0, finite, "a finite number");
    super("CosineAnnealingLR", optimizer, (o.lastEpoch as number | undefined) ?? -1);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const groups = this.currentLrs();
    if (e === 0) return groups;
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    if ((((e - 1 - T) % (2 * T)) + 2 * T) % (2 * T) === 0) { // Python's modulo (non-negative)
      return groups.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return groups.map(
      (lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin,
    );
  }

  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2);
  }

  protected extraState(): SchedulerStateDict {
    return { T_max: this.tMax, eta_min: this.etaMin };
  }
}

export interface LinearLROptions {
  /** Factor applied at epoch 0 (default 1/3). */
  startFactor?: number;
  /** Factor reached at totalIters (default 1). */
  endFactor?: number;
  /** Epochs over which the factor moves from startFactor to endFactor (default 5). */
  totalIters?: number;
  lastEpoch?: number;
}

/** Scale each group's lr by a factor moving linearly from startFactor to endFactor: the usual warm-up. */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: AnyOptimizer, options: LinearLROptions = {}) {
    const o = checkOptions("LinearLR", options, ["startFactor", "endFactor", "totalIters", "lastEpoch"]);
    const startFactor = num("LinearLR", "startFactor", o.startFactor ?? 1 / 3, (x) => x > 0 && x <= 1,
      "in (0, 1] (the starting multiplicative factor)");
    const endFactor = num("LinearLR", "endFactor", o.endFactor ?? 1, (x) => x >= 0 && x <= 1,
      "in [0, 1] (the ending multiplicative factor)");
    const totalIters = num("LinearLR", "totalIters", o.totalIters ?? 5, positiveInt, "a positive integer");
    super("LinearLR", optimizer, (o.lastEpoch as number | undefined) ?? -1);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    if (e === 0) return this.currentLrs().map((lr) => lr * s);
    if (e > n) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }

  protected closedFormLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((f - s) * Math.min(n, e)) / n));
  }

  protected extraState(): SchedulerStateDict {
    return { start_factor: this.startFactor, end_factor: this.endFactor, total_iters: this.totalIters };
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: "min" | "max";
  /** Factor applied to the lr on a plateau (default 0.1, must be < 1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel': relative to the best value; 'abs': absolute. Default 'rel'. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lower bound on the lr, one for all groups or one per group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/** Reduce each group's lr by factor when a monitored metric stops improving for patience epochs. */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  mode: "min" | "max";
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: "rel" | "abs";
  cooldown: number;
  minLrs: number[];
  eps: number;
  /** Best metric so far (Infinity / -Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const op = "ReduceLROnPlateau";
    const o = checkOptions(op, options, ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"]);
    this.optimizer = checkOptimizer(op, optimizer);
    const factor = o.factor ?? 0.1;
    if (typeof factor !== "number" || !(factor < 1) || !(factor >= 0)) {
      throw new RangeError(`${op}: factor should be < 1.0 (and >= 0), got ${describe(factor)}`);
    }
    this.factor = factor;
    const mode = o.mode ?? "min";
    if (mode !== "min" && mode !== "max") throw new RangeError(`${op}: mode ${String(mode)} is unknown (expected 'min' or 'max')`);
    this.mode = mode;
    const tm = o.thresholdMode ?? "rel";
    if (tm !== "rel" && tm !== "abs") throw new RangeError(`${op}: threshold mode ${String(tm)} is unknown (expected 'rel' or 'abs')`);
    this.thresholdMode = tm;
    this.patience = num(op, "patience", o.patience ?? 10, (x) => Number.isInteger(x) && x >= 0, "an integer >= 0");
    this.cooldown = num(op, "cooldown", o.cooldown ?? 0, (x) => Number.isInteger(x) && x >= 0, "an integer >= 0");
    this.threshold = num(op, "threshold", o.threshold ?? 1e-4, finite, "a finite number");
    this.eps = num(op, "eps", o.eps ?? 1e-8, (x) => x >= 0, "a number >= 0");
    const groups = this.optimizer.paramGroups.length;
    const minLr = o.minLr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== groups) throw new RangeError(`${op}: expected ${groups} minLr values (one per param group), got ${minLr.length}`);
      this.minLrs = minLr.map((v, i) => num(op, `minLr[${i}]`, v, (x) => x >= 0, "a number >= 0"));
    } else {
      this.minLrs = new Array(groups).fill(num(op, "minLr", minLr, (x) => x >= 0, "a number >= 0 or an array of them"));
    }
    this.best = this.modeWorse;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private get modeWorse(): number {
    return this.mode === "min" ? Infinity : -Infinity;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** Record this epoch's metric (a number or a one-element tensor) and reduce the lr on a plateau. */
  step(metric: number | Tensor): void {
    const op = "ReduceLROnPlateau.step";
    let current: number;
    if (metric instanceof Tensor) current = metric.item();
    else if (typeof metric === "number") current = metric;
    else throw new TypeError(`${op}: metric must be a number or a one-element Tensor, got ${describe(metric)}`);
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const old = g.lr;
      const next = Math.max(old * this.factor, this.minLrs[i]);
      if (old - next > this.eps) g.lr = next;
    });
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): SchedulerStateDict {
    return {
      mode: this.mode, factor: this.factor, patience: this.patience, threshold: this.threshold,
      threshold_mode: this.thresholdMode, cooldown: this.cooldown, min_lrs: this.minLrs.slice(), eps: this.eps,
      best: this.best, num_bad_epochs: this.numBadEpochs, cooldown_counter: this.cooldownCounter,
      last_epoch: this.lastEpoch, _last_lr: this.lastLr.slice(),
    };
  }

  loadStateDict(s: SchedulerStateDict): void {
    if (s === null || typeof s !== "object") throw new TypeError(`ReduceLROnPlateau.loadStateDict: expected an object, got ${describe(s)}`);
    const pick = <T>(k: string, cur: T): T => (s[k] !== undefined ? (s[k] as T) : cur);
    this.mode = pick("mode", this.mode);
    this.factor = pick("factor", this.factor);
    this.patience = pick("patience", this.patience);
    this.threshold = pick("threshold", this.threshold);
    this.thresholdMode = pick("threshold_mode", this.thresholdMode);
    this.cooldown = pick("cooldown", this.cooldown);
    this.minLrs = pick("min_lrs", this.minLrs).slice();
    this.eps = pick("eps", this.eps);
    this.best = pick("best", this.best);
    this.numBadEpochs = pick("num_bad_epochs", this.numBadEpochs);
    this.cooldownCounter = pick("cooldown_counter", this.cooldownCounter);
    this.lastEpoch = pick("last_epoch", this.lastEpoch);
    this.lastLr = pick("_last_lr", this.lastLr).slice();
  }
}
