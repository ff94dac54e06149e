// Register-only f32x4 mul+add peak probe, compiled at bench time (bench/matmul.mjs) with
// `asc --enable simd -O3`. The loop body is the GEMM micro-kernel's arithmetic without its
// loads: 8 accumulators, each updated with add(acc, mul(a_r, b_j)) for 4 broadcast A values
// and 2 B vectors: 64 flops per iteration. The A and B registers rotate every iteration, so
// every operand is a loop phi: with loop-invariant operands V8 re-materializes the splats
// inside the loop (measured: 22-30 GFLOPS of mostly splat work instead of the real peak).

export function peak(iters: i32, x: f32): f32 {
  let a0 = f32x4.splat(x);
  let a1 = f32x4.splat(x * 0.5);
  let a2 = f32x4.splat(x * 0.25);
  let a3 = f32x4.splat(x * 0.125);
  let b0 = f32x4.splat(1.0 - x);
  let b1 = f32x4.splat(1.0 + x);
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let i = 0; i < iters; i++) {
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c20 = f32x4.add(c20, f32x4.mul(a2, b0));
    c21 = f32x4.add(c21, f32x4.mul(a2, b1));
    c30 = f32x4.add(c30, f32x4.mul(a3, b0));
    c31 = f32x4.add(c31, f32x4.mul(a3, b1));
    const t = b0;
    b0 = b1;
    b1 = t;
    const u = a0;
    a0 = a1;
    a1 = a2;
    a2 = a3;
    a3 = u;
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c00, c01), f32x4.add(c10, c11)),
    f32x4.add(f32x4.add(c20, c21), f32x4.add(c30, c31)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

/** Flops per iteration of `peak`. */
export const FLOPS_PER_ITER: i32 = 64;
