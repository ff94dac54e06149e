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

function reductionOf(op: string, options: LossOptions | undefined): Reduction {
  const r = options?.reduction ?? "mean";
  if (r !== "mean" && r !== "sum" && r !== "none") {
    throw new TypeError(`${op}: reduction must be "mean", "sum" or "none", got ${describe(r)}`);
  }
  return r;
}

/**
 * One loss op. `forward(outPtr)` writes the per-element losses of `shape` and returns how many
 * count for "mean" (undefined: all of them). `backward(dyPtr, dyScalar)` returns the input
 * gradients for upstream gradients dy[e] (dyPtr != 0) or dyScalar for every element.
 */
function lossOp(
  op: string,
  inputs: Tensor[],
  shape: number[],
  reduction: Reduction,
  forward: (outPtr: number) => number | void,
  backward: (dyPtr: number, dyScalar: number) => (Tensor | null)[],
): Tensor {
  const perElement = Tensor.empty(op, shape);
  const counted = forward(perElement.ptr);
  if (reduction === "none") return record(perElement, op, inputs, (g) => backward(g.ptr, 0));
  const core = getEngine(op).core;
  const out = Tensor.empty(op, []);
  core.sum_axis_f32(out.ptr, perElement.ptr, 1, perElement.size, 1);
  perElement.dispose();
  // PyTorch: a mean over zero counted elements is NaN (0/0).
  const scale = reduction === "mean" ? 1 / (typeof counted === "number" ? counted : perElement.size) : 1;
  if (scale !== 1) core.unary_f32(7, out.ptr, out.ptr, 1, scale, 0);
  return record(out, op, inputs, (g) => backward(0, g.item() * scale));
}

function pairwise(op: string, kind: number, input: Tensor, target: Tensor, options: LossOptions | undefined, p1: number, targetGrad: boolean): Tensor {
  checkTensor(op, "input", input);
  checkTensor(op, "target", target);
  const reduction = reductionOf(op, options);
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`${op}: input ${fmt(input.shape)} and target ${fmt(target.shape)} must have the same shape`);
  }
  if (!targetGrad && target.requiresGrad) {
    throw new Error(`${op}: the derivative for target is not implemented; detach() the target (shape ${fmt(target.shape)})`);
  }
  return lossOp(
    op,
    [input, target],
    input.shape.slice(),
    reduction,
    (outPtr) => getEngine(op).core.loss_f32(kind, outPtr, input.ptr, target.ptr, input.size, p1),
    (dyPtr, dyScalar) => {
      const dx = Tensor.empty(op, input.shape.slice());
      getEngine(op).core.loss_bwd_f32(kind, dx.ptr, input.ptr, target.ptr, dyPtr, dyScalar, input.size, p1);
      // mse, l1 and huber depend on input - target only, so d/dtarget = -d/dinput
      const dt = target.requiresGrad ? neg(dx) : null;
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

/** Binary cross-entropy of probabilities (each log clamped at -100, as in PyTorch). */
export function bceLoss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  return pairwise("bceLoss", LossKind.bce, input, target, options, 0, false);
}

/** Binary cross-entropy from logits, computed stably (no sigmoid overflow). */
export function bceWithLogitsLoss(input: Tensor, target: Tensor, options?: LossOptions): Tensor {
  return pairwise("bceWithLogitsLoss", LossKind.bceWithLogits, input, target, options, 0, false);
}

export interface CrossEntropyOptions extends LossOptions {
  /** Mix the target with the uniform distribution: (1 - ε)·target + ε/C. */
  labelSmoothing?: number;
  /** Class index whose elements contribute no loss and are not counted by "mean". */
  ignoreIndex?: number;
}

/**
 * Cross-entropy from logits [N, C, ...] (or [C]) with log-softmax fused in.
 * The target is either class indices of shape [N, ...] (or [] for [C] logits), given as
 * float values that are whole numbers, or class probabilities of the logits' shape.
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
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (!Number.isInteger(ignoreIndex)) throw new TypeError(`${op}: ignoreIndex must be an integer, got ${describe(ignoreIndex)}`);
  if (logits.ndim === 0) throw new RangeError(`${op}: input must have a class dimension, got shape ${fmt(logits.shape)}`);
  if (target.requiresGrad) throw new Error(`${op}: the derivative for target is not implemented; detach() the target`);
  const classAxis = logits.ndim === 1 ? 0 : 1;
  const c = logits.shape[classAxis];
  const n = logits.ndim === 1 ? 1 : logits.shape[0];
  const inner = logits.size / Math.max(1, n * c) || 0;
  const e = getEngine(op);

  if (sameShape(target.shape, logits.shape) && logits.ndim > 0 && !(logits.ndim === 1 && target.ndim === 0)) {
    const lossShape = logits.shape.filter((_, i) => i !== classAxis);
    return lossOp(
      op,
      [logits, target],
      lossShape,
      reduction,
      (outPtr) => getEngine(op).core.cross_entropy_prob_f32(outPtr, logits.ptr, target.ptr, n, c, inner, smoothing),
      (dyPtr, dyScalar) => {
        const dx = Tensor.empty(op, logits.shape.slice());
        getEngine(op).core.cross_entropy_prob_bwd_f32(dx.ptr, logits.ptr, target.ptr, dyPtr, dyScalar, n, c, inner, smoothing);
        return [dx, null];
      },
    );
  }

  const expected = logits.shape.filter((_, i) => i !== classAxis);
  if (!sameShape(target.shape, expected)) {
    throw new RangeError(
      `${op}: target ${fmt(target.shape)} must be class indices of shape ${fmt(expected)} or probabilities of shape ${fmt(logits.shape)} for input ${fmt(logits.shape)}`,
    );
  }
  const labels = e.f32(target.ptr, target.size);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v === ignoreIndex) continue;
    if (!Number.isInteger(v) || v < 0 || v >= c) {
      throw new RangeError(`${op}: target value ${v} at index ${i} is not a class index in [0, ${c}) for input ${fmt(logits.shape)}`);
    }
  }
  return lossOp(
    op,
    [logits, target],
    expected,
    reduction,
    (outPtr) => getEngine(op).core.cross_entropy_f32(outPtr, logits.ptr, target.ptr, n, c, inner, smoothing, ignoreIndex),
    (dyPtr, dyScalar) => {
      const dx = Tensor.empty(op, logits.shape.slice());
      getEngine(op).core.cross_entropy_bwd_f32(dx.ptr, logits.ptr, target.ptr, dyPtr, dyScalar, n, c, inner, smoothing, ignoreIndex);
      return [dx, null];
    },
  );
}
