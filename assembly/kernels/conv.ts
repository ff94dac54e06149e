// Convolution helpers: im2col / col2im between NCHW images and column matrices, and the layout
// moves around the GEMM. A convolution is im2col + matmul_f32 (see src/ops/conv.ts):
//
//   col[(c*kH + i)*kW + j, n*OH*OW + oh*OW + ow] = x[n, c, oh*sH - pH + i*dH, ow*sW - pW + j*dW]
//
// (0 where the index falls in the padding). Columns run over the batch as well as the output
// positions ("CNP" layout: channel-major, then sample, then position), so one GEMM covers a
// whole chunk of samples: Y[OC, N*P] = W[OC, C*kH*kW] . col. cnp_to_nchw_f32 moves that result
// into NCHW (adding the bias on the way), nchw_to_cnp_f32 moves a gradient the other way.
//
// Geometry block (`dims`, 14 i32): N, C, H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW. The
// TypeScript side validates it (sizes >= 0, kernel/stride/dilation >= 1, padding >= 0, OH and OW
// from the PyTorch formula); the kernels trust it and touch only x[0..N*C*H*W) and
// col[0..C*kH*kW*N*OH*OW).

import { addRow, addScalarRow } from "./common";

/** Copy n floats (SIMD body, scalar tail). */
// @ts-ignore: decorator
@inline
function copyRow(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

/** Zero n floats. */
// @ts-ignore: decorator
@inline
function zeroRow(dst: usize, n: i32): void {
  if (n > 0) memory.fill(dst, 0, <usize>n << 2);
}

/** First output index o >= 0 with o*s + off >= 0 (off = -pad + tap*dilation). */
// @ts-ignore: decorator
@inline
function firstValid(off: i32, s: i32): i32 {
  return off >= 0 ? 0 : (-off + s - 1) / s;
}

/** One past the last output index o < out with o*s + off < size. */
// @ts-ignore: decorator
@inline
function endValid(off: i32, s: i32, size: i32, out: i32): i32 {
  if (size - 1 - off < 0) return 0;
  const e = (size - 1 - off) / s + 1;
  return e < out ? e : out;
}

/**
 * col = im2col(x) for the geometry at `dims` (see the file header): x is [N, C, H, W], col is
 * [C*kH*kW, N*OH*OW]. Every element of col is written (padding taps as 0).
 */
export function im2col_f32(col: usize, x: usize, dims: usize): void {
  const N = load<i32>(dims), C = load<i32>(dims, 4), H = load<i32>(dims, 8), W = load<i32>(dims, 12);
  const OH = load<i32>(dims, 16), OW = load<i32>(dims, 20), kH = load<i32>(dims, 24), kW = load<i32>(dims, 28);
  const sH = load<i32>(dims, 32), sW = load<i32>(dims, 36), pH = load<i32>(dims, 40), pW = load<i32>(dims, 44);
  const dH = load<i32>(dims, 48), dW = load<i32>(dims, 52);
  const P = OH * OW;
  if (N <= 0 || C <= 0 || P <= 0 || kH <= 0 || kW <= 0) return;
  const rowBytes = (<usize>N * <usize>P) << 2;
  const planeBytes = (<usize>H * <usize>W) << 2;
  const wBytes = <usize>W << 2;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = x + (<usize>(n * C + c)) * planeBytes;
      for (let i = 0; i < kH; i++) {
        const offH = i * dH - pH;
        const oh0 = firstValid(offH, sH), oh1 = endValid(offH, sH, H, OH);
        for (let j = 0; j < kW; j++) {
          const offW = j * dW - pW;
          const ow0 = firstValid(offW, sW);
          const ow1 = endValid(offW, sW, W, OW);
          const r = (c * kH + i) * kW + j;
          let dst = col + <usize>r * rowBytes + ((<usize>n * <usize>P) << 2);
          if (oh1 <= oh0 || ow1 <= ow0) {
            zeroRow(dst, P);
            continue;
          }
          zeroRow(dst, oh0 * OW);
          dst += (<usize>(oh0 * OW)) << 2;
          const cnt = ow1 - ow0;
          for (let oh = oh0; oh < oh1; oh++) {
            const src = plane + <usize>(oh * sH + offH) * wBytes + ((<usize>(ow0 * sW + offW)) << 2);
            zeroRow(dst, ow0);
            const d = dst + (<usize>ow0 << 2);
            if (sW == 1) copyRow(d, src, cnt);
            else {
              const step = <usize>sW << 2;
              for (let k = 0; k < cnt; k++) store<f32>(d + (<usize>k << 2), load<f32>(src + <usize>k * step));
            }
            zeroRow(d + (<usize>cnt << 2), OW - ow1);
            dst += <usize>OW << 2;
          }
          zeroRow(dst, (OH - oh1) * OW);
        }
      }
    }
  }
}

/**
 * x = col2im(col): the adjoint of im2col_f32 for the same geometry. x ([N, C, H, W]) is zeroed,
 * then every col element is added to the input element it was read from (padding taps dropped).
 */
export function col2im_f32(x: usize, col: usize, dims: usize): void {
  const N = load<i32>(dims), C = load<i32>(dims, 4), H = load<i32>(dims, 8), W = load<i32>(dims, 12);
  const OH = load<i32>(dims, 16), OW = load<i32>(dims, 20), kH = load<i32>(dims, 24), kW = load<i32>(dims, 28);
  const sH = load<i32>(dims, 32), sW = load<i32>(dims, 36), pH = load<i32>(dims, 40), pW = load<i32>(dims, 44);
  const dH = load<i32>(dims, 48), dW = load<i32>(dims, 52);
  if (N <= 0 || C <= 0 || H <= 0 || W <= 0) return;
  memory.fill(x, 0, ((<usize>N * <usize>C) * (<usize>H * <usize>W)) << 2);
  const P = OH * OW;
  if (P <= 0 || kH <= 0 || kW <= 0) return;
  const rowBytes = (<usize>N * <usize>P) << 2;
  const planeBytes = (<usize>H * <usize>W) << 2;
  const wBytes = <usize>W << 2;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = x + (<usize>(n * C + c)) * planeBytes;
      for (let i = 0; i < kH; i++) {
        const offH = i * dH - pH;
        const oh0 = firstValid(offH, sH), oh1 = endValid(offH, sH, H, OH);
        for (let j = 0; j < kW; j++) {
          const offW = j * dW - pW;
          const ow0 = firstValid(offW, sW);
          const ow1 = endValid(offW, sW, W, OW);
          if (oh1 <= oh0 || ow1 <= ow0) continue;
          const r = (c * kH + i) * kW + j;
          const cnt = ow1 - ow0;
          let src = col + <usize>r * rowBytes + ((<usize>(n * P + oh0 * OW + ow0)) << 2);
          for (let oh = oh0; oh < oh1; oh++) {
            const dst = plane + <usize>(oh * sH + offH) * wBytes + ((<usize>(ow0 * sW + offW)) << 2);
            if (sW == 1) addRow(dst, src, cnt);
            else {
              const step = <usize>sW << 2;
              for (let k = 0; k < cnt; k++) {
                const p = dst + <usize>k * step;
                store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>k << 2)));
              }
            }
            src += <usize>OW << 2;
          }
        }
      }
    }
  }
}

/** out[n, c, p] = src[c, n*P + p] (+ bias[c] when bias != 0): a [C, N*P] GEMM result into NCHW. */
export function cnp_to_nchw_f32(out: usize, src: usize, bias: usize, N: i32, C: i32, P: i32): void {
  if (N <= 0 || C <= 0 || P <= 0) return;
  const pBytes = <usize>P << 2;
  for (let c = 0; c < C; c++) {
    const b: f32 = bias ? load<f32>(bias + (<usize>c << 2)) : 0;
    for (let n = 0; n < N; n++) {
      const s = src + (<usize>c * <usize>N + <usize>n) * pBytes;
      addScalarRow(out + (<usize>n * <usize>C + <usize>c) * pBytes, s, b, P);
    }
  }
}

/** out[c, n*P + p] = src[n, c, p]: an NCHW tensor into the [C, N*P] layout the GEMMs use. */
export function nchw_to_cnp_f32(out: usize, src: usize, N: i32, C: i32, P: i32): void {
  if (N <= 0 || C <= 0 || P <= 0) return;
  const pBytes = <usize>P << 2;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      copyRow(out + (<usize>c * <usize>N + <usize>n) * pBytes, src + (<usize>n * <usize>C + <usize>c) * pBytes, P);
    }
  }
}

/**
 * db[c] (+)= sum over n, p of dy[n, c, p] (the bias gradient of a convolution), summed in f64
 * per (n, c) row. accumulate != 0 adds to db instead of overwriting it.
 */
export function bias_grad_nchw_f32(db: usize, dy: usize, N: i32, C: i32, P: i32, accumulate: i32): void {
  if (C <= 0) return;
  for (let c = 0; c < C; c++) {
    let total: f64 = accumulate ? <f64>load<f32>(db + (<usize>c << 2)) : 0;
    for (let n = 0; n < N; n++) {
      const s = dy + (<usize>n * <usize>C + <usize>c) * (<usize>P << 2);
      let acc = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= P; i += 4) acc = f32x4.add(acc, v128.load(s + (<usize>i << 2)));
      let row: f64 = <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1)
        + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
      for (; i < P; i++) row += <f64>load<f32>(s + (<usize>i << 2));
      total += row;
    }
    store<f32>(db + (<usize>c << 2), <f32>total);
  }
}

/** x[n, c, p] += bias[c] in place (the bias of a transposed convolution). */
export function bias_add_nchw_f32(x: usize, bias: usize, N: i32, C: i32, P: i32): void {
  if (N <= 0 || C <= 0 || P <= 0) return;
  const pBytes = <usize>P << 2;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const d = x + (<usize>n * <usize>C + <usize>c) * pBytes;
      addScalarRow(d, d, load<f32>(bias + (<usize>c << 2)), P);
    }
  }
}
