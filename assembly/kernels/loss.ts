// Elementwise loss values and their gradients (the engine does the reduction). PyTorch semantics.

import { loadK, storeK, sel, exp4, log4, log1p4, sigmoid4 } from "./simd_math";
import { sign4 } from "./common";

// Out-of-line log4 and exp4 for the kl_div kinds (an inlined copy per call site costs ~1 KB of wasm each).
function logV(x: v128): v128 { return log4(x); }
function expV(x: v128): v128 { return exp4(x); }

// @ts-ignore: decorator
@inline function lossV(kind: i32, x: v128, y: v128, p1: f32): v128 {
  const zero = f32x4.splat(0.0);
  const one = f32x4.splat(1.0);
  switch (kind) {
    case 0: { const d = f32x4.sub(x, y); return f32x4.mul(d, d); }
    case 1: return f32x4.abs(f32x4.sub(x, y));
    case 2: { // huber: z < delta ? 0.5 z^2 : delta (z - 0.5 delta)
      const z = f32x4.abs(f32x4.sub(x, y));
      const dv = f32x4.splat(p1);
      const quad = f32x4.mul(f32x4.mul(f32x4.splat(0.5), z), z);
      const lin = f32x4.mul(dv, f32x4.sub(z, f32x4.splat(0.5 * p1)));
      return sel(quad, lin, f32x4.lt(z, dv));
    }
    case 3: { // bce: (y - 1) * max(log1p(-x), -100) - y * max(log(x), -100)
      const m100 = f32x4.splat(-100.0);
      const l1 = f32x4.max(log1p4(f32x4.neg(x)), m100);
      const l0 = f32x4.max(log4(x), m100);
      return f32x4.sub(f32x4.mul(f32x4.sub(y, one), l1), f32x4.mul(y, l0));
    }
    case 4: { // bce with logits: (1 - y) x + max(-x, 0) + log1p(exp(-|x|))
      const m = f32x4.max(f32x4.neg(x), zero);
      const sp = log1p4(exp4(f32x4.neg(f32x4.abs(x))));
      return f32x4.add(f32x4.add(f32x4.mul(f32x4.sub(one, y), x), m), sp);
    }
    case 5: { // smooth l1: z < beta ? 0.5 z^2 / beta : z - 0.5 beta (beta 0: always z)
      const z = f32x4.abs(f32x4.sub(x, y));
      const quad = f32x4.div(f32x4.mul(f32x4.mul(f32x4.splat(0.5), z), z), f32x4.splat(p1));
      return sel(quad, f32x4.sub(z, f32x4.splat(0.5 * p1)), f32x4.lt(z, f32x4.splat(p1)));
    }
    case 6: // kl_div: xlogy(y, y) - y x, with xlogy(0, y) = 0 (a NaN y stays NaN)
      return f32x4.sub(sel(zero, f32x4.mul(y, logV(y)), f32x4.eq(y, zero)), f32x4.mul(y, x));
    default: // kl_div with log target: exp(y) (y - x)
      return f32x4.mul(expV(y), f32x4.sub(y, x));
  }
}

// @ts-ignore: decorator
@inline function lossLoop(kind: i32, out: usize, x: usize, y: usize, n: i32, p1: f32): void {
  // one copy of the vector body serves full vectors and the partial tail (padding lanes hold 0.5)
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const k = min(4, n - i);
    storeK(out + o, lossV(kind, loadK(x + o, k, 0.5), loadK(y + o, k, 0.5), p1), k);
  }
}

/**
 * Elementwise loss values out[i] = L(x[i], y[i]). kind: 0 mse (x-y)^2, 1 l1 |x-y|, 2 huber (delta p1,
 * torch.nn.HuberLoss), 3 bce (x a probability; each log clamped at -100 like torch, log(1-x) as log1p(-x)),
 * 4 bce_with_logits (x a logit; (1-y)x + max(-x,0) + log1p(exp(-|x|)), finite for any finite x),
 * 5 smooth_l1 (beta p1 >= 0; torch.nn.SmoothL1Loss), 6 kl_div (x a log-probability, y a probability:
 * xlogy(y, y) - y x as torch, 0 where y == 0), 7 kl_div with log target (exp(y) (y - x)).
 */
export function loss_f32(kind: i32, out: usize, x: usize, y: usize, n: i32, p1: f32): void {
  switch (kind) {
    case 0: lossLoop(0, out, x, y, n, p1); break;
    case 1: lossLoop(1, out, x, y, n, p1); break;
    case 2: lossLoop(2, out, x, y, n, p1); break;
    case 3: lossLoop(3, out, x, y, n, p1); break;
    case 4: lossLoop(4, out, x, y, n, p1); break;
    default: lossLoop(kind, out, x, y, n, p1); break; // the newer kinds share one loop (switch per vector)
  }
}

// @ts-ignore: decorator
@inline function lossBwdV(kind: i32, x: v128, y: v128, g: v128, p1: f32): v128 {
  switch (kind) {
    case 0: { const d = f32x4.sub(x, y); return f32x4.mul(f32x4.add(d, d), g); } // 2 (x - y) g
    case 1: return f32x4.mul(sign4(f32x4.sub(x, y)), g); // sign(x - y) g, sign(0) = sign(NaN) = 0
    case 2: { // huber: d <= -delta ? -g delta : d >= delta ? g delta : d g
      const d = f32x4.sub(x, y);
      const dv = f32x4.splat(p1);
      const gd = f32x4.mul(g, dv);
      let r = f32x4.mul(d, g);
      r = sel(gd, r, f32x4.ge(d, dv));
      return sel(f32x4.neg(gd), r, f32x4.le(d, f32x4.neg(dv)));
    }
    case 3: { // bce: g (x - y) / max((1 - x) x, 1e-12)
      const den = f32x4.max(f32x4.mul(f32x4.sub(f32x4.splat(1.0), x), x), f32x4.splat(1e-12));
      return f32x4.div(f32x4.mul(g, f32x4.sub(x, y)), den);
    }
    case 4: return f32x4.mul(f32x4.sub(sigmoid4(x), y), g); // (sigmoid(x) - y) g
    case 5: { // smooth l1: d <= -beta ? -g : d >= beta ? g : d g / beta (torch's order; at beta 0, d == 0 gives -g)
      const d = f32x4.sub(x, y);
      const bv = f32x4.splat(p1);
      const r = sel(g, f32x4.div(f32x4.mul(d, g), bv), f32x4.ge(d, bv));
      return sel(f32x4.neg(g), r, f32x4.le(d, f32x4.neg(bv)));
    }
    case 6: return f32x4.mul(f32x4.neg(g), y); // kl_div: -g y
    case 7: return f32x4.mul(f32x4.neg(g), expV(y)); // kl_div, log target: -g exp(y)
    // d/dy of kl_div as torch's autograd sums it: g (log y + y/y - x), NaN at y == 0 like torch's xlogy
    case 8: return f32x4.mul(g, f32x4.sub(f32x4.add(logV(y), f32x4.div(y, y)), x));
    default: { // d/dy of kl_div with log target: g exp(y) (y - x) + g exp(y)
      const ge = f32x4.mul(g, expV(y));
      return f32x4.add(f32x4.mul(ge, f32x4.sub(y, x)), ge);
    }
  }
}

// @ts-ignore: decorator
@inline function lossBwdLoop(kind: i32, dx: usize, x: usize, y: usize, dy: usize, dyScalar: f32, n: i32, p1: f32): void {
  const gs = f32x4.splat(dyScalar);
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const k = min(4, n - i);
    const g = dy ? loadK(dy + o, k, 0) : gs;
    storeK(dx + o, lossBwdV(kind, loadK(x + o, k, 0.5), loadK(y + o, k, 0.5), g, p1), k);
  }
}

/**
 * Gradient of loss_f32 with respect to x: dx[i] = dL/dx(x[i], y[i]) * (dy != 0 ? dy[i] : dyScalar), written.
 * torch conventions: mse 2(x-y)g; l1 sign(x-y)g (0 at x == y); huber -delta g / (x-y) g / delta g split at
 * x-y <= -delta and >= delta; bce g(x-y)/max((1-x)x, 1e-12); bce_with_logits (sigmoid(x) - y) g;
 * smooth_l1 -g / (x-y) g / beta / g split at x-y <= -beta and >= beta; kl_div -g y; kl_div log target
 * -g exp(y). Kinds 8 and 9 are the gradients of kinds 6 and 7 with respect to y instead:
 * g (log y + y/y - x) and g exp(y) (y - x) + g exp(y), the terms torch's autograd sums.
 */
export function loss_bwd_f32(kind: i32, dx: usize, x: usize, y: usize, dy: usize, dyScalar: f32, n: i32, p1: f32): void {
  switch (kind) {
    case 0: lossBwdLoop(0, dx, x, y, dy, dyScalar, n, p1); break;
    case 1: lossBwdLoop(1, dx, x, y, dy, dyScalar, n, p1); break;
    case 2: lossBwdLoop(2, dx, x, y, dy, dyScalar, n, p1); break;
    case 3: lossBwdLoop(3, dx, x, y, dy, dyScalar, n, p1); break;
    case 4: lossBwdLoop(4, dx, x, y, dy, dyScalar, n, p1); break;
    default: lossBwdLoop(kind, dx, x, y, dy, dyScalar, n, p1); break; // the newer kinds share one loop
  }
}

// ================================================================= negative log-likelihood

/** The class of target value tv: -1 ignored, -2 not a class in [0, c) (the caller range-checks), else the index. */
// @ts-ignore: decorator
@inline function nllClass(tv: f32, c: i32, ignoreIndex: i32): i32 {
  if (<f64>tv == <f64>ignoreIndex) return -1;
  return tv >= 0 && tv < <f32>c ? <i32>tv : -2;
}

/**
 * torch.nn.functional.nll_loss of log-probabilities x [n, c, inner] at class-index targets [n, inner] (f32
 * holding integers): loss[e] = -w[t] x[b, t, i] with w = weight [c], or 1 everywhere when weight == 0.
 * Elements whose target == ignoreIndex get 0 and are not counted. Returns the summed weight of the counted
 * elements (the divisor of torch's "mean"). An out-of-range target (the caller range-checks) gives NaN.
 */
export function nll_f32(loss: usize, x: usize, target: usize, weight: usize, n: i32, c: i32, inner: i32, ignoreIndex: i32): f64 {
  let total: f64 = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < inner; i++) {
      const e = <usize>(b * inner + i) << 2;
      const t = nllClass(load<f32>(target + e), c, ignoreIndex);
      let v: f32 = 0;
      if (t >= 0) {
        const w: f32 = weight ? load<f32>(weight + (<usize>t << 2)) : 1;
        v = -w * load<f32>(x + ((<usize>b * c + t) * inner + i << 2));
        total += w;
      } else if (t == -2) {
        v = NaN;
        total += 1;
      }
      store<f32>(loss + e, v);
    }
  }
  return total;
}

/**
 * Backward of nll_f32: dx = 0 except dx[b, t, i] = -w[t] g with g = dloss[e] if dloss != 0 else dlossScalar
 * (ignored and out-of-range elements leave their row 0). Written, not accumulated.
 */
export function nll_bwd_f32(dx: usize, target: usize, weight: usize, dloss: usize, dlossScalar: f32, n: i32, c: i32, inner: i32, ignoreIndex: i32): void {
  memory.fill(dx, 0, <usize>n * c * inner << 2);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < inner; i++) {
      const e = <usize>(b * inner + i) << 2;
      const t = nllClass(load<f32>(target + e), c, ignoreIndex);
      if (t < 0) continue;
      const w: f32 = weight ? load<f32>(weight + (<usize>t << 2)) : 1;
      store<f32>(dx + ((<usize>b * c + t) * inner + i << 2), -w * (dloss ? load<f32>(dloss + e) : dlossScalar));
    }
  }
}

/**
 * Class weights w [c] folded into a probability target T [n, c, inner] for cross_entropy_prob_f32 (used without
 * smoothing there), whose loss -sum_c T_c logp_c and gradient are then torch's weighted cross-entropy.
 * Probability targets t [n, c, inner] (probs != 0): T = w[d] ((1 - eps) t + eps / c). Class indices t [n, inner]:
 * T = w[d] ((1 - eps) [d == t] + eps / c), 0 where t == ignoreIndex. Computed in f64, rounded once.
 * Returns the summed w[t] of the counted class indices (the divisor of "mean"; 0 for probabilities).
 * The caller has range-checked the class indices.
 */
export function ce_weighted_target_f32(out: usize, t: usize, w: usize, n: i32, c: i32, inner: i32, smoothing: f64,
  ignoreIndex: i32, probs: i32): f64 {
  const keep = 1 - smoothing, epsC = smoothing / <f64>c;
  let total: f64 = 0;
  for (let b = 0; b < n; b++) {
    for (let d = 0; d < c; d++) {
      const wd = <f64>load<f32>(w + (<usize>d << 2));
      const row = <usize>(b * c + d) * inner;
      for (let i = 0; i < inner; i++) {
        let v: f64;
        if (probs) v = wd * (keep * <f64>load<f32>(t + (row + i << 2)) + epsC);
        else {
          const label = <f64>load<f32>(t + (<usize>(b * inner + i) << 2));
          v = label == <f64>ignoreIndex ? 0 : wd * (label == <f64>d ? keep + epsC : epsC);
        }
        store<f32>(out + (row + i << 2), <f32>v);
      }
    }
  }
  if (!probs) {
    for (let e = 0; e < n * inner; e++) {
      const label = <f64>load<f32>(t + (<usize>e << 2));
      if (label != <f64>ignoreIndex) total += <f64>load<f32>(w + (<usize><i32>label << 2));
    }
  }
  return total;
}
