// Elementwise kernels: broadcasting binary ops, the reduction that undoes broadcasting, strided gather copies,
// unary ops with their backward, and axpy. Pointer kernels on f32 row-major data (see the architecture notes).
//
// Shape descriptors: `dims` points to i32 values in linear memory, [shape(ndim), strides(ndim), ...], strides in
// elements. The kernels only read it. Iteration merges trailing dimensions whose strides line up (so a
// contiguous or plainly broadcast tail becomes one long SIMD run) and walks the remaining outer dimensions with a
// small recursion (depth <= 8, counters live in wasm locals: no scratch memory, safe with shared memory).

import { loadK, storeK, exp4, log4 } from "./simd_math";
import { rowSum64, axpyRow, colSums8, sign4 } from "./common";

// ================================================================= binary

/** C99 / torch pow: Mathf.pow plus the cases where it disagrees with C (pow(1, y) = 1, pow(-1, +-inf) = 1). */
function powf(x: f32, y: f32): f32 {
  if (x == 1) return 1;
  if (x == -1 && abs<f32>(y) == Infinity) return 1;
  return Mathf.pow(x, y);
}

/** One binary op on four lanes. op is a compile-time constant after inlining. */
// @ts-ignore: decorator
@inline function binV(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case 0: return f32x4.add(a, b);
    case 1: return f32x4.sub(a, b);
    case 2: return f32x4.mul(a, b);
    case 3: return f32x4.div(a, b);
    case 4: {
      let r = f32x4.splat(powf(f32x4.extract_lane(a, 0), f32x4.extract_lane(b, 0)));
      r = f32x4.replace_lane(r, 1, powf(f32x4.extract_lane(a, 1), f32x4.extract_lane(b, 1)));
      r = f32x4.replace_lane(r, 2, powf(f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 2)));
      return f32x4.replace_lane(r, 3, powf(f32x4.extract_lane(a, 3), f32x4.extract_lane(b, 3)));
    }
    case 5: return f32x4.max(a, b); // wasm max/min propagate NaN, max(-0, +0) = +0: torch.maximum/minimum
    case 6: return f32x4.min(a, b);
    // comparisons give 1.0 where true, 0.0 where false (IEEE: NaN compares false except !=)
    case 7: return v128.and(f32x4.gt(a, b), f32x4.splat(1));
    case 8: return v128.and(f32x4.ge(a, b), f32x4.splat(1));
    case 9: return v128.and(f32x4.lt(a, b), f32x4.splat(1));
    case 10: return v128.and(f32x4.le(a, b), f32x4.splat(1));
    case 11: return v128.and(f32x4.eq(a, b), f32x4.splat(1));
    default: return v128.and(f32x4.ne(a, b), f32x4.splat(1));
  }
}

/** The same op on one float (identical IEEE semantics to the lane version). */
// @ts-ignore: decorator
@inline function binS(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a * b;
    case 3: return a / b;
    case 4: return powf(a, b);
    case 5: return max<f32>(a, b);
    case 6: return min<f32>(a, b);
    case 7: return a > b ? 1 : 0;
    case 8: return a >= b ? 1 : 0;
    case 9: return a < b ? 1 : 0;
    case 10: return a <= b ? 1 : 0;
    case 11: return a == b ? 1 : 0;
    default: return a != b ? 1 : 0;
  }
}

/** out[i] = a[i*sa] op b[i*sb] for i < L; SIMD when (sa, sb) is (1,1), (1,0) or (0,1). */
// @ts-ignore: decorator
@inline function binRun(op: i32, out: usize, a: usize, sa: i32, b: usize, sb: i32, L: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= L; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, binV(op, v128.load(a + o), v128.load(b + o)));
    }
    if (i < L) {
      const o = <usize>i << 2;
      const k = L - i;
      storeK(out + o, binV(op, loadK(a + o, k, 1), loadK(b + o, k, 1)), k);
    }
  } else if (sa == 1 && sb == 0) {
    const bv = v128.load32_splat(b);
    for (; i + 4 <= L; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, binV(op, v128.load(a + o), bv));
    }
    if (i < L) {
      const o = <usize>i << 2;
      const k = L - i;
      storeK(out + o, binV(op, loadK(a + o, k, 1), bv), k);
    }
  } else if (sa == 0 && sb == 1) {
    const av = v128.load32_splat(a);
    for (; i + 4 <= L; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, binV(op, av, v128.load(b + o)));
    }
    if (i < L) {
      const o = <usize>i << 2;
      const k = L - i;
      storeK(out + o, binV(op, av, loadK(b + o, k, 1)), k);
    }
  } else {
    const da = <usize>sa << 2;
    const db = <usize>sb << 2;
    for (; i < L; i++) {
      store<f32>(out + (<usize>i << 2), binS(op, load<f32>(a), load<f32>(b)));
      a += da;
      b += db;
    }
  }
}

function binDispatch(op: i32, out: usize, a: usize, sa: i32, b: usize, sb: i32, L: i32): void {
  switch (op) {
    case 0: binRun(0, out, a, sa, b, sb, L); break;
    case 1: binRun(1, out, a, sa, b, sb, L); break;
    case 2: binRun(2, out, a, sa, b, sb, L); break;
    case 3: binRun(3, out, a, sa, b, sb, L); break;
    case 4: binRun(4, out, a, sa, b, sb, L); break;
    case 5: binRun(5, out, a, sa, b, sb, L); break;
    case 6: binRun(6, out, a, sa, b, sb, L); break;
    case 7: binRun(7, out, a, sa, b, sb, L); break;
    case 8: binRun(8, out, a, sa, b, sb, L); break;
    case 9: binRun(9, out, a, sa, b, sb, L); break;
    case 10: binRun(10, out, a, sa, b, sb, L); break;
    case 11: binRun(11, out, a, sa, b, sb, L); break;
    default: binRun(12, out, a, sa, b, sb, L); break;
  }
}

/** out[i] = cond[i] != 0 ? a[i] : b[i] (torch.where on operands already broadcast to n elements). */
export function select_f32(out: usize, cond: usize, a: usize, b: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const keepB = f32x4.eq(v128.load(cond + o), zero);
    v128.store(out + o, v128.bitselect(v128.load(b + o), v128.load(a + o), keepB));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(cond + o) != 0 ? load<f32>(a + o) : load<f32>(b + o));
  }
}

// @ts-ignore: decorator
@inline function dimAt(dims: usize, j: i32): i32 {
  return load<i32>(dims + (<usize>j << 2));
}

function binLevel(
  op: i32, lvl: i32, k: i32, out: usize, a: usize, b: usize, dims: usize, ndim: i32, L: i32, sa: i32, sb: i32,
): usize {
  if (lvl == k) {
    binDispatch(op, out, a, sa, b, sb, L);
    return out + (<usize>L << 2);
  }
  const n = dimAt(dims, lvl);
  const da = <usize>dimAt(dims, ndim + lvl) << 2;
  const db = <usize>dimAt(dims, 2 * ndim + lvl) << 2;
  for (let j = 0; j < n; j++) {
    out = binLevel(op, lvl + 1, k, out, a, b, dims, ndim, L, sa, sb);
    a += da;
    b += db;
  }
  return out;
}

/**
 * Broadcasting binary op over an ndim-dimensional iteration space (1 <= ndim <= 8).
 * dims -> i32[3*ndim]: [0, ndim) output shape, [ndim, 2ndim) strides of a (elements, 0 = broadcast),
 * [2ndim, 3ndim) strides of b. out is contiguous in that shape.
 * op: 0 add, 1 sub, 2 mul, 3 div, 4 pow (a^b, C/torch.pow semantics), 5 maximum, 6 minimum,
 * 7 gt, 8 ge, 9 lt, 10 le, 11 eq, 12 ne (1.0 where true, 0.0 where false)
 * (NaN propagates like torch.maximum/minimum). Innermost runs with strides (1,1), (1,0), (0,1) use SIMD.
 * out may alias a or b when that operand is not broadcast.
 */
export function binary_f32(op: i32, out: usize, a: usize, b: usize, ndim: i32, dims: usize): void {
  if (ndim <= 0) { // a scalar iteration space
    store<f32>(out, binS(op, load<f32>(a), load<f32>(b)));
    return;
  }
  for (let j = 0; j < ndim; j++) if (dimAt(dims, j) <= 0) return;
  let d = ndim - 1;
  let L = dimAt(dims, d);
  let sa = dimAt(dims, ndim + d);
  let sb = dimAt(dims, 2 * ndim + d);
  while (d > 0) {
    const n = dimAt(dims, d - 1);
    const pa = dimAt(dims, ndim + d - 1);
    const pb = dimAt(dims, 2 * ndim + d - 1);
    if (n == 1) { d--; continue; }
    if (L == 1) { L = n; sa = pa; sb = pb; d--; continue; }
    if (pa == sa * L && pb == sb * L) { L *= n; d--; continue; }
    break;
  }
  binLevel(op, 0, d, out, a, b, dims, ndim, L, sa, sb);
}

// ================================================================= reduce_broadcast

/** out[0] += sum of L contiguous floats, accumulated in f64 (two f64x2 accumulators). */
function rowSumInto(out: usize, src: usize, L: i32): void {
  store<f32>(out, <f32>(<f64>load<f32>(out) + rowSum64(src, L)));
}

/**
 * out[j*so] += sum over r < D of src[r*L + j], j < L: column sums of a D x L block, f64 accumulators kept in
 * registers for 8 columns at a time (then one column at a time for the rest).
 */
function colSumInto(out: usize, so: i32, src: usize, D: i32, L: i32): void {
  const row = <usize>L << 2;
  const dso = <usize>so << 2;
  let j = 0;
  for (; j + 8 <= L; j += 8) colSums8(true, out + <usize>j * dso, dso, src + (<usize>j << 2), D, row);
  for (; j < L; j++) {
    let s: f64 = 0;
    let p = src + (<usize>j << 2);
    for (let r = 0; r < D; r++) {
      s += <f64>load<f32>(p);
      p += row;
    }
    const o = out + <usize>j * dso;
    store<f32>(o, <f32>(<f64>load<f32>(o) + s));
  }
}

// Block kinds for reduce_broadcast's innermost block.
const RB_ROW: i32 = 0; // trailing reduced run of length L -> one out element
const RB_COL: i32 = 1; // D reduced rows of L kept columns (out stride so)

function rbLevel(
  lvl: i32, k: i32, out: usize, src: usize, dims: usize, ndim: i32, kind: i32, D: i32, L: i32, so: i32,
): usize {
  if (lvl == k) {
    if (kind == RB_ROW) rowSumInto(out, src, L);
    else colSumInto(out, so, src, D, L);
    return src + ((<usize>D * <usize>L) << 2);
  }
  const n = dimAt(dims, lvl);
  const dout = <usize>dimAt(dims, ndim + lvl) << 2;
  for (let j = 0; j < n; j++) {
    src = rbLevel(lvl + 1, k, out, src, dims, ndim, kind, D, L, so);
    out += dout;
  }
  return src;
}

/**
 * Sum src (contiguous, shape dims[0..ndim)) into out, where dims[ndim..2ndim) are out's strides in elements
 * (0 on broadcast dims): the backward of broadcasting. Zeroes out[0..outN) first.
 * Trailing reduced dims are summed as one run, and a reduced group followed by kept columns as column sums, both
 * with f64 accumulators; contributions from further-out reduced dims are added to out in f32.
 */
export function reduce_broadcast_f32(out: usize, outN: i32, src: usize, ndim: i32, dims: usize): void {
  memory.fill(out, 0, <usize>max(outN, 0) << 2);
  if (ndim <= 0) { // scalar to scalar
    store<f32>(out, load<f32>(out) + load<f32>(src));
    return;
  }
  for (let j = 0; j < ndim; j++) if (dimAt(dims, j) <= 0) return;
  // skip trailing size-1 dims
  let d = ndim - 1;
  while (d > 0 && dimAt(dims, d) == 1) d--;
  let L = dimAt(dims, d);
  let so = dimAt(dims, ndim + d);
  let kind: i32;
  let D = 1;
  if (so == 0 || L == 1) {
    // trailing reduced group: merge every preceding reduced (or size-1) dim
    kind = RB_ROW;
    while (d > 0) {
      const n = dimAt(dims, d - 1);
      if (n == 1 || dimAt(dims, ndim + d - 1) == 0) { L *= n; d--; } else break;
    }
  } else {
    kind = RB_COL;
    // merge preceding kept dims that continue the out layout
    while (d > 0) {
      const n = dimAt(dims, d - 1);
      const s = dimAt(dims, ndim + d - 1);
      if (n == 1) { d--; continue; }
      if (s != 0 && s == so * L) { L *= n; d--; } else break;
    }
    // then the reduced dims just before them become the rows
    while (d > 0) {
      const n = dimAt(dims, d - 1);
      if (n == 1 || dimAt(dims, ndim + d - 1) == 0) { D *= n; d--; } else break;
    }
  }
  rbLevel(0, d, out, src, dims, ndim, kind, D, L, so);
}

// ================================================================= strided_copy

const TILE: i32 = 16;

/** out[r*C + c] = x[r*sr + c*sc] for an R x C block (out rows contiguous): row copies, SIMD transposes or tiles. */
function copy2d(out: usize, x: usize, R: i32, C: i32, sr: i32, sc: i32): void {
  const dsr = <usize>sr << 2;
  const dsc = <usize>sc << 2;
  if (sc == 1) {
    const row = <usize>C << 2;
    for (let r = 0; r < R; r++) {
      memory.copy(out, x, row);
      out += row;
      x += dsr;
    }
    return;
  }
  if (R < TILE || C < TILE) {
    for (let r = 0; r < R; r++) {
      let p = x + <usize>r * dsr;
      const o = out + ((<usize>r * <usize>C) << 2);
      for (let c = 0; c < C; c++) {
        store<f32>(o + (<usize>c << 2), load<f32>(p));
        p += dsc;
      }
    }
    return;
  }
  if (sr == 1) { transpose2d(out, x, R, C, sc); return; }
  // tiles: within a tile walk columns outer, rows inner, so the source is read along its small stride
  for (let r0 = 0; r0 < R; r0 += TILE) {
    const r1 = min(r0 + TILE, R);
    for (let c0 = 0; c0 < C; c0 += TILE) {
      const c1 = min(c0 + TILE, C);
      for (let c = c0; c < c1; c++) {
        let p = x + <usize>r0 * dsr + <usize>c * dsc;
        let o = out + ((<usize>r0 * <usize>C + <usize>c) << 2);
        const orow = <usize>C << 2;
        for (let r = r0; r < r1; r++) {
          store<f32>(o, load<f32>(p));
          p += dsr;
          o += orow;
        }
      }
    }
  }
}

/**
 * out[r*C + c] = x[r + c*sc] (a plain transpose: the source is contiguous along out's columns). 4x4 register
 * transposes (four loads, eight shuffles, four stores) inside 16x16 tiles; the ragged edges are copied one by one.
 */
function transpose2d(out: usize, x: usize, R: i32, C: i32, sc: i32): void {
  const R4 = R & ~3;
  const C4 = C & ~3;
  const dsc = <usize>sc << 2;
  const orow = <usize>C << 2;
  for (let r0 = 0; r0 < R4; r0 += TILE) {
    const r1 = min(r0 + TILE, R4);
    for (let c0 = 0; c0 < C4; c0 += TILE) {
      const c1 = min(c0 + TILE, C4);
      for (let r = r0; r < r1; r += 4) {
        for (let c = c0; c < c1; c += 4) {
          const p = x + <usize>c * dsc + (<usize>r << 2);
          const a0 = v128.load(p); // out[r..r+3, c]
          const a1 = v128.load(p + dsc); // out[r..r+3, c+1]
          const a2 = v128.load(p + 2 * dsc);
          const a3 = v128.load(p + 3 * dsc);
          const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
          const t2 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
          const t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
          const o = out + <usize>r * orow + (<usize>c << 2);
          v128.store(o, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
          v128.store(o + orow, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
          v128.store(o + 2 * orow, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
          v128.store(o + 3 * orow, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
        }
      }
    }
  }
  // right edge (columns C4..C) for rows < R4, then bottom rows R4..R for every column
  for (let r = 0; r < R4; r++) {
    for (let c = C4; c < C; c++) {
      store<f32>(out + <usize>r * orow + (<usize>c << 2), load<f32>(x + <usize>c * dsc + (<usize>r << 2)));
    }
  }
  for (let r = R4; r < R; r++) {
    for (let c = 0; c < C; c++) {
      store<f32>(out + <usize>r * orow + (<usize>c << 2), load<f32>(x + <usize>c * dsc + (<usize>r << 2)));
    }
  }
}

function scLevel(
  lvl: i32, k: i32, out: usize, x: usize, dims: usize, ndim: i32, R: i32, C: i32, sr: i32, sc: i32,
): usize {
  if (lvl == k) {
    copy2d(out, x, R, C, sr, sc);
    return out + ((<usize>R * <usize>C) << 2);
  }
  const n = dimAt(dims, lvl);
  const dx = <usize>dimAt(dims, ndim + lvl) << 2;
  for (let j = 0; j < n; j++) {
    out = scLevel(lvl + 1, k, out, x, dims, ndim, R, C, sr, sc);
    x += dx;
  }
  return out;
}

/**
 * Strided gather copy (transpose / permute / expand materialisation): out is contiguous with shape
 * dims[0..ndim), element at multi-index m is read from x[sum m_j * dims[ndim + j]] (strides in elements).
 * Mergeable trailing dims are fused; the last two remaining dims are copied row by row (memory.copy when the
 * inner stride is 1) or in 16x16 tiles (transposes).
 */
export function strided_copy_f32(out: usize, x: usize, ndim: i32, dims: usize): void {
  if (ndim <= 0) { store<f32>(out, load<f32>(x)); return; }
  for (let j = 0; j < ndim; j++) if (dimAt(dims, j) <= 0) return;
  let d = ndim - 1;
  let C = dimAt(dims, d);
  let sc = dimAt(dims, ndim + d);
  while (d > 0) {
    const n = dimAt(dims, d - 1);
    const s = dimAt(dims, ndim + d - 1);
    if (n == 1) { d--; continue; }
    if (C == 1) { C = n; sc = s; d--; continue; }
    if (s == sc * C) { C *= n; d--; continue; }
    break;
  }
  // the next dim out (if any) becomes the row dim of the 2-D base block
  let R = 1;
  let sr = 0;
  while (d > 0) {
    const n = dimAt(dims, d - 1);
    if (n == 1) { d--; continue; }
    R = n;
    sr = dimAt(dims, ndim + d - 1);
    d--;
    break;
  }
  scLevel(0, d, out, x, dims, ndim, R, C, sr, sc);
}

// ================================================================= unary

// pow_scalar specialisations, as torch: 0 -> 1, 1 -> x, 2 -> x*x, 3 -> x*x*x, -1 -> 1/x, -2 -> 1/(x*x),
// 0.5 -> sqrt, -0.5 -> 1/sqrt, anything else powf (Mathf.pow, musl's correctly-rounded-ish powf).
const PW_GENERAL: i32 = 0, PW_ZERO: i32 = 1, PW_ONE: i32 = 2, PW_TWO: i32 = 3, PW_THREE: i32 = 4,
  PW_M1: i32 = 5, PW_M2: i32 = 6, PW_HALF: i32 = 7, PW_MHALF: i32 = 8;

function powCode(p: f32): i32 {
  if (p == 0) return PW_ZERO;
  if (p == 1) return PW_ONE;
  if (p == 2) return PW_TWO;
  if (p == 3) return PW_THREE;
  if (p == -1) return PW_M1;
  if (p == -2) return PW_M2;
  if (p == 0.5) return PW_HALF;
  if (p == -0.5) return PW_MHALF;
  return PW_GENERAL;
}

/** x^p lane-wise with the torch specialisations (code = powCode(p)). */
function powV(x: v128, p: f32, code: i32): v128 {
  const one = f32x4.splat(1.0);
  switch (code) {
    case PW_ZERO: return one;
    case PW_ONE: return x;
    case PW_TWO: return f32x4.mul(x, x);
    case PW_THREE: return f32x4.mul(f32x4.mul(x, x), x);
    case PW_M1: return f32x4.div(one, x);
    case PW_M2: return f32x4.div(one, f32x4.mul(x, x));
    case PW_HALF: return f32x4.sqrt(x);
    case PW_MHALF: return f32x4.div(one, f32x4.sqrt(x));
    default: {
      let r = f32x4.splat(powf(f32x4.extract_lane(x, 0), p));
      r = f32x4.replace_lane(r, 1, powf(f32x4.extract_lane(x, 1), p));
      r = f32x4.replace_lane(r, 2, powf(f32x4.extract_lane(x, 2), p));
      return f32x4.replace_lane(r, 3, powf(f32x4.extract_lane(x, 3), p));
    }
  }
}

// @ts-ignore: decorator
@inline function unaryV(op: i32, x: v128, p1: f32, p2: f32, pc: i32): v128 {
  switch (op) {
    case 0: return f32x4.neg(x);
    case 1: return exp4(x);
    case 2: return log4(x);
    case 3: return f32x4.sqrt(x);
    case 4: return f32x4.abs(x);
    case 5: return powV(x, p1, pc);
    case 6: return f32x4.min(f32x4.max(x, f32x4.splat(p1)), f32x4.splat(p2));
    case 7: return f32x4.add(f32x4.mul(x, f32x4.splat(p1)), f32x4.splat(p2));
    default: return sign4(x);
  }
}

// @ts-ignore: decorator
@inline function unaryLoop(op: i32, out: usize, x: usize, n: i32, p1: f32, p2: f32): void {
  const pc = op == 5 ? powCode(p1) : 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, unaryV(op, v128.load(x + o), p1, p2, pc));
  }
  if (i < n) { // partial tail through the same vector code (padding lanes hold 1)
    const o = <usize>i << 2;
    storeK(out + o, unaryV(op, loadK(x + o, n - i, 1), p1, p2, pc), n - i);
  }
}

/**
 * Unary op over n floats: 0 neg, 1 exp, 2 log, 3 sqrt, 4 abs, 5 pow_scalar (x^p1, torch's specialisations),
 * 6 clamp (lo p1, hi p2; pass -inf/+inf for none; NaN stays NaN), 7 affine (x*p1 + p2), 8 sign (torch.sign:
 * 0 for NaN). out may alias x.
 */
export function unary_f32(op: i32, out: usize, x: usize, n: i32, p1: f32, p2: f32): void {
  switch (op) {
    case 0: unaryLoop(0, out, x, n, p1, p2); break;
    case 1: unaryLoop(1, out, x, n, p1, p2); break;
    case 2: unaryLoop(2, out, x, n, p1, p2); break;
    case 3: unaryLoop(3, out, x, n, p1, p2); break;
    case 4: unaryLoop(4, out, x, n, p1, p2); break;
    case 5: unaryLoop(5, out, x, n, p1, p2); break;
    case 6: unaryLoop(6, out, x, n, p1, p2); break;
    case 7: unaryLoop(7, out, x, n, p1, p2); break;
    default: unaryLoop(8, out, x, n, p1, p2); break;
  }
}

// @ts-ignore: decorator
@inline function unaryBwdV(op: i32, x: v128, y: v128, dy: v128, p1: f32, p2: f32, pc: i32): v128 {
  switch (op) {
    case 0: return f32x4.neg(dy);
    case 1: return f32x4.mul(dy, y);
    case 2: return f32x4.div(dy, x);
    case 3: return f32x4.div(dy, f32x4.add(y, y));
    case 4: return f32x4.mul(dy, sign4(x));
    case 5: {
      if (p1 == 0) return f32x4.splat(0.0);
      return f32x4.mul(dy, f32x4.mul(f32x4.splat(p1), powV(x, p1 - 1, pc)));
    }
    case 6: {
      const inside = v128.and(f32x4.ge(x, f32x4.splat(p1)), f32x4.le(x, f32x4.splat(p2)));
      return v128.and(dy, inside);
    }
    case 7: return f32x4.mul(dy, f32x4.splat(p1));
    default: return f32x4.splat(0.0);
  }
}

// @ts-ignore: decorator
@inline function unaryBwdLoop(op: i32, dx: usize, x: usize, y: usize, dy: usize, n: i32, p1: f32, p2: f32): void {
  const pc = op == 5 ? powCode(p1 - 1) : 0;
  for (let i = 0; i < n; i += 4) {
    const o = <usize>i << 2;
    const k = min(4, n - i);
    storeK(dx + o, unaryBwdV(op, loadK(x + o, k, 1), loadK(y + o, k, 1), loadK(dy + o, k, 0), p1, p2, pc), k);
  }
}

/**
 * Backward of unary_f32: dx = dy * f'(x) given input x, forward output y and upstream dy (dx is written, not
 * accumulated; x or y may be 0 for ops that do not read them: neg, exp/sqrt read only y, log/abs/pow/clamp only x,
 * affine/sign neither). PyTorch's formulas: neg -dy; exp dy*y; log dy/x; sqrt dy/(2y); abs dy*sign(x) (0 at 0);
 * pow_scalar dy*(p1*x^(p1-1)) (0 when p1 == 0); clamp dy where p1 <= x <= p2 else 0 (also for NaN x);
 * affine dy*p1; sign 0.
 */
export function unary_bwd_f32(op: i32, dx: usize, x: usize, y: usize, dy: usize, n: i32, p1: f32, p2: f32): void {
  // operands a formula does not read may be null: point them at dy so the loads stay harmless
  if (x == 0) x = dy;
  if (y == 0) y = dy;
  switch (op) {
    case 0: unaryBwdLoop(0, dx, x, y, dy, n, p1, p2); break;
    case 1: unaryBwdLoop(1, dx, x, y, dy, n, p1, p2); break;
    case 2: unaryBwdLoop(2, dx, x, y, dy, n, p1, p2); break;
    case 3: unaryBwdLoop(3, dx, x, y, dy, n, p1, p2); break;
    case 4: unaryBwdLoop(4, dx, x, y, dy, n, p1, p2); break;
    case 5: unaryBwdLoop(5, dx, x, y, dy, n, p1, p2); break;
    case 6: unaryBwdLoop(6, dx, x, y, dy, n, p1, p2); break;
    case 7: unaryBwdLoop(7, dx, x, y, dy, n, p1, p2); break;
    default: unaryBwdLoop(8, dx, x, y, dy, n, p1, p2); break;
  }
}

// ================================================================= axpy

/** y[i] += alpha * x[i] for i < n (gradient accumulation, SGD-like updates). */
export function axpy_f32(y: usize, x: usize, n: i32, alpha: f32): void {
  axpyRow(y, x, alpha, n);
}
