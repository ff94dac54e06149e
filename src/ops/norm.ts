// The normalization family (torch.nn.functional.batch_norm, layer_norm) and the embedding lookup
// (torch.nn.functional.embedding), each forward and backward in one place. Statistics are computed by the
// kernels in assembly/kernels/norm.ts (f64 accumulation); the embedding reuses the row gather / scatter-add
// kernels behind indexSelect.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { isGradEnabled, record } from "../autograd";
import { fmt, describe, sizeOf } from "../shape";

export interface BatchNormOptions {
  /** Per-channel scale γ [C] (default none: 1). */
  weight?: Tensor | null;
  /** Per-channel shift β [C] (default none: 0). */
  bias?: Tensor | null;
  /** Normalize with the batch's statistics (and update the running ones); default false. */
  training?: boolean;
  /** Weight of the new batch statistics in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

function optionalVector(op: string, arg: string, t: Tensor | null | undefined, c: number, x: Tensor): Tensor | null {
  if (t === undefined || t === null) return null;
  checkTensor(op, arg, t);
  if (t.ndim !== 1 || t.shape[0] !== c) {
    throw new RangeError(`${op}: ${arg} ${fmt(t.shape)} must be [${c}] (the channels of input ${fmt(x.shape)})`);
  }
  return t;
}

function finite(op: string, arg: string, v: unknown, min = -Infinity): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) {
    throw new RangeError(`${op}: ${arg} must be a finite number${min > -Infinity ? ` >= ${min}` : ""}, got ${describe(v)}`);
  }
  return v;
}

/**
 * Record y, a normalization of x with an optional elementwise weight and bias of shape `paramShape`,
 * for autograd. `backward` fills the gradient buffers of the inputs that require grad (null for the
 * rest, and for a weight or bias not given) from the upstream gradient g.
 */
function recordAffine(op: string, y: Tensor, x: Tensor, weight: Tensor | null, bias: Tensor | null, paramShape: number[],
  saved: Tensor[], backward: (g: Tensor, dx: Tensor | null, dw: Tensor | null, db: Tensor | null) => void): Tensor {
  const inputs = [x];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  return record(
    y,
    op,
    inputs,
    (g) => {
      const dx = x.requiresGrad ? Tensor.empty(op, x.shape.slice()) : null;
      const dw = weight && weight.requiresGrad ? Tensor.empty(op, paramShape.slice()) : null;
      const db = bias && bias.requiresGrad ? Tensor.empty(op, paramShape.slice()) : null;
      backward(g, dx, dw, db);
      const grads: (Tensor | null)[] = [dx];
      if (weight) grads.push(dw);
      if (bias) grads.push(db);
      return grads;
    },
    saved,
  );
}

/**
 * Batch normalization over x [N, C, *] per channel C (torch.nn.functional.batch_norm):
 * y = (x - mean) / sqrt(var + eps) · weight + bias.
 * With `training` the statistics are the batch's own (biased variance) and, when runningMean and
 * runningVar are given, they are updated in place: running = (1 - momentum)·running + momentum·batch,
 * with the unbiased variance for runningVar, as PyTorch does. Otherwise the running statistics
 * normalize. Differentiable in x, weight and bias.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null = null,
  runningVar: Tensor | null = null,
  options: BatchNormOptions = {},
): Tensor {
  const op = "batchNorm";
  checkTensor(op, "input", x);
  if (options === null || typeof options !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
  if (x.ndim < 2) throw new RangeError(`${op}: input must be at least 2-D [N, C, ...], got ${fmt(x.shape)}`);
  const [n, c] = x.shape;
  const l = sizeOf(x.shape.slice(2));
  const rm = optionalVector(op, "runningMean", runningMean, c, x);
  const rv = optionalVector(op, "runningVar", runningVar, c, x);
  if ((rm === null) !== (rv === null)) {
    throw new Error(`${op}: pass both runningMean and runningVar or neither (input ${fmt(x.shape)})`);
  }
  const weight = optionalVector(op, "weight", options.weight, c, x);
  const bias = optionalVector(op, "bias", options.bias, c, x);
  const training = options.training ?? false;
  if (typeof training !== "boolean") throw new TypeError(`${op}: training must be a boolean, got ${describe(training)}`);
  const momentum = finite(op, "momentum", options.momentum ?? 0.1);
  const eps = finite(op, "eps", options.eps ?? 1e-5, 0);
  const count = n * l;
  if (training && count <= 1) {
    throw new RangeError(`${op}: expected more than 1 value per channel when training, got input ${fmt(x.shape)}`);
  }
  if (!training && rm === null) {
    throw new Error(`${op}: eval mode (training false) needs runningMean and runningVar; pass training: true to use batch statistics`);
  }
  const e = getEngine(op);
  const mean = Tensor.empty(op, [c]);
  const variance = Tensor.empty(op, [c]);
  const y = Tensor.empty(op, x.shape.slice());
  const core = e.core;
  if (training) {
    core.batch_norm_stats_f32(mean.ptr, variance.ptr, x.ptr, n, c, l);
    if (rm && rv) core.batch_norm_update_f32(rm.ptr, rv.ptr, mean.ptr, variance.ptr, c, momentum, count / (count - 1));
  } else {
    core.copy_f32(mean.ptr, rm!.ptr, c);
    core.copy_f32(variance.ptr, rv!.ptr, c);
  }
  core.batch_norm_f32(y.ptr, x.ptr, mean.ptr, variance.ptr, weight ? weight.ptr : 0, bias ? bias.ptr : 0, n, c, l, eps);
  return recordAffine(op, y, x, weight, bias, [c], [mean, variance], (g, dx, dw, db) => {
    getEngine(op).core.batch_norm_bwd_f32(
      dx ? dx.ptr : 0, dw ? dw.ptr : 0, db ? db.ptr : 0, g.ptr, x.ptr, mean.ptr, variance.ptr,
      weight ? weight.ptr : 0, n, c, l, eps, training ? 1 : 0,
    );
  });
}

export interface LayerNormOptions {
  /** Elementwise scale, shaped like normalizedShape (default none: 1). */
  weight?: Tensor | null;
  /** Elementwise shift, shaped like normalizedShape (default none: 0). */
  bias?: Tensor | null;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** A normalized shape given as a number or an array of positive integers. */
function checkNormalizedShape(op: string, normalizedShape: unknown): number[] {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 1)) {
    throw new RangeError(`${op}: normalizedShape must be a positive integer or a non-empty array of them, got ${describe(normalizedShape)}`);
  }
  return shape.slice();
}

/**
 * Layer normalization over the trailing dims `normalizedShape` of x (torch.nn.functional.layer_norm):
 * each slice is normalized by its own mean and biased variance, then scaled and shifted elementwise.
 * Differentiable in x, weight and bias.
 */
export function layerNorm(x: Tensor, normalizedShape: number | number[], options: LayerNormOptions = {}): Tensor {
  const op = "layerNorm";
  checkTensor(op, "input", x);
  if (options === null || typeof options !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
  const shape = checkNormalizedShape(op, normalizedShape);
  const k = shape.length;
  if (x.ndim < k || x.shape.slice(x.ndim - k).join() !== shape.join()) {
    throw new RangeError(`${op}: input ${fmt(x.shape)} does not end in normalizedShape ${fmt(shape)}`);
  }
  const param = (arg: string, t: Tensor | null | undefined): Tensor | null => {
    if (t === undefined || t === null) return null;
    checkTensor(op, arg, t);
    if (t.shape.join() !== shape.join() || t.ndim !== k) {
      throw new RangeError(`${op}: ${arg} ${fmt(t.shape)} must have normalizedShape ${fmt(shape)}`);
    }
    return t;
  };
  const weight = param("weight", options.weight);
  const bias = param("bias", options.bias);
  const eps = finite(op, "eps", options.eps ?? 1e-5, 0);
  const d = sizeOf(shape);
  const rows = x.size / d;
  const mean = Tensor.empty(op, [rows]);
  const rstd = Tensor.empty(op, [rows]);
  const y = Tensor.empty(op, x.shape.slice());
  getEngine(op).core.layer_norm_f32(y.ptr, mean.ptr, rstd.ptr, x.ptr, weight ? weight.ptr : 0, bias ? bias.ptr : 0, rows, d, eps);
  return recordAffine(op, y, x, weight, bias, shape, [mean, rstd], (g, dx, dw, db) => {
    const e = getEngine(op);
    const scratch = dw || db ? e.scratch(e.core.layer_norm_bwd_scratch_bytes(d)) : 0;
    e.core.layer_norm_bwd_f32(
      dx ? dx.ptr : 0, dw ? dw.ptr : 0, db ? db.ptr : 0, g.ptr, x.ptr, mean.ptr, rstd.ptr,
      weight ? weight.ptr : 0, rows, d, scratch,
    );
  });
}

export interface EmbeddingOptions {
  /** A row whose gradient is always zero (negative counts from the end), as torch's padding_idx. */
  paddingIdx?: number | null;
}

/** paddingIdx normalized to [0, num) or null; throws for a non-integer or out-of-range value. */
function checkPaddingIdx(op: string, paddingIdx: unknown, num: number): number | null {
  if (paddingIdx === undefined || paddingIdx === null) return null;
  if (typeof paddingIdx !== "number" || !Number.isInteger(paddingIdx) || paddingIdx < -num || paddingIdx >= num) {
    throw new RangeError(`${op}: paddingIdx must be an integer in [${-num}, ${num}) for ${num} embeddings, got ${describe(paddingIdx)}`);
  }
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

/**
 * Look up rows of weight [numEmbeddings, dim] at the integer positions held (as float values) in
 * `input` of any shape: out.shape = [...input.shape, dim] (torch.nn.functional.embedding).
 * Differentiable in weight: the gradient scatter-adds into the looked-up rows (repeats accumulate),
 * except the paddingIdx row, which gets none.
 */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  const op = "embedding";
  checkTensor(op, "input", input);
  checkTensor(op, "weight", weight);
  if (options === null || typeof options !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
  if (weight.ndim !== 2) throw new RangeError(`${op}: weight must be 2-D [numEmbeddings, embeddingDim], got ${fmt(weight.shape)}`);
  const [num, dim] = weight.shape;
  const pad = checkPaddingIdx(op, options.paddingIdx, num);
  const e = getEngine(op);
  const n = input.size;
  const values = e.f32(input.ptr, n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) {
      throw new RangeError(`${op}: index ${v} at flat position ${i} is not an integer (input ${fmt(input.shape)}, weight ${fmt(weight.shape)})`);
    }
    if (v < 0 || v >= num) {
      throw new RangeError(
        `${op}: index ${v} at flat position ${i} is out of range for ${num} embeddings (input ${fmt(input.shape)}, weight ${fmt(weight.shape)})`,
      );
    }
  }
  const out = Tensor.empty(op, [...input.shape, dim]);
  e.core.gather_rows_f32(out.ptr, weight.ptr, input.ptr, n, dim);
  if (!(weight.requiresGrad && isGradEnabled())) return out;
  // Our own copy of the indices for backward (the caller may dispose or change theirs).
  const idx = Tensor.empty(op, input.shape.slice());
  e.core.copy_f32(idx.ptr, input.ptr, n);
  return record(
    out,
    op,
    [weight],
    (g) => {
      const c = getEngine(op).core;
      const dw = Tensor.empty(op, [num, dim]);
      c.fill_f32(dw.ptr, dw.size, 0);
      c.scatter_add_rows_f32(dw.ptr, g.ptr, idx.ptr, n, dim);
      if (pad !== null) c.fill_f32(dw.ptr + pad * dim * 4, dim, 0);
      return [dw];
    },
    [idx],
  );
}
