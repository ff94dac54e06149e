// nn.BatchNorm1d, nn.BatchNorm2d and nn.LayerNorm with PyTorch's defaults, state-dict keys (weight, bias,
// running_mean, running_var, num_batches_tracked) and train/eval behaviour.
import { Tensor } from "../tensor";
import { ones, zeros } from "../ops/creation";
import { batchNorm, layerNorm } from "../ops/norm";
import { fill_ } from "../ops/inplace";
import { noGrad } from "../autograd";
import { Module } from "./module";
import { fmt, describe } from "../shape";
import { flag, positiveInt } from "../args";

export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running statistics (default 0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learnable per-channel weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true); without them eval mode uses batch statistics. */
  trackRunningStats?: boolean;
}

function epsilon(op: string, v: unknown): number {
  if (v === undefined) return 1e-5;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new RangeError(`${op}: eps must be a finite number >= 0, got ${describe(v)}`);
  return v;
}

/** What BatchNorm1d and BatchNorm2d share (torch's _BatchNorm): parameters, buffers and forward. */
export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  /** How many training batches updated the running statistics (a 0-d float tensor; int64 in PyTorch). */
  readonly numBatchesTracked: Tensor | null;

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    const op = `nn.${new.target.name}`;
    if (options === null || typeof options !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
    this.numFeatures = positiveInt(op, "numFeatures", numFeatures);
    this.eps = epsilon(op, options.eps);
    const momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (momentum !== null && (typeof momentum !== "number" || !Number.isFinite(momentum))) {
      throw new RangeError(`${op}: momentum must be a finite number or null, got ${describe(momentum)}`);
    }
    this.momentum = momentum;
    this.affine = flag(op, "affine", options.affine, true);
    this.trackRunningStats = flag(op, "trackRunningStats", options.trackRunningStats, true);
    const c = numFeatures;
    this.weight = this.registerParameter("weight", this.affine ? ones([c]) : null);
    this.bias = this.registerParameter("bias", this.affine ? zeros([c]) : null);
    const track = this.trackRunningStats;
    this.runningMean = this.registerBuffer("running_mean", track ? zeros([c]) : null);
    this.runningVar = this.registerBuffer("running_var", track ? ones([c]) : null);
    this.numBatchesTracked = this.registerBuffer("num_batches_tracked", track ? zeros([]) : null);
  }

  /** Throw unless x has the dims this layer takes. */
  protected abstract checkInputDim(x: Tensor): void;

  /** Running mean 0, running variance 1, no batches tracked. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    fill_(this.runningMean!, 0);
    fill_(this.runningVar!, 1);
    fill_(this.numBatchesTracked!, 0);
  }

  /** Running statistics reset, weight 1, bias 0 (torch's reset_parameters). */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      noGrad(() => {
        fill_(this.weight!, 1);
        fill_(this.bias!, 0);
      });
    }
  }

  forward(x: Tensor): Tensor {
    const op = `nn.${this.typeName}`;
    if (!(x instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${describe(x)}`);
    this.checkInputDim(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new RangeError(`${op}: input ${fmt(x.shape)} has ${x.shape[1]} channels (dim 1), expected numFeatures = ${this.numFeatures}`);
    }
    const updating = this.training && this.trackRunningStats;
    const batches = updating ? this.numBatchesTracked!.item() + 1 : 0;
    // momentum null: a cumulative moving average, each batch weighted 1/(batches so far)
    const factor = this.momentum === null ? (updating ? 1 / batches : 0) : this.momentum;
    // Train mode normalizes with batch statistics; so does eval mode when no running statistics are kept.
    const useBatchStats = this.training || !this.trackRunningStats;
    const y = batchNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum: factor,
      eps: this.eps,
    });
    if (updating) fill_(this.numBatchesTracked!, batches);
    return y;
  }

  extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, track_running_stats=${this.trackRunningStats}`;
  }
}

/** Batch normalization over [N, C] or [N, C, L] (statistics per channel C). */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) {
      throw new RangeError(`nn.BatchNorm1d: expected 2-D [N, C] or 3-D [N, C, L] input, got ${fmt(x.shape)}`);
    }
  }
}

/** Batch normalization over [N, C, H, W] (statistics per channel C). */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw new RangeError(`nn.BatchNorm2d: expected 4-D [N, C, H, W] input, got ${fmt(x.shape)}`);
  }
}

export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learnable elementwise weight (ones) and bias (zeros) shaped like normalizedShape (default true). */
  elementwiseAffine?: boolean;
}

/** Layer normalization over the trailing dims `normalizedShape` (a size or an array of sizes). */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(normalizedShape: number | number[], options: LayerNormOptions = {}) {
    super();
    const op = "nn.LayerNorm";
    if (options === null || typeof options !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0) {
      throw new RangeError(`${op}: normalizedShape must be a positive integer or a non-empty array of them, got ${describe(normalizedShape)}`);
    }
    shape.forEach((d, i) => positiveInt(op, `normalizedShape[${i}]`, d));
    this.normalizedShape = shape.slice();
    this.eps = epsilon(op, options.eps);
    this.elementwiseAffine = flag(op, "elementwiseAffine", options.elementwiseAffine, true);
    this.weight = this.registerParameter("weight", this.elementwiseAffine ? ones(shape) : null);
    this.bias = this.registerParameter("bias", this.elementwiseAffine ? zeros(shape) : null);
  }

  /** Weight 1, bias 0. */
  resetParameters(): void {
    if (!this.elementwiseAffine) return;
    noGrad(() => {
      fill_(this.weight!, 1);
      fill_(this.bias!, 0);
    });
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  extraRepr(): string {
    return `(${this.normalizedShape.join(", ")}${this.normalizedShape.length === 1 ? "," : ""}), eps=${this.eps}, elementwise_affine=${this.elementwiseAffine}`;
  }
}
