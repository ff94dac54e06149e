// Softmax, log-softmax and fused cross-entropy. x is viewed as [outer, dim, inner] and the softmax runs along dim.
// Numerically stable: the row maximum is subtracted before exp, sums of exponentials are accumulated in f64.
// inner == 1: SIMD along the (contiguous) row. inner > 1: SIMD across four neighbouring inner positions while
// walking dim with stride inner. Tails use partial vectors, so every element goes through the same vector code.

import { loadK, storeK, sel, exp4, exp1, promoteLo, promoteHi, demote2, hsum64 } from "./simd_math";
import { rowSum64, laneF32, laneF64, setLaneF32, setLaneI32 } from "./common";

// ================================================================= helpers

/** NaN-propagating maximum of L contiguous floats (L >= 1). */
// @ts-ignore: decorator
@inline function rowMax(p: usize, L: i32): f32 {
  let mv = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= L; i += 4) mv = f32x4.max(mv, v128.load(p + (<usize>i << 2)));
  if (i < L) mv = f32x4.max(mv, loadK(p + (<usize>i << 2), L - i, -Infinity));
  return max<f32>(max<f32>(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)),
    max<f32>(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
}

/** sum of exp(x - m) over L contiguous floats in f64; if out != 0 the exponentials are stored there. */
// @ts-ignore: decorator
@inline function rowExpSum(out: usize, p: usize, L: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= L; i += 4) {
    const o = <usize>i << 2;
    const e = exp4(f32x4.sub(v128.load(p + o), mv));
    if (out) v128.store(out + o, e);
    a0 = f64x2.add(a0, promoteLo(e));
    a1 = f64x2.add(a1, promoteHi(e));
  }
  if (i < L) {
    const o = <usize>i << 2;
    const k = L - i;
    const e = exp4(f32x4.sub(loadK(p + o, k, -Infinity), mv)); // padding lanes give exp(-inf) = 0
    if (out) storeK(out + o, e, k);
    const lo = promoteLo(e);
    const hi = promoteHi(e);
    a0 = f64x2.add(a0, k > 1 ? lo : f64x2.replace_lane(lo, 1, 0));
    if (k > 2) a1 = f64x2.add(a1, k > 3 ? hi : f64x2.replace_lane(hi, 1, 0));
  }
  return hsum64(a0, a1);
}

/** Column-block max over dim (k lanes at p, stride rowBytes), NaN-propagating. */
// @ts-ignore: decorator
@inline function colMax(p: usize, k: i32, dim: i32, rowBytes: usize): v128 {
  let mv = loadK(p, k, 0);
  for (let d = 1; d < dim; d++) {
    p += rowBytes;
    mv = f32x4.max(mv, loadK(p, k, 0));
  }
  return mv;
}

/**
 * Column-block sum over dim of exp(x - mv) (k lanes at p, stride rowBytes), accumulated in f64 and rounded once
 * per lane: the sums, or with log their logarithms (taken in f64; lanes from k on are 0). With store the
 * exponentials are also written to out at the same offsets. store and log are compile-time constants.
 */
// @ts-ignore: decorator
@inline function colExpSum(store: bool, log: bool, out: usize, p: usize, k: i32, dim: i32, rowBytes: usize, mv: v128): v128 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  for (let d = 0; d < dim; d++) {
    const r = <usize>d * rowBytes;
    const e = exp4(f32x4.sub(loadK(p + r, k, 0), mv));
    if (store) storeK(out + r, e, k);
    a0 = f64x2.add(a0, promoteLo(e));
    a1 = f64x2.add(a1, promoteHi(e));
  }
  if (!log) return demote2(a0, a1);
  let lv = f32x4.splat(0);
  for (let l = 0; l < k; l++) lv = setLaneF32(lv, l, <f32>Math.log(laneF64(a0, a1, l)));
  return lv;
}

/** softmax probabilities exp(x - mv) / sv of k lanes at p (mv the maximum, sv the sum of exponentials). */
// @ts-ignore: decorator
@inline function probK(p: usize, k: i32, mv: v128, sv: v128): v128 {
  return f32x4.div(exp4(f32x4.sub(loadK(p, k, 0), mv)), sv);
}

/** Smoothed probability targets t' = t * (1 - eps) + eps/c of k lanes at t (keepV = 1 - eps, epsV = eps/c). */
// @ts-ignore: decorator
@inline function smoothK(t: usize, k: i32, keepV: v128, epsV: v128): v128 {
  return f32x4.add(f32x4.mul(loadK(t, k, 0), keepV), epsV);
}

/** v with the lanes from k (1..4) on zeroed. */
// @ts-ignore: decorator
@inline function lowLanes(v: v128, k: i32): v128 {
  if (k < 4) v = v128.and(v, k == 1 ? i32x4(-1, 0, 0, 0) : k == 2 ? i32x4(-1, -1, 0, 0) : i32x4(-1, -1, -1, 0));
  return v;
}

// ================================================================= softmax

/**
 * out = softmax(x) along dim of [outer, dim, inner]: exp(x - max) / sum(exp(x - max)), the sum in f64.
 * A row containing NaN (or +inf, or only -inf) gives NaN, as torch. out may alias x.
 */
export function softmax_f32(out: usize, x: usize, outer: i32, dim: i32, inner: i32): void {
  if (outer <= 0 || dim <= 0 || inner <= 0) return;
  const rowBytes = <usize>inner << 2;
  const blockBytes = <usize>dim * rowBytes;
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const p = x + <usize>o * blockBytes;
      const q = out + <usize>o * blockBytes;
      const m = rowMax(p, dim);
      const sv = f32x4.splat(<f32>rowExpSum(q, p, dim, m));
      let i = 0;
      for (; i + 4 <= dim; i += 4) {
        const a = q + (<usize>i << 2);
        v128.store(a, f32x4.div(v128.load(a), sv));
      }
      if (i < dim) {
        const a = q + (<usize>i << 2);
        storeK(a, f32x4.div(loadK(a, dim - i, 1), sv), dim - i);
      }
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const pb = x + <usize>o * blockBytes;
    const qb = out + <usize>o * blockBytes;
    for (let i = 0; i < inner; i += 4) {
      const k = min(4, inner - i);
      const off = <usize>i << 2;
      const mv = colMax(pb + off, k, dim, rowBytes);
      const sv = colExpSum(true, false, qb + off, pb + off, k, dim, rowBytes, mv);
      for (let d = 0; d < dim; d++) {
        const a = qb + <usize>d * rowBytes + off;
        storeK(a, f32x4.div(loadK(a, k, 1), sv), k);
      }
    }
  }
}

/** Backward of softmax from its output y: dx = y * (dy - sum_dim(dy * y)), the dot product in f64. */
export function softmax_bwd_f32(dx: usize, y: usize, dy: usize, outer: i32, dim: i32, inner: i32): void {
  if (outer <= 0 || dim <= 0 || inner <= 0) return;
  const rowBytes = <usize>inner << 2;
  const blockBytes = <usize>dim * rowBytes;
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const base = <usize>o * blockBytes;
      const yp = y + base, gp = dy + base, dp = dx + base;
      let a0 = f64x2.splat(0);
      let a1 = f64x2.splat(0);
      let i = 0;
      for (; i + 4 <= dim; i += 4) {
        const r = <usize>i << 2;
        const yv = v128.load(yp + r);
        const gv = v128.load(gp + r);
        a0 = f64x2.add(a0, f64x2.mul(promoteLo(yv), promoteLo(gv)));
        a1 = f64x2.add(a1, f64x2.mul(promoteHi(yv), promoteHi(gv)));
      }
      let dot = hsum64(a0, a1);
      for (let j = i; j < dim; j++) {
        const r = <usize>j << 2;
        dot += <f64>load<f32>(yp + r) * <f64>load<f32>(gp + r);
      }
      const dv = f32x4.splat(<f32>dot);
      i = 0;
      for (; i + 4 <= dim; i += 4) {
        const r = <usize>i << 2;
        v128.store(dp + r, f32x4.mul(v128.load(yp + r), f32x4.sub(v128.load(gp + r), dv)));
      }
      if (i < dim) {
        const r = <usize>i << 2;
        const k = dim - i;
        storeK(dp + r, f32x4.mul(loadK(yp + r, k, 0), f32x4.sub(loadK(gp + r, k, 0), dv)), k);
      }
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const base = <usize>o * blockBytes;
    for (let i = 0; i < inner; i += 4) {
      const k = min(4, inner - i);
      const off = base + (<usize>i << 2);
      let a0 = f64x2.splat(0);
      let a1 = f64x2.splat(0);
      for (let d = 0; d < dim; d++) {
        const r = off + <usize>d * rowBytes;
        const yv = loadK(y + r, k, 0);
        const gv = loadK(dy + r, k, 0);
        a0 = f64x2.add(a0, f64x2.mul(promoteLo(yv), promoteLo(gv)));
        a1 = f64x2.add(a1, f64x2.mul(promoteHi(yv), promoteHi(gv)));
      }
      const dv = demote2(a0, a1);
      for (let d = 0; d < dim; d++) {
        const r = off + <usize>d * rowBytes;
        storeK(dx + r, f32x4.mul(loadK(y + r, k, 0), f32x4.sub(loadK(dy + r, k, 0), dv)), k);
      }
    }
  }
}

/**
 * out = log_softmax(x) along dim: (x - max) - log(sum(exp(x - max))), the log-sum taken in f64 and rounded once.
 * Finite for any finite logits (e.g. +-1e4). out may alias x.
 */
export function log_softmax_f32(out: usize, x: usize, outer: i32, dim: i32, inner: i32): void {
  if (outer <= 0 || dim <= 0 || inner <= 0) return;
  const rowBytes = <usize>inner << 2;
  const blockBytes = <usize>dim * rowBytes;
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const p = x + <usize>o * blockBytes;
      const q = out + <usize>o * blockBytes;
      const m = rowMax(p, dim);
      const lse = <f32>Math.log(rowExpSum(0, p, dim, m));
      const mv = f32x4.splat(m);
      const lv = f32x4.splat(lse);
      let i = 0;
      for (; i + 4 <= dim; i += 4) {
        const r = <usize>i << 2;
        v128.store(q + r, f32x4.sub(f32x4.sub(v128.load(p + r), mv), lv));
      }
      if (i < dim) {
        const r = <usize>i << 2;
        storeK(q + r, f32x4.sub(f32x4.sub(loadK(p + r, dim - i, 0), mv), lv), dim - i);
      }
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const pb = x + <usize>o * blockBytes;
    const qb = out + <usize>o * blockBytes;
    for (let i = 0; i < inner; i += 4) {
      const k = min(4, inner - i);
      const off = <usize>i << 2;
      const mv = colMax(pb + off, k, dim, rowBytes);
      const lv = colExpSum(false, true, 0, pb + off, k, dim, rowBytes, mv);
      for (let d = 0; d < dim; d++) {
        const r = <usize>d * rowBytes + off;
        storeK(qb + r, f32x4.sub(f32x4.sub(loadK(pb + r, k, 0), mv), lv), k);
      }
    }
  }
}

/** Backward of log_softmax from its output y: dx = dy - exp(y) * sum_dim(dy), the sum in f64. */
export function log_softmax_bwd_f32(dx: usize, y: usize, dy: usize, outer: i32, dim: i32, inner: i32): void {
  if (outer <= 0 || dim <= 0 || inner <= 0) return;
  const rowBytes = <usize>inner << 2;
  const blockBytes = <usize>dim * rowBytes;
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const base = <usize>o * blockBytes;
      const yp = y + base, gp = dy + base, dp = dx + base;
      const sv = f32x4.splat(<f32>rowSum64(gp, dim));
      let i = 0;
      for (; i + 4 <= dim; i += 4) {
        const r = <usize>i << 2;
        v128.store(dp + r, f32x4.sub(v128.load(gp + r), f32x4.mul(exp4(v128.load(yp + r)), sv)));
      }
      if (i < dim) {
        const r = <usize>i << 2;
        const k = dim - i;
        storeK(dp + r, f32x4.sub(loadK(gp + r, k, 0), f32x4.mul(exp4(loadK(yp + r, k, 0)), sv)), k);
      }
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const base = <usize>o * blockBytes;
    for (let i = 0; i < inner; i += 4) {
      const k = min(4, inner - i);
      const off = base + (<usize>i << 2);
      let a0 = f64x2.splat(0);
      let a1 = f64x2.splat(0);
      for (let d = 0; d < dim; d++) {
        const gv = loadK(dy + off + <usize>d * rowBytes, k, 0);
        a0 = f64x2.add(a0, promoteLo(gv));
        a1 = f64x2.add(a1, promoteHi(gv));
      }
      const sv = demote2(a0, a1);
      for (let d = 0; d < dim; d++) {
        const r = off + <usize>d * rowBytes;
        storeK(dx + r, f32x4.sub(loadK(dy + r, k, 0), f32x4.mul(exp4(loadK(y + r, k, 0)), sv)), k);
      }
    }
  }
}

// ================================================================= cross-entropy, class-index targets

/** Class index of a target value, or -1 when it is the ignore index (or not a valid class: not counted). */
// @ts-ignore: decorator
@inline function classOf(t: f32, c: i32, ignoreIndex: i32): i32 {
  if (t == <f32>ignoreIndex) return -1;
  if (!(t >= 0 && t < <f32>c)) return -2; // out of range: the caller range-checks; gives NaN, counted
  return <i32>t;
}

/** Per-element loss from row statistics (all f64): nll = (m + lse) - x_t, smoothing as torch. */
// @ts-ignore: decorator
@inline function ceLoss(m: f64, s: f64, sx: f64, xt: f64, c: i32, eps: f32): f32 {
  const lse = m + Math.log(s);
  const nll = lse - xt;
  if (eps == 0) return <f32>nll;
  const smooth = <f64>c * lse - sx; // sum_c -logp_c
  return <f32>((1 - <f64>eps) * nll + (<f64>eps / <f64>c) * smooth);
}

/**
 * Cross-entropy from logits [n, c, inner] with class-index targets [n, inner] (f32 holding integers),
 * log-softmax fused: loss[n*inner] per element = (1 - eps) * nll + eps * mean_c(-logp_c) (torch's label
 * smoothing), computed in f64 from f32 logits and rounded once. Elements whose target == ignoreIndex get loss 0
 * and are not counted. Returns the number of counted elements. Targets are range-checked by the caller (an
 * out-of-range target gives a NaN loss instead of reading outside the row).
 */
export function cross_entropy_f32(
  loss: usize, logits: usize, target: usize, n: i32, c: i32, inner: i32, smoothing: f32, ignoreIndex: i32,
): i32 {
  if (n <= 0 || inner <= 0) return 0;
  let count = 0;
  const rowBytes = <usize>inner << 2;
  const blockBytes = <usize>c * rowBytes;
  if (inner == 1) {
    for (let e = 0; e < n; e++) {
      const tt = classOf(load<f32>(target + (<usize>e << 2)), c, ignoreIndex);
      const lp = loss + (<usize>e << 2);
      if (tt == -1) { store<f32>(lp, 0); continue; }
      count++;
      if (tt < 0 || c <= 0) { store<f32>(lp, NaN); continue; }
      const p = logits + <usize>e * blockBytes;
      const m = rowMax(p, c);
      const s = rowExpSum(0, p, c, m);
      const sx = smoothing != 0 ? rowSum64(p, c) : 0;
      store<f32>(lp, ceLoss(m, s, sx, load<f32>(p + (<usize>tt << 2)), c, smoothing));
    }
    return count;
  }
  for (let b = 0; b < n; b++) {
    const pb = logits + <usize>b * blockBytes;
    for (let i = 0; i < inner; i += 4) {
      const k = min(4, inner - i);
      const off = <usize>i << 2;
      const ep = <usize>(b * inner + i) << 2;
      if (c <= 0) {
        for (let l = 0; l < k; l++) {
          const tt = classOf(load<f32>(target + ep + (<usize>l << 2)), c, ignoreIndex);
          store<f32>(loss + ep + (<usize>l << 2), tt == -1 ? 0 : NaN);
          if (tt != -1) count++;
        }
        continue;
      }
      const mv = colMax(pb + off, k, c, rowBytes);
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
      for (let d = 0; d < c; d++) {
        const v = loadK(pb + <usize>d * rowBytes + off, k, 0);
        const e = exp4(f32x4.sub(v, mv));
        a0 = f64x2.add(a0, promoteLo(e));
        a1 = f64x2.add(a1, promoteHi(e));
        b0 = f64x2.add(b0, promoteLo(v));
        b1 = f64x2.add(b1, promoteHi(v));
      }
      for (let l = 0; l < k; l++) {
        const tt = classOf(load<f32>(target + ep + (<usize>l << 2)), c, ignoreIndex);
        const lp = loss + ep + (<usize>l << 2);
        if (tt == -1) { store<f32>(lp, 0); continue; }
        count++;
        if (tt < 0) { store<f32>(lp, NaN); continue; }
        const xt = load<f32>(pb + <usize>tt * rowBytes + off + (<usize>l << 2));
        store<f32>(lp, ceLoss(laneF32(mv, l), laneF64(a0, a1, l), laneF64(b0, b1, l), xt, c, smoothing));
      }
    }
  }
  return count;
}

/**
 * Backward of cross_entropy_f32: dlogits = g * (softmax(logits) - ((1 - eps) * onehot + eps/c)), with
 * g = dloss[e] if dloss != 0 else dlossScalar; rows of ignored elements are 0. Written, not accumulated.
 */
export function cross_entropy_bwd_f32(
  dlogits: usize, logits: usize, target: usize, dloss: usize, dlossScalar: f32, n: i32, c: i32, inner: i32,
  smoothing: f32, ignoreIndex: i32,
): void {
  if (n <= 0 || inner <= 0 || c <= 0) return;
  const rowBytes = <usize>inner << 2;
  const blockBytes = <usize>c * rowBytes;
  const epsC: f32 = smoothing / <f32>c;
  const offT: f32 = (1 - smoothing) + epsC;
  const ev = f32x4.splat(epsC);
  if (inner == 1) {
    for (let e = 0; e < n; e++) {
      const tt = classOf(load<f32>(target + (<usize>e << 2)), c, ignoreIndex);
      const p = logits + <usize>e * blockBytes;
      const q = dlogits + <usize>e * blockBytes;
      if (tt == -1) { memory.fill(q, 0, blockBytes); continue; }
      const g = dloss ? load<f32>(dloss + (<usize>e << 2)) : dlossScalar;
      const gv = f32x4.splat(g);
      const m = rowMax(p, c);
      const sf = <f32>rowExpSum(0, p, c, m);
      const mv = f32x4.splat(m);
      const sv = f32x4.splat(sf);
      let i = 0;
      for (; i + 4 <= c; i += 4) {
        const r = <usize>i << 2;
        const pr = probK(p + r, 4, mv, sv);
        v128.store(q + r, f32x4.mul(gv, f32x4.sub(pr, ev)));
      }
      if (i < c) {
        const r = <usize>i << 2;
        const pr = probK(p + r, c - i, mv, sv);
        storeK(q + r, f32x4.mul(gv, f32x4.sub(pr, ev)), c - i);
      }
      if (tt >= 0) {
        const r = <usize>tt << 2;
        const pt = exp1(load<f32>(p + r) - m) / sf;
        store<f32>(q + r, g * (pt - offT));
      } else {
        memory.fill(q, 0xff, blockBytes); // out-of-range target: NaN row (never happens after the caller's check)
      }
    }
    return;
  }
  for (let b = 0; b < n; b++) {
    const pb = logits + <usize>b * blockBytes;
    const qb = dlogits + <usize>b * blockBytes;
    for (let i = 0; i < inner; i += 4) {
      const k = min(4, inner - i);
      const off = <usize>i << 2;
      const ep = <usize>(b * inner + i) << 2;
      // per-lane class (-1 ignored, -2 invalid), gradient scale, and masks
      let tv = i32x4.splat(-1);
      let gv = f32x4.splat(0);
      for (let l = 0; l < k; l++) {
        const tt = classOf(load<f32>(target + ep + (<usize>l << 2)), c, ignoreIndex);
        tv = setLaneI32(tv, l, tt);
        gv = setLaneF32(gv, l, tt == -1 ? 0 : tt == -2 ? NaN : dloss ? load<f32>(dloss + ep + (<usize>l << 2)) : dlossScalar);
      }
      const keep = i32x4.ne(tv, i32x4.splat(-1));
      const mv = colMax(pb + off, k, c, rowBytes);
      const sv = colExpSum(false, false, 0, pb + off, k, c, rowBytes, mv);
      const tOff = f32x4.splat(offT);
      for (let d = 0; d < c; d++) {
        const r = <usize>d * rowBytes + off;
        const pr = probK(pb + r, k, mv, sv);
        const sub = sel(tOff, ev, i32x4.eq(tv, i32x4.splat(d)));
        storeK(qb + r, v128.and(f32x4.mul(gv, f32x4.sub(pr, sub)), keep), k);
      }
    }
  }
}

// ================================================================= cross-entropy, probability targets

/**
 * Cross-entropy from logits [n, c, inner] with probability targets of the same shape:
 * loss = -sum_c t'_c * logp_c with t' = t * (1 - eps) + eps/c (torch's label smoothing for probabilities),
 * accumulated in f64 as sum_c t'_c * (lse - (x_c - max)).
 */
export function cross_entropy_prob_f32(
  loss: usize, logits: usize, target: usize, n: i32, c: i32, inner: i32, smoothing: f32,
): void {
  if (n <= 0 || inner <= 0) return;
  if (c <= 0) { memory.fill(loss, 0, (<usize>n * <usize>inner) << 2); return; }
  const rowBytes = <usize>inner << 2;
  const blockBytes = <usize>c * rowBytes;
  const keepV = f32x4.splat(1 - smoothing);
  const epsV = f32x4.splat(smoothing / <f32>c);
  if (inner == 1) {
    for (let e = 0; e < n; e++) {
      const p = logits + <usize>e * blockBytes;
      const t = target + <usize>e * blockBytes;
      const m = rowMax(p, c);
      const mv = f32x4.splat(m);
      const s = rowExpSum(0, p, c, m);
      // sum t' and sum t' * (x - m), f64; padding lanes have t' = 0 * (1-eps) + 0 masked below
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
      for (let i = 0; i < c; i += 4) {
        const k = min(4, c - i);
        const r = <usize>i << 2;
        const tp = lowLanes(smoothK(t + r, k, keepV, epsV), k);
        const xm = f32x4.sub(loadK(p + r, k, 0), mv);
        const tlo = promoteLo(tp), thi = promoteHi(tp);
        a0 = f64x2.add(a0, tlo);
        a1 = f64x2.add(a1, thi);
        b0 = f64x2.add(b0, f64x2.mul(tlo, promoteLo(xm)));
        b1 = f64x2.add(b1, f64x2.mul(thi, promoteHi(xm)));
      }
      store<f32>(loss + (<usize>e << 2), <f32>(hsum64(a0, a1) * Math.log(s) - hsum64(b0, b1)));
    }
    return;
  }
  for (let b = 0; b < n; b++) {
    const pb = logits + <usize>b * blockBytes;
    const tb = target + <usize>b * blockBytes;
    for (let i = 0; i < inner; i += 4) {
      const k = min(4, inner - i);
      const off = <usize>i << 2;
      const mv = colMax(pb + off, k, c, rowBytes);
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
      for (let d = 0; d < c; d++) {
        const r = <usize>d * rowBytes + off;
        const xm = f32x4.sub(loadK(pb + r, k, 0), mv);
        const e = exp4(xm);
        s0 = f64x2.add(s0, promoteLo(e));
        s1 = f64x2.add(s1, promoteHi(e));
        const tp = smoothK(tb + r, k, keepV, epsV);
        const tlo = promoteLo(tp), thi = promoteHi(tp);
        a0 = f64x2.add(a0, tlo);
        a1 = f64x2.add(a1, thi);
        b0 = f64x2.add(b0, f64x2.mul(tlo, promoteLo(xm)));
        b1 = f64x2.add(b1, f64x2.mul(thi, promoteHi(xm)));
      }
      const ep = <usize>(b * inner + i) << 2;
      for (let l = 0; l < k; l++) {
        const v = laneF64(a0, a1, l) * Math.log(laneF64(s0, s1, l)) - laneF64(b0, b1, l);
        store<f32>(loss + ep + (<usize>l << 2), <f32>v);
      }
    }
  }
}

/**
 * Backward of cross_entropy_prob_f32: dlogits = g * (softmax * sum_c t'_c - t'_c), which is
 * g * (softmax - t') for targets summing to 1 (PyTorch's exact gradient also for unnormalised targets);
 * g = dloss[e] if dloss != 0 else dlossScalar.
 */
export function cross_entropy_prob_bwd_f32(
  dlogits: usize, logits: usize, target: usize, dloss: usize, dlossScalar: f32, n: i32, c: i32, inner: i32,
  smoothing: f32,
): void {
  if (n <= 0 || inner <= 0 || c <= 0) return;
  const rowBytes = <usize>inner << 2;
  const blockBytes = <usize>c * rowBytes;
  const keepV = f32x4.splat(1 - smoothing);
  const epsV = f32x4.splat(smoothing / <f32>c);
  if (inner == 1) {
    for (let e = 0; e < n; e++) {
      const p = logits + <usize>e * blockBytes;
      const t = target + <usize>e * blockBytes;
      const q = dlogits + <usize>e * blockBytes;
      const g = dloss ? load<f32>(dloss + (<usize>e << 2)) : dlossScalar;
      const gv = f32x4.splat(g);
      const m = rowMax(p, c);
      const mv = f32x4.splat(m);
      const sv = f32x4.splat(<f32>rowExpSum(0, p, c, m));
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
      for (let i = 0; i < c; i += 4) {
        const k = min(4, c - i);
        const tp = lowLanes(smoothK(t + (<usize>i << 2), k, keepV, epsV), k);
        a0 = f64x2.add(a0, promoteLo(tp));
        a1 = f64x2.add(a1, promoteHi(tp));
      }
      const tsv = f32x4.splat(<f32>hsum64(a0, a1));
      for (let i = 0; i < c; i += 4) {
        const k = min(4, c - i);
        const r = <usize>i << 2;
        const tp = smoothK(t + r, k, keepV, epsV);
        const pr = probK(p + r, k, mv, sv);
        storeK(q + r, f32x4.mul(gv, f32x4.sub(f32x4.mul(pr, tsv), tp)), k);
      }
    }
    return;
  }
  for (let b = 0; b < n; b++) {
    const pb = logits + <usize>b * blockBytes;
    const tb = target + <usize>b * blockBytes;
    const qb = dlogits + <usize>b * blockBytes;
    for (let i = 0; i < inner; i += 4) {
      const k = min(4, inner - i);
      const off = <usize>i << 2;
      const ep = <usize>(b * inner + i) << 2;
      const gv = dloss ? loadK(dloss + ep, k, 0) : f32x4.splat(dlossScalar);
      const mv = colMax(pb + off, k, c, rowBytes);
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), a0 = f64x2.splat(0), a1 = f64x2.splat(0);
      for (let d = 0; d < c; d++) {
        const r = <usize>d * rowBytes + off;
        const e = exp4(f32x4.sub(loadK(pb + r, k, 0), mv));
        s0 = f64x2.add(s0, promoteLo(e));
        s1 = f64x2.add(s1, promoteHi(e));
        const tp = smoothK(tb + r, k, keepV, epsV);
        a0 = f64x2.add(a0, promoteLo(tp));
        a1 = f64x2.add(a1, promoteHi(tp));
      }
      const sv = demote2(s0, s1);
      const tsv = demote2(a0, a1);
      for (let d = 0; d < c; d++) {
        const r = <usize>d * rowBytes + off;
        const tp = smoothK(tb + r, k, keepV, epsV);
        const pr = probK(pb + r, k, mv, sv);
        storeK(qb + r, f32x4.mul(gv, f32x4.sub(f32x4.mul(pr, tsv), tp)), k);
      }
    }
  }
}
