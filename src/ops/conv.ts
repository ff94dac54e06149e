// Convolutions (torch.nn.functional.conv1d / conv2d / conv_transpose2d), NCHW, forward and
// backward, on im2col/col2im + matmul_f32.
//
// The batch is processed in chunks of samples small enough for their column matrix to stay in
// cache (convTuning.chunkFloats). Per chunk and group g:
//   forward   col = im2col(x);  Y_g[OCg, nb*P] = W_g[OCg, Kg] · col_g;  Y -> NCHW (+ bias)
//   backward  dY -> dYt [OC, nb*P];  dW_g += dYt_g · col_gᵀ (transB, accumulating over chunks);
//             dcol_g = W_gᵀ · dYt_g (transA);  dx = col2im(dcol);  db = Σ dY over n, h, w
// col is recomputed in backward rather than saved (im2col is a cheap copy next to the GEMMs,
// and nothing the size of col outlives a call). A transposed convolution is the same pair of
// maps with forward and backward exchanged.
import { Tensor, checkTensor } from "../tensor";
import { getEngine, type Engine } from "../engine";
import { record } from "../autograd";
import { fmt, describe } from "../shape";
import { sizeArg } from "../args";

/** An int for both spatial dims, or [h, w]. */
export type Size2 = number | [number, number];

export interface Conv2dOptions {
  stride?: Size2;
  /** Zero padding on both sides, or "valid" (none) or "same" (output size = input size; stride 1 only). */
  padding?: Size2 | "same" | "valid";
  dilation?: Size2;
  groups?: number;
}

export interface Conv1dOptions {
  stride?: number | [number];
  padding?: number | [number] | "same" | "valid";
  dilation?: number | [number];
  groups?: number;
}

export interface ConvTranspose2dOptions {
  stride?: Size2;
  padding?: Size2;
  /** Extra rows/columns added on one side of the output (smaller than stride or dilation). */
  outputPadding?: Size2;
  groups?: number;
  dilation?: Size2;
}

/**
 * Floats of column matrix (plus GEMM output) one chunk of samples may take. Tests lower it to
 * force several chunks; 2^18 floats (1 MiB) keeps a chunk's working set in L2.
 */
export const convTuning = { chunkFloats: 1 << 18 };

/** Geometry of one convolution as im2col sees it: an image [N, C, H, W] read at OH x OW positions. */
interface Geometry {
  N: number; C: number; H: number; W: number; OH: number; OW: number;
  kH: number; kW: number; sH: number; sW: number; pH: number; pW: number; dH: number; dW: number;
}

function dimsOf(e: Engine, g: Geometry, nb: number): number {
  return e.params([nb, g.C, g.H, g.W, g.OH, g.OW, g.kH, g.kW, g.sH, g.sW, g.pH, g.pW, g.dH, g.dW]);
}

/** An int or an array of `n` ints, each in [min, 2^24]; names the op and argument otherwise. */

function groupsArg(op: string, v: unknown): number {
  return sizeArg(op, "groups", v ?? 1, 1, 1)[0];
}

/** Batched (N, C, ...spatial) view of an input that may be unbatched (C, ...spatial). */
function batchedShape(op: string, x: Tensor, spatial: number, layout: string): { shape: number[]; batched: boolean } {
  if (x.ndim === spatial + 2) return { shape: x.shape, batched: true };
  if (x.ndim === spatial + 1) return { shape: [1, ...x.shape], batched: false };
  throw new RangeError(`${op}: input must be ${spatial + 2}-D ${layout} (or ${spatial + 1}-D unbatched), got ${fmt(x.shape)}`);
}

function checkBias(op: string, bias: Tensor | null | undefined, outChannels: number, weight: Tensor): Tensor | null {
  if (bias === undefined || bias === null) return null;
  checkTensor(op, "bias", bias);
  if (bias.ndim !== 1 || bias.shape[0] !== outChannels) {
    throw new RangeError(`${op}: bias ${fmt(bias.shape)} must be [${outChannels}] for weight ${fmt(weight.shape)}`);
  }
  return bias;
}

/** Samples per chunk so that `perSample` floats per sample stay within the chunk budget (at least 1). */
function chunkOf(N: number, perSample: number): number {
  return Math.max(1, Math.min(N, Math.floor(convTuning.chunkFloats / Math.max(perSample, 1))));
}

function gemm(e: Engine, out: number, a: number, b: number, m: number, n: number, k: number, ta: number, tb: number, acc: number): void {
  const c = e.core;
  const scratch = e.scratch(c.matmul_scratch_bytes(m, n, k, ta, tb));
  c.matmul_f32(out, a, b, m, n, k, ta, tb, acc, scratch);
}

/** Run fn with `n` floats of temporary wasm memory (freed afterwards). */
function withBuffer<T>(e: Engine, op: string, n: number, fn: (ptr: number) => T): T {
  const ptr = e.allocFloats(op, Math.max(n, 1));
  try {
    return fn(ptr);
  } finally {
    e.free(ptr);
  }
}

// ------------------------------------------------------------------------------------------
// conv2d / conv1d

interface ConvSpec {
  op: string;
  g: Geometry;
  OC: number;
  groups: number;
}

/** The gradients a conv's backward fills: one buffer per input that requires grad, null for the others. */
function gradBuffers(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, OC: number):
  { dx: Tensor | null; dw: Tensor | null; db: Tensor | null } {
  return {
    dx: x.requiresGrad ? Tensor.empty(op, x.shape.slice()) : null,
    dw: weight.requiresGrad ? Tensor.empty(op, weight.shape.slice()) : null,
    db: bias && bias.requiresGrad ? Tensor.empty(op, [OC]) : null,
  };
}

/**
 * Walk a batch of N samples in chunks (as many samples as fit the chunk budget) through one
 * temporary buffer: `col` holds K rows of the chunk's columns (P per sample), `rest` the R rows after
 * them. fn gets the chunk's first sample n0, its sample count and its column count L = cnt·P.
 */
function inChunks(e: Engine, op: string, N: number, K: number, R: number, P: number,
  fn: (col: number, rest: number, n0: number, cnt: number, L: number) => void): void {
  const nb = chunkOf(N, (K + R) * P);
  withBuffer(e, op, (K + R) * nb * P, (col) => {
    const rest = col + K * nb * P * 4;
    for (let n0 = 0; n0 < N; n0 += nb) {
      const cnt = Math.min(nb, N - n0);
      fn(col, rest, n0, cnt, cnt * P);
    }
  });
}

/** y = conv(x, w) + b with the geometry in spec; y has shape `outShape`. */
function convCore(spec: ConvSpec, x: Tensor, weight: Tensor, bias: Tensor | null, outShape: number[]): Tensor {
  const { op, g, OC, groups } = spec;
  const out = Tensor.empty(op, outShape);
  const e = getEngine(op);
  const P = g.OH * g.OW;
  const K = g.C * g.kH * g.kW;
  const Kg = K / groups;
  const OCg = OC / groups;
  const inSample = g.C * g.H * g.W;
  if (out.size > 0) {
    inChunks(e, op, g.N, K, OC, P, (col, tmp, n0, cnt, L) => {
      e.core.im2col_f32(col, x.ptr + n0 * inSample * 4, dimsOf(e, g, cnt));
      for (let gi = 0; gi < groups; gi++) {
        gemm(e, tmp + gi * OCg * L * 4, weight.ptr + gi * OCg * Kg * 4, col + gi * Kg * L * 4, OCg, L, Kg, 0, 0, 0);
      }
      e.core.cnp_to_nchw_f32(out.ptr + n0 * OC * P * 4, tmp, bias ? bias.ptr : 0, cnt, OC, P);
    });
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, op, inputs, (dy) => {
    const ex = getEngine(op);
    const c = ex.core;
    const { dx, dw, db } = gradBuffers(op, x, weight, bias, OC);
    if ((dx || dw) && dy.size > 0) {
      inChunks(ex, op, g.N, K, OC, P, (col, dyt, n0, cnt, L) => {
        c.nchw_to_cnp_f32(dyt, dy.ptr + n0 * OC * P * 4, cnt, OC, P);
        if (dw) {
          c.im2col_f32(col, x.ptr + n0 * inSample * 4, dimsOf(ex, g, cnt));
          for (let gi = 0; gi < groups; gi++) {
            gemm(ex, dw.ptr + gi * OCg * Kg * 4, dyt + gi * OCg * L * 4, col + gi * Kg * L * 4, OCg, Kg, L, 0, 1, n0 > 0 ? 1 : 0);
          }
        }
        if (dx) {
          for (let gi = 0; gi < groups; gi++) {
            gemm(ex, col + gi * Kg * L * 4, weight.ptr + gi * OCg * Kg * 4, dyt + gi * OCg * L * 4, Kg, L, OCg, 1, 0, 0);
          }
          c.col2im_f32(dx.ptr + n0 * inSample * 4, col, dimsOf(ex, g, cnt));
        }
      });
    } else {
      // no output elements: nothing flows back
      if (dw) c.fill_f32(dw.ptr, dw.size, 0);
      if (dx) c.fill_f32(dx.ptr, dx.size, 0);
    }
    if (db) c.bias_grad_nchw_f32(db.ptr, dy.ptr, g.N, OC, P, 0);
    return bias ? [dx, dw, db] : [dx, dw];
  });
}

/** One spatial dim of a convolution: output size, and the leading padding. */
function convDim(op: string, what: string, size: number, k: number, s: number, d: number, pad: number | "same"): { out: number; pad: number } {
  const span = d * (k - 1) + 1;
  if (pad === "same") return { out: size, pad: Math.floor((d * (k - 1)) / 2) };
  const padded = size + 2 * pad;
  if (padded < span) {
    throw new RangeError(
      `${op}: padded input ${what} ${padded} is smaller than the dilated kernel ${span} (kernel ${k}, dilation ${d}, padding ${pad})`,
    );
  }
  return { out: Math.floor((padded - span) / s) + 1, pad };
}

function paddingArg(op: string, v: unknown, n: number): (number | "same")[] {
  if (v === "valid") return new Array(n).fill(0);
  if (v === "same") return new Array(n).fill("same");
  if (typeof v === "string") throw new RangeError(`${op}: padding must be an integer, ${n} integers, "same" or "valid", got ${describe(v)}`);
  return sizeArg(op, "padding", v ?? 0, n, 0);
}

function convNd(op: string, spatial: 1 | 2, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, o: Conv2dOptions | Conv1dOptions): Tensor {
  checkTensor(op, "input", x);
  checkTensor(op, "weight", weight);
  if (o === null || typeof o !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(o)}`);
  const layout = spatial === 2 ? "[N, C, H, W]" : "[N, C, L]";
  const { shape, batched } = batchedShape(op, x, spatial, layout);
  if (weight.ndim !== spatial + 2) {
    throw new RangeError(`${op}: weight must be ${spatial + 2}-D ${spatial === 2 ? "[out, in/groups, kH, kW]" : "[out, in/groups, k]"}, got ${fmt(weight.shape)}`);
  }
  const groups = groupsArg(op, o.groups);
  const stride = sizeArg(op, "stride", o.stride ?? 1, spatial, 1);
  const dilation = sizeArg(op, "dilation", o.dilation ?? 1, spatial, 1);
  const padding = paddingArg(op, o.padding, spatial);
  const [N, C] = shape;
  const OC = weight.shape[0];
  if (weight.shape[1] * groups !== C) {
    throw new RangeError(
      `${op}: input ${fmt(x.shape)} has ${C} channels but weight ${fmt(weight.shape)} expects ${weight.shape[1] * groups} (groups ${groups})`,
    );
  }
  if (OC % groups !== 0) {
    throw new RangeError(`${op}: weight ${fmt(weight.shape)} has ${OC} output channels, not divisible by groups ${groups}`);
  }
  const ks = weight.shape.slice(2);
  if (ks.some((k) => k === 0)) throw new RangeError(`${op}: weight ${fmt(weight.shape)} has an empty kernel`);
  if (padding[0] === "same" && stride.some((s) => s !== 1)) {
    throw new RangeError(`${op}: padding "same" needs stride 1, got stride ${fmt(stride)}`);
  }
  const b = checkBias(op, bias, OC, weight);
  const sp = shape.slice(2);
  const dims = sp.map((size, i) => convDim(op, spatial === 2 ? ["height", "width"][i] : "length", size, ks[i], stride[i], dilation[i], padding[i]));
  // conv1d is conv2d over a height of 1
  const [H, W] = spatial === 2 ? sp : [1, sp[0]];
  const [kH, kW] = spatial === 2 ? ks : [1, ks[0]];
  const [sH, sW] = spatial === 2 ? stride : [1, stride[0]];
  const [dH, dW] = spatial === 2 ? dilation : [1, dilation[0]];
  const [OH, OW] = spatial === 2 ? [dims[0].out, dims[1].out] : [1, dims[0].out];
  const [pH, pW] = spatial === 2 ? [dims[0].pad, dims[1].pad] : [0, dims[0].pad];
  const outShape = [N, OC, ...dims.map((d) => d.out)];
  const g: Geometry = { N, C, H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW };
  return convCore({ op, g, OC, groups }, x, weight, b, batched ? outShape : outShape.slice(1));
}

/**
 * 2-D convolution (torch.nn.functional.conv2d): input [N, C, H, W] (or unbatched [C, H, W]),
 * weight [out, C/groups, kH, kW], bias [out]. Output [N, out, OH, OW] with
 * OH = floor((H + 2·padding - dilation·(kH - 1) - 1) / stride) + 1.
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  return convNd("conv2d", 2, input, weight, bias, options);
}

/** 1-D convolution (torch.nn.functional.conv1d): input [N, C, L] (or [C, L]), weight [out, C/groups, k]. */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  return convNd("conv1d", 1, input, weight, bias, options);
}

// ------------------------------------------------------------------------------------------
// conv_transpose2d

/**
 * Transposed 2-D convolution (torch.nn.functional.conv_transpose2d), the adjoint of conv2d:
 * input [N, C, H, W], weight [C, out/groups, kH, kW], output [N, out, OH, OW] with
 * OH = (H - 1)·stride - 2·padding + dilation·(kH - 1) + outputPadding + 1.
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  const op = "convTranspose2d";
  checkTensor(op, "input", input);
  checkTensor(op, "weight", weight);
  if (options === null || typeof options !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
  const { shape, batched } = batchedShape(op, input, 2, "[N, C, H, W]");
  if (weight.ndim !== 4) throw new RangeError(`${op}: weight must be 4-D [in, out/groups, kH, kW], got ${fmt(weight.shape)}`);
  const groups = groupsArg(op, options.groups);
  const [sH, sW] = sizeArg(op, "stride", options.stride ?? 1, 2, 1);
  const [pH, pW] = sizeArg(op, "padding", options.padding ?? 0, 2, 0);
  const [dH, dW] = sizeArg(op, "dilation", options.dilation ?? 1, 2, 1);
  const [oH, oW] = sizeArg(op, "outputPadding", options.outputPadding ?? 0, 2, 0);
  const [N, C, H, W] = shape;
  if (weight.shape[0] !== C) {
    throw new RangeError(`${op}: input ${fmt(input.shape)} has ${C} channels but weight ${fmt(weight.shape)} expects ${weight.shape[0]}`);
  }
  if (C % groups !== 0) throw new RangeError(`${op}: input channels ${C} are not divisible by groups ${groups}`);
  if (oH >= Math.max(sH, dH) || oW >= Math.max(sW, dW)) {
    throw new RangeError(
      `${op}: outputPadding [${oH}, ${oW}] must be smaller than stride [${sH}, ${sW}] or dilation [${dH}, ${dW}]`,
    );
  }
  const [, OCg, kH, kW] = weight.shape;
  if (kH === 0 || kW === 0) throw new RangeError(`${op}: weight ${fmt(weight.shape)} has an empty kernel`);
  const OC = OCg * groups;
  const b = checkBias(op, bias, OC, weight);
  const OH = (H - 1) * sH - 2 * pH + dH * (kH - 1) + oH + 1;
  const OW = (W - 1) * sW - 2 * pW + dW * (kW - 1) + oW + 1;
  if (OH <= 0 || OW <= 0) {
    throw new RangeError(`${op}: input ${fmt(input.shape)} with weight ${fmt(weight.shape)} gives an empty output [${OH}, ${OW}] (padding [${pH}, ${pW}] too large)`);
  }
  // The conv whose backward this is: an image [N, OC, OH, OW] read at H x W positions.
  const g: Geometry = { N, C: OC, H: OH, W: OW, OH: H, OW: W, kH, kW, sH, sW, pH, pW, dH, dW };
  const outShape = [N, OC, OH, OW];
  return transposeCore(op, g, C, groups, input, weight, b, batched ? outShape : outShape.slice(1));
}

function transposeCore(op: string, g: Geometry, IC: number, groups: number, x: Tensor, weight: Tensor, bias: Tensor | null, outShape: number[]): Tensor {
  const out = Tensor.empty(op, outShape);
  const e = getEngine(op);
  const OC = g.C;
  const P = g.OH * g.OW; // input positions per sample
  const K = OC * g.kH * g.kW;
  const Kg = K / groups;
  const ICg = IC / groups;
  const outSample = OC * g.H * g.W;
  if (out.size > 0) {
    inChunks(e, op, g.N, K, IC, P, (col, xt, n0, cnt, L) => {
      e.core.nchw_to_cnp_f32(xt, x.ptr + n0 * IC * P * 4, cnt, IC, P);
      for (let gi = 0; gi < groups; gi++) {
        gemm(e, col + gi * Kg * L * 4, weight.ptr + gi * ICg * Kg * 4, xt + gi * ICg * L * 4, Kg, L, ICg, 1, 0, 0);
      }
      e.core.col2im_f32(out.ptr + n0 * outSample * 4, col, dimsOf(e, g, cnt));
    });
    if (bias) e.core.bias_add_nchw_f32(out.ptr, bias.ptr, g.N, OC, g.H * g.W);
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, op, inputs, (dy) => {
    const ex = getEngine(op);
    const c = ex.core;
    const { dx, dw, db } = gradBuffers(op, x, weight, bias, OC);
    if ((dx || dw) && x.size > 0) {
      inChunks(ex, op, g.N, K, IC, P, (col, xt, n0, cnt, L) => {
        c.im2col_f32(col, dy.ptr + n0 * outSample * 4, dimsOf(ex, g, cnt));
        if (dw) {
          c.nchw_to_cnp_f32(xt, x.ptr + n0 * IC * P * 4, cnt, IC, P);
          for (let gi = 0; gi < groups; gi++) {
            gemm(ex, dw.ptr + gi * ICg * Kg * 4, xt + gi * ICg * L * 4, col + gi * Kg * L * 4, ICg, Kg, L, 0, 1, n0 > 0 ? 1 : 0);
          }
        }
        if (dx) {
          for (let gi = 0; gi < groups; gi++) {
            gemm(ex, xt + gi * ICg * L * 4, weight.ptr + gi * ICg * Kg * 4, col + gi * Kg * L * 4, ICg, L, Kg, 0, 0, 0);
          }
          c.cnp_to_nchw_f32(dx.ptr + n0 * IC * P * 4, xt, 0, cnt, IC, P);
        }
      });
    } else {
      if (dw) c.fill_f32(dw.ptr, dw.size, 0);
      if (dx) c.fill_f32(dx.ptr, dx.size, 0);
    }
    if (db) c.bias_grad_nchw_f32(db.ptr, dy.ptr, g.N, OC, g.H * g.W, 0);
    return bias ? [dx, dw, db] : [dx, dw];
  });
}
