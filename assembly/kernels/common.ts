// Row and lane helpers shared by several kernel files. All @inline, so every caller gets the same code it would
// have written itself (same operation order, same accumulations): one definition, identical bits everywhere.
// Not exported from the module.

import { promoteLo, promoteHi, hsum64, demote2 } from "./simd_math";

// ---------------------------------------------------------------- rows of contiguous floats

/** Sum of L contiguous floats in f64 (four lanes in two f64x2, lanes summed by hsum64, then the scalar tail). */
// @ts-ignore: decorator
@inline export function rowSum64(p: usize, L: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= L; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    a0 = f64x2.add(a0, promoteLo(v));
    a1 = f64x2.add(a1, promoteHi(v));
  }
  let s = hsum64(a0, a1);
  for (; i < L; i++) s += <f64>load<f32>(p + (<usize>i << 2));
  return s;
}

/**
 * Column sums of 8 neighbouring columns over D rows (the first at p, rows rowBytes apart), accumulated in f64 in
 * registers. add (a compile-time constant) false: the 8 sums rounded to f32 are stored contiguously at out;
 * true: each is added in f64 to out[j * dso bytes] and the result rounded once.
 */
// @ts-ignore: decorator
@inline export function colSums8(add: bool, out: usize, dso: usize, p: usize, D: i32, rowBytes: usize): void {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  for (let r = 0; r < D; r++) {
    const v = v128.load(p);
    const w = v128.load(p, 16);
    a0 = f64x2.add(a0, promoteLo(v));
    a1 = f64x2.add(a1, promoteHi(v));
    a2 = f64x2.add(a2, promoteLo(w));
    a3 = f64x2.add(a3, promoteHi(w));
    p += rowBytes;
  }
  if (!add) {
    v128.store(out, demote2(a0, a1));
    v128.store(out, demote2(a2, a3), 16);
    return;
  }
  store<f32>(out, <f32>(<f64>load<f32>(out) + f64x2.extract_lane(a0, 0)));
  store<f32>(out + dso, <f32>(<f64>load<f32>(out + dso) + f64x2.extract_lane(a0, 1)));
  store<f32>(out + 2 * dso, <f32>(<f64>load<f32>(out + 2 * dso) + f64x2.extract_lane(a1, 0)));
  store<f32>(out + 3 * dso, <f32>(<f64>load<f32>(out + 3 * dso) + f64x2.extract_lane(a1, 1)));
  store<f32>(out + 4 * dso, <f32>(<f64>load<f32>(out + 4 * dso) + f64x2.extract_lane(a2, 0)));
  store<f32>(out + 5 * dso, <f32>(<f64>load<f32>(out + 5 * dso) + f64x2.extract_lane(a2, 1)));
  store<f32>(out + 6 * dso, <f32>(<f64>load<f32>(out + 6 * dso) + f64x2.extract_lane(a3, 0)));
  store<f32>(out + 7 * dso, <f32>(<f64>load<f32>(out + 7 * dso) + f64x2.extract_lane(a3, 1)));
}

/** Dot product of two rows of n floats: four SIMD lanes, then the tail, summed in f32. */
// @ts-ignore: decorator
@inline export function dotRow(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const off = <usize>k << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + off), v128.load(b + off)));
  }
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (; k < n; k++) s += load<f32>(a + (<usize>k << 2)) * load<f32>(b + (<usize>k << 2));
  return s;
}

/** o[k] += a * v[k] for k < n: SIMD with a scalar tail. */
// @ts-ignore: decorator
@inline export function axpyRow(o: usize, v: usize, a: f32, n: i32): void {
  const av = f32x4.splat(a);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const off = <usize>k << 2;
    v128.store(o + off, f32x4.add(v128.load(o + off), f32x4.mul(av, v128.load(v + off))));
  }
  for (; k < n; k++) {
    const off = <usize>k << 2;
    store<f32>(o + off, load<f32>(o + off) + a * load<f32>(v + off));
  }
}

/** dst[0..n) += src[0..n): SIMD with a scalar tail. */
// @ts-ignore: decorator
@inline export function addRow(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** dst[0..n) = src[0..n) + b (dst may be src): SIMD with a scalar tail. */
// @ts-ignore: decorator
@inline export function addScalarRow(dst: usize, src: usize, b: f32, n: i32): void {
  const bv = f32x4.splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(src + o), bv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o) + b);
  }
}

// ---------------------------------------------------------------- lane-wise formulas used by several kernels

/** torch.sign lane-wise: 1 for x > 0, -1 for x < 0, 0 for +-0 and NaN. */
// @ts-ignore: decorator
@inline export function sign4(x: v128): v128 {
  const zero = f32x4.splat(0.0);
  const one = f32x4.splat(1.0);
  return f32x4.sub(v128.and(one, f32x4.gt(x, zero)), v128.and(one, f32x4.lt(x, zero)));
}

/** Gradient through a sigmoid from its output s: d * (1 - s) * s (torch's order). */
// @ts-ignore: decorator
@inline export function sigmoidGrad4(d: v128, s: v128): v128 {
  return f32x4.mul(f32x4.mul(d, f32x4.sub(f32x4.splat(1.0), s)), s);
}

/** Gradient through a tanh from its output t: d * (1 - t^2). */
// @ts-ignore: decorator
@inline export function tanhGrad4(d: v128, t: v128): v128 {
  return f32x4.mul(d, f32x4.sub(f32x4.splat(1.0), f32x4.mul(t, t)));
}

/** Gradient through a relu from its output y: y <= 0 ? 0 : d (threshold_backward). */
// @ts-ignore: decorator
@inline export function reluGrad4(d: v128, y: v128): v128 {
  return v128.andnot(d, f32x4.le(y, f32x4.splat(0.0)));
}

// ---------------------------------------------------------------- lanes chosen at run time (l in 0..3)

/** Lane l of the f32x4 v. */
// @ts-ignore: decorator
@inline export function laneF32(v: v128, l: i32): f32 {
  if (l == 0) return f32x4.extract_lane(v, 0);
  if (l == 1) return f32x4.extract_lane(v, 1);
  if (l == 2) return f32x4.extract_lane(v, 2);
  return f32x4.extract_lane(v, 3);
}

/** Lane l of the four f64 lanes lo0, lo1, hi0, hi1. */
// @ts-ignore: decorator
@inline export function laneF64(lo: v128, hi: v128, l: i32): f64 {
  if (l == 0) return f64x2.extract_lane(lo, 0);
  if (l == 1) return f64x2.extract_lane(lo, 1);
  if (l == 2) return f64x2.extract_lane(hi, 0);
  return f64x2.extract_lane(hi, 1);
}

/** v with f32 lane l set to x. */
// @ts-ignore: decorator
@inline export function setLaneF32(v: v128, l: i32, x: f32): v128 {
  if (l == 0) return f32x4.replace_lane(v, 0, x);
  if (l == 1) return f32x4.replace_lane(v, 1, x);
  if (l == 2) return f32x4.replace_lane(v, 2, x);
  return f32x4.replace_lane(v, 3, x);
}

/** v with i32 lane l set to x. */
// @ts-ignore: decorator
@inline export function setLaneI32(v: v128, l: i32, x: i32): v128 {
  if (l == 0) return i32x4.replace_lane(v, 0, x);
  if (l == 1) return i32x4.replace_lane(v, 1, x);
  if (l == 2) return i32x4.replace_lane(v, 2, x);
  return i32x4.replace_lane(v, 3, x);
}
