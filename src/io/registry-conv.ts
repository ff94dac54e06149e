// saveModel/loadModel entries for the conv and pooling layers (see registry.ts for the spec
// format). Configs hold the normalized constructor arguments (sizes as arrays, one entry per
// spatial dim); fromConfig validates every key, since configs come from files.
import type { Module } from "../nn/module";
import type { ModuleSpec, ModuleConfig, JsonValue } from "./registry";
import { Conv1d, Conv2d, ConvTranspose2d } from "../nn/conv";
import { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Upsample } from "../nn/pool";
import { keys, get, int, bool, MAX_FEATURES } from "./config";
import { what } from "./safetensors";

/** Largest kernel size, stride, padding or dilation a config may hold. */
const MAX_SIZE = 2 ** 16;

/** An array of n integers in [min, max] (or def when the key is absent). */
function ints(config: ModuleConfig, key: string, n: number, def: number[] | undefined, min: number, max: number): number[] {
  const v = get(config, key) ?? def;
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= min && x <= max)) {
    throw new RangeError(`config.${key} must be an array of ${n} integers in [${min}, ${max}], got ${what(v)}`);
  }
  return (v as number[]).slice();
}

interface ConvConfig {
  inChannels: number; outChannels: number; kernelSize: number[]; stride: number[];
  padding: number[] | "same" | "valid"; dilation: number[]; groups: number; bias: boolean; outputPadding: number[];
}

function convConfig(config: ModuleConfig, n: number, transposed: boolean): ConvConfig {
  keys(config, ["inChannels", "outChannels", "kernelSize", "stride", "padding", "dilation", "groups", "bias", ...(transposed ? ["outputPadding"] : [])]);
  const zeros = new Array<number>(n).fill(0);
  const ones = new Array<number>(n).fill(1);
  const inChannels = int(config, "inChannels", undefined, 1, MAX_FEATURES);
  const outChannels = int(config, "outChannels", undefined, 1, MAX_FEATURES);
  const groups = int(config, "groups", 1, 1, MAX_FEATURES);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new RangeError(`config.groups ${groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
  }
  const pad = get(config, "padding");
  const padding = !transposed && (pad === "same" || pad === "valid") ? pad : ints(config, "padding", n, zeros, 0, MAX_SIZE);
  return {
    inChannels, outChannels, groups,
    kernelSize: ints(config, "kernelSize", n, undefined, 1, MAX_SIZE),
    stride: ints(config, "stride", n, ones, 1, MAX_SIZE),
    padding,
    dilation: ints(config, "dilation", n, ones, 1, MAX_SIZE),
    bias: bool(config, "bias", true),
    outputPadding: transposed ? ints(config, "outputPadding", n, zeros, 0, MAX_SIZE) : zeros,
  };
}

function convToConfig(m: Conv1d | Conv2d | ConvTranspose2d): ModuleConfig {
  const out: ModuleConfig = {
    inChannels: m.inChannels, outChannels: m.outChannels, kernelSize: m.kernelSize.slice(), stride: m.stride.slice(),
    padding: typeof m.padding === "string" ? m.padding : m.padding.slice(), dilation: m.dilation.slice(),
    groups: m.groups, bias: m.bias !== null,
  };
  if (m instanceof ConvTranspose2d) out.outputPadding = m.outputPadding.slice();
  return out;
}

function convParamCount(c: ConvConfig, transposed: boolean): number {
  const k = c.kernelSize.reduce((a, b) => a * b, 1);
  const w = transposed ? c.inChannels * (c.outChannels / c.groups) * k : c.outChannels * (c.inChannels / c.groups) * k;
  return w + (c.bias ? c.outChannels : 0);
}

function convSpec<M extends Conv1d | Conv2d | ConvTranspose2d>(
  cls: abstract new (...args: any[]) => M, n: number, transposed: boolean, build: (c: ConvConfig) => M,
): ModuleSpec<M> {
  return {
    moduleClass: cls,
    toConfig: convToConfig,
    fromConfig: (config) => build(convConfig(config, n, transposed)),
    paramCount: (config) => convParamCount(convConfig(config, n, transposed), transposed),
  };
}

function nullableSize(v: JsonValue | undefined, key: string): number | null {
  if (v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_FEATURES) {
    throw new RangeError(`config.${key} entries must be null or integers in [1, ${MAX_FEATURES}], got ${what(v)}`);
  }
  return v;
}

export function installConvModules(reg: <M extends Module>(name: string, spec: ModuleSpec<M>) => void): void {
  reg("Conv2d", convSpec(Conv2d, 2, false, (c) => new Conv2d(c.inChannels, c.outChannels, c.kernelSize as [number, number], {
    stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, bias: c.bias,
  })));
  reg("Conv1d", convSpec(Conv1d, 1, false, (c) => new Conv1d(c.inChannels, c.outChannels, c.kernelSize as [number], {
    stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, bias: c.bias,
  })));
  reg("ConvTranspose2d", convSpec(ConvTranspose2d, 2, true, (c) => new ConvTranspose2d(c.inChannels, c.outChannels, c.kernelSize as [number, number], {
    stride: c.stride, padding: c.padding as number[], outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups, bias: c.bias,
  })));

  reg("MaxPool2d", {
    moduleClass: MaxPool2d,
    toConfig: (m) => ({ kernelSize: m.kernelSize.slice(), stride: m.stride.slice(), padding: m.padding.slice(), dilation: m.dilation.slice(), ceilMode: m.ceilMode }),
    fromConfig: (config) => {
      keys(config, ["kernelSize", "stride", "padding", "dilation", "ceilMode"]);
      const kernelSize = ints(config, "kernelSize", 2, undefined, 1, MAX_SIZE) as [number, number];
      return new MaxPool2d(kernelSize, {
        stride: ints(config, "stride", 2, kernelSize, 1, MAX_SIZE) as [number, number],
        padding: ints(config, "padding", 2, [0, 0], 0, MAX_SIZE) as [number, number],
        dilation: ints(config, "dilation", 2, [1, 1], 1, MAX_SIZE) as [number, number],
        ceilMode: bool(config, "ceilMode", false),
      });
    },
    paramCount: () => 0,
  });
  reg("AvgPool2d", {
    moduleClass: AvgPool2d,
    toConfig: (m) => ({
      kernelSize: m.kernelSize.slice(), stride: m.stride.slice(), padding: m.padding.slice(), ceilMode: m.ceilMode,
      countIncludePad: m.countIncludePad, divisorOverride: m.divisorOverride,
    }),
    fromConfig: (config) => {
      keys(config, ["kernelSize", "stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"]);
      const kernelSize = ints(config, "kernelSize", 2, undefined, 1, MAX_SIZE) as [number, number];
      const div = get(config, "divisorOverride") ?? null;
      return new AvgPool2d(kernelSize, {
        stride: ints(config, "stride", 2, kernelSize, 1, MAX_SIZE) as [number, number],
        padding: ints(config, "padding", 2, [0, 0], 0, MAX_SIZE) as [number, number],
        ceilMode: bool(config, "ceilMode", false),
        countIncludePad: bool(config, "countIncludePad", true),
        divisorOverride: div === null ? null : int(config, "divisorOverride", undefined, 1, 2 ** 30),
      });
    },
    paramCount: () => 0,
  });
  reg("AdaptiveAvgPool2d", {
    moduleClass: AdaptiveAvgPool2d,
    toConfig: (m) => ({ outputSize: m.outputSize.slice() }),
    fromConfig: (config) => {
      keys(config, ["outputSize"]);
      const v = get(config, "outputSize");
      if (!Array.isArray(v) || v.length !== 2) throw new RangeError(`config.outputSize must be an array of 2 entries, got ${what(v)}`);
      return new AdaptiveAvgPool2d([nullableSize(v[0], "outputSize"), nullableSize(v[1], "outputSize")]);
    },
    paramCount: () => 0,
  });
  reg("Upsample", {
    moduleClass: Upsample,
    toConfig: (m) => ({
      size: Array.isArray(m.size) ? m.size.slice() : m.size,
      scaleFactor: Array.isArray(m.scaleFactor) ? m.scaleFactor.slice() : m.scaleFactor,
      mode: m.mode,
    }),
    fromConfig: (config) => {
      keys(config, ["size", "scaleFactor", "mode"]);
      const size = get(config, "size") ?? null;
      const scaleFactor = get(config, "scaleFactor") ?? null;
      const mode = get(config, "mode") ?? "nearest";
      if (mode !== "nearest") throw new RangeError(`config.mode must be "nearest", got ${what(mode)}`);
      // nn.Upsample checks sizes and factors itself; only the JSON types are checked here
      const numbers = (v: JsonValue): v is number | number[] =>
        typeof v === "number" || (Array.isArray(v) && v.length <= 2 && v.every((x) => typeof x === "number"));
      if (size !== null && !numbers(size)) throw new RangeError(`config.size must be null, a number or 1-2 numbers, got ${what(size)}`);
      if (scaleFactor !== null && !numbers(scaleFactor)) {
        throw new RangeError(`config.scaleFactor must be null, a number or 1-2 numbers, got ${what(scaleFactor)}`);
      }
      return new Upsample({ size: size as number | number[] | null, scaleFactor: scaleFactor as number | number[] | null, mode });
    },
    paramCount: () => 0,
  });
}
