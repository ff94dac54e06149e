// Float32 matrix multiply: out[m,n] = (accumulate ? out : 0) + op(A) . op(B), and its batched form.
//
// Three paths, chosen from the shape (thresholds measured on V8/x64, Node 20; see bench/matmul.mjs):
//   - Main (blocked) path, Goto-style: for each N block (NC columns) and K block (<= KC), op(B) is
//     packed into zero-padded 8-column panels (the last one 4 wide when <= 4 columns remain; a
//     transposed B is packed with SIMD 4x4 transposes), then for each M block (MC rows) op(A) is
//     packed into 4-row panels (4 floats per k step), and the 4x8 register-block kernel runs one
//     A panel against every B panel. The A panel (16*kc bytes) stays in L1, the B block in L2.
//   - Dot path, when op(B) = B^T and m is small, or n is small: m*n dot products along k with
//     both operands read as rows (no padding is computed; the small operand is transposed into
//     scratch when it is not already row-major along k).
//   - Row path, when m is small and B is not transposed: B is read in place (packing it would
//     cost as much as the product), one A row against 24-column panels of B.
// Micro-kernels are generated (scripts/gen-matmul.mjs -> matmul_gen.ts). Plain SIMD mul + add
// (no FMA, no relaxed SIMD): bitwise identical results on every runtime; the result for given
// arguments never depends on the contents of scratch. Later K blocks (and accumulate) add into
// out; edges store only valid lanes, so nothing outside out[0..m*n) is written.
import { mm_p8, mm_p4, mm_g8, mm_g4, mm_g24, mm_dot, MM_MR, MM_DOT_MR, MM_WIDE } from "./matmul_gen";

/** Rows per register block (4x8 = 8 accumulators). */
const MR: i32 = MM_MR;

// Tunable parameters (set_param below changes them, for tests and benchmarks only).
/** K block: one A panel (4*KC*4 bytes) stays in L1 while B panels stream from L2. */
let KC: i32 = 512;
/** N block (multiple of 8): the packed B block (KC*NC*4 = 1 MiB) fits in L2 (2 MiB here). */
let NC: i32 = 512;
/** M block (multiple of 4): rows of A packed at once (MC*KC*4 bytes of scratch). */
let MC: i32 = 256;
/** Row path (B in place) when B is not transposed and m <= SMALL_M. */
let SMALL_M: i32 = 8;
/**
 * Dot path when op(B) = B^T and m <= DOT_M, and either m <= 8 or (m <= DOT_MT, k >= DOT_K and B
 * has at most DOT_B_MAX floats: the dot path streams B once per 2 rows, which only pays while B
 * stays in L2, and sums every output's lanes once, which only pays for long rows; measured: at
 * m = 16..32 with k <= 64 the blocked path is 5-37% faster, at m <= 16 with k >= 128 the dot path
 * 3-20%); or when n <= DOT_N (and m <= DOT_M if transA).
 */
let DOT_M: i32 = 32;
let DOT_MT: i32 = 16;
let DOT_K: i32 = 128;
let DOT_N: i32 = 15;
let DOT_B_MAX: i32 = 1 << 18;
/** Row path: K block so that the block of B read for every row has at most this many floats. */
let ROW_B_MAX: i32 = 1 << 18;

/**
 * Testing and benchmarking hook, not part of the kernel contract: set tunable parameter `id`
 * (0 KC, 1 NC, 2 MC, 3 SMALL_M, 4 DOT_M, 5 DOT_N, 6 DOT_B_MAX, 7 ROW_B_MAX, 8 DOT_MT, 9 DOT_K) to `value` and return its previous value (with
 * a negative value, only return it). Lets tests force every path and tiny blocks. KC must be >= 4,
 * NC and MC >= 8 and multiples of 8 and 4; other values are ignored.
 */
export function matmul_set_param(id: i32, value: i32): i32 {
  const prev = id == 0 ? KC : id == 1 ? NC : id == 2 ? MC : id == 3 ? SMALL_M : id == 4 ? DOT_M
    : id == 5 ? DOT_N : id == 6 ? DOT_B_MAX : id == 7 ? ROW_B_MAX : id == 8 ? DOT_MT : id == 9 ? DOT_K : -1;
  if (value < 0) return prev;
  if (id == 0 && value >= 4) KC = value;
  else if (id == 1 && value >= 8 && !(value & 7)) NC = value;
  else if (id == 2 && value >= 8 && !(value & 3)) MC = value;
  else if (id == 3) SMALL_M = value;
  else if (id == 4) DOT_M = value;
  else if (id == 5) DOT_N = value;
  else if (id == 6) DOT_B_MAX = value;
  else if (id == 7) ROW_B_MAX = value;
  else if (id == 8) DOT_MT = value;
  else if (id == 9) DOT_K = value;
  return prev;
}

/** Floats one packed row of an N block of `nc` columns takes (8-wide panels, last one 4 or 8). */
// @ts-ignore: decorator
@inline
function paddedWidth(nc: i32): i32 {
  const r = nc & 7;
  return r == 0 ? nc : r <= 4 ? nc - r + 4 : nc - r + 8;
}

/** Rows of each K block: k split into equal blocks of at most KC (multiple of 4 except the last). */
// @ts-ignore: decorator
@inline
function kBlock(k: i32): i32 {
  if (k <= KC) return k;
  const blocks = (k + KC - 1) / KC;
  const kb = (((k + blocks - 1) / blocks) + 3) & ~3;
  return kb < KC ? kb : KC;
}

// @ts-ignore: decorator
@inline
function useDot(m: i32, n: i32, k: i32, transA: i32, transB: i32): bool {
  if (transB && m <= DOT_M && (m <= 8 || (m <= DOT_MT && k >= DOT_K && <u64>n * <u64>k <= <u64>DOT_B_MAX))) return true;
  return n <= DOT_N && (!transA || m <= DOT_M);
}

// @ts-ignore: decorator
@inline
function useRow(m: i32, transB: i32): bool {
  return !transB && m <= SMALL_M;
}

/**
 * Bytes of scratch matmul_f32 (and bmm_f32, which reuses it across the batch) needs for these
 * arguments; the caller passes a 16-byte aligned block at least this big. 0 means none.
 */
export function matmul_scratch_bytes(m: i32, n: i32, k: i32, transA: i32, transB: i32): i32 {
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  if (useDot(m, n, k, transA, transB)) return ((transA ? m : 0) + (transB ? 0 : n)) * k * 4;
  if (useRow(m, transB)) return n & 7 ? k * 32 : 0;
  const kb = kBlock(k);
  const nc = n < NC ? n : NC;
  const mc = m < MC ? m : MC;
  return kb * (paddedWidth(nc) + ((mc + MR - 1) & ~(MR - 1))) * 4;
}

/**
 * Pack op(B)[pc..pc+kc, jc..jc+nc] with B stored [k, n] (not transposed) into panels at dst.
 * Panel p holds columns jc+8p..: kc rows of 8 (or 4 for a last panel of <= 4 columns) floats,
 * zero padded past the valid columns.
 */
function packB_N(dst: usize, b: usize, n: i32, pc: i32, kc: i32, jc: i32, nc: i32): void {
  const ldb = <usize>n << 2;
  let jr = 0;
  for (; jr + 8 <= nc; jr += 8) {
    let src = b + ((<usize>pc * <usize>n + <usize>(jc + jr)) << 2);
    let kk = 0;
    for (; kk + 4 <= kc; kk += 4) {
      const s1 = src + ldb, s2 = s1 + ldb, s3 = s2 + ldb;
      v128.store(dst, v128.load(src), 0);
      v128.store(dst, v128.load(src, 16), 16);
      v128.store(dst, v128.load(s1), 32);
      v128.store(dst, v128.load(s1, 16), 48);
      v128.store(dst, v128.load(s2), 64);
      v128.store(dst, v128.load(s2, 16), 80);
      v128.store(dst, v128.load(s3), 96);
      v128.store(dst, v128.load(s3, 16), 112);
      src = s3 + ldb;
      dst += 128;
    }
    for (; kk < kc; kk++) {
      v128.store(dst, v128.load(src), 0);
      v128.store(dst, v128.load(src, 16), 16);
      src += ldb;
      dst += 32;
    }
  }
  const w = nc - jr;
  if (w > 0) {
    const pw = w <= 4 ? 4 : 8;
    let src = b + ((<usize>pc * <usize>n + <usize>(jc + jr)) << 2);
    for (let kk = 0; kk < kc; kk++) {
      let j = 0;
      if (w >= 4) {
        v128.store(dst, v128.load(src));
        j = 4;
      }
      for (; j < w; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
      for (; j < pw; j++) store<f32>(dst + (<usize>j << 2), 0);
      src += ldb;
      dst += <usize>pw << 2;
    }
  }
}

/** Transpose the 4x4 block whose rows are r0..r3 and store its rows at p, p+stride, ... */
// @ts-ignore: decorator
@inline
function transpose4_store(p: usize, stride: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(p, i64x2.shuffle(t0, t2, 0, 2));
  v128.store(p + stride, i64x2.shuffle(t0, t2, 1, 3));
  v128.store(p + stride * 2, i64x2.shuffle(t1, t3, 0, 2));
  v128.store(p + stride * 3, i64x2.shuffle(t1, t3, 1, 3));
}

/**
 * Pack op(B)[pc..pc+kc, jc..jc+nc] with B stored [n, k] (transB): op(B)[kk, j] = B[j, kk].
 * Same panel layout as packB_N; full panels use SIMD 4x4 transposes of B's rows.
 */
function packB_T(dst: usize, b: usize, k: i32, pc: i32, kc: i32, jc: i32, nc: i32): void {
  const ldb = <usize>k << 2;
  let jr = 0;
  for (; jr + 8 <= nc; jr += 8) {
    const r0 = b + ((<usize>(jc + jr) * <usize>k + <usize>pc) << 2);
    const r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb, r4 = r3 + ldb;
    const r5 = r4 + ldb, r6 = r5 + ldb, r7 = r6 + ldb;
    let kk = 0;
    for (; kk + 4 <= kc; kk += 4) {
      const o = <usize>kk << 2;
      transpose4_store(dst, 32,
        v128.load(r0 + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o));
      transpose4_store(dst + 16, 32,
        v128.load(r4 + o), v128.load(r5 + o), v128.load(r6 + o), v128.load(r7 + o));
      dst += 128;
    }
    for (; kk < kc; kk++) {
      const o = <usize>kk << 2;
      store<f32>(dst, load<f32>(r0 + o), 0);
      store<f32>(dst, load<f32>(r1 + o), 4);
      store<f32>(dst, load<f32>(r2 + o), 8);
      store<f32>(dst, load<f32>(r3 + o), 12);
      store<f32>(dst, load<f32>(r4 + o), 16);
      store<f32>(dst, load<f32>(r5 + o), 20);
      store<f32>(dst, load<f32>(r6 + o), 24);
      store<f32>(dst, load<f32>(r7 + o), 28);
      dst += 32;
    }
  }
  const w = nc - jr;
  if (w > 0) {
    const pw = w <= 4 ? 4 : 8;
    const r0 = b + ((<usize>(jc + jr) * <usize>k + <usize>pc) << 2);
    for (let kk = 0; kk < kc; kk++) {
      const o = <usize>kk << 2;
      let j = 0;
      for (; j < w; j++) store<f32>(dst + (<usize>j << 2), load<f32>(r0 + <usize>j * ldb + o));
      for (; j < pw; j++) store<f32>(dst + (<usize>j << 2), 0);
      dst += <usize>pw << 2;
    }
  }
}

/**
 * Pack rows i0..i0+mc of op(A), k range pc..pc+kc, into MR-row interleaved panels at dst:
 * panel q holds kc steps of MR floats (rows i0+MR*q ..). A last panel of fewer rows leaves the
 * other lanes unwritten: the kernels for fewer rows never read them.
 */
function packA_N(dst: usize, a: usize, k: i32, i0: i32, mc: i32, pc: i32, kc: i32): void {
  const lda = <usize>k << 2;
  const stride = <usize>MR << 2;
  let i = 0;
  if (MR == 4) {
    for (; i + 4 <= mc; i += 4) {
      const r0 = a + ((<usize>(i0 + i) * <usize>k + <usize>pc) << 2);
      const r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
      let kk = 0;
      for (; kk + 4 <= kc; kk += 4) {
        const o = <usize>kk << 2;
        transpose4_store(dst, 16, v128.load(r0 + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o));
        dst += 64;
      }
      for (; kk < kc; kk++) {
        const o = <usize>kk << 2;
        store<f32>(dst, load<f32>(r0 + o), 0);
        store<f32>(dst, load<f32>(r1 + o), 4);
        store<f32>(dst, load<f32>(r2 + o), 8);
        store<f32>(dst, load<f32>(r3 + o), 12);
        dst += 16;
      }
    }
  }
  for (; i < mc; i += MR) {
    const mr = mc - i < MR ? mc - i : MR;
    const r0 = a + ((<usize>(i0 + i) * <usize>k + <usize>pc) << 2);
    for (let kk = 0; kk < kc; kk++) {
      const o = <usize>kk << 2;
      for (let r = 0; r < mr; r++) store<f32>(dst + (<usize>r << 2), load<f32>(r0 + <usize>r * lda + o));
      dst += stride;
    }
  }
}

/** Same panels from A stored [k, m] (transA): MR consecutive floats of each k row. */
function packA_T(dst: usize, a: usize, m: i32, i0: i32, mc: i32, pc: i32, kc: i32): void {
  const lda = <usize>m << 2;
  const stride = <usize>MR << 2;
  let i = 0;
  if (MR == 4) {
    for (; i + 4 <= mc; i += 4) {
      let src = a + ((<usize>pc * <usize>m + <usize>(i0 + i)) << 2);
      for (let kk = 0; kk < kc; kk++) {
        v128.store(dst, v128.load(src));
        src += lda;
        dst += 16;
      }
    }
  }
  for (; i < mc; i += MR) {
    const mr = mc - i < MR ? mc - i : MR;
    let src = a + ((<usize>pc * <usize>m + <usize>(i0 + i)) << 2);
    for (let kk = 0; kk < kc; kk++) {
      for (let r = 0; r < mr; r++) store<f32>(dst + (<usize>r << 2), load<f32>(src + (<usize>r << 2)));
      src += lda;
      dst += stride;
    }
  }
}

/** Transpose the [rows, cols] matrix at src into [cols, rows] at dst (4x4 SIMD blocks). */
function transposeInto(dst: usize, src: usize, rows: i32, cols: i32): void {
  const ls = <usize>cols << 2;
  const ld = <usize>rows << 2;
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const s0 = src + <usize>i * ls;
    const d0 = dst + (<usize>i << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      transpose4_store(d0 + <usize>j * ld, ld, v128.load(s0 + o), v128.load(s0 + ls + o),
        v128.load(s0 + ls * 2 + o), v128.load(s0 + ls * 3 + o));
    }
    for (; j < cols; j++) {
      for (let r = 0; r < 4; r++) {
        store<f32>(d0 + <usize>j * ld + (<usize>r << 2), load<f32>(s0 + <usize>r * ls + (<usize>j << 2)));
      }
    }
  }
  for (; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      store<f32>(dst + <usize>j * ld + (<usize>i << 2), load<f32>(src + <usize>i * ls + (<usize>j << 2)));
    }
  }
}

/**
 * Dot path: out = op(A) . op(B) as m*n dot products along k, MM_DOT_MR rows of A against 4 rows of
 * op(B)^T at a time. A (when transA) and B (when not transB) are first transposed into scratch,
 * which is cheap because this path is only taken when m or n is small.
 */
function dotPath(out: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32,
  beta: i32, scratch: usize): void {
  let pa = a, pb = b;
  if (transA) {
    transposeInto(scratch, a, k, m);
    pa = scratch;
    scratch += (<usize>m * <usize>k) << 2;
  }
  if (!transB) {
    transposeInto(scratch, b, k, n);
    pb = scratch;
  }
  const ldc = <usize>n << 2;
  const lda = <usize>k << 2;
  for (let i = 0; i < m; i += MM_DOT_MR) {
    const mr = m - i < MM_DOT_MR ? m - i : MM_DOT_MR;
    mm_dot(mr, out + <usize>i * ldc, ldc, pa + <usize>i * lda, lda, pb, lda, n, k, beta);
  }
}

/**
 * Row path (few rows, B not transposed): B read in place, one row of op(A) at a time against
 * MM_WIDE (24)-column panels of B (6 independent accumulator chains), then 8-column panels, then
 * an edge of < 8 columns packed into scratch (k*32 bytes). K is blocked so that one block of B's
 * rows (at most ROW_B_MAX floats) is read from memory once and reused from L2 for every row.
 */
function rowPath(out: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32,
  accumulate: i32, scratch: usize): void {
  const ldc = <usize>n << 2;
  const full = n & ~7;
  const w = n - full;
  const pw = w > 4 ? 8 : 4;
  if (w) packB_N(scratch, b, n, 0, k, full, w);
  const wide = n / MM_WIDE * MM_WIDE;
  const p8 = (full - wide) >> 3;
  // One row of op(A): contiguous (lda 4), or a column of the stored A^T (lda 4*m).
  const lda: usize = transA ? <usize>m << 2 : 4;
  let kb = m == 1 ? k : ROW_B_MAX / n;
  if (kb < 16) kb = 16;
  for (let pc = 0; pc < k; pc += kb) {
    const kc = k - pc < kb ? k - pc : kb;
    const beta = pc > 0 || accumulate ? 1 : 0;
    const bk = b + ((<usize>pc * <usize>n) << 2);
    const edge = scratch + ((<usize>pc * <usize>pw) << 2);
    for (let i = 0; i < m; i++) {
      const c = out + <usize>i * ldc;
      const pa: usize = transA ? a + ((<usize>pc * <usize>m + <usize>i) << 2)
        : a + ((<usize>i * <usize>k + <usize>pc) << 2);
      if (wide) mm_g24(c, pa, lda, bk, ldc, kc, beta, wide / MM_WIDE, <usize>MM_WIDE << 2, MM_WIDE);
      if (p8) mm_g8(c + (<usize>wide << 2), pa, lda, bk + (<usize>wide << 2), ldc, kc, beta, p8, 32, 8);
      const ce = c + (<usize>full << 2);
      if (w > 4) mm_g8(ce, pa, lda, edge, 32, kc, beta, 1, 0, w);
      else if (w > 0) mm_g4(ce, pa, lda, edge, 16, kc, beta, 1, 0, w);
    }
  }
}

/** Main blocked path; see the file header. */
function blocked(out: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32,
  accumulate: i32, scratch: usize): void {
  const ldc = <usize>n << 2;
  const kb = kBlock(k);
  const ncMax = n < NC ? n : NC;
  const scratchA = scratch + ((<usize>kb * <usize>paddedWidth(ncMax)) << 2);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = n - jc < NC ? n - jc : NC;
    const full = nc & ~7;
    const w = nc - full;
    const panels = full >> 3;
    for (let pc = 0; pc < k; pc += kb) {
      const kc = k - pc < kb ? k - pc : kb;
      const beta = pc > 0 || accumulate ? 1 : 0;
      if (transB) packB_T(scratch, b, k, pc, kc, jc, nc);
      else packB_N(scratch, b, n, pc, kc, jc, nc);
      const pstride = <usize>kc << 5;
      const edgeB = scratch + ((<usize>kc * <usize>full) << 2);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = m - ic < MC ? m - ic : MC;
        if (transA) packA_T(scratchA, a, m, ic, mc, pc, kc);
        else packA_N(scratchA, a, k, ic, mc, pc, kc);
        for (let ir = 0; ir < mc; ir += MR) {
          const mr = mc - ir < MR ? mc - ir : MR;
          const c = out + <usize>(ic + ir) * ldc + (<usize>jc << 2);
          const pa = scratchA + <usize>ir * (<usize>kc << 2);
          if (panels) mm_p8(mr, c, ldc, pa, scratch, kc, beta, panels, pstride, 8);
          const ce = c + (<usize>full << 2);
          if (w > 4) mm_p8(mr, ce, ldc, pa, edgeB, kc, beta, 1, 0, w);
          else if (w > 0) mm_p4(mr, ce, ldc, pa, edgeB, kc, beta, 1, 0, w);
        }
      }
    }
  }
}

/** One GEMM on raw pointers; see matmul_f32. */
function gemm(out: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32, transB: i32,
  accumulate: i32, scratch: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) memory.fill(out, 0, (<usize>m * <usize>n) << 2);
    return;
  }
  if (useDot(m, n, k, transA, transB)) dotPath(out, a, b, m, n, k, transA, transB, accumulate, scratch);
  else if (useRow(m, transB)) rowPath(out, a, b, m, n, k, transA, accumulate, scratch);
  else blocked(out, a, b, m, n, k, transA, transB, accumulate, scratch);
}

/**
 * out[m,n] = (accumulate ? out : 0) + op(A) . op(B). op(A) is [m,k]: A stored [m,k], or [k,m]
 * when transA. op(B) is [k,n]: B stored [k,n], or [n,k] when transB. All pointers are byte
 * addresses of contiguous row-major f32 data; `scratch` is a 16-byte aligned block of at least
 * matmul_scratch_bytes(m, n, k, transA, transB) bytes. Writes only out[0..m*n).
 */
export function matmul_f32(out: usize, a: usize, b: usize, m: i32, n: i32, k: i32, transA: i32,
  transB: i32, accumulate: i32, scratch: usize): void {
  gemm(out, a, b, m, n, k, transA, transB, accumulate, scratch);
}

/**
 * Batched matmul_f32: for i in 0..batch, the product of a + i*strideA*4 and b + i*strideB*4
 * into out + i*strideOut*4 (strides in elements; 0 broadcasts one matrix to every batch).
 * Scratch as for one matmul_f32 of the same m, n, k (it is reused across the batch).
 */
export function bmm_f32(out: usize, a: usize, b: usize, batch: i32, m: i32, n: i32, k: i32,
  transA: i32, transB: i32, accumulate: i32, scratch: usize, strideA: i32, strideB: i32,
  strideOut: i32): void {
  for (let i = 0; i < batch; i++) {
    gemm(out + ((<usize>i * <usize>strideOut) << 2), a + ((<usize>i * <usize>strideA) << 2),
      b + ((<usize>i * <usize>strideB) << 2), m, n, k, transA, transB, accumulate, scratch);
  }
}
