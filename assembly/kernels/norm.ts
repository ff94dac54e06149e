// Normalization kernels.
//
// Batch norm views x as [n, c, l] (l = 1 for [N, C], L for [N, C, L], H*W for [N, C, H, W]) and works per
// channel over the n*l elements that share it. When l == 1 a channel's elements are c floats apart, so four
// neighbouring channels go down the batch together in one f32x4; otherwise SIMD runs along each contiguous run
// of l floats. Layer norm works per row of d contiguous floats.
//
// Statistics and gradient reductions accumulate in f64 (f32 lanes promoted to f64x2), in two passes (the mean,
// then the sum of squared deviations from it), so the variance does not suffer E[x^2] - E[x]^2 cancellation.
// Per-channel constants are computed once per channel in scalar code, so the SIMD body and the scalar tails
// produce the same bits. Pointers of optional outputs / inputs may be 0 (skipped / weight 1, bias 0).

import { loadK, storeK, promoteLo, promoteHi, hsum64, demote2 } from "./simd_math";
import { rowSum64, laneF64, setLaneF32 } from "./common";

// ---------------------------------------------------------------- helpers

/** 1/sqrt(var + eps), evaluated in f64 and rounded once (shared by forward and backward). */
// @ts-ignore: decorator
@inline function invStd(v: f32, eps: f64): f32 {
  return <f32>(1.0 / Math.sqrt(<f64>v + eps));
}

/** Sum of (x - m)^2 over L contiguous floats, all in f64. */
// @ts-ignore: decorator
@inline function runSqDev(p: usize, L: i32, m: f64): f64 {
  const mv = f64x2.splat(m);
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= L; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    const d0 = f64x2.sub(promoteLo(v), mv);
    const d1 = f64x2.sub(promoteHi(v), mv);
    a0 = f64x2.add(a0, f64x2.mul(d0, d0));
    a1 = f64x2.add(a1, f64x2.mul(d1, d1));
  }
  let s = hsum64(a0, a1);
  for (; i < L; i++) {
    const d = <f64>load<f32>(p + (<usize>i << 2)) - m;
    s += d * d;
  }
  return s;
}

/** The second result of runDySums (an inlined function has one return value). */
let dySumsSecond: f64 = 0;

/** Σ dy (returned) and Σ dy·(x - m) (left in dySumsSecond) over L contiguous floats, in f64. */
// @ts-ignore: decorator
@inline function runDySums(dy: usize, x: usize, L: i32, m: f64): f64 {
  const mv = f64x2.splat(m);
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), t0 = f64x2.splat(0), t1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= L; i += 4) {
    const off = <usize>i << 2;
    const g = v128.load(dy + off);
    const v = v128.load(x + off);
    const g0 = promoteLo(g), g1 = promoteHi(g);
    s0 = f64x2.add(s0, g0);
    s1 = f64x2.add(s1, g1);
    t0 = f64x2.add(t0, f64x2.mul(g0, f64x2.sub(promoteLo(v), mv)));
    t1 = f64x2.add(t1, f64x2.mul(g1, f64x2.sub(promoteHi(v), mv)));
  }
  let s = hsum64(s0, s1);
  let t = hsum64(t0, t1);
  for (; i < L; i++) {
    const off = <usize>i << 2;
    const g = <f64>load<f32>(dy + off);
    s += g;
    t += g * (<f64>load<f32>(x + off) - m);
  }
  dySumsSecond = t;
  return s;
}

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function put(p: usize, i: i32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}

// ---------------------------------------------------------------- batch norm

/**
 * Per-channel batch statistics of x [n, c, l]: mean[ch] and the biased variance var[ch] (divided by n*l), both
 * accumulated in f64 over two passes and rounded once. n*l == 0 gives NaN (0/0), as torch.var_mean.
 */
export function batch_norm_stats_f32(mean: usize, var_: usize, x: usize, n: i32, c: i32, l: i32): void {
  if (c <= 0) return;
  const M = <f64>n * <f64>l;
  if (n <= 0 || l <= 0) {
    for (let ch = 0; ch < c; ch++) { put(mean, ch, NaN); put(var_, ch, NaN); }
    return;
  }
  const chBytes = <usize>l << 2;
  const rowBytes = <usize>c * chBytes;
  if (l == 1) {
    // four channels at a time, walking down the batch
    for (let ch = 0; ch < c; ch += 4) {
      const k = min(4, c - ch);
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
      let p = x + (<usize>ch << 2);
      for (let i = 0; i < n; i++) {
        const v = loadK(p, k, 0);
        a0 = f64x2.add(a0, promoteLo(v));
        a1 = f64x2.add(a1, promoteHi(v));
        p += rowBytes;
      }
      const Mv = f64x2.splat(M);
      const m0 = f64x2.div(a0, Mv), m1 = f64x2.div(a1, Mv);
      let q0 = f64x2.splat(0), q1 = f64x2.splat(0);
      p = x + (<usize>ch << 2);
      for (let i = 0; i < n; i++) {
        const v = loadK(p, k, 0);
        const d0 = f64x2.sub(promoteLo(v), m0);
        const d1 = f64x2.sub(promoteHi(v), m1);
        q0 = f64x2.add(q0, f64x2.mul(d0, d0));
        q1 = f64x2.add(q1, f64x2.mul(d1, d1));
        p += rowBytes;
      }
      storeK(mean + (<usize>ch << 2), demote2(m0, m1), k);
      storeK(var_ + (<usize>ch << 2), demote2(f64x2.div(q0, Mv), f64x2.div(q1, Mv)), k);
    }
    return;
  }
  for (let ch = 0; ch < c; ch++) {
    const base = x + <usize>ch * chBytes;
    let s: f64 = 0;
    for (let i = 0; i < n; i++) s += rowSum64(base + <usize>i * rowBytes, l);
    const m = s / M;
    let q: f64 = 0;
    for (let i = 0; i < n; i++) q += runSqDev(base + <usize>i * rowBytes, l, m);
    put(mean, ch, <f32>m);
    put(var_, ch, <f32>(q / M));
  }
}

/**
 * y = (x - mean[ch]) * (weight[ch] / sqrt(var[ch] + eps)) + bias[ch] over x [n, c, l]. weight 0 means 1, bias 0
 * means 0. y may alias x.
 */
export function batch_norm_f32(
  y: usize, x: usize, mean: usize, var_: usize, weight: usize, bias: usize, n: i32, c: i32, l: i32, eps: f64,
): void {
  if (n <= 0 || c <= 0 || l <= 0) return;
  const chBytes = <usize>l << 2;
  const rowBytes = <usize>c * chBytes;
  if (l == 1) {
    for (let ch = 0; ch < c; ch += 4) {
      const k = min(4, c - ch);
      // per-lane constants in scalar code (the same expressions as the l > 1 path); lanes past k stay 0
      let sv = f32x4.splat(0), bv = f32x4.splat(0);
      for (let q = 0; q < k; q++) {
        sv = setLaneF32(sv, q, invStd(at(var_, ch + q), eps) * (weight ? at(weight, ch + q) : 1));
        if (bias) bv = setLaneF32(bv, q, at(bias, ch + q));
      }
      const mv = loadK(mean + (<usize>ch << 2), k, 0);
      const off = <usize>ch << 2;
      for (let i = 0; i < n; i++) {
        const r = <usize>i * rowBytes + off;
        storeK(y + r, f32x4.add(f32x4.mul(f32x4.sub(loadK(x + r, k, 0), mv), sv), bv), k);
      }
    }
    return;
  }
  for (let ch = 0; ch < c; ch++) {
    const m = at(mean, ch);
    const s = invStd(at(var_, ch), eps) * (weight ? at(weight, ch) : 1);
    const b: f32 = bias ? at(bias, ch) : 0;
    const mv = f32x4.splat(m), sv = f32x4.splat(s), bv = f32x4.splat(b);
    for (let i = 0; i < n; i++) {
      const r = <usize>i * rowBytes + <usize>ch * chBytes;
      const px = x + r, py = y + r;
      let j = 0;
      for (; j + 4 <= l; j += 4) {
        const o = <usize>j << 2;
        v128.store(py + o, f32x4.add(f32x4.mul(f32x4.sub(v128.load(px + o), mv), sv), bv));
      }
      for (; j < l; j++) put(py, j, (at(px, j) - m) * s + b);
    }
  }
}

/**
 * Backward of batch_norm_f32 over x [n, c, l] given dy. Per channel, with invstd = 1/sqrt(var + eps),
 * M = n*l, Sg = Σ dy and Sgd = Σ dy·(x - mean) (f64):
 *   dbias[ch]   = Sg                                  (skipped when dbias is 0)
 *   dweight[ch] = Sgd · invstd                        (skipped when dweight is 0)
 *   dx = w·invstd · (dy - Sg/M - (x - mean)·Sgd·invstd²/M)    when `training` (mean/var are the batch's own)
 *   dx = w·invstd · dy                                        otherwise (mean/var were constants)
 * dx 0 skips dx; weight 0 means w = 1. dx may alias dy.
 */
export function batch_norm_bwd_f32(
  dx: usize, dweight: usize, dbias: usize, dy: usize, x: usize, mean: usize, var_: usize, weight: usize,
  n: i32, c: i32, l: i32, eps: f64, training: i32,
): void {
  if (c <= 0) return;
  n = max(n, 0);
  l = max(l, 0);
  const M = <f64>n * <f64>l;
  const chBytes = <usize>l << 2;
  const rowBytes = <usize>c * chBytes;
  const needSums = dweight != 0 || dbias != 0 || (dx != 0 && training != 0);
  if (l == 1) {
    // four channels at a time, walking down the batch
    for (let ch = 0; ch < c; ch += 4) {
      const k = min(4, c - ch);
      const off = <usize>ch << 2;
      const mv = loadK(mean + off, k, 0);
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), t0 = f64x2.splat(0), t1 = f64x2.splat(0);
      if (needSums) {
        const m0 = promoteLo(mv), m1 = promoteHi(mv);
        for (let i = 0; i < n; i++) {
          const r = <usize>i * rowBytes + off;
          const g = loadK(dy + r, k, 0);
          const v = loadK(x + r, k, 0);
          const g0 = promoteLo(g), g1 = promoteHi(g);
          s0 = f64x2.add(s0, g0);
          s1 = f64x2.add(s1, g1);
          t0 = f64x2.add(t0, f64x2.mul(g0, f64x2.sub(promoteLo(v), m0)));
          t1 = f64x2.add(t1, f64x2.mul(g1, f64x2.sub(promoteHi(v), m1)));
        }
      }
      // per-lane constants in scalar code (the same expressions as the l > 1 path)
      let sv = f32x4.splat(0), k1v = f32x4.splat(0), k2v = f32x4.splat(0);
      for (let q = 0; q < k; q++) {
        const sg = laneF64(s0, s1, q);
        const sgd = laneF64(t0, t1, q);
        const inv = invStd(at(var_, ch + q), eps);
        if (dbias) put(dbias, ch + q, <f32>sg);
        if (dweight) put(dweight, ch + q, <f32>(sgd * <f64>inv));
        const s = inv * (weight ? at(weight, ch + q) : 1);
        const k1: f32 = training ? <f32>(sg / M) : 0;
        const k2: f32 = training ? <f32>(sgd / M * <f64>inv * <f64>inv) : 0;
        sv = setLaneF32(sv, q, s);
        k1v = setLaneF32(k1v, q, k1);
        k2v = setLaneF32(k2v, q, k2);
      }
      if (!dx || M == 0) continue;
      for (let i = 0; i < n; i++) {
        const r = <usize>i * rowBytes + off;
        const t = f32x4.sub(f32x4.sub(loadK(dy + r, k, 0), k1v), f32x4.mul(f32x4.sub(loadK(x + r, k, 0), mv), k2v));
        storeK(dx + r, f32x4.mul(t, sv), k);
      }
    }
    return;
  }
  for (let ch = 0; ch < c; ch++) {
    const m = at(mean, ch);
    const inv = invStd(at(var_, ch), eps);
    const base = <usize>ch * chBytes;
    let sg: f64 = 0, sgd: f64 = 0;
    if (needSums) {
      for (let i = 0; i < n; i++) {
        const r = <usize>i * rowBytes + base;
        sg += runDySums(dy + r, x + r, l, <f64>m);
        sgd += dySumsSecond;
      }
    }
    if (dbias) put(dbias, ch, <f32>sg);
    if (dweight) put(dweight, ch, <f32>(sgd * <f64>inv));
    if (!dx || M == 0) continue;
    const s = inv * (weight ? at(weight, ch) : 1);
    const k1: f32 = training ? <f32>(sg / M) : 0;
    const k2: f32 = training ? <f32>(sgd / M * <f64>inv * <f64>inv) : 0;
    const mv = f32x4.splat(m), sv = f32x4.splat(s), k1v = f32x4.splat(k1), k2v = f32x4.splat(k2);
    for (let i = 0; i < n; i++) {
      const r = <usize>i * rowBytes + base;
      const pg = dy + r, px = x + r, pd = dx + r;
      let j = 0;
      for (; j + 4 <= l; j += 4) {
        const o = <usize>j << 2;
        const t = f32x4.sub(f32x4.sub(v128.load(pg + o), k1v), f32x4.mul(f32x4.sub(v128.load(px + o), mv), k2v));
        v128.store(pd + o, f32x4.mul(t, sv));
      }
      for (; j < l; j++) put(pd, j, (at(pg, j) - k1 - (at(px, j) - m) * k2) * s);
    }
  }
}

/**
 * running_mean = (1 - momentum)·running_mean + momentum·mean and running_var likewise with var·unbias
 * (unbias = M/(M-1) turns the biased batch variance into the unbiased one), in f64, rounded once.
 */
export function batch_norm_update_f32(
  runMean: usize, runVar: usize, mean: usize, var_: usize, c: i32, momentum: f64, unbias: f64,
): void {
  for (let ch = 0; ch < c; ch++) {
    put(runMean, ch, <f32>(momentum * <f64>at(mean, ch) + (1 - momentum) * <f64>at(runMean, ch)));
    put(runVar, ch, <f32>(momentum * <f64>at(var_, ch) * unbias + (1 - momentum) * <f64>at(runVar, ch)));
  }
}

// ---------------------------------------------------------------- layer norm

/**
 * Per row of d floats: mean, rstd = 1/sqrt(biased var + eps) (f64, two passes), and
 * y = (x - mean)·rstd·weight[j] + bias[j] (weight 0 means 1, bias 0 means 0). mean/rstd get one float per row.
 * y may alias x.
 */
export function layer_norm_f32(
  y: usize, mean: usize, rstd: usize, x: usize, weight: usize, bias: usize, rows: i32, d: i32, eps: f64,
): void {
  if (rows <= 0 || d <= 0) return;
  const rowBytes = <usize>d << 2;
  for (let r = 0; r < rows; r++) {
    const px = x + <usize>r * rowBytes;
    const py = y + <usize>r * rowBytes;
    const m64 = rowSum64(px, d) / <f64>d;
    const rs = <f32>(1.0 / Math.sqrt(runSqDev(px, d, m64) / <f64>d + eps));
    const m = <f32>m64;
    put(mean, r, m);
    put(rstd, r, rs);
    const mv = f32x4.splat(m), sv = f32x4.splat(rs);
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      const o = <usize>j << 2;
      let v = f32x4.mul(f32x4.sub(v128.load(px + o), mv), sv);
      if (weight) v = f32x4.mul(v, v128.load(weight + o));
      if (bias) v = f32x4.add(v, v128.load(bias + o));
      v128.store(py + o, v);
    }
    for (; j < d; j++) {
      let v = (at(px, j) - m) * rs;
      if (weight) v *= at(weight, j);
      if (bias) v += at(bias, j);
      put(py, j, v);
    }
  }
}

/** Bytes of scratch layer_norm_bwd_f32 needs: two f64 accumulators per normalized element. */
export function layer_norm_bwd_scratch_bytes(d: i32): i32 {
  return max(d, 0) * 16;
}

/**
 * Backward of layer_norm_f32 over rows of d floats, with xhat = (x - mean)·rstd and g = dy·weight:
 *   dx = rstd · (g - mean_j(g) - xhat · mean_j(g·xhat))      (row sums in f64; skipped when dx is 0)
 *   dweight[j] = Σ_rows dy·xhat,  dbias[j] = Σ_rows dy       (f64 accumulators in scratch; skipped when 0)
 * scratch must hold layer_norm_bwd_scratch_bytes(d) bytes when dweight or dbias is wanted. dx may alias dy.
 */
export function layer_norm_bwd_f32(
  dx: usize, dweight: usize, dbias: usize, dy: usize, x: usize, mean: usize, rstd: usize, weight: usize,
  rows: i32, d: i32, scratch: usize,
): void {
  if (d <= 0) return;
  const rowBytes = <usize>d << 2;
  const accW = scratch;
  const accB = scratch + (<usize>d << 3);
  const wantParams = dweight != 0 || dbias != 0;
  if (wantParams) memory.fill(scratch, 0, <usize>d << 4);
  for (let r = 0; r < max(rows, 0); r++) {
    const px = x + <usize>r * rowBytes;
    const pg = dy + <usize>r * rowBytes;
    const m = at(mean, r), rs = at(rstd, r);
    const mv = f32x4.splat(m), sv = f32x4.splat(rs);
    if (wantParams) {
      let j = 0;
      for (; j + 2 <= d; j += 2) {
        // two lanes at a time in f64: acc[j..j+1] += dy·xhat, dy
        const o = <usize>j << 2, o8 = <usize>j << 3;
        const g = promoteLo(v128.load64_zero(pg + o));
        const xh = promoteLo(f32x4.mul(f32x4.sub(v128.load64_zero(px + o), mv), sv));
        v128.store(accW + o8, f64x2.add(v128.load(accW + o8), f64x2.mul(g, xh)));
        v128.store(accB + o8, f64x2.add(v128.load(accB + o8), g));
      }
      for (; j < d; j++) {
        const g = <f64>at(pg, j);
        const xh = <f64>((at(px, j) - m) * rs);
        store<f64>(accW + (<usize>j << 3), load<f64>(accW + (<usize>j << 3)) + g * xh);
        store<f64>(accB + (<usize>j << 3), load<f64>(accB + (<usize>j << 3)) + g);
      }
    }
    if (!dx) continue;
    // row sums of g and g·xhat
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), t0 = f64x2.splat(0), t1 = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      const o = <usize>j << 2;
      let g = v128.load(pg + o);
      if (weight) g = f32x4.mul(g, v128.load(weight + o));
      const gx = f32x4.mul(g, f32x4.mul(f32x4.sub(v128.load(px + o), mv), sv));
      s0 = f64x2.add(s0, promoteLo(g));
      s1 = f64x2.add(s1, promoteHi(g));
      t0 = f64x2.add(t0, promoteLo(gx));
      t1 = f64x2.add(t1, promoteHi(gx));
    }
    let sg = hsum64(s0, s1), sgx = hsum64(t0, t1);
    for (; j < d; j++) {
      let g = at(pg, j);
      if (weight) g *= at(weight, j);
      sg += <f64>g;
      sgx += <f64>(g * ((at(px, j) - m) * rs));
    }
    const k1 = <f32>(sg / <f64>d), k2 = <f32>(sgx / <f64>d);
    const k1v = f32x4.splat(k1), k2v = f32x4.splat(k2);
    const pd = dx + <usize>r * rowBytes;
    j = 0;
    for (; j + 4 <= d; j += 4) {
      const o = <usize>j << 2;
      let g = v128.load(pg + o);
      if (weight) g = f32x4.mul(g, v128.load(weight + o));
      const xh = f32x4.mul(f32x4.sub(v128.load(px + o), mv), sv);
      v128.store(pd + o, f32x4.mul(f32x4.sub(f32x4.sub(g, k1v), f32x4.mul(xh, k2v)), sv));
    }
    for (; j < d; j++) {
      let g = at(pg, j);
      if (weight) g *= at(weight, j);
      const xh = (at(px, j) - m) * rs;
      put(pd, j, (g - k1 - xh * k2) * rs);
    }
  }
  if (!wantParams) return;
  for (let j = 0; j < d; j++) {
    if (dweight) put(dweight, j, <f32>load<f64>(accW + (<usize>j << 3)));
    if (dbias) put(dbias, j, <f32>load<f64>(accB + (<usize>j << 3)));
  }
}
