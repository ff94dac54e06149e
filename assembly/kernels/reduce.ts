// Reductions along one axis. x is viewed as [outer, dim, inner] (row-major), out as [outer, inner].
// When inner == 1 the reduced elements are contiguous and SIMD runs along them; otherwise SIMD runs across
// four neighbouring inner positions (contiguous in memory) while walking dim.

import { loadK, storeK, sel, promoteLo, promoteHi, demote2, hsum64 } from "./simd_math";
import { rowSum64, colSums8 } from "./common";

// ================================================================= sum

/**
 * out[o, i] = sum_d x[o, d, i]. Every output is accumulated in f64 (SIMD lanes promoted to f64x2) and rounded
 * once, so the result is the correctly rounded sum for all practical lengths (no long f32 chain). dim = 0 gives 0.
 */
export function sum_axis_f32(out: usize, x: usize, outer: i32, dim: i32, inner: i32): void {
  if (outer <= 0 || inner <= 0) return;
  if (dim <= 0) { memory.fill(out, 0, (<usize>outer * <usize>inner) << 2); return; }
  const rowBytes = <usize>inner << 2;
  const blockBytes = <usize>dim * rowBytes;
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      store<f32>(out + (<usize>o << 2), <f32>rowSum64(x + <usize>o * blockBytes, dim));
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const xb = x + <usize>o * blockBytes;
    const ob = out + <usize>o * rowBytes;
    let i = 0;
    for (; i + 8 <= inner; i += 8) colSums8(false, ob + (<usize>i << 2), 0, xb + (<usize>i << 2), dim, rowBytes);
    for (; i < inner; i += 4) {
      const k = min(4, inner - i);
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
      let p = xb + (<usize>i << 2);
      for (let d = 0; d < dim; d++) {
        const v = loadK(p, k, 0);
        a0 = f64x2.add(a0, promoteLo(v));
        a1 = f64x2.add(a1, promoteHi(v));
        p += rowBytes;
      }
      storeK(ob + (<usize>i << 2), demote2(a0, a1), k);
    }
  }
}

/** Sum of squares of n floats, accumulated in f64 per lane (for gradient-norm clipping). */
export function sumsq_f32(x: usize, n: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const lo = promoteLo(v);
    const hi = promoteHi(v);
    a0 = f64x2.add(a0, f64x2.mul(lo, lo));
    a1 = f64x2.add(a1, f64x2.mul(hi, hi));
  }
  let sum = hsum64(a0, a1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    sum += v * v;
  }
  return sum;
}

// ================================================================= max / min with first index

// "better" masks: v replaces the running extreme m when strictly better, or when v is NaN and m is not
// (NaN counts as the extreme, and the first NaN wins), exactly torch.max/min(dim) semantics.
// @ts-ignore: decorator
@inline function betterV(isMax: bool, v: v128, m: v128): v128 {
  const cmp = isMax ? f32x4.gt(v, m) : f32x4.lt(v, m);
  return v128.or(cmp, v128.and(f32x4.ne(v, v), f32x4.eq(m, m)));
}

// @ts-ignore: decorator
@inline function betterS(isMax: bool, v: f32, m: f32): bool {
  return (isMax ? v > m : v < m) || (v != v && m == m);
}

// @ts-ignore: decorator
@inline function extremeAxis(isMax: bool, out: usize, outIdx: usize, x: usize, outer: i32, dim: i32, inner: i32): void {
  if (outer <= 0 || inner <= 0) return;
  const rowBytes = <usize>inner << 2;
  const blockBytes = <usize>dim * rowBytes;
  if (dim <= 0) {
    const n = outer * inner;
    for (let j = 0; j < n; j++) {
      store<f32>(out + (<usize>j << 2), isMax ? -Infinity : Infinity);
      if (outIdx) store<f32>(outIdx + (<usize>j << 2), 0);
    }
    return;
  }
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const p = x + <usize>o * blockBytes;
      let m = load<f32>(p);
      let mi = 0;
      let d = 1;
      if (dim >= 8) {
        // lanes hold the extreme of elements d = 4t + lane; indices as i32 lanes
        let mv = v128.load(p);
        let iv = i32x4(0, 1, 2, 3);
        let cur = i32x4(4, 5, 6, 7);
        const four = i32x4.splat(4);
        d = 4;
        for (; d + 4 <= dim; d += 4) {
          const v = v128.load(p + (<usize>d << 2));
          const b = betterV(isMax, v, mv);
          mv = sel(v, mv, b);
          iv = sel(cur, iv, b);
          cur = i32x4.add(cur, four);
        }
        // combine lanes: best value, ties (and NaN ties) to the smaller index
        m = f32x4.extract_lane(mv, 0);
        mi = i32x4.extract_lane(iv, 0);
        for (let l = 1; l < 4; l++) {
          let v: f32, vi: i32;
          if (l == 1) { v = f32x4.extract_lane(mv, 1); vi = i32x4.extract_lane(iv, 1); }
          else if (l == 2) { v = f32x4.extract_lane(mv, 2); vi = i32x4.extract_lane(iv, 2); }
          else { v = f32x4.extract_lane(mv, 3); vi = i32x4.extract_lane(iv, 3); }
          const tie = (v == m) || (v != v && m != m);
          if (betterS(isMax, v, m) || (tie && vi < mi)) { m = v; mi = vi; }
        }
      }
      for (; d < dim; d++) {
        const v = load<f32>(p + (<usize>d << 2));
        if (betterS(isMax, v, m)) { m = v; mi = d; }
      }
      store<f32>(out + (<usize>o << 2), m);
      if (outIdx) store<f32>(outIdx + (<usize>o << 2), <f32>mi);
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const xb = x + <usize>o * blockBytes;
    const ob = <usize>o * rowBytes;
    for (let i = 0; i < inner; i += 4) {
      const k = min(4, inner - i);
      let p = xb + (<usize>i << 2);
      let mv = loadK(p, k, 0);
      let iv = f32x4.splat(0);
      for (let d = 1; d < dim; d++) {
        p += rowBytes;
        const v = loadK(p, k, 0);
        const b = betterV(isMax, v, mv);
        mv = sel(v, mv, b);
        iv = sel(f32x4.splat(<f32>d), iv, b);
      }
      storeK(out + ob + (<usize>i << 2), mv, k);
      if (outIdx) storeK(outIdx + ob + (<usize>i << 2), iv, k);
    }
  }
}

/**
 * out[o, i] = max_d x[o, d, i]; if outIdx != 0 also the index of the first maximum, written as f32.
 * NaN counts as the maximum (the first NaN is reported), as torch.max(dim). dim = 0 writes -inf and index 0.
 */
export function max_axis_f32(out: usize, outIdx: usize, x: usize, outer: i32, dim: i32, inner: i32): void {
  extremeAxis(true, out, outIdx, x, outer, dim, inner);
}

/** As max_axis_f32 for the minimum (NaN counts as the minimum; dim = 0 writes +inf and index 0). */
export function min_axis_f32(out: usize, outIdx: usize, x: usize, outer: i32, dim: i32, inner: i32): void {
  extremeAxis(false, out, outIdx, x, outer, dim, inner);
}

// ================================================================= backward helpers

/** out[o, d, i] = src[o, i] * scale (backward of sum / mean along an axis). */
export function expand_axis_f32(out: usize, src: usize, outer: i32, dim: i32, inner: i32, scale: f32): void {
  if (outer <= 0 || dim <= 0 || inner <= 0) return;
  const sv = f32x4.splat(scale);
  const rowBytes = <usize>inner << 2;
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const v = load<f32>(src + (<usize>o << 2)) * scale;
      const vv = f32x4.splat(v);
      const p = out + <usize>o * (<usize>dim << 2);
      let d = 0;
      for (; d + 4 <= dim; d += 4) v128.store(p + (<usize>d << 2), vv);
      for (; d < dim; d++) store<f32>(p + (<usize>d << 2), v);
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const s = src + <usize>o * rowBytes;
    let p = out + <usize>o * <usize>dim * rowBytes;
    for (let d = 0; d < dim; d++) {
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const q = <usize>i << 2;
        v128.store(p + q, f32x4.mul(v128.load(s + q), sv));
      }
      for (; i < inner; i++) {
        const q = <usize>i << 2;
        store<f32>(p + q, load<f32>(s + q) * scale);
      }
      p += rowBytes;
    }
  }
}

/**
 * dx = 0 except dx[o, idx[o, i], i] = dy[o, i] (backward of max/min along an axis; idx holds f32 indices as
 * written by max_axis_f32). Indices outside [0, dim) are skipped.
 */
export function scatter_axis_f32(dx: usize, idx: usize, dy: usize, outer: i32, dim: i32, inner: i32): void {
  if (outer <= 0 || dim <= 0 || inner <= 0) return;
  memory.fill(dx, 0, ((<usize>outer * <usize>dim) * <usize>inner) << 2);
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = dx + <usize>o * <usize>dim * rowBytes;
    for (let i = 0; i < inner; i++) {
      const j = <usize>(o * inner + i) << 2;
      const fd = load<f32>(idx + j);
      if (!(fd >= 0 && fd < <f32>dim)) continue;
      const d = <i32>fd;
      store<f32>(base + <usize>d * rowBytes + (<usize>i << 2), load<f32>(dy + j));
    }
  }
}
