// Fused in-place optimizer steps: one pass over param / grad / state per call, SIMD with a partial-vector tail.
//
// Each kernel is one of PyTorch 1.13's single-tensor ("for-loop") updates (torch/optim/*.py, `_single_tensor_*`)
// for one parameter, in f32, with PyTorch's operation order: `a.mul_(s).add_(b, alpha=c)` is (a*s) + (c*b),
// `addcmul_(t1, t2, value=v)` is a + (v*t1)*t2 and `addcdiv_(t1, t2, value=v)` is a + (v*t1)/t2. Scalars that
// PyTorch computes in Python (f64) before handing them to a tensor op, such as 1 - beta1, lr / (1 - beta1^t),
// sqrt(1 - beta2^t) or lr / (1 + (t-1) lr_decay), are computed by the caller in f64 and arrive here rounded to
// f32 exactly as PyTorch rounds them. The grad is read only (maximize and weight decay act on a copy in
// registers, as PyTorch's `grad.add(...)` makes a new tensor). Every length works, 0 included; state pointers
// that a configuration does not use are 0 and never touched.

import { loadK, storeK } from "./simd_math";

/** flags bit: negate the gradient (maximize=True). */
const MAXIMIZE: i32 = 1;
/** SGD flags bit: Nesterov momentum. */
const NESTEROV: i32 = 2;
/** SGD flags bit: the momentum buffer is new (PyTorch's `buf is None`): it becomes a copy of d_p. */
const FIRST: i32 = 4;

/** The gradient as the update sees it: g, negated when maximize, plus wd*p when hasWd (a copy in registers). */
// @ts-ignore: decorator
@inline function effGrad(grad: usize, k: i32, p: v128, wd: v128, hasWd: bool, maximize: bool): v128 {
  let g = loadK(grad, k, 0);
  if (maximize) g = f32x4.neg(g);
  if (hasWd) g = f32x4.add(g, f32x4.mul(wd, p));                          // grad.add(param, alpha=wd)
  return g;
}

// Each @inline *At helper updates the k (1..4) elements at byte offset o; with the constant k = 4 the partial
// loads/stores fold to plain v128 ones, so the body loop and the tail run the same arithmetic.

// @ts-ignore: decorator
@inline function sgdAt(o: usize, k: i32, param: usize, grad: usize, buf: usize,
  lr: v128, mom: v128, damp: v128, wd: v128, hasWd: bool, maximize: bool, nesterov: bool, first: bool): void {
  const p = loadK(param + o, k, 0);
  let d = effGrad(grad + o, k, p, wd, hasWd, maximize);                  // d_p
  if (buf) {
    let b: v128;
    if (first) b = d;                                                     // buf = clone(d_p)
    else b = f32x4.add(f32x4.mul(loadK(buf + o, k, 0), mom), f32x4.mul(damp, d)); // buf.mul_(m).add_(d_p, 1-damp)
    storeK(buf + o, b, k);
    d = nesterov ? f32x4.add(d, f32x4.mul(mom, b)) : b;                   // d_p.add(buf, alpha=m) or buf
  }
  storeK(param + o, f32x4.sub(p, f32x4.mul(lr, d)), k);                   // param.add_(d_p, alpha=-lr)
}

/**
 * SGD step (torch.optim.SGD, `_single_tensor_sgd`) on n floats, in place on param (and buf):
 *   d = maximize ? -g : g;  if wd != 0: d = d + wd*p
 *   if buf: buf = FIRST ? d : buf*momentum + damp*d;  d = nesterov ? d + momentum*buf : buf
 *   p = p - lr*d
 * buf is 0 when momentum == 0 (PyTorch keeps no buffer then). damp is 1 - dampening, computed by the caller.
 * flags: 1 maximize, 2 nesterov, 4 first step of the buffer.
 */
export function sgd_f32(param: usize, grad: usize, buf: usize, n: i32,
  lr: f32, momentum: f32, damp: f32, weightDecay: f32, flags: i32): void {
  const lrV = f32x4.splat(lr), momV = f32x4.splat(momentum), dampV = f32x4.splat(damp), wdV = f32x4.splat(weightDecay);
  const hasWd = weightDecay != 0;
  const maximize = (flags & MAXIMIZE) != 0, nesterov = (flags & NESTEROV) != 0, first = (flags & FIRST) != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    sgdAt(<usize>i << 2, 4, param, grad, buf, lrV, momV, dampV, wdV, hasWd, maximize, nesterov, first);
  }
  if (i < n) sgdAt(<usize>i << 2, n - i, param, grad, buf, lrV, momV, dampV, wdV, hasWd, maximize, nesterov, first);
}

// @ts-ignore: decorator
@inline function adamAt(o: usize, k: i32, param: usize, grad: usize, m: usize, v: usize, vmax: usize,
  b1: v128, c1: v128, b2: v128, c2: v128, ss: v128, bc2: v128, eps: v128, wd: v128, decay: v128,
  hasWd: bool, hasDecay: bool, maximize: bool): void {
  let p = loadK(param + o, k, 0);
  const g = effGrad(grad + o, k, p, wd, hasWd, maximize);
  if (hasDecay) p = f32x4.mul(p, decay);                                  // AdamW: param.mul_(1 - lr*wd)
  const mt = f32x4.add(f32x4.mul(loadK(m + o, k, 0), b1), f32x4.mul(c1, g));                // exp_avg
  const vt = f32x4.add(f32x4.mul(loadK(v + o, k, 0), b2), f32x4.mul(f32x4.mul(c2, g), g)); // exp_avg_sq
  storeK(m + o, mt, k);
  storeK(v + o, vt, k);
  let vh = vt;
  if (vmax) {
    vh = f32x4.max(loadK(vmax + o, k, 0), vt);                            // torch.maximum (NaN propagates)
    storeK(vmax + o, vh, k);
  }
  const denom = f32x4.add(f32x4.div(f32x4.sqrt(vh), bc2), eps);          // (v.sqrt() / bc2_sqrt).add_(eps)
  storeK(param + o, f32x4.sub(p, f32x4.div(f32x4.mul(ss, mt), denom)), k); // addcdiv_(m, denom, value=-ss)
}

/**
 * Adam / AdamW step (torch.optim.Adam `_single_tensor_adam`, torch.optim.AdamW `_single_tensor_adamw`, the
 * non-capturable branch) on n floats, in place on param, m (exp_avg), v (exp_avg_sq) and vmax (max_exp_avg_sq):
 *   g = maximize ? -g : g;  if wd != 0: g = g + wd*p   (Adam's L2 term; AdamW passes wd = 0)
 *   if decay != 1: p = p*decay                          (AdamW: decay = 1 - lr*weight_decay)
 *   m = m*beta1 + c1*g;  v = v*beta2 + (c2*g)*g;  if vmax: vmax = max(vmax, v), v^ = vmax else v^ = v
 *   p = p - (stepSize*m) / (sqrt(v^)/bc2Sqrt + eps)
 * c1 = 1 - beta1, c2 = 1 - beta2, stepSize = lr / (1 - beta1^t), bc2Sqrt = sqrt(1 - beta2^t), all from the
 * caller (f64, as PyTorch computes them). vmax is 0 unless amsgrad. flags: 1 maximize.
 */
export function adam_f32(param: usize, grad: usize, m: usize, v: usize, vmax: usize, n: i32,
  beta1: f32, c1: f32, beta2: f32, c2: f32, stepSize: f32, bc2Sqrt: f32, eps: f32,
  weightDecay: f32, decay: f32, flags: i32): void {
  const b1V = f32x4.splat(beta1), c1V = f32x4.splat(c1), b2V = f32x4.splat(beta2), c2V = f32x4.splat(c2);
  const ssV = f32x4.splat(stepSize), bc2V = f32x4.splat(bc2Sqrt), epsV = f32x4.splat(eps);
  const wdV = f32x4.splat(weightDecay), decayV = f32x4.splat(decay);
  const hasWd = weightDecay != 0, hasDecay = decay != 1, maximize = (flags & MAXIMIZE) != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    adamAt(<usize>i << 2, 4, param, grad, m, v, vmax, b1V, c1V, b2V, c2V, ssV, bc2V, epsV, wdV, decayV,
      hasWd, hasDecay, maximize);
  }
  if (i < n) {
    adamAt(<usize>i << 2, n - i, param, grad, m, v, vmax, b1V, c1V, b2V, c2V, ssV, bc2V, epsV, wdV, decayV,
      hasWd, hasDecay, maximize);
  }
}

// @ts-ignore: decorator
@inline function rmspropAt(o: usize, k: i32, param: usize, grad: usize, sq: usize, ga: usize, buf: usize,
  lr: v128, alpha: v128, c: v128, eps: v128, wd: v128, mom: v128, hasWd: bool, maximize: bool): void {
  const p = loadK(param + o, k, 0);
  const g = effGrad(grad + o, k, p, wd, hasWd, maximize);
  const s = f32x4.add(f32x4.mul(loadK(sq + o, k, 0), alpha), f32x4.mul(f32x4.mul(c, g), g)); // square_avg
  storeK(sq + o, s, k);
  let avg: v128;
  if (ga) {
    const a = f32x4.add(f32x4.mul(loadK(ga + o, k, 0), alpha), f32x4.mul(c, g)); // grad_avg.mul_(a).add_(g, 1-a)
    storeK(ga + o, a, k);
    avg = f32x4.sqrt(f32x4.sub(s, f32x4.mul(a, a)));                      // square_avg.addcmul(ga, ga, -1).sqrt_()
  } else {
    avg = f32x4.sqrt(s);
  }
  avg = f32x4.add(avg, eps);
  if (buf) {
    const b = f32x4.add(f32x4.mul(loadK(buf + o, k, 0), mom), f32x4.div(g, avg)); // buf.mul_(m).addcdiv_(g, avg)
    storeK(buf + o, b, k);
    storeK(param + o, f32x4.sub(p, f32x4.mul(lr, b)), k);                 // param.add_(buf, alpha=-lr)
  } else {
    storeK(param + o, f32x4.sub(p, f32x4.div(f32x4.mul(lr, g), avg)), k); // param.addcdiv_(g, avg, value=-lr)
  }
}

/**
 * RMSprop step (torch.optim.RMSprop, `_single_tensor_rmsprop`) on n floats, in place on param, sq (square_avg),
 * ga (grad_avg, 0 unless centered) and buf (momentum_buffer, 0 unless momentum > 0):
 *   g = maximize ? -g : g;  if wd != 0: g = g + wd*p
 *   sq = sq*alpha + (c*g)*g;  if ga: ga = ga*alpha + c*g, avg = sqrt(sq - ga*ga) else avg = sqrt(sq);  avg += eps
 *   if buf: buf = buf*momentum + g/avg, p = p - lr*buf  else p = p - (lr*g)/avg
 * c = 1 - alpha from the caller. flags: 1 maximize.
 */
export function rmsprop_f32(param: usize, grad: usize, sq: usize, ga: usize, buf: usize, n: i32,
  lr: f32, alpha: f32, c: f32, eps: f32, weightDecay: f32, momentum: f32, flags: i32): void {
  const lrV = f32x4.splat(lr), alphaV = f32x4.splat(alpha), cV = f32x4.splat(c), epsV = f32x4.splat(eps);
  const wdV = f32x4.splat(weightDecay), momV = f32x4.splat(momentum);
  const hasWd = weightDecay != 0, maximize = (flags & MAXIMIZE) != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    rmspropAt(<usize>i << 2, 4, param, grad, sq, ga, buf, lrV, alphaV, cV, epsV, wdV, momV, hasWd, maximize);
  }
  if (i < n) rmspropAt(<usize>i << 2, n - i, param, grad, sq, ga, buf, lrV, alphaV, cV, epsV, wdV, momV, hasWd, maximize);
}

// @ts-ignore: decorator
@inline function adagradAt(o: usize, k: i32, param: usize, grad: usize, sum: usize,
  clr: v128, eps: v128, wd: v128, hasWd: bool, maximize: bool): void {
  const p = loadK(param + o, k, 0);
  const g = effGrad(grad + o, k, p, wd, hasWd, maximize);
  const s = f32x4.add(loadK(sum + o, k, 0), f32x4.mul(g, g));             // state_sum.addcmul_(g, g, value=1)
  storeK(sum + o, s, k);
  const std = f32x4.add(f32x4.sqrt(s), eps);                              // state_sum.sqrt().add_(eps)
  storeK(param + o, f32x4.sub(p, f32x4.div(f32x4.mul(clr, g), std)), k);  // param.addcdiv_(g, std, value=-clr)
}

/**
 * Adagrad step (torch.optim.Adagrad, `_single_tensor_adagrad`, dense) on n floats, in place on param and sum:
 *   g = maximize ? -g : g;  if wd != 0: g = g + wd*p;  sum = sum + g*g;  p = p - (clr*g) / (sqrt(sum) + eps)
 * clr = lr / (1 + (t-1)*lr_decay) from the caller. flags: 1 maximize.
 */
export function adagrad_f32(param: usize, grad: usize, sum: usize, n: i32,
  clr: f32, eps: f32, weightDecay: f32, flags: i32): void {
  const clrV = f32x4.splat(clr), epsV = f32x4.splat(eps), wdV = f32x4.splat(weightDecay);
  const hasWd = weightDecay != 0, maximize = (flags & MAXIMIZE) != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) adagradAt(<usize>i << 2, 4, param, grad, sum, clrV, epsV, wdV, hasWd, maximize);
  if (i < n) adagradAt(<usize>i << 2, n - i, param, grad, sum, clrV, epsV, wdV, hasWd, maximize);
}
