// The module registry behind saveModel/loadModel: for each type name, how to turn a module
// into a small JSON config (toConfig) and how to build a fresh module from that config
// (fromConfig). Every module of nn is registered here; later layers and user modules add
// themselves with io.registerModule(typeName, spec).
//
// fromConfig runs on configs read from files, so it must validate them: the helpers below
// check types and ranges and refuse unknown keys, and paramCount lets loadModel refuse a
// layer bigger than the file's tensors before allocating it.
import { Module } from "../nn/module";
import { Linear, Identity, Flatten, Dropout } from "../nn/linear";
import { Sequential } from "../nn/sequential";
import { ReLU, Sigmoid, Tanh, SELU, SiLU, LeakyReLU, ELU, GELU, Softplus, Softmax, LogSoftmax } from "../nn/activation";
import { MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss, KLDivLoss } from "../nn/loss";
import { zeros } from "../ops/creation";
import { what } from "./safetensors";
import { keys, get, int, num, bool, oneOf, MAX_FEATURES, MAX_DIM } from "./config";
import { installConvModules } from "./registry-conv";
import { installNormModules } from "./registry-norm";
import { installRecurrentModules } from "./registry-rnn";
import { installGraphModules } from "./registry-graph";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type ModuleConfig = { [key: string]: JsonValue };

export interface ModuleSpec<M extends Module = Module> {
  /**
   * The class this entry describes. Modules are matched by their exact constructor, so
   * minified class names do not matter and an unregistered subclass is not mistaken for its
   * parent. Without it, modules match when module.typeName equals the registered name.
   */
  moduleClass?: abstract new (...args: any[]) => M;
  /** The constructor arguments of `module` as a JSON object (finite numbers, strings, booleans, arrays, objects). */
  toConfig(module: M): ModuleConfig;
  /**
   * A new module from a config read from a file (validate it: files may be hostile).
   * `children` are the already-rebuilt child modules in order, with their names in
   * `childNames`; a container must register them under those names.
   */
  fromConfig(config: ModuleConfig, children: Module[], childNames: string[]): M;
  /**
   * How many float32 values the module's own parameters and buffers (not its children's)
   * will hold for `config`. loadModel checks it against the file before building anything,
   * so a hostile file cannot make a huge layer. Optional: without it the check happens right
   * after fromConfig returns.
   */
  paramCount?(config: ModuleConfig): number;
  /** fromConfig builds the children itself: they are neither written to nor read from the architecture. */
  ownsChildren?: boolean;
}

interface Entry {
  typeName: string;
  spec: ModuleSpec<any>;
}

const byName = new Map<string, Entry>();
const byClass = new Map<Function, Entry>();
let builtinsInstalled = false;

/** Register (or replace) how modules of `typeName` are saved and rebuilt by saveModel/loadModel. */
export function registerModule<M extends Module>(typeName: string, spec: ModuleSpec<M>): void {
  installBuiltins();
  add(typeName, spec, "registerModule");
}

function add(typeName: string, spec: ModuleSpec<any>, op: string): void {
  if (typeof typeName !== "string" || typeName.length === 0 || typeName.length > 200) {
    throw new TypeError(`${op}: typeName must be a non-empty string of at most 200 characters, got ${what(typeName)}`);
  }
  if (spec === null || typeof spec !== "object") throw new TypeError(`${op}: spec for ${typeName} must be an object, got ${what(spec)}`);
  for (const fn of ["toConfig", "fromConfig"] as const) {
    if (typeof spec[fn] !== "function") throw new TypeError(`${op}: spec.${fn} for ${typeName} must be a function, got ${what(spec[fn])}`);
  }
  if (spec.paramCount !== undefined && typeof spec.paramCount !== "function") {
    throw new TypeError(`${op}: spec.paramCount for ${typeName} must be a function, got ${what(spec.paramCount)}`);
  }
  if (spec.moduleClass !== undefined && typeof spec.moduleClass !== "function") {
    throw new TypeError(`${op}: spec.moduleClass for ${typeName} must be a class, got ${what(spec.moduleClass)}`);
  }
  const old = byName.get(typeName);
  if (old?.spec.moduleClass) byClass.delete(old.spec.moduleClass);
  const entry: Entry = { typeName, spec };
  byName.set(typeName, entry);
  if (spec.moduleClass) byClass.set(spec.moduleClass, entry);
}

/** The registry entry that serializes `m`, or null. */
export function entryForModule(m: Module): Entry | null {
  installBuiltins();
  const exact = byClass.get(m.constructor);
  if (exact) return exact;
  const named = byName.get(m.typeName);
  return named && !named.spec.moduleClass ? named : null;
}

export function entryForType(typeName: string): Entry | null {
  installBuiltins();
  return byName.get(typeName) ?? null;
}

function linearConfig(config: ModuleConfig): { inFeatures: number; outFeatures: number; bias: boolean } {
  keys(config, ["inFeatures", "outFeatures", "bias"]);
  return {
    inFeatures: int(config, "inFeatures", undefined, 1, MAX_FEATURES),
    outFeatures: int(config, "outFeatures", undefined, 1, MAX_FEATURES),
    bias: bool(config, "bias", true),
  };
}

/** A module whose constructor takes no arguments (config {}). */
function plain<M extends Module>(cls: new () => M): ModuleSpec<M> {
  return {
    moduleClass: cls,
    toConfig: () => ({}),
    fromConfig: (config) => {
      keys(config, []);
      return new cls();
    },
  };
}

const REDUCTIONS = ["mean", "sum", "none"] as const;

function lossSpec<M extends Module & { reduction: string }>(
  cls: new (options: any) => M,
  extra: { [key: string]: [(m: M) => JsonValue, (config: ModuleConfig) => unknown] } = {},
  reductions: readonly string[] = REDUCTIONS,
): ModuleSpec<M> {
  const names = ["reduction", ...Object.keys(extra)];
  return {
    moduleClass: cls,
    toConfig: (m) => {
      const out: ModuleConfig = { reduction: m.reduction };
      for (const [k, [read]] of Object.entries(extra)) out[k] = read(m);
      return out;
    },
    fromConfig: (config) => {
      keys(config, names);
      const options: Record<string, unknown> = { reduction: oneOf(config, "reduction", "mean", reductions) };
      for (const [k, [, parse]] of Object.entries(extra)) options[k] = parse(config);
      return new cls(options);
    },
  };
}

function installBuiltins(): void {
  if (builtinsInstalled) return;
  builtinsInstalled = true;
  const reg = <M extends Module>(name: string, spec: ModuleSpec<M>) => add(name, spec, "registerModule");

  reg("Linear", {
    moduleClass: Linear,
    toConfig: (m) => ({ inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias !== null }),
    fromConfig: (config) => {
      const c = linearConfig(config);
      return new Linear(c.inFeatures, c.outFeatures, { bias: c.bias });
    },
    paramCount: (config) => {
      const c = linearConfig(config);
      return c.inFeatures * c.outFeatures + (c.bias ? c.outFeatures : 0);
    },
  });
  reg("Identity", plain(Identity));
  reg("Flatten", {
    moduleClass: Flatten,
    toConfig: (m) => ({ startDim: m.startDim, endDim: m.endDim }),
    fromConfig: (config) => {
      keys(config, ["startDim", "endDim"]);
      return new Flatten(int(config, "startDim", 1, -MAX_DIM, MAX_DIM), int(config, "endDim", -1, -MAX_DIM, MAX_DIM));
    },
  });
  reg("Dropout", {
    moduleClass: Dropout,
    toConfig: (m) => ({ p: m.p }),
    fromConfig: (config) => {
      keys(config, ["p"]);
      return new Dropout(num(config, "p", 0.5, (p) => p >= 0 && p <= 1, "a number in [0, 1]"));
    },
  });
  reg("Sequential", {
    moduleClass: Sequential,
    toConfig: () => ({}),
    fromConfig: (config, children) => {
      keys(config, []);
      return new Sequential(...children);
    },
  });
  reg("ReLU", plain(ReLU));
  reg("Sigmoid", plain(Sigmoid));
  reg("Tanh", plain(Tanh));
  reg("SELU", plain(SELU));
  reg("SiLU", plain(SiLU));
  reg("LeakyReLU", {
    moduleClass: LeakyReLU,
    toConfig: (m) => ({ negativeSlope: m.negativeSlope }),
    fromConfig: (config) => {
      keys(config, ["negativeSlope"]);
      return new LeakyReLU(num(config, "negativeSlope", 0.01));
    },
  });
  reg("ELU", {
    moduleClass: ELU,
    toConfig: (m) => ({ alpha: m.alpha }),
    fromConfig: (config) => {
      keys(config, ["alpha"]);
      return new ELU(num(config, "alpha", 1));
    },
  });
  reg("GELU", {
    moduleClass: GELU,
    toConfig: (m) => ({ approximate: m.approximate }),
    fromConfig: (config) => {
      keys(config, ["approximate"]);
      return new GELU(oneOf(config, "approximate", "none", ["none", "tanh"] as const));
    },
  });
  reg("Softplus", {
    moduleClass: Softplus,
    toConfig: (m) => ({ beta: m.beta, threshold: m.threshold }),
    fromConfig: (config) => {
      keys(config, ["beta", "threshold"]);
      return new Softplus(num(config, "beta", 1, (b) => b !== 0, "a finite nonzero number"), num(config, "threshold", 20));
    },
  });
  for (const [name, cls] of [["Softmax", Softmax], ["LogSoftmax", LogSoftmax]] as const) {
    reg(name, {
      moduleClass: cls,
      toConfig: (m: Softmax | LogSoftmax) => ({ dim: m.dim }),
      fromConfig: (config) => {
        keys(config, ["dim"]);
        return new cls(int(config, "dim", -1, -MAX_DIM, MAX_DIM));
      },
    });
  }
  reg("MSELoss", lossSpec(MSELoss));
  reg("L1Loss", lossSpec(L1Loss));
  reg("BCELoss", lossSpec(BCELoss));
  reg("BCEWithLogitsLoss", lossSpec(BCEWithLogitsLoss));
  reg("HuberLoss", lossSpec(HuberLoss, {
    delta: [(m) => m.delta, (c) => num(c, "delta", 1, (d) => d > 0, "a finite number > 0")],
  }));
  // config.weight: the length of the per-class weight buffer (its values travel in the state dict), or null
  const nllWeight = (c: ModuleConfig) => (get(c, "weight") == null ? 0 : int(c, "weight", 0, 1, MAX_FEATURES));
  const classWeight: [(m: NLLLoss | CrossEntropyLoss) => JsonValue, (c: ModuleConfig) => unknown] = [
    (m) => m.weight?.shape[0] ?? null,
    (c) => (nllWeight(c) ? zeros([nllWeight(c)]) : null),
  ];
  reg("CrossEntropyLoss", {
    ...lossSpec(CrossEntropyLoss, {
      labelSmoothing: [(m) => m.labelSmoothing, (c) => num(c, "labelSmoothing", 0, (s) => s >= 0 && s <= 1, "a number in [0, 1]")],
      ignoreIndex: [(m) => m.ignoreIndex, (c) => int(c, "ignoreIndex", -100, -(2 ** 31), 2 ** 31 - 1)],
      weight: classWeight,
    }),
    paramCount: nllWeight,
  });
  reg("SmoothL1Loss", lossSpec(SmoothL1Loss, {
    beta: [(m) => m.beta, (c) => num(c, "beta", 1, (b) => b >= 0, "a finite number >= 0")],
  }));
  reg("KLDivLoss", lossSpec(KLDivLoss, { logTarget: [(m) => m.logTarget, (c) => bool(c, "logTarget", false)] }, [...REDUCTIONS, "batchmean"]));
  reg("NLLLoss", {
    ...lossSpec(NLLLoss, {
      ignoreIndex: [(m) => m.ignoreIndex, (c) => int(c, "ignoreIndex", -100, -(2 ** 31), 2 ** 31 - 1)],
      weight: classWeight,
    }),
    paramCount: nllWeight,
  });
  // Families of layers beyond the dense ones, each in its own file.
  installConvModules(reg);
  installNormModules(reg);
  installRecurrentModules(reg);
  installGraphModules(reg);
}
