// Loss functions as PyTorch defines them (torch.nn.functional), each one autograd node: the
// per-element loss kernel, then the requested reduction ("mean" | "sum" | "none") inside the
// same op, so no hidden intermediate outlives the call.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { LossKind } from "../core";
import { fmt, sameShape, describe } from "../shape";
import { neg } from "./elementwise";

export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  reduction?: Reduction;
}

function reductionOf(op: string, options: { reduction?: string } | undefined, batchmean = false): Reduction | "batchmean" {
  const r = options?.reduction ?? "mean";
  if (r !== "mean" && r !== "sum" && r !== "none" && !(batchmean && r === "batchmean")) {
    throw new TypeError(`${op}: reduction must be "mean", "sum"${batchmean ? ', "none" or "batchmean"' : ' or "none"'}, got ${describe(r)}`);
  }
  return r;
}

/**
 * One loss op. `forward(outPtr)` writes the per-element losses of `shape` and returns the divisor of
 * "mean" and "batchmean" (undefined: the number of elements). `backward(dyPtr, dyScalar)` returns the input
 * gradients for upstream gradients dy[e] (dyPtr != 0) or dyScalar for every element.
 */
function lossOp(
  op: string,
  inputs: Tensor[],
  shape: number[],
  reduction: Reduction | "batchmean",
  forward: (outPtr: number) => number | void,
  backward: (dyPtr: number, dyScalar: number) => (Tensor | null)[],
  saved: Tensor[] = [],
): Tensor {
  const perElement = Tensor.empty(op, shape);
  const counted = forward(perElement.ptr);
  if (reduction === "none") return record(perElement, op, inputs, (g) => backward(g.ptr, 0), saved);
  const core = getEngine(op).core;
  const out = Tensor.empty(op, []);
  core.sum_axis_f32(out.ptr, perElement.ptr, 1, perElement.size, 1);
  perElement.dispose();
  // PyTorch: a mean over zero counted elements is NaN (0/0).
  const scale = reduction === "sum" ? 1 : 1 / (typeof counted === "number" ? counted : perElement.size);
  if (scale !== 1) core.unary_f32(7, out.ptr, out.ptr, 1, scale, 0);
  return record(out, op, inputs, (g) => backward(0, g.item() * scale), saved);
}

/**
 * An elementwise loss_f32 kind. targetGrad: false (none: an error if the target requires grad), true (the
 * loss depends on input - target only: d/dtarget = -d/dinput) or the loss_bwd_f32 kind giving d/dtarget.
 */
function pairwise(
  op: string, kind: number, input: Tensor, target: Tensor, options: { reduction?: string } | undefined, p1: number,
  targetGrad: boolean | number,
): Tensor {
  checkTensor(op, "input", input);
  checkTensor(op, "target", target);
  const r = reductionOf(op, options, kind >= LossKind.klDiv);
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`${op}: input ${fmt(input.shape)} and target ${fmt(target.shape)} must have the same shape`);
  }
  if (!targetGrad && target.requiresGrad) {
    throw new Error(`${op}: the derivative for target is not implemented; detach() the target (shape ${fmt(target.shape)})`);
  }
  const grad = (k: number, dyPtr: number, dyScalar: number) => {
    const d = Tensor.empty(op, input.shape.slice());
    getEngine(op).core.loss_bwd_f32(k, d.ptr, input.ptr, target.ptr, dyPtr, dyScalar, input.size, p1);
    return d;
  };
  return lossOp(
    op,
    [input, target],
    input.shape.slice(),
    r,
    // "batchmean" divides the sum by the batch size input.shape[0] (a 0-d input: by 1)
    (outPtr) => (getEngine(op).core.loss_f32(kind, outPtr, input.ptr, target.ptr, input.size, p1), r === "batchmean" ? input.shape[0] ?? 1 : undefined),
    (dyPtr, dyScalar) => {
      const dx = grad(kind, dyPtr, dyScalar);
      let dt: Tensor | null = null;
      if (target.requiresGrad) dt = typeof targetGrad === "number" ? grad(targetGrad, dyPtr, dyScalar) : neg(dx);
      if (!input.requiresGrad) dx.dispose();
      return [input.requiresGrad ? dx : null, dt];
    },
  );
}

/** Mean squared error (input - target)². */
export function mseLoss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  return pairwise("mseLoss", LossKind.mse, input, target, options, 0, true);
}

/** Mean absolute error |input - target|. */
export function l1Loss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  return pairwise("l1Loss", LossKind.l1, input, target, options, 0, true);
}

/** Huber loss: quadratic within delta of the target, linear beyond (torch.nn.HuberLoss). */
export function huberLoss(input: Tensor, target: Tensor, options?: LossOptions & { delta?: number }): Tensor {
  const delta = options?.delta ?? 1;
  if (typeof delta !== "number" || !(delta > 0)) throw new RangeError(`huberLoss: delta must be a positive number, got ${describe(delta)}`);
  return pairwise("huberLoss", LossKind.huber, input, target, options, delta, true);
}

/**
 * Smooth L1 loss (torch.nn.functional.smooth_l1_loss): 0.5 (input - target)² / beta where |input - target| < beta,
 * else |input - target| - 0.5 beta. beta 0 gives exactly l1Loss's values.
 */
export function smoothL1Loss(input: Tensor, target: Tensor, options?: LossOptions & { beta?: number }): Tensor {
  const beta = options?.beta ?? 1;
  if (typeof beta !== "number" || !(beta >= 0)) throw new RangeError(`smoothL1Loss: beta must be a number >= 0, got ${describe(beta)}`);
  return pairwise("smoothL1Loss", LossKind.smoothL1, input, target, options, beta, true);
}

export interface KLDivOptions {
  /** "batchmean" divides the sum by input.shape[0], the true KL divergence per sample; "mean" (torch's default) by every element. */
  reduction?: Reduction | "batchmean";
  /** The target holds log-probabilities instead of probabilities. */
  logTarget?: boolean;
}

/**
 * Kullback-Leibler divergence (torch.nn.functional.kl_div) of the target distribution from the input, which
 * holds log-probabilities: target (log target - input) elementwise, 0 where target == 0, or with logTarget
 * exp(target) (target - input). Differentiable in both arguments.
 */
export function klDiv(input: Tensor, target: Tensor, options?: KLDivOptions): Tensor {
  const logTarget = options?.logTarget ?? false;
  if (typeof logTarget !== "boolean") throw new TypeError(`klDiv: logTarget must be a boolean, got ${describe(logTarget)}`);
  return logTarget
    ? pairwise("klDiv", LossKind.klDivLog, input, target, options, 0, LossKind.klDivLogTarget)
    : pairwise("klDiv", LossKind.klDiv, input, target, options, 0, LossKind.klDivTarget);
}

/** Binary cross-entropy of probabilities (each log clamped at -100, as in PyTorch). */
export function bceLoss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  return pairwise("bceLoss", LossKind.bce, input, target, options, 0, false);
}

/** Binary cross-entropy from logits, computed stably (no sigmoid overflow). */
export function bceWithLogitsLoss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  return pairwise("bceWithLogitsLoss", LossKind.bceWithLogits, input, target, options, 0, false);
}

/** ignoreIndex and the [n, c, inner] layout of class-index losses (input [C], [N, C] or [N, C, d1, ...]). */
function classLayout(op: string, input: Tensor, target: Tensor, options: { ignoreIndex?: number }) {
  const ignoreIndex = options.ignoreIndex ?? -100;
  // the kernels take it as an i32: a larger value would wrap onto a real class
  if (ignoreIndex !== (ignoreIndex | 0)) throw new TypeError(`${op}: ignoreIndex must be a 32-bit integer, got ${describe(ignoreIndex)}`);
  if (input.ndim === 0) throw new RangeError(`${op}: input must have a class dimension, got shape ${fmt(input.shape)}`);
  if (target.requiresGrad) throw new Error(`${op}: the derivative for target is not implemented; detach() the target`);
  const classAxis = input.ndim === 1 ? 0 : 1;
  const c = input.shape[classAxis];
  const n = input.ndim === 1 ? 1 : input.shape[0];
  return { ignoreIndex, classAxis, c, n, inner: input.size / Math.max(1, n * c) || 0 };
}

/** Every target value must be ignoreIndex or a whole number in [0, c): checked before any kernel runs. */
function checkLabels(op: string, input: Tensor, target: Tensor, c: number, ignoreIndex: number): void {
  const labels = getEngine(op).f32(target.ptr, target.size);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v === ignoreIndex) continue;
    if (!Number.isInteger(v) || v < 0 || v >= c) {
      throw new RangeError(`${op}: target value ${v} at index ${i} is not a class index in [0, ${c}) for input ${fmt(input.shape)}`);
    }
  }
}

/** An optional per-class weight [C]: a plain tensor (no gradient) of the class count. */
function checkWeight(op: string, weight: Tensor | null, c: number, input: Tensor): void {
  if (weight === null) return;
  checkTensor(op, "weight", weight);
  if (!sameShape(weight.shape, [c])) throw new RangeError(`${op}: weight ${fmt(weight.shape)} must have shape [${c}] (one per class) for input ${fmt(input.shape)}`);
  if (weight.requiresGrad) throw new Error(`${op}: the derivative for weight is not implemented; detach() the weight`);
}

export interface CrossEntropyOptions extends LossOptions {
  /** Mix the target with the uniform distribution: (1 - ε)·target + ε/C. */
  labelSmoothing?: number;
  /** Class index whose elements contribute no loss and are not counted by "mean". */
  ignoreIndex?: number;
  /**
   * A weight per class [C], as torch: class-index targets scale each element's loss by its class's weight (label
   * smoothing's term by every class's) and "mean" divides by the summed weights of the counted elements;
   * probability targets weight each class's term and "mean" divides by the number of elements.
   */
  weight?: Tensor | null;
}

/**
 * Class weights folded into a probability target T [n, c, inner] for cross_entropy_prob_f32 (no smoothing there),
 * whose loss -sum_c T_c logp_c and gradient g (softmax sum_c T_c - T) are then torch's weighted ones.
 * Class indices: T_c = ε/C w_c + (1 - ε) w_t [c == t], 0 for ignored elements; returns also sum w_t over the
 * counted elements (the divisor of "mean"). Probabilities: T_c = w_c ((1 - ε) t_c + ε/C).
 */
function weightedTarget(
  op: string, logits: Tensor, target: Tensor, weight: Tensor, n: number, c: number, inner: number, smoothing: number,
  ignoreIndex: number | null,
) {
  const T = Tensor.empty(op, logits.shape.slice());
  const probs = ignoreIndex === null;
  const total = getEngine(op).core.ce_weighted_target_f32(T.ptr, target.ptr, weight.ptr, n, c, inner, smoothing, probs ? 0 : ignoreIndex, probs ? 1 : 0);
  return { T, total };
}

/**
 * Cross-entropy from logits [N, C, ...] (or [C]) with log-softmax fused in.
 * The target is either class indices of shape [N, ...] (or [] for [C] logits), given as
 * float values that are whole numbers, or class probabilities of the logits' shape.
 * With class weights the op runs the probability-target kernel on the weights folded into the target.
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = "crossEntropy";
  checkTensor(op, "input", logits);
  checkTensor(op, "target", target);
  const reduction = reductionOf(op, options);
  const smoothing = options.labelSmoothing ?? 0;
  if (typeof smoothing !== "number" || !(smoothing >= 0 && smoothing <= 1)) {
    throw new RangeError(`${op}: labelSmoothing must be in [0, 1], got ${describe(smoothing)}`);
  }
  const { ignoreIndex, classAxis, c, n, inner } = classLayout(op, logits, target, options);
  const weight = options.weight ?? null;
  checkWeight(op, weight, c, logits);
  const lossShape = logits.shape.filter((_, i) => i !== classAxis);
  const probs = sameShape(target.shape, logits.shape) && logits.ndim > 0 && !(logits.ndim === 1 && target.ndim === 0);
  if (!probs) {
    if (!sameShape(target.shape, lossShape)) {
      throw new RangeError(
        `${op}: target ${fmt(target.shape)} must be class indices of shape ${fmt(lossShape)} or probabilities of shape ${fmt(logits.shape)} for input ${fmt(logits.shape)}`,
      );
    }
    checkLabels(op, logits, target, c, ignoreIndex);
  }
  const inputs = weight ? [logits, target, weight] : [logits, target];

  if (probs || weight) {
    // class weights are folded into a probability target, smoothing included (see weightedTarget)
    const w = weight ? weightedTarget(op, logits, target, weight, n, c, inner, smoothing, probs ? null : ignoreIndex) : null;
    const t = w ? w.T : target, eps = w ? 0 : smoothing;
    return lossOp(
      op,
      inputs,
      lossShape,
      reduction,
      // "mean" of weighted class indices: over the summed weights (NaN when 0, as torch); of probabilities: over elements
      (outPtr) => (getEngine(op).core.cross_entropy_prob_f32(outPtr, logits.ptr, t.ptr, n, c, inner, eps), probs ? undefined : w!.total || NaN),
      (dyPtr, dyScalar) => {
        const dx = Tensor.empty(op, logits.shape.slice());
        getEngine(op).core.cross_entropy_prob_bwd_f32(dx.ptr, logits.ptr, t.ptr, dyPtr, dyScalar, n, c, inner, eps);
        return [dx, null, null];
      },
      w ? [w.T] : [],
    );
  }

  return lossOp(
    op,
    inputs,
    lossShape,
    reduction,
    (outPtr) => getEngine(op).core.cross_entropy_f32(outPtr, logits.ptr, target.ptr, n, c, inner, smoothing, ignoreIndex),
    (dyPtr, dyScalar) => {
      const dx = Tensor.empty(op, logits.shape.slice());
      getEngine(op).core.cross_entropy_bwd_f32(dx.ptr, logits.ptr, target.ptr, dyPtr, dyScalar, n, c, inner, smoothing, ignoreIndex);
      return [dx, null];
    },
  );
}

export interface NLLLossOptions extends LossOptions {
  /** Class index whose elements contribute no loss and are not counted by "mean". */
  ignoreIndex?: number;
  /** A weight per class [C]: each element's loss is scaled by its class's weight, and "mean" divides by the summed weights. */
  weight?: Tensor | null;
}

/**
 * Negative log-likelihood (torch.nn.functional.nll_loss) of log-probabilities [N, C, ...] (or [C]), e.g. from
 * logSoftmax(x, 1), at class indices [N, ...] (or [] for [C]) given as float values that are whole numbers:
 * -weight[t] · input[n, t, ...] per element; "mean" divides the sum by the summed weights of the counted elements.
 */
export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  const op = "nllLoss";
  checkTensor(op, "input", input);
  checkTensor(op, "target", target);
  const reduction = reductionOf(op, options);
  const { ignoreIndex, classAxis, c, n, inner } = classLayout(op, input, target, options);
  const weight = options.weight ?? null;
  checkWeight(op, weight, c, input);
  const expected = input.shape.filter((_, i) => i !== classAxis);
  if (!sameShape(target.shape, expected)) {
    throw new RangeError(`${op}: target ${fmt(target.shape)} must be class indices of shape ${fmt(expected)} for input ${fmt(input.shape)}`);
  }
  checkLabels(op, input, target, c, ignoreIndex);
  const wPtr = weight ? weight.ptr : 0;
  return lossOp(
    op,
    weight ? [input, target, weight] : [input, target],
    expected,
    reduction,
    (outPtr) => getEngine(op).core.nll_f32(outPtr, input.ptr, target.ptr, wPtr, n, c, inner, ignoreIndex),
    (dyPtr, dyScalar) => {
      const dx = Tensor.empty(op, input.shape.slice());
      getEngine(op).core.nll_bwd_f32(dx.ptr, target.ptr, wPtr, dyPtr, dyScalar, n, c, inner, ignoreIndex);
      return [dx, null, null];
    },
  );
}
