// Parameter initialization with torch.nn.init's formulas, fans and gains. Each fills a tensor
// in place from the core's seeded streams and returns it.
import { Tensor, checkTensor } from "./tensor";
import { getEngine } from "./engine";
import { noGrad } from "./autograd";
import { fmt, describe } from "./shape";

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";
export type FanMode = "fan_in" | "fan_out";

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d":
    case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number") throw new TypeError(`calculateGain: negative slope ${describe(slope)} is not a number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new RangeError(`calculateGain: unsupported nonlinearity ${describe(nonlinearity)}`);
  }
}

/** fan_in and fan_out as PyTorch computes them: dims 0/1 are out/in, the rest the receptive field. */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) {
    throw new RangeError(`init: fan in and fan out cannot be computed for a tensor with fewer than 2 dims, got ${fmt(t.shape)}`);
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

function target(op: string, t: Tensor): Tensor {
  return checkTensor(op, "tensor", t);
}

/** Fill with U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  target("uniform_", t);
  if (!(a <= b)) throw new RangeError(`uniform_: a (${a}) must not exceed b (${b})`);
  noGrad(() => getEngine("uniform_").core.rng_uniform_f32(t.ptr, t.size, a, b));
  return t;
}

/** Fill with N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  target("normal_", t);
  if (!(std >= 0)) throw new RangeError(`normal_: std must be >= 0, got ${std}`);
  noGrad(() => getEngine("normal_").core.rng_normal_f32(t.ptr, t.size, mean, std));
  return t;
}

export function constant_(t: Tensor, value: number): Tensor {
  target("constant_", t);
  if (typeof value !== "number") throw new TypeError(`constant_: value must be a number, got ${describe(value)}`);
  getEngine("constant_").core.fill_f32(t.ptr, t.size, value);
  return t;
}

export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** Identity matrix in a 2-D tensor (extra columns or rows stay 0). */
export function eye_(t: Tensor): Tensor {
  target("eye_", t);
  if (t.ndim !== 2) throw new RangeError(`eye_: only 2-D tensors are supported, got ${fmt(t.shape)}`);
  const e = getEngine("eye_");
  e.core.fill_f32(t.ptr, t.size, 0);
  const view = e.f32(t.ptr, t.size);
  const [r, c] = t.shape;
  for (let i = 0; i < Math.min(r, c); i++) view[i * c + i] = 1;
  return t;
}

/** U(-a, a) with a = gain·sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(target("xavierUniform_", t));
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}

/** N(0, std²) with std = gain·sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(target("xavierNormal_", t));
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only). Default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, options: KaimingOptions): number {
  const mode = options.mode ?? "fan_in";
  if (mode !== "fan_in" && mode !== "fan_out") throw new RangeError(`${op}: mode must be "fan_in" or "fan_out", got ${describe(mode)}`);
  const { fanIn, fanOut } = calculateFanInAndFanOut(target(op, t));
  const fan = mode === "fan_in" ? fanIn : fanOut;
  const gain = calculateGain(options.nonlinearity ?? "leaky_relu", options.a ?? 0);
  return gain / Math.sqrt(fan);
}

/** U(-bound, bound) with bound = gain·sqrt(3 / fan) (He et al.). */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform_", t, options);
  return uniform_(t, -bound, bound);
}

/** N(0, std²) with std = gain / sqrt(fan). */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd("kaimingNormal_", t, options));
}

/**
 * A (semi-)orthogonal matrix times gain, from the QR decomposition of a normal matrix with
 * the signs of R's diagonal folded in (as torch.nn.init.orthogonal_). Dims past the first are
 * flattened.
 */
export function orthogonal_(t: Tensor, gain = 1): Tensor {
  target("orthogonal_", t);
  if (t.ndim < 2) throw new RangeError(`orthogonal_: only tensors with 2 or more dims are supported, got ${fmt(t.shape)}`);
  const rows = t.shape[0];
  const cols = t.size / rows;
  normal_(t, 0, 1);
  const e = getEngine("orthogonal_");
  const src = Float64Array.from(e.f32(t.ptr, t.size));
  // Work on the tall orientation: m x n with m >= n, columns orthonormalized (modified Gram-Schmidt).
  const transpose = rows < cols;
  const m = transpose ? cols : rows;
  const n = transpose ? rows : cols;
  const at = (i: number, j: number) => (transpose ? src[j * cols + i] : src[i * cols + j]);
  const q = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[i * n + j] = at(i, j);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[i * n + k] * q[i * n + j];
      for (let i = 0; i < m; i++) q[i * n + j] -= dot * q[i * n + k];
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += q[i * n + j] ** 2;
    norm = Math.sqrt(norm) || 1;
    // Gram-Schmidt's R has a positive diagonal, which is QR with the sign correction applied.
    for (let i = 0; i < m; i++) q[i * n + j] /= norm;
  }
  const out = e.f32(t.ptr, t.size);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    const v = gain * q[i * n + j];
    if (transpose) out[j * cols + i] = v;
    else out[i * cols + j] = v;
  }
  return t;
}
