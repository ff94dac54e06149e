// Activation functions and their backward, lane-wise on f32x4 with partial-vector tails (every lane goes through
// the same vector code, so the result for an element never depends on its position). PyTorch semantics.

import { loadK, storeK, sel, exp4, expm14, log1p4, tanh4, sigmoid4, phi4 } from "./simd_math";
import { sigmoidGrad4, tanhGrad4, reluGrad4 } from "./common";

const SELU_ALPHA: f32 = 1.6732632423543772848170429916717;
const SELU_SCALE: f32 = 1.0507009873554804934193349852946;
const GELU_KBETA: f32 = 0.7978845608028654; // sqrt(2/pi)
const GELU_KKAPPA: f32 = 0.044715;
const INV_SQRT_2PI: f32 = 0.3989422804014327; // M_2_SQRTPI * M_SQRT1_2 * 0.5

// @ts-ignore: decorator
@inline function actV(kind: i32, x: v128, p1: f32, p2: f32): v128 {
  const zero = f32x4.splat(0.0);
  switch (kind) {
    case 0: return x;
    case 1: return sigmoid4(x);
    case 2: return tanh4(x);
    case 3: return f32x4.max(x, zero); // NaN propagates (torch.relu(nan) = nan)
    case 4: return sel(x, f32x4.mul(x, f32x4.splat(p1)), f32x4.gt(x, zero));
    case 5: // elu: x > 0 ? x : alpha * expm1(x)
      return sel(x, f32x4.mul(expm14(x), f32x4.splat(p1)), f32x4.gt(x, zero));
    case 6: // selu: scale * (x > 0 ? x : alpha * expm1(x)), with torch's f32 negcoef = alpha*scale
      return sel(f32x4.mul(x, f32x4.splat(SELU_SCALE)), f32x4.mul(expm14(x), f32x4.splat(SELU_ALPHA * SELU_SCALE)),
        f32x4.gt(x, zero));
    case 7: return f32x4.mul(x, sigmoid4(x)); // silu
    case 8: return f32x4.mul(x, phi4(x)); // gelu, exact erf form
    case 9: { // gelu tanh: 0.5x(1 + tanh(u)) = x * sigmoid(2u), u = sqrt(2/pi)(x + 0.044715 x^3)
      const x3 = f32x4.mul(f32x4.mul(x, x), x);
      const u = f32x4.mul(f32x4.splat(GELU_KBETA), f32x4.add(x, f32x4.mul(f32x4.splat(GELU_KKAPPA), x3)));
      return f32x4.mul(x, sigmoid4(f32x4.add(u, u)));
    }
    default: { // softplus: z = beta x; z > threshold ? x : (max(z, 0) + log1p(exp(-|z|))) / beta
      const z = f32x4.mul(x, f32x4.splat(p1));
      const sp = f32x4.add(f32x4.max(z, zero), log1p4(exp4(f32x4.neg(f32x4.abs(z)))));
      return sel(x, f32x4.div(sp, f32x4.splat(p1)), f32x4.gt(z, f32x4.splat(p2)));
    }
  }
}

// @ts-ignore: decorator
@inline function actLoop(kind: i32, out: usize, x: usize, n: i32, p1: f32, p2: f32): void {
  // one copy of the (large, inlined) vector body serves full vectors and the partial tail
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const k = min(4, n - i);
    storeK(out + o, actV(kind, loadK(x + o, k, 0), p1, p2), k);
  }
}

/**
 * Activation over n floats (out may alias x). kind: 0 identity, 1 sigmoid (stable for any x), 2 tanh,
 * 3 relu, 4 leaky_relu (p1 = negative slope), 5 elu (p1 = alpha), 6 selu, 7 silu, 8 gelu (exact, x*Phi(x)),
 * 9 gelu tanh approximation, 10 softplus (p1 = beta, p2 = threshold: beta*x > threshold gives x).
 */
export function act_f32(kind: i32, out: usize, x: usize, n: i32, p1: f32, p2: f32): void {
  switch (kind) {
    case 0: if (out != x) memory.copy(out, x, <usize>max(n, 0) << 2); break;
    case 1: actLoop(1, out, x, n, p1, p2); break;
    case 2: actLoop(2, out, x, n, p1, p2); break;
    case 3: actLoop(3, out, x, n, p1, p2); break;
    case 4: actLoop(4, out, x, n, p1, p2); break;
    case 5: actLoop(5, out, x, n, p1, p2); break;
    case 6: actLoop(6, out, x, n, p1, p2); break;
    case 7: actLoop(7, out, x, n, p1, p2); break;
    case 8: actLoop(8, out, x, n, p1, p2); break;
    case 9: actLoop(9, out, x, n, p1, p2); break;
    default: actLoop(10, out, x, n, p1, p2); break;
  }
}

// @ts-ignore: decorator
@inline function actBwdV(kind: i32, x: v128, y: v128, dy: v128, p1: f32, p2: f32): v128 {
  const zero = f32x4.splat(0.0);
  const one = f32x4.splat(1.0);
  switch (kind) {
    case 0: return dy;
    case 1: return sigmoidGrad4(dy, y); // torch: dy * (1 - y) * y
    case 2: return tanhGrad4(dy, y); // dy * (1 - y^2)
    case 3: return reluGrad4(dy, y); // threshold_backward: y <= 0 ? 0 : dy
    case 4: return sel(dy, f32x4.mul(dy, f32x4.splat(p1)), f32x4.gt(x, zero));
    case 5: // elu_backward (is_result = false): x > 0 ? dy : dy * alpha * exp(x)
      return sel(dy, f32x4.mul(f32x4.mul(dy, f32x4.splat(p1)), exp4(x)), f32x4.gt(x, zero));
    case 6:
      return sel(f32x4.mul(dy, f32x4.splat(SELU_SCALE)),
        f32x4.mul(f32x4.mul(dy, f32x4.splat(SELU_ALPHA * SELU_SCALE)), exp4(x)), f32x4.gt(x, zero));
    case 7: { // silu: dy * s * (1 + x (1 - s))
      const s = sigmoid4(x);
      return f32x4.mul(f32x4.mul(dy, s), f32x4.add(one, f32x4.mul(x, f32x4.sub(one, s))));
    }
    case 8: { // gelu: dy * (Phi(x) + x * exp(-x^2/2) / sqrt(2 pi))
      const pdf = f32x4.mul(f32x4.splat(INV_SQRT_2PI), exp4(f32x4.mul(f32x4.mul(x, x), f32x4.splat(-0.5))));
      return f32x4.mul(dy, f32x4.add(phi4(x), f32x4.mul(x, pdf)));
    }
    case 9: { // gelu tanh: d/dx [x s(2u)] = s + 2 x s (1 - s) u'
      const x2 = f32x4.mul(x, x);
      const u = f32x4.mul(f32x4.splat(GELU_KBETA), f32x4.add(x, f32x4.mul(f32x4.splat(GELU_KKAPPA), f32x4.mul(x2, x))));
      const u2 = f32x4.add(u, u);
      const s = sigmoid4(u2);
      const q = f32x4.mul(s, sigmoid4(f32x4.neg(u2))); // s (1 - s) without cancellation
      const du = f32x4.mul(f32x4.splat(GELU_KBETA), f32x4.add(one, f32x4.mul(f32x4.splat(3 * GELU_KKAPPA), x2)));
      let t = f32x4.mul(f32x4.mul(f32x4.add(x, x), q), du);
      t = sel(zero, t, f32x4.eq(q, zero)); // far tails: 0 rather than 0 * inf
      return f32x4.mul(dy, f32x4.add(s, t));
    }
    default: { // softplus: z > threshold ? dy : dy * sigmoid(z)
      const z = f32x4.mul(x, f32x4.splat(p1));
      return sel(dy, f32x4.mul(dy, sigmoid4(z)), f32x4.gt(z, f32x4.splat(p2)));
    }
  }
}

// @ts-ignore: decorator
@inline function actBwdLoop(kind: i32, dx: usize, x: usize, y: usize, dy: usize, n: i32, p1: f32, p2: f32): void {
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const k = min(4, n - i);
    storeK(dx + o, actBwdV(kind, loadK(x + o, k, 0), loadK(y + o, k, 0), loadK(dy + o, k, 0), p1, p2), k);
  }
}

/**
 * Backward of act_f32: dx = dy * act'(x) (written, not accumulated), given input x, forward output y and dy.
 * Conventions as torch: sigmoid dy*(1-y)*y and tanh dy*(1-y^2) from y; relu from y (relu'(0) = 0);
 * leaky_relu uses the slope for x <= 0; elu/selu as elu_backward from x (x <= 0: dy*alpha*scale*exp(x));
 * silu, gelu, gelu-tanh and softplus from x (softplus: dy where beta*x > threshold, else dy*sigmoid(beta*x)).
 * Pointers a formula does not read may be 0 (x for identity/sigmoid/tanh/relu, y for the others).
 */
export function act_bwd_f32(kind: i32, dx: usize, x: usize, y: usize, dy: usize, n: i32, p1: f32, p2: f32): void {
  if (x == 0) x = dy;
  if (y == 0) y = dy;
  switch (kind) {
    case 0: if (dx != dy) memory.copy(dx, dy, <usize>max(n, 0) << 2); break;
    case 1: actBwdLoop(1, dx, x, y, dy, n, p1, p2); break;
    case 2: actBwdLoop(2, dx, x, y, dy, n, p1, p2); break;
    case 3: actBwdLoop(3, dx, x, y, dy, n, p1, p2); break;
    case 4: actBwdLoop(4, dx, x, y, dy, n, p1, p2); break;
    case 5: actBwdLoop(5, dx, x, y, dy, n, p1, p2); break;
    case 6: actBwdLoop(6, dx, x, y, dy, n, p1, p2); break;
    case 7: actBwdLoop(7, dx, x, y, dy, n, p1, p2); break;
    case 8: actBwdLoop(8, dx, x, y, dy, n, p1, p2); break;
    case 9: actBwdLoop(9, dx, x, y, dy, n, p1, p2); break;
    default: actBwdLoop(10, dx, x, y, dy, n, p1, p2); break;
  }
}
