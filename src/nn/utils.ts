// torch.nn.utils: gradient clipping. Both functions change the gradients in place (PyTorch's trailing
// underscore) and skip parameters whose .grad is null.
import { Tensor } from "../tensor";
import { getEngine } from "../engine";
import { UnaryOp } from "../core";
import { describe, fmt } from "../shape";

function gradsOf(op: string, params: unknown): Tensor[] {
  let list: unknown[];
  if (params instanceof Tensor) list = [params];
  else if (params !== null && typeof params === "object" && typeof (params as any)[Symbol.iterator] === "function") {
    list = [...(params as Iterable<unknown>)];
  } else {
    throw new TypeError(`${op}: parameters must be a Tensor or an array of Tensors, got ${describe(params)}`);
  }
  const grads: Tensor[] = [];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${op}: parameters[${i}] must be a Tensor, got ${describe(p)}`);
    const g = p.grad;
    if (!g) return;
    if (g.isDisposed) throw new Error(`${op}: the gradient of parameters[${i}] (shape ${fmt(p.shape)}) was disposed`);
    grads.push(g);
  });
  return grads;
}

export interface ClipGradNormOptions {
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false, as torch 1.13). */
  errorIfNonfinite?: boolean;
}

/**
 * Scale all gradients together so their total norm (as if concatenated into one vector) is at most maxNorm:
 * each is multiplied by maxNorm / (totalNorm + 1e-6) when that is below 1 (torch.nn.utils.clip_grad_norm_).
 * normType is any p > 0 (default 2) or Infinity (the largest |g|). Returns the total norm before clipping,
 * rounded to float32 like torch's returned tensor (0 when no parameter has a gradient). The L2 norm sums
 * squares in f64 (the sumsq_f32 kernel); other orders are summed in f64 too.
 */
export function clipGradNorm_(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): number {
  const op = "clipGradNorm_";
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm)) throw new TypeError(`${op}: maxNorm must be a number, got ${describe(maxNorm)}`);
  if (typeof normType !== "number" || !(normType > 0)) {
    throw new RangeError(`${op}: normType must be a number > 0 or Infinity, got ${describe(normType)}`);
  }
  const grads = gradsOf(op, params);
  if (grads.length === 0) return 0;
  const e = getEngine(op);
  const core = e.core;
  let total: number;
  if (normType === 2) {
    let sum = 0;
    for (const g of grads) sum += core.sumsq_f32(g.ptr, g.size);
    total = Math.sqrt(sum);
  } else if (normType === Infinity) {
    total = 0;
    for (const g of grads) {
      const v = e.f32(g.ptr, g.size); // no allocation while the view is alive
      for (let i = 0; i < v.length; i++) {
        const a = Math.abs(v[i]);
        if (a > total || Number.isNaN(a)) total = a;
        if (Number.isNaN(total)) break;
      }
    }
  } else {
    let sum = 0;
    for (const g of grads) {
      const v = e.f32(g.ptr, g.size);
      for (let i = 0; i < v.length; i++) sum += Math.abs(v[i]) ** normType;
    }
    total = sum ** (1 / normType);
  }
  total = Math.fround(total);
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new RangeError(
      `${op}: the total norm of order ${normType} for gradients is non-finite (${total}), so it cannot be clipped; ` +
        "pass { errorIfNonfinite: false } to scale the gradients by it anyway",
    );
  }
  // torch: clip_coef = max_norm / (total_norm + 1e-6) in float32, clamped to at most 1 (a NaN stays NaN).
  const coef = Math.fround(maxNorm / Math.fround(total + Math.fround(1e-6)));
  if (!(coef >= 1)) {
    for (const g of grads) core.unary_f32(UnaryOp.affine, g.ptr, g.ptr, g.size, coef, 0);
  }
  return total;
}

/** Clamp every gradient element into [-clipValue, clipValue] in place (torch.nn.utils.clip_grad_value_). */
export function clipGradValue_(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = "clipGradValue_";
  if (typeof clipValue !== "number" || Number.isNaN(clipValue)) {
    throw new TypeError(`${op}: clipValue must be a number, got ${describe(clipValue)}`);
  }
  const grads = gradsOf(op, params);
  const core = getEngine(op).core;
  for (const g of grads) core.unary_f32(UnaryOp.clamp, g.ptr, g.ptr, g.size, -clipValue, clipValue);
}
