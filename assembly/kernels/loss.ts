// Elementwise loss values and their gradients (the engine does the reduction). PyTorch semantics.

import { loadK, storeK, sel, exp4, log4, log1p4, sigmoid4 } from "./simd_math";
import { sign4 } from "./common";

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
    default: { // bce with logits: (1 - y) x + max(-x, 0) + log1p(exp(-|x|))
      const m = f32x4.max(f32x4.neg(x), zero);
      const sp = log1p4(exp4(f32x4.neg(f32x4.abs(x))));
      return f32x4.add(f32x4.add(f32x4.mul(f32x4.sub(one, y), x), m), sp);
    }
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
 * 4 bce_with_logits (x a logit; (1-y)x + max(-x,0) + log1p(exp(-|x|)), finite for any finite x).
 */
export function loss_f32(kind: i32, out: usize, x: usize, y: usize, n: i32, p1: f32): void {
  switch (kind) {
    case 0: lossLoop(0, out, x, y, n, p1); break;
    case 1: lossLoop(1, out, x, y, n, p1); break;
    case 2: lossLoop(2, out, x, y, n, p1); break;
    case 3: lossLoop(3, out, x, y, n, p1); break;
    default: lossLoop(4, out, x, y, n, p1); break;
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
    default: return f32x4.mul(f32x4.sub(sigmoid4(x), y), g); // (sigmoid(x) - y) g
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
 * x-y <= -delta and >= delta; bce g(x-y)/max((1-x)x, 1e-12); bce_with_logits (sigmoid(x) - y) g.
 */
export function loss_bwd_f32(kind: i32, dx: usize, x: usize, y: usize, dy: usize, dyScalar: f32, n: i32, p1: f32): void {
  switch (kind) {
    case 0: lossBwdLoop(0, dx, x, y, dy, dyScalar, n, p1); break;
    case 1: lossBwdLoop(1, dx, x, y, dy, dyScalar, n, p1); break;
    case 2: lossBwdLoop(2, dx, x, y, dy, dyScalar, n, p1); break;
    case 3: lossBwdLoop(3, dx, x, y, dy, dyScalar, n, p1); break;
    default: lossBwdLoop(4, dx, x, y, dy, dyScalar, n, p1); break;
  }
}
