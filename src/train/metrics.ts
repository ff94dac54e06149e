// Metrics for fit/evaluate, also usable directly: each takes (pred, target) and returns a number
// (the mean over the batch). They read the tensors' data in place (no wasm allocation, no graph)
// and never record gradients.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { fmt, describe } from "../shape";

/** A metric: the mean of some per-sample quantity over the batch. */
export type MetricFn = (pred: Tensor, target: Tensor) => number;

/** The metrics fit() and evaluate() know by name. */
export type MetricName = "accuracy" | "binaryAccuracy" | "mse" | "mae";

function sameSize(op: string, pred: Tensor, target: Tensor): void {
  checkTensor(op, "pred", pred);
  checkTensor(op, "target", target);
  if (pred.size !== target.size) {
    throw new RangeError(`${op}: pred ${fmt(pred.shape)} and target ${fmt(target.shape)} must have the same number of elements`);
  }
}

/**
 * Classification accuracy: the fraction of rows whose argmax over the last dim of `pred` (logits or
 * probabilities, [N, C] or [..., C]) equals the target class. The target is either class indices
 * with one value per row ([N], or pred's shape without its last dim) or one-hot / probabilities
 * of pred's shape (its argmax is the class). Ties take the first maximum (as torch.argmax).
 * An empty batch gives NaN.
 */
export function accuracy(pred: Tensor, target: Tensor): number {
  const op = "accuracy";
  checkTensor(op, "pred", pred);
  checkTensor(op, "target", target);
  if (pred.ndim === 0) throw new RangeError(`${op}: pred must have a class dim (its last), got shape ${fmt(pred.shape)}`);
  const c = pred.shape[pred.ndim - 1];
  if (c < 2) {
    throw new RangeError(`${op}: pred ${fmt(pred.shape)} has ${c} class column(s); for a single probability per sample use binaryAccuracy`);
  }
  const rows = pred.size / c;
  const oneHot = target.size === pred.size;
  if (!oneHot && target.size !== rows) {
    throw new RangeError(
      `${op}: target ${fmt(target.shape)} must hold one class index per row (${rows} values) or one-hot rows of pred's shape ${fmt(pred.shape)}`,
    );
  }
  if (rows === 0) return NaN;
  const e = getEngine(op);
  const p = e.f32(pred.ptr, pred.size);
  const t = e.f32(target.ptr, target.size);
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * c;
    let best = 0;
    let bestV = p[base];
    for (let k = 1; k < c; k++) {
      const v = p[base + k];
      if (v > bestV || (v !== v && bestV === bestV)) {
        best = k;
        bestV = v;
      }
    }
    let label: number;
    if (oneHot) {
      label = 0;
      let lv = t[base];
      for (let k = 1; k < c; k++) if (t[base + k] > lv) (label = k), (lv = t[base + k]);
    } else {
      label = t[r];
    }
    if (best === label) correct++;
  }
  return correct / rows;
}

export interface BinaryAccuracyOptions {
  /** A prediction counts as class 1 when it is above this (default 0.5, for probabilities; use 0 for logits). */
  threshold?: number;
}

/**
 * Binary accuracy: the fraction of elements where (pred > threshold) agrees with (target > 0.5).
 * `pred` holds probabilities (e.g. after a sigmoid); for logits pass { threshold: 0 }. pred and
 * target need the same number of elements ([N, 1] against [N] is fine). An empty batch gives NaN.
 */
export function binaryAccuracy(pred: Tensor, target: Tensor, options: BinaryAccuracyOptions = {}): number {
  const op = "binaryAccuracy";
  sameSize(op, pred, target);
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== "number" || Number.isNaN(threshold)) {
    throw new TypeError(`${op}: threshold must be a number, got ${describe(threshold)}`);
  }
  const n = pred.size;
  if (n === 0) return NaN;
  const e = getEngine(op);
  const p = e.f32(pred.ptr, n);
  const t = e.f32(target.ptr, n);
  let correct = 0;
  for (let i = 0; i < n; i++) if (p[i] > threshold === t[i] > 0.5) correct++;
  return correct / n;
}

/** Mean squared error over all elements (f64 accumulation). An empty batch gives NaN. */
export function mse(pred: Tensor, target: Tensor): number {
  sameSize("mse", pred, target);
  const e = getEngine("mse");
  const p = e.f32(pred.ptr, pred.size);
  const t = e.f32(target.ptr, target.size);
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const d = p[i] - t[i];
    s += d * d;
  }
  return s / p.length;
}

/** Mean absolute error over all elements (f64 accumulation). An empty batch gives NaN. */
export function mae(pred: Tensor, target: Tensor): number {
  sameSize("mae", pred, target);
  const e = getEngine("mae");
  const p = e.f32(pred.ptr, pred.size);
  const t = e.f32(target.ptr, target.size);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - t[i]);
  return s / p.length;
}

const BY_NAME: Record<MetricName, MetricFn> = {
  accuracy,
  binaryAccuracy: (p, t) => binaryAccuracy(p, t),
  mse,
  mae,
};

/** A metric given by name or as a function, with the key it is logged under. */
export interface ResolvedMetric {
  name: string;
  fn: MetricFn;
}

/** Resolve fit/evaluate's `metrics` option; a function is logged under its `name`. */
export function resolveMetrics(op: string, metrics: unknown): ResolvedMetric[] {
  if (metrics === undefined || metrics === null) return [];
  if (!Array.isArray(metrics)) throw new TypeError(`${op}: metrics must be an array, got ${describe(metrics)}`);
  const out: ResolvedMetric[] = [];
  for (const m of metrics) {
    let r: ResolvedMetric;
    if (typeof m === "string") {
      if (!Object.prototype.hasOwnProperty.call(BY_NAME, m)) {
        throw new RangeError(`${op}: unknown metric "${m}" (known: ${Object.keys(BY_NAME).join(", ")}, or a function)`);
      }
      r = { name: m, fn: BY_NAME[m as MetricName] };
    } else if (typeof m === "function") {
      if (!m.name) throw new TypeError(`${op}: a metric function needs a name (it becomes the history key); use a named function`);
      r = { name: m.name, fn: m as MetricFn };
    } else {
      throw new TypeError(`${op}: each metric must be a name or a function, got ${describe(m)}`);
    }
    if (r.name === "loss" || r.name.startsWith("val_")) throw new RangeError(`${op}: metric name "${r.name}" is reserved`);
    if (out.some((o) => o.name === r.name)) throw new RangeError(`${op}: metric "${r.name}" is listed twice`);
    out.push(r);
  }
  return out;
}
