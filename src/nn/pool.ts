// nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d and nn.Upsample (torch.nn names, arguments
// and defaults). No parameters: each validates its arguments and calls the functional op.
import type { Tensor } from "../tensor";
import { maxPool2d, avgPool2d, adaptiveAvgPool2d, interpolate } from "../ops/pool";
import { Module } from "./module";
import { describe } from "../shape";
import { sizeArg } from "../args";

/** An int or an array of `n` ints, each in [min, 2^24]; names the op and argument otherwise. */

type Ints = number | [number, number];

function checkOptions(op: string, o: unknown, allowed: string[]): Record<string, unknown> {
  if (o === null || typeof o !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(o)}`);
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new RangeError(`${op}: unknown option ${JSON.stringify(k)} (expected ${allowed.join(", ")})`);
  }
  return o as Record<string, unknown>;
}

function boolOption(op: string, name: string, v: unknown, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v !== "boolean") throw new TypeError(`${op}: ${name} must be a boolean, got ${describe(v)}`);
  return v;
}

const pair = (v: number[]) => (v[0] === v[1] ? `${v[0]}` : `(${v.join(", ")})`);

export class MaxPool2d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly ceilMode: boolean;

  constructor(kernelSize: Ints, options: { stride?: Ints | null; padding?: Ints; dilation?: Ints; ceilMode?: boolean } = {}) {
    super();
    const op = "nn.MaxPool2d";
    checkOptions(op, options, ["stride", "padding", "dilation", "ceilMode"]);
    this.kernelSize = sizeArg(op, "kernelSize", kernelSize, 2, 1);
    this.stride = options.stride === undefined || options.stride === null ? this.kernelSize.slice() : sizeArg(op, "stride", options.stride, 2, 1);
    this.padding = sizeArg(op, "padding", options.padding ?? 0, 2, 0);
    this.dilation = sizeArg(op, "dilation", options.dilation ?? 1, 2, 1);
    this.ceilMode = boolOption(op, "ceilMode", options.ceilMode, false);
    if (this.padding.some((p, i) => p > Math.floor(this.kernelSize[i] / 2))) {
      throw new RangeError(`${op}: padding ${pair(this.padding)} must be at most half the kernel size ${pair(this.kernelSize)}`);
    }
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize as [number, number], {
      stride: this.stride as [number, number], padding: this.padding as [number, number],
      dilation: this.dilation as [number, number], ceilMode: this.ceilMode,
    });
  }

  extraRepr(): string {
    return `kernel_size=${pair(this.kernelSize)}, stride=${pair(this.stride)}, padding=${pair(this.padding)}, ` +
      `dilation=${pair(this.dilation)}, ceil_mode=${this.ceilMode ? "True" : "False"}`;
  }
}

export class AvgPool2d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(
    kernelSize: Ints,
    options: { stride?: Ints | null; padding?: Ints; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null } = {},
  ) {
    super();
    const op = "nn.AvgPool2d";
    checkOptions(op, options, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"]);
    this.kernelSize = sizeArg(op, "kernelSize", kernelSize, 2, 1);
    this.stride = options.stride === undefined || options.stride === null ? this.kernelSize.slice() : sizeArg(op, "stride", options.stride, 2, 1);
    this.padding = sizeArg(op, "padding", options.padding ?? 0, 2, 0);
    this.ceilMode = boolOption(op, "ceilMode", options.ceilMode, false);
    this.countIncludePad = boolOption(op, "countIncludePad", options.countIncludePad, true);
    const d = options.divisorOverride ?? null;
    if (d !== null && (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > 2 ** 30)) {
      throw new RangeError(`${op}: divisorOverride must be a positive integer, got ${describe(d)}`);
    }
    this.divisorOverride = d;
    if (this.padding.some((p, i) => p > Math.floor(this.kernelSize[i] / 2))) {
      throw new RangeError(`${op}: padding ${pair(this.padding)} must be at most half the kernel size ${pair(this.kernelSize)}`);
    }
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize as [number, number], {
      stride: this.stride as [number, number], padding: this.padding as [number, number], ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }

  extraRepr(): string {
    return `kernel_size=${pair(this.kernelSize)}, stride=${pair(this.stride)}, padding=${pair(this.padding)}`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  /** [oh, ow]; null keeps that input dim. */
  readonly outputSize: [number | null, number | null];

  constructor(outputSize: number | [number | null, number | null]) {
    super();
    const op = "nn.AdaptiveAvgPool2d";
    const raw = Array.isArray(outputSize) ? outputSize : [outputSize, outputSize];
    if (raw.length !== 2) throw new RangeError(`${op}: outputSize must be an integer or 2 of them, got ${describe(outputSize)}`);
    this.outputSize = raw.map((v) => (v === null ? null : sizeArg(op, "outputSize", v, 1, 1)[0])) as [number | null, number | null];
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  extraRepr(): string {
    const [h, w] = this.outputSize.map((v) => (v === null ? "None" : String(v)));
    return `output_size=${h === w ? h : `(${h}, ${w})`}`;
  }
}

/** Nearest-neighbour upsampling (torch.nn.Upsample with mode "nearest"): give size or scaleFactor. */
export class Upsample extends Module {
  readonly size: number | number[] | null;
  readonly scaleFactor: number | number[] | null;
  readonly mode: "nearest";

  constructor(options: { size?: number | number[] | null; scaleFactor?: number | number[] | null; mode?: "nearest" } = {}) {
    super();
    const op = "nn.Upsample";
    checkOptions(op, options, ["size", "scaleFactor", "mode"]);
    const size = options.size ?? null;
    const scale = options.scaleFactor ?? null;
    if ((size === null) === (scale === null)) throw new RangeError(`${op}: give exactly one of size and scaleFactor`);
    const ints = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 2 ** 24;
    if (size !== null && !(Array.isArray(size) ? size.length >= 1 && size.length <= 2 && size.every(ints) : ints(size))) {
      throw new RangeError(`${op}: size must be a positive integer or 1-2 of them, got ${describe(size)}`);
    }
    const pos = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v > 0;
    if (scale !== null && !(Array.isArray(scale) ? scale.length >= 1 && scale.length <= 2 && scale.every(pos) : pos(scale))) {
      throw new RangeError(`${op}: scaleFactor must be a positive number or 1-2 of them, got ${describe(scale)}`);
    }
    const mode = options.mode ?? "nearest";
    if (mode !== "nearest") throw new RangeError(`${op}: mode must be "nearest", got ${describe(mode)}`);
    this.size = Array.isArray(size) ? size.slice() : size;
    this.scaleFactor = Array.isArray(scale) ? scale.slice() : scale;
    this.mode = mode;
  }

  forward(x: Tensor): Tensor {
    return interpolate(x, this.size !== null ? { size: this.size, mode: this.mode } : { scaleFactor: this.scaleFactor!, mode: this.mode });
  }

  extraRepr(): string {
    return this.size !== null ? `size=${this.size}, mode=nearest` : `scale_factor=${this.scaleFactor}, mode=nearest`;
  }
}
