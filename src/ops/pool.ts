// Pooling and nearest-neighbour resizing (torch.nn.functional.max_pool2d, avg_pool2d,
// adaptive_avg_pool2d, interpolate(mode="nearest")), NCHW, forward and backward. Batch and
// channel dims are flattened into planes for the kernels (assembly/kernels/pool.ts). Max pooling
// saves the argmax of every window (flat index in its plane) for backward.
import { Tensor, checkTensor } from "../tensor";
import { getEngine, type Engine } from "../engine";
import { record } from "../autograd";
import { fmt, describe } from "../shape";
import type { Size2 } from "./conv";
import { sizeArg } from "../args";

/** An int or an array of `n` ints, each in [min, 2^24]; names the op and argument otherwise. */

export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  /** Round the output size up (windows may then run past the padded input, never start in it). */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  /** Count padding zeros in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead. */
  divisorOverride?: number | null;
}

export interface InterpolateOptions {
  /** Output spatial size: an int for every dim or one per dim. */
  size?: number | number[];
  /** Output size = floor(input size · scaleFactor) per dim. */
  scaleFactor?: number | number[];
  mode?: "nearest";
}

/** [N·C planes, H, W] of a 4-D (or unbatched 3-D) input. */
function planes(op: string, x: Tensor): { nc: number; H: number; W: number } {
  if (x.ndim === 4) return { nc: x.shape[0] * x.shape[1], H: x.shape[2], W: x.shape[3] };
  if (x.ndim === 3) return { nc: x.shape[0], H: x.shape[1], W: x.shape[2] };
  throw new RangeError(`${op}: input must be 4-D [N, C, H, W] (or 3-D unbatched [C, H, W]), got ${fmt(x.shape)}`);
}

function withSpatial(x: Tensor, oh: number, ow: number): number[] {
  return [...x.shape.slice(0, -2), oh, ow];
}

/** PyTorch's pooling output size for one dim (pooling_output_shape). */
function poolOut(op: string, x: Tensor, size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  if (p > Math.floor(k / 2)) {
    throw new RangeError(`${op}: padding ${p} must be at most half the kernel size ${k}`);
  }
  const span = d * (k - 1) + 1;
  let out = Math.floor((size + 2 * p - span + (ceil ? s - 1 : 0)) / s) + 1;
  // in ceil mode the last window must start inside the input or its left padding
  if (ceil && (out - 1) * s >= size + p) out--;
  if (out < 1) {
    throw new RangeError(
      `${op}: input ${fmt(x.shape)} is too small for kernel ${k}${d > 1 ? ` dilation ${d}` : ""} padding ${p} stride ${s} (output size ${out})`,
    );
  }
  return out;
}

function optionsObject(op: string, o: unknown): void {
  if (o === null || typeof o !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(o)}`);
}

function poolDims(e: Engine, nc: number, H: number, W: number, OH: number, OW: number, k: number[], s: number[], p: number[], d: number[]): number {
  return e.params([nc, H, W, OH, OW, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]]);
}

/** The input planes, kernel size, stride (default: the kernel size) and padding of a windowed pool. */
function windowArgs(op: string, x: Tensor, kernelSize: Size2, options: { stride?: Size2 | null; padding?: Size2 }):
  { nc: number; H: number; W: number; k: number[]; s: number[]; p: number[] } {
  checkTensor(op, "input", x);
  optionsObject(op, options);
  const { nc, H, W } = planes(op, x);
  const k = sizeArg(op, "kernelSize", kernelSize, 2, 1);
  const s = options.stride === undefined || options.stride === null ? k : sizeArg(op, "stride", options.stride, 2, 1);
  const p = sizeArg(op, "padding", options.padding ?? 0, 2, 0);
  return { nc, H, W, k, s, p };
}

/** 2-D max pooling (torch.nn.functional.max_pool2d); NaN in a window propagates. */
export function maxPool2d(x: Tensor, kernelSize: Size2, options: MaxPool2dOptions = {}): Tensor {
  const op = "maxPool2d";
  const { nc, H, W, k, s, p } = windowArgs(op, x, kernelSize, options);
  const d = sizeArg(op, "dilation", options.dilation ?? 1, 2, 1);
  const ceil = !!options.ceilMode;
  const OH = poolOut(op, x, H, k[0], s[0], p[0], d[0], ceil);
  const OW = poolOut(op, x, W, k[1], s[1], p[1], d[1], ceil);
  const out = Tensor.empty(op, withSpatial(x, OH, OW));
  const idx = Tensor.empty(op, out.shape.slice()); // i32 argmax per output, kept for backward
  const e = getEngine(op);
  if (out.size > 0) e.core.max_pool2d_f32(out.ptr, idx.ptr, x.ptr, poolDims(e, nc, H, W, OH, OW, k, s, p, d));
  return record(out, op, [x], (g) => {
    const dx = Tensor.empty(op, x.shape.slice());
    getEngine(op).core.max_pool2d_bwd_f32(dx.ptr, idx.ptr, g.ptr, nc, H * W, OH * OW);
    return [dx];
  }, [idx]);
}

/** 2-D average pooling (torch.nn.functional.avg_pool2d). */
export function avgPool2d(x: Tensor, kernelSize: Size2, options: AvgPool2dOptions = {}): Tensor {
  const op = "avgPool2d";
  const { nc, H, W, k, s, p } = windowArgs(op, x, kernelSize, options);
  const ceil = !!options.ceilMode;
  const includePad = options.countIncludePad ?? true;
  if (typeof includePad !== "boolean") throw new TypeError(`${op}: countIncludePad must be a boolean, got ${describe(includePad)}`);
  const div = options.divisorOverride ?? 0;
  if (options.divisorOverride !== undefined && options.divisorOverride !== null) {
    if (typeof div !== "number" || !Number.isInteger(div) || div < 1 || div > 2 ** 30) {
      throw new RangeError(`${op}: divisorOverride must be a positive integer, got ${describe(options.divisorOverride)}`);
    }
  }
  const OH = poolOut(op, x, H, k[0], s[0], p[0], 1, ceil);
  const OW = poolOut(op, x, W, k[1], s[1], p[1], 1, ceil);
  const out = Tensor.empty(op, withSpatial(x, OH, OW));
  const e = getEngine(op);
  const one = [1, 1];
  if (out.size > 0) e.core.avg_pool2d_f32(out.ptr, x.ptr, poolDims(e, nc, H, W, OH, OW, k, s, p, one), includePad ? 1 : 0, div);
  return record(out, op, [x], (g) => {
    const ex = getEngine(op);
    const dx = Tensor.empty(op, x.shape.slice());
    ex.core.avg_pool2d_bwd_f32(dx.ptr, g.ptr, poolDims(ex, nc, H, W, OH, OW, k, s, p, one), includePad ? 1 : 0, div);
    return [dx];
  });
}

/**
 * Adaptive average pooling to a fixed output size (torch.nn.functional.adaptive_avg_pool2d):
 * outputSize is an int or [oh, ow], where null keeps that input dim.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | [number | null, number | null]): Tensor {
  const op = "adaptiveAvgPool2d";
  checkTensor(op, "input", x);
  const { nc, H, W } = planes(op, x);
  const raw = Array.isArray(outputSize) ? outputSize : [outputSize, outputSize];
  if (raw.length !== 2) throw new RangeError(`${op}: outputSize must be an integer or 2 integers, got ${describe(outputSize)}`);
  const [OH, OW] = raw.map((v, i) => (v === null ? (i === 0 ? H : W) : sizeArg(op, "outputSize", v, 1, 0)[0]));
  if ((H === 0 || W === 0) && nc > 0 && OH * OW > 0) {
    throw new RangeError(`${op}: input ${fmt(x.shape)} has an empty spatial dim; it cannot be pooled to [${OH}, ${OW}]`);
  }
  const out = Tensor.empty(op, withSpatial(x, OH, OW));
  const e = getEngine(op);
  if (out.size > 0) e.core.adaptive_avg_pool2d_f32(out.ptr, x.ptr, nc, H, W, OH, OW);
  return record(out, op, [x], (g) => {
    const dx = Tensor.empty(op, x.shape.slice());
    getEngine(op).core.adaptive_avg_pool2d_bwd_f32(dx.ptr, g.ptr, nc, H, W, OH, OW);
    return [dx];
  });
}

/**
 * Source index of each output position of a nearest resize, as PyTorch computes it: identity for
 * equal sizes, i >> 1 for exact doubling, else min(floor(i · scale), in - 1) in float32 with
 * scale = 1/scaleFactor when a scale factor was given and in/out otherwise.
 */
function nearestIndex(inSize: number, outSize: number, scaleFactor: number | null): Int32Array {
  const idx = new Int32Array(outSize);
  const f = Math.fround;
  const scale = scaleFactor !== null && scaleFactor > 0 ? f(1 / scaleFactor) : f(f(inSize) / f(outSize));
  for (let i = 0; i < outSize; i++) {
    if (outSize === inSize) idx[i] = i;
    else if (outSize === 2 * inSize) idx[i] = i >> 1;
    else idx[i] = Math.min(Math.floor(f(f(i) * scale)), inSize - 1);
  }
  return idx;
}

/**
 * Resize by nearest neighbour (torch.nn.functional.interpolate with mode "nearest") over the
 * last dim of a 3-D [N, C, L] input or the last two of a 4-D [N, C, H, W] one. Give either
 * `size` or `scaleFactor`.
 */
export function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  const op = "interpolate";
  checkTensor(op, "input", x);
  optionsObject(op, options);
  const mode = options.mode ?? "nearest";
  if (mode !== "nearest") throw new RangeError(`${op}: mode must be "nearest", got ${describe(mode)}`);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new RangeError(`${op}: input must be 3-D [N, C, L] or 4-D [N, C, H, W], got ${fmt(x.shape)}`);
  }
  const spatial = x.ndim - 2;
  const inSizes = x.shape.slice(2);
  const hasSize = options.size !== undefined && options.size !== null;
  const hasScale = options.scaleFactor !== undefined && options.scaleFactor !== null;
  if (hasSize === hasScale) throw new RangeError(`${op}: give exactly one of size and scaleFactor`);
  let outSizes: number[];
  let scales: (number | null)[];
  if (hasSize) {
    outSizes = sizeArg(op, "size", options.size, spatial, 0);
    scales = outSizes.map(() => null);
  } else {
    const sf = options.scaleFactor;
    const list = Array.isArray(sf) ? sf : new Array(spatial).fill(sf);
    if (list.length !== spatial || list.some((v) => typeof v !== "number" || !(v > 0) || !Number.isFinite(v))) {
      throw new RangeError(`${op}: scaleFactor must be a positive number or ${spatial} of them, got ${describe(sf)}`);
    }
    scales = list;
    outSizes = inSizes.map((n, i) => Math.floor(n * list[i]));
    if (outSizes.some((n) => n > 2 ** 24)) throw new RangeError(`${op}: scaleFactor ${describe(sf)} makes the output too large`);
  }
  if (outSizes.some((n) => n <= 0) || inSizes.some((n) => n <= 0)) {
    throw new RangeError(`${op}: input ${fmt(x.shape)} and output size ${fmt(outSizes)} must have no empty spatial dim`);
  }
  const [H, W] = spatial === 2 ? inSizes : [1, inSizes[0]];
  const [OH, OW] = spatial === 2 ? outSizes : [1, outSizes[0]];
  const [sH, sW] = spatial === 2 ? scales : [null, scales[0]];
  const nc = x.shape[0] * x.shape[1];
  const hIdx = nearestIndex(H, OH, sH);
  const wIdx = nearestIndex(W, OW, sW);
  const out = Tensor.empty(op, [x.shape[0], x.shape[1], ...outSizes]);
  const e = getEngine(op);
  const run = (fn: (h: number, w: number) => void) => {
    const tables = e.allocFloats(op, OH + OW);
    try {
      new Int32Array(e.core.memory.buffer, tables, OH + OW).set([...hIdx, ...wIdx]);
      fn(tables, tables + OH * 4);
    } finally {
      e.free(tables);
    }
  };
  if (out.size > 0) run((h, w) => e.core.upsample_nearest2d_f32(out.ptr, x.ptr, nc, H, W, OH, OW, h, w));
  return record(out, op, [x], (g) => {
    const dx = Tensor.empty(op, x.shape.slice());
    const ex = getEngine(op);
    if (dx.size > 0) run((h, w) => ex.core.upsample_nearest2d_bwd_f32(dx.ptr, g.ptr, nc, H, W, OH, OW, h, w));
    return [dx];
  });
}
