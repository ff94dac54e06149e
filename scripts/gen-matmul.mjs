// Generates assembly/kernels/matmul_gen.ts: the fully unrolled GEMM micro-kernels used by
// assembly/kernels/matmul.ts. Run by scripts/build.mjs before asc; the output is checked in too
// (rewritten only when it changes).
//
// Why generated: `v128.load32_splat(ptr, offset)` and `v128.load(ptr, offset)` need compile-time
// constant offsets, and every (rows x width) variant is the same code with different register
// names. Writing them by hand invites copy-paste bugs.
//
// 1. Register-block kernels  C[MR x NR] (+)= A[MR x kc] . B[kc x NR]
//    - A: MR floats per k step at a + 4r, each broadcast with v128.load32_splat (one vbroadcastss
//      from memory on x64: a load, no shuffle port). B: NR contiguous floats per k step.
//    - Mode "p" (main path, MR 1..4, NR 8 or 4): A packed in 4-row panels (16 bytes per k step)
//      and B in NR-wide panels (4*NR bytes per k step), constant strides.
//    - Mode "g" (row path, MR 1, NR 4, 8 or 24): one row of A in place (lda 4, or 4*m for A^T) and
//      B's rows in place (ldb 4*n), runtime strides.
//    - 4x8 is the main block: 8 f32x4 accumulators + 2 B vectors + 4 broadcasts + 1 product
//      temporary = 15 xmm, exactly what V8 leaves free. V8 issues a loop's loads first and the
//      arithmetic after, so everything loaded in one k step is live at once. Measured on this
//      machine: 5x8 (18 live) and a k-unroll by 2 (the same, twice the loads) spill and run
//      15-30% slower; 1x32 spills too (1x24 does not). 4x8 runs at ~90% of the register-only
//      mul+add peak: 16 FP ops per k step on the 3 FP ports is the bound, not the loads.
//    - One non-inlined entry per width runs the kernel over `panels` consecutive panels, so
//      the per-panel cost is an epilogue, not a call.
// 2. Dot-product kernels  C[MR x NB] (+)= A[MR x k] . B[NB x k]^T   (MR 1..2, NB 1..4)
//    - Rows of A and of B both contiguous along k; f32x4 accumulators along k (a 1..3-float
//      k tail is loaded zero-padded), then a 4x4 transpose-and-add gives NB adjacent outputs.
//      2x4 = 8 accumulators. Used for few rows with B^T, and for few columns.
// All kernels: plain SIMD mul then add (no FMA, no relaxed SIMD), so results are bitwise
// identical on every runtime. beta != 0 adds the existing C; nv < NR stores only the first nv
// columns (lane stores), never touching other memory.
import { writeFileSync, readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outFile = join(root, "assembly", "kernels", "matmul_gen.ts");

/** Rows of the main register block (see above for why 4). */
const MR_MAX = 4;
/** Width of the single-row kernel for B in place: 6 independent accumulator chains (measured: 24 beats 16, and 32 spills). */
const WIDE = 24;
/** Rows of A per dot-product kernel (2 x 4 B rows = 8 accumulators). */
const DOT_MR = 2;
/**
 * B rows per call of the single-row dot kernel: 6 independent accumulator chains hide the f32
 * add latency that bounds a 1x4 block (4 chains) when only one row of A is left (measured on
 * this machine for 1x784x128 A.B^T: 26 GFLOPS with 4, 29 with 6; 7 and 8 gain nothing more and 8 spills).
 */
const DOT_NB1 = 6;

const HELPERS = `// Partial loads and stores for the edges: write only the first \`nv\` lanes of a row of
// accumulators, adding the existing values first when \`beta\`. Scalar lanes use the same
// \`out + acc\` f32 addition as the vector path, so a value does not depend on which path stored it.

/** Store lanes 0..nv-1 (nv in 0..4) of \`v\` at \`p\`; with beta, p[i] = p[i] + v[i]. */
function store_part4(p: usize, v: v128, nv: i32, beta: i32): void {
  if (nv >= 4) {
    if (beta) v = f32x4.add(v128.load(p), v);
    v128.store(p, v);
  } else if (nv >= 2) {
    let x = v;
    if (beta) x = f32x4.add(v128.load64_zero(p), x);
    v128.store64_lane(p, x, 0);
    if (nv == 3) {
      let y = f32x4.extract_lane(v, 2);
      if (beta) y = load<f32>(p, 8) + y;
      store<f32>(p, y, 8);
    }
  } else if (nv == 1) {
    let y = f32x4.extract_lane(v, 0);
    if (beta) y = load<f32>(p) + y;
    store<f32>(p, y);
  }
}

/** Store lanes 0..nv-1 (nv in 0..8) of the 8-float row (v0, v1) at \`p\`. */
function store_part8(p: usize, v0: v128, v1: v128, nv: i32, beta: i32): void {
  if (nv >= 4) {
    store_part4(p, v0, 4, beta);
    store_part4(p + 16, v1, nv - 4, beta);
  } else {
    store_part4(p, v0, nv, beta);
  }
}

/** Load p[0..t) (t in 1..4) into lanes 0..t-1, zeros elsewhere (never reads past p + 4t). */
function load_part4(p: usize, t: i32): v128 {
  if (t >= 4) return v128.load(p);
  if (t == 1) return v128.load32_zero(p);
  const v = v128.load64_zero(p);
  return t == 3 ? f32x4.replace_lane(v, 2, load<f32>(p, 8)) : v;
}

/** [sum(a), sum(b), sum(c), sum(d)]: horizontal sums of four vectors (transpose, then add). */
// @ts-ignore: decorator
@inline
function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const t0 = i32x4.shuffle(a, b, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(a, b, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(c, d, 0, 4, 1, 5);
  const t3 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  return f32x4.add(
    f32x4.add(i64x2.shuffle(t0, t2, 0, 2), i64x2.shuffle(t0, t2, 1, 3)),
    f32x4.add(i64x2.shuffle(t1, t3, 0, 2), i64x2.shuffle(t1, t3, 1, 3)));
}`;

const L = [];
const emit = (s = "") => L.push(s);
const row = (r) => (r === 0 ? "c" : `c + ${r} * ldc`);

emit("// GENERATED by scripts/gen-matmul.mjs - do not edit by hand (edit the generator, then build).");
emit("// GEMM micro-kernels for assembly/kernels/matmul.ts; the generator's header explains the design.");
emit();
emit(HELPERS);
emit();

/**
 * Register-block kernel C[MR x NR] (+)= A . B, inlined into its entry function. Mode "p": A and
 * B packed, strides are constants (A: MR_MAX floats per k step, B: NR floats), which keeps two
 * general registers free in V8's allocation of the loop. Mode "g": runtime strides lda, ldb.
 */
function kernel(mode, MR, NR) {
  const NV = NR / 4;
  const params = mode === "p" ? "a: usize, b: usize" : "a: usize, lda: usize, b: usize, ldb: usize";
  emit(`// @ts-ignore: decorator`);
  emit(`@inline`);
  emit(`function mm_${mode}${MR}x${NR}(c: usize, ldc: usize, ${params}, kc: i32, beta: i32, nv: i32): void {`);
  for (let r = 0; r < MR; r++) for (let j = 0; j < NV; j++) emit(`  let c${r}${j} = f32x4.splat(0);`);
  emit(`  let kk = kc;`);
  emit(`  do {`);
  for (let j = 0; j < NV; j++) emit(`    const b${j} = v128.load(b, ${j * 16});`);
  for (let r = 0; r < MR; r++) {
    emit(`    const x${r} = v128.load32_splat(a, ${r * 4});`);
    for (let j = 0; j < NV; j++) emit(`    c${r}${j} = f32x4.add(c${r}${j}, f32x4.mul(x${r}, b${j}));`);
  }
  emit(`    a += ${mode === "p" ? MR_MAX * 4 : "lda"};`);
  emit(`    b += ${mode === "p" ? NR * 4 : "ldb"};`);
  emit(`  } while (--kk);`);
  emit(`  if (nv == ${NR}) {`);
  emit(`    if (beta) {`);
  for (let r = 0; r < MR; r++) for (let j = 0; j < NV; j++)
    emit(`      c${r}${j} = f32x4.add(v128.load(${row(r)}, ${j * 16}), c${r}${j});`);
  emit(`    }`);
  for (let r = 0; r < MR; r++) for (let j = 0; j < NV; j++) emit(`    v128.store(${row(r)}, c${r}${j}, ${j * 16});`);
  emit(`  } else {`);
  for (let r = 0; r < MR; r++) {
    if (NR === 8) emit(`    store_part8(${row(r)}, c${r}0, c${r}1, nv, beta);`);
    else if (NR === 4) emit(`    store_part4(${row(r)}, c${r}0, nv, beta);`);
    else for (let j = 0; j < NV; j++) emit(`    store_part4(${row(r)} + ${j * 16}, c${r}${j}, min(max(nv - ${j * 4}, 0), 4), beta);`);
  }
  emit(`  }`);
  emit(`}`);
  emit();
}

for (const NR of [8, 4]) for (let MR = 1; MR <= MR_MAX; MR++) kernel("p", MR, NR);
for (const NR of [8, 4, WIDE]) kernel("g", 1, NR);

for (const NR of [8, 4]) {
  emit(`/**`);
  emit(` * C[mr x ${NR}*panels] (+)= A[mr x kc] . B[kc x ${NR}*panels], mr in 1..${MR_MAX}, both packed: the ${NR}-wide`);
  emit(` * kernel over \`panels\` panels (C advances ${NR} columns, B advances pstride bytes); the last`);
  emit(` * stores nvLast columns. A: a ${MR_MAX}-row panel (${MR_MAX} floats per k step, the first mr used).`);
  emit(` * B: ${NR} floats per k step. kc >= 1.`);
  emit(` */`);
  emit(`export function mm_p${NR}(mr: i32, c: usize, ldc: usize, a: usize, b: usize, kc: i32, beta: i32, panels: i32, pstride: usize, nvLast: i32): void {`);
  for (let MR = MR_MAX; MR >= 1; MR--) {
    emit(`  ${MR === MR_MAX ? "if" : "} else if"} (mr == ${MR}) {`);
    emit(`    for (let p = 1; p < panels; p++) {`);
    emit(`      mm_p${MR}x${NR}(c, ldc, a, b, kc, beta, ${NR});`);
    emit(`      c += ${NR * 4};`);
    emit(`      b += pstride;`);
    emit(`    }`);
    emit(`    mm_p${MR}x${NR}(c, ldc, a, b, kc, beta, nvLast);`);
  }
  emit(`  }`);
  emit(`}`);
  emit();
}
for (const NR of [8, 4, WIDE]) {
  emit(`/**`);
  emit(` * One row of C (+)= one row of A (floats lda bytes apart) . \`panels\` ${NR}-column panels of B (${NR} floats`);
  emit(` * per k step, ldb bytes apart; panels pstride bytes apart); the last panel stores nvLast columns.`);
  emit(` */`);
  emit(`export function mm_g${NR}(c: usize, a: usize, lda: usize, b: usize, ldb: usize, kc: i32, beta: i32, panels: i32, pstride: usize, nvLast: i32): void {`);
  emit(`  for (let p = 1; p < panels; p++) {`);
  emit(`    mm_g1x${NR}(c, 0, a, lda, b, ldb, kc, beta, ${NR});`);
  emit(`    c += ${NR * 4};`);
  emit(`    b += pstride;`);
  emit(`  }`);
  emit(`  mm_g1x${NR}(c, 0, a, lda, b, ldb, kc, beta, nvLast);`);
  emit(`}`);
  emit();
}

/** Dot-product kernel C[MR x NB] (+)= A[MR x k] . B[NB x k]^T. */
function dotKernel(MR, NB) {
  emit(`// @ts-ignore: decorator`);
  emit(`@inline`);
  emit(`function mm_d${MR}x${NB}(c: usize, ldc: usize, a: usize, lda: usize, b: usize, ldb: usize, k: i32, beta: i32): void {`);
  for (let r = 0; r < MR; r++) emit(`  let a${r} = ${r === 0 ? "a" : `a${r - 1} + lda`};`);
  for (let j = 0; j < NB; j++) emit(`  let b${j} = ${j === 0 ? "b" : `b${j - 1} + ldb`};`);
  for (let r = 0; r < MR; r++) for (let j = 0; j < NB; j++) emit(`  let s${r}${j} = f32x4.splat(0);`);
  const step = (load) => {
    for (let j = 0; j < NB; j++) emit(`    const y${j} = ${load(`b${j}`)};`);
    for (let r = 0; r < MR; r++) {
      emit(`    const x${r} = ${load(`a${r}`)};`);
      for (let j = 0; j < NB; j++) emit(`    s${r}${j} = f32x4.add(s${r}${j}, f32x4.mul(x${r}, y${j}));`);
    }
  };
  emit(`  let kk = k >> 2;`);
  emit(`  while (kk) {`);
  step((p) => `v128.load(${p})`);
  for (let r = 0; r < MR; r++) emit(`    a${r} += 16;`);
  for (let j = 0; j < NB; j++) emit(`    b${j} += 16;`);
  emit(`    kk--;`);
  emit(`  }`);
  emit(`  const t = k & 3;`);
  emit(`  if (t) {`);
  step((p) => `load_part4(${p}, t)`);
  emit(`  }`);
  for (let r = 0; r < MR; r++) {
    for (let j0 = 0; j0 < NB; j0 += 4) {
      const v = [0, 1, 2, 3].map((j) => (j0 + j < NB ? `s${r}${j0 + j}` : "f32x4.splat(0)"));
      const p = j0 ? `${row(r)} + ${j0 * 4}` : row(r);
      emit(`  store_part4(${p}, hsum4(${v.join(", ")}), ${Math.min(4, NB - j0)}, beta);`);
    }
  }
  emit(`}`);
  emit();
}
for (let MR = 1; MR <= DOT_MR; MR++) for (let NB = 1; NB <= 4; NB++) dotKernel(MR, NB);
dotKernel(1, DOT_NB1);
emit(`/**`);
emit(` * C[mr x n] (+)= A[mr x k] . B[n x k]^T, mr in 1..${DOT_MR}: rows of A (lda bytes apart) and of B (ldb bytes`);
emit(` * apart) both contiguous along k; 4 rows of B at a time. k >= 1.`);
emit(` */`);
emit(`export function mm_dot(mr: i32, c: usize, ldc: usize, a: usize, lda: usize, b: usize, ldb: usize, n: i32, k: i32, beta: i32): void {`);
for (let MR = DOT_MR; MR >= 1; MR--) {
  const NB = MR === 1 ? DOT_NB1 : 4;
  emit(`  ${MR === DOT_MR ? "if" : "} else if"} (mr == ${MR}) {`);
  emit(`    let j = 0;`);
  emit(`    for (; j + ${NB} <= n; j += ${NB}) {`);
  emit(`      mm_d${MR}x${NB}(c, ldc, a, lda, b, ldb, k, beta);`);
  emit(`      c += ${NB * 4};`);
  emit(`      b += ldb * ${NB};`);
  emit(`    }`);
  emit(`    let t = n - j;`);
  if (NB > 4) {
    emit(`    if (t >= 4) {`);
    emit(`      mm_d${MR}x4(c, ldc, a, lda, b, ldb, k, beta);`);
    emit(`      c += 16;`);
    emit(`      b += ldb << 2;`);
    emit(`      t -= 4;`);
    emit(`    }`);
  }
  emit(`    if (t == 3) mm_d${MR}x3(c, ldc, a, lda, b, ldb, k, beta);`);
  emit(`    else if (t == 2) mm_d${MR}x2(c, ldc, a, lda, b, ldb, k, beta);`);
  emit(`    else if (t == 1) mm_d${MR}x1(c, ldc, a, lda, b, ldb, k, beta);`);
}
emit(`  }`);
emit(`}`);
emit();
emit(`/** Rows of the main register block. */`);
emit(`export const MM_MR: i32 = ${MR_MAX};`);
emit(`/** Rows per dot-product kernel call. */`);
emit(`export const MM_DOT_MR: i32 = ${DOT_MR};`);
emit(`/** Columns of the wide single-row kernel. */`);
emit(`export const MM_WIDE: i32 = ${WIDE};`);
emit();

const text = L.join("\n");
if (!existsSync(outFile) || readFileSync(outFile, "utf8") !== text) writeFileSync(outFile, text);
