// torch.optim.Optimizer: parameter groups with their own hyperparameters, per-parameter state, zeroGrad, step
// and PyTorch-shaped state dicts. Subclasses describe their options and run one fused wasm kernel per
// parameter (assembly/kernels/optim.ts). State tensors live outside memory scopes (keep()) until dispose().
import { Tensor } from "../tensor";
import { getEngine } from "../engine";
import type { Core } from "../core";
import { noGrad } from "../autograd";
import { keep } from "../scope";
import { empty, full } from "../ops/creation";
import { fmt, describe } from "../shape";

/** A value in a parameter's optimizer state: a tensor the optimizer owns, a counter, or an absent buffer. */
export type StateValue = Tensor | number | null;
export type ParamState = Record<string, StateValue>;

/** A parameter group as the optimizer keeps it: the tensors and every hyperparameter, defaults filled in. */
export type ParamGroup<O = Record<string, unknown>> = O & {
  params: Tensor[];
  lr: number;
  /** Set by the first learning-rate scheduler attached (PyTorch's `initial_lr`). */
  initialLr?: number;
  [extra: string]: unknown;
};

/** A parameter group as given to a constructor: its tensors and any hyperparameters it overrides. */
export type ParamGroupInput<O = Record<string, unknown>> = Partial<O> & {
  params: Iterable<Tensor> | Tensor;
  [extra: string]: unknown;
};

/** Tensors to optimize (one group), or groups with their own hyperparameters. */
export type Params<O = Record<string, unknown>> = Iterable<Tensor> | ParamGroupInput<O>[];

/**
 * PyTorch's optimizer state-dict structure and key names: `state` maps a parameter's index (its position
 * across all groups, in order) to its state (`step`, `exp_avg`, ...); `param_groups` lists each group's
 * hyperparameters (snake_case, as torch names them) with `params` holding the indices. The tensors in
 * `state` are the optimizer's own (not copies), as in torch and Module.stateDict().
 */
export interface OptimizerStateDict {
  state: Record<number, Record<string, StateValue>>;
  param_groups: Record<string, unknown>[];
}

/** Values loadStateDict accepts for a state entry: tensors, or flat numbers (e.g. parsed from JSON). */
export type LoadableStateValue = StateValue | number[] | Float32Array | boolean;
export interface LoadableOptimizerStateDict {
  state: Record<number | string, Record<string, LoadableStateValue>>;
  param_groups: Record<string, unknown>[];
}

/** Marks an option without a default (SGD's lr): every group must give it. */
export const REQUIRED = Symbol("required");

/** One hyperparameter: its option name, torch's state-dict name, default and validity check. */
export interface OptionSpec {
  key: string;
  torch: string;
  default: unknown;
  /** Returns an error message ("invalid learning rate: -1") or null. */
  check(value: unknown): string | null;
}

/** A non-negative number (PyTorch's `0.0 <= value` checks; NaN fails them). */
export function nonNegative(key: string, torch: string, def: unknown, label: string): OptionSpec {
  return {
    key, torch, default: def,
    check: (v) => (typeof v !== "number" ? `${key} must be a number, got ${describe(v)}` : v >= 0 ? null : `invalid ${label}: ${v}`),
  };
}

export function boolean(key: string, torch: string, def: boolean): OptionSpec {
  return { key, torch, default: def, check: (v) => (typeof v === "boolean" ? null : `${key} must be a boolean, got ${describe(v)}`) };
}

export function finiteNumber(key: string, torch: string, def: unknown): OptionSpec {
  return {
    key, torch, default: def,
    check: (v) => (typeof v === "number" && Number.isFinite(v) ? null : `${key} must be a finite number, got ${describe(v)}`),
  };
}

export const lrSpec = (def: unknown): OptionSpec => nonNegative("lr", "lr", def, "learning rate");
export const maximizeSpec: OptionSpec = boolean("maximize", "maximize", false);

const INITIAL_LR = { key: "initialLr", torch: "initial_lr" };

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export abstract class Optimizer<O extends object = Record<string, unknown>> {
  /** The defaults every group starts from (constructor options with the optimizer's defaults filled in). */
  readonly defaults: Record<string, unknown>;
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created at a parameter's first step (Adagrad: at construction, as in torch). */
  readonly state = new Map<Tensor, ParamState>();
  /** The class name used in messages ("Adam"). */
  readonly name: string;
  private readonly specs: OptionSpec[];

  protected constructor(name: string, params: Params<O>, options: Partial<O> | undefined, specs: OptionSpec[]) {
    this.name = name;
    this.specs = specs;
    if (options !== undefined && (options === null || typeof options !== "object" || Array.isArray(options))) {
      throw new TypeError(`${name}: options must be an object, got ${describe(options)}`);
    }
    const opts = (options ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(opts)) {
      if (!specs.some((s) => s.key === k)) throw new TypeError(`${name}: unknown option ${k}${this.hint(k)}`);
    }
    const defaults: Record<string, unknown> = {};
    for (const s of specs) {
      const v = opts[s.key] !== undefined ? opts[s.key] : s.default;
      if (v === REQUIRED) continue;
      const msg = s.check(v);
      if (msg) throw new RangeError(`${name}: ${msg}`);
      defaults[s.key] = Array.isArray(v) ? v.slice() : v;
    }
    this.checkOptions(defaults, "");
    this.defaults = defaults;

    if (params instanceof Tensor) {
      throw new TypeError(`${name}: params must be an array of Tensors or of param groups, got a single Tensor; wrap it in [ ]`);
    }
    if (params === null || typeof params !== "object" || typeof (params as any)[Symbol.iterator] !== "function") {
      throw new TypeError(`${name}: params must be an array of Tensors or of param groups, got ${describe(params)}`);
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new RangeError(`${name}: got an empty parameter list`);
    const groups = (list[0] instanceof Tensor ? [{ params: list }] : list) as ParamGroupInput<O>[];
    try {
      for (const g of groups) this.addParamGroup(g);
    } catch (err) {
      this.disposeState(); // state created eagerly for earlier groups (Adagrad) must not leak
      throw err;
    }
  }

  /** Add a group of parameters (with its own hyperparameters) to optimize from now on (add_param_group). */
  addParamGroup(group: ParamGroupInput<O>): void {
    const where = this.paramGroups.length;
    const op = this.name;
    if (group === null || typeof group !== "object" || group instanceof Tensor || Array.isArray(group)) {
      throw new TypeError(`${op}: param group ${where} must be an object { params, ...options }, got ${describe(group)}`);
    }
    const raw = group as Record<string, unknown>;
    let params: unknown = raw.params;
    if (params instanceof Tensor) params = [params];
    if (params === null || typeof params !== "object" || typeof (params as any)[Symbol.iterator] !== "function") {
      throw new TypeError(`${op}: param group ${where}: params must be an array of Tensors, got ${describe(raw.params)}`);
    }
    const tensors = [...(params as Iterable<unknown>)];
    const seen = new Set<Tensor>();
    tensors.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${op}: param group ${where}: params[${i}] must be a Tensor, got ${describe(p)}`);
      if (p.isDisposed) throw new Error(`${op}: param group ${where}: params[${i}] (shape ${fmt(p.shape)}) was disposed`);
      if (!p.isLeaf) throw new Error(`${op}: param group ${where}: params[${i}] (shape ${fmt(p.shape)}) is not a leaf tensor; optimize leaves (detach it first)`);
      if (seen.has(p)) throw new Error(`${op}: param group ${where}: params[${i}] (shape ${fmt(p.shape)}) appears twice in the group`);
      seen.add(p);
      for (const [gi, g] of this.paramGroups.entries()) {
        if (g.params.includes(p)) {
          throw new Error(`${op}: param group ${where}: params[${i}] (shape ${fmt(p.shape)}) is already in param group ${gi}; a parameter may appear in only one group`);
        }
      }
    });
    const out: Record<string, unknown> = { params: tensors };
    for (const [k, v] of Object.entries(raw)) {
      if (k === "params") continue;
      const hint = this.hint(k);
      if (hint) throw new TypeError(`${op}: param group ${where}: unknown option ${k}${hint}`);
      out[k] = Array.isArray(v) ? v.slice() : v;
    }
    for (const s of this.specs) {
      if (out[s.key] !== undefined) continue;
      if (!(s.key in this.defaults)) {
        throw new TypeError(`${op}: param group ${where} didn't specify a value of required optimization parameter ${s.key}`);
      }
      const d = this.defaults[s.key];
      out[s.key] = Array.isArray(d) ? d.slice() : d;
    }
    this.validateGroup(out, ` (param group ${where})`);
    const g = out as ParamGroup<O>;
    this.paramGroups.push(g);
    this.onAddGroup(g);
  }

  /** Hook: state created eagerly when a group is added (Adagrad). */
  protected onAddGroup(_group: ParamGroup<O>): void {}

  /** Check every hyperparameter of a group; throws naming the optimizer, the value and the group. */
  protected validateGroup(group: Record<string, unknown>, where: string): void {
    for (const s of this.specs) {
      const msg = s.check(group[s.key]);
      if (msg) throw new RangeError(`${this.name}: ${msg}${where}`);
    }
    if (group.initialLr !== undefined && typeof group.initialLr !== "number") {
      throw new TypeError(`${this.name}: initialLr must be a number, got ${describe(group.initialLr)}${where}`);
    }
    this.checkOptions(group, where);
  }

  /** Hook: checks across options (SGD's nesterov needs momentum). */
  protected checkOptions(_options: Record<string, unknown>, _where: string): void {}

  private hint(k: string): string {
    const c = camel(k);
    if (c !== k && (this.specs.some((s) => s.key === c) || c === INITIAL_LR.key)) return ` (did you mean ${c}?)`;
    return "";
  }

  /**
   * Reset every parameter's gradient: zero it in place (PyTorch 1.13's default, set_to_none=False), or with
   * { setToNone: true } free it and set .grad to null.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? false;
    const core = getEngine(`${this.name}.zeroGrad`).core;
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (!p.grad) continue;
        if (setToNone) {
          p.grad.dispose();
          p.grad = null;
        } else {
          core.fill_f32(p.grad.ptr, p.grad.size, 0);
        }
      }
    }
  }

  /**
   * One optimization step over every parameter that has a gradient (those with .grad null are skipped and
   * their state is left alone). Runs under noGrad. An optional closure re-evaluates the loss (with grad
   * enabled) first; its result is returned.
   */
  step<T = undefined>(closure?: () => T): T | undefined {
    const op = `${this.name}.step`;
    const core = getEngine(op).core;
    let loss: T | undefined;
    if (closure !== undefined) {
      if (typeof closure !== "function") throw new TypeError(`${op}: closure must be a function, got ${describe(closure)}`);
      loss = closure();
    }
    // Check everything before changing anything, so a bad gradient or option leaves every parameter as it was.
    this.paramGroups.forEach((g, gi) => {
      this.validateGroup(g, ` (param group ${gi})`);
      g.params.forEach((p, pi) => {
        const grad = p.grad;
        if (!grad) return;
        if (p.isDisposed) throw new Error(`${op}: parameter ${pi} of param group ${gi} (shape ${fmt(p.shape)}) was disposed`);
        if (grad.isDisposed) throw new Error(`${op}: the gradient of parameter ${pi} of param group ${gi} was disposed`);
        if (grad.size !== p.size) {
          throw new RangeError(
            `${op}: the gradient of parameter ${pi} of param group ${gi} has shape ${fmt(grad.shape)} but the parameter has shape ${fmt(p.shape)}`,
          );
        }
      });
    });
    noGrad(() => {
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          if (!p.grad) continue;
          let st = this.state.get(p);
          if (!st) {
            st = this.initState(p, g);
            this.state.set(p, st);
          }
          this.update(core, p, p.grad, g, st);
        }
      }
    });
    return loss;
  }

  /** A parameter's state at its first step. */
  protected abstract initState(p: Tensor, group: ParamGroup<O>): ParamState;

  /** Update one parameter in place with its gradient (one fused kernel call). */
  protected abstract update(core: Core, p: Tensor, grad: Tensor, group: ParamGroup<O>, state: ParamState): void;

  /** A state tensor shaped like p, filled with value (or uninitialized), owned by the optimizer. */
  protected stateTensor(p: Tensor, value: number | null = 0): Tensor {
    return keep(value === null ? empty(p.shape.slice()) : full(p.shape.slice(), value));
  }

  /** The optimizer's state and hyperparameters in PyTorch's structure and key names. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const param_groups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === "params") continue;
        packed[this.torchKey(k)] = Array.isArray(v) ? v.slice() : v;
      }
      packed.params = g.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return packed;
    });
    const state: Record<number, Record<string, StateValue>> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = { ...st };
    }
    return { state, param_groups };
  }

  /**
   * Load state and hyperparameters saved by stateDict() (here or by torch, converted): groups must match
   * this optimizer's in number and sizes. Tensors are copied, so the dict stays the caller's. Everything is
   * checked before anything changes.
   */
  loadStateDict(dict: LoadableOptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    if (dict === null || typeof dict !== "object" || typeof dict.state !== "object" || dict.state === null || !Array.isArray(dict.param_groups)) {
      throw new TypeError(`${op}: expected { state, param_groups } as stateDict() returns, got ${describe(dict)}`);
    }
    const saved = dict.param_groups;
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(`${op}: the state dict has ${saved.length} parameter groups, the optimizer ${this.paramGroups.length}`);
    }
    const idMap = new Map<number, Tensor>();
    const newGroups: Record<string, unknown>[] = [];
    saved.forEach((sg, gi) => {
      const mine = this.paramGroups[gi];
      const ids = sg?.params;
      if (!Array.isArray(ids)) throw new TypeError(`${op}: param group ${gi} of the state dict has no params list`);
      if (ids.length !== mine.params.length) {
        throw new RangeError(
          `${op}: param group ${gi} of the state dict has ${ids.length} parameters, the optimizer's group ${mine.params.length}`,
        );
      }
      ids.forEach((id, i) => idMap.set(Number(id), mine.params[i]));
      const g: Record<string, unknown> = { params: mine.params };
      for (const [k, v] of Object.entries(sg)) {
        if (k === "params") continue;
        g[this.camelKey(k)] = Array.isArray(v) ? v.slice() : v;
      }
      for (const s of this.specs) if (g[s.key] === undefined) g[s.key] = mine[s.key];
      this.validateGroup(g, ` (param group ${gi} of the state dict)`);
      newGroups.push(g);
    });

    const created: Tensor[] = [];
    const newState = new Map<Tensor, ParamState>();
    try {
      for (const [k, entry] of Object.entries(dict.state)) {
        const p = idMap.get(Number(k));
        if (!p) continue; // torch keeps state it cannot map; nothing here could use it
        if (entry === null || typeof entry !== "object") throw new TypeError(`${op}: state ${k} must be an object, got ${describe(entry)}`);
        const st: ParamState = {};
        for (const [key, v] of Object.entries(entry)) st[key] = this.loadValue(op, p, k, key, v, created);
        newState.set(p, st);
      }
    } catch (err) {
      for (const t of created) t.dispose();
      throw err;
    }
    this.disposeState();
    for (const [p, st] of newState) this.state.set(p, st);
    newGroups.forEach((g, gi) => {
      const target = this.paramGroups[gi] as Record<string, unknown>;
      for (const k of Object.keys(target)) if (!(k in g)) delete target[k];
      Object.assign(target, g);
    });
  }

  private loadValue(op: string, p: Tensor, k: string, key: string, v: LoadableStateValue, created: Tensor[]): StateValue {
    if (v === null || v === undefined) return null;
    if (typeof v === "number") return v;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (key === "step" && v instanceof Tensor && v.size === 1) return v.item();
    let data: Float32Array;
    if (v instanceof Tensor) {
      if (v.isDisposed) throw new Error(`${op}: state ${k}.${key} was disposed`);
      if (v.size !== p.size) {
        throw new RangeError(`${op}: state ${k}.${key} has shape ${fmt(v.shape)} but parameter ${k} has shape ${fmt(p.shape)}`);
      }
      const t = keep(empty(p.shape.slice()));
      created.push(t);
      getEngine(op).core.copy_f32(t.ptr, v.ptr, t.size);
      return t;
    }
    if (v instanceof Float32Array || Array.isArray(v)) {
      data = v instanceof Float32Array ? v : Float32Array.from(v as number[]);
      if (data.length !== p.size) {
        throw new RangeError(`${op}: state ${k}.${key} has ${data.length} values but parameter ${k} has shape ${fmt(p.shape)}`);
      }
      const t = keep(empty(p.shape.slice()));
      created.push(t);
      getEngine(op).f32(t.ptr, t.size).set(data);
      return t;
    }
    throw new TypeError(`${op}: state ${k}.${key} must be a Tensor, a number, an array of numbers or null, got ${describe(v)}`);
  }

  private torchKey(k: string): string {
    if (k === INITIAL_LR.key) return INITIAL_LR.torch;
    return this.specs.find((s) => s.key === k)?.torch ?? k;
  }

  private camelKey(k: string): string {
    if (k === INITIAL_LR.torch) return INITIAL_LR.key;
    return this.specs.find((s) => s.torch === k)?.key ?? k;
  }

  private disposeState(): void {
    for (const st of this.state.values()) {
      for (const v of Object.values(st)) if (v instanceof Tensor) v.dispose();
    }
    this.state.clear();
  }

  /** Free every state tensor (the parameters are not the optimizer's and stay). */
  dispose(): void {
    this.disposeState();
  }

  toString(): string {
    const lines = this.paramGroups.map((g, i) => {
      const opts = Object.entries(g)
        .filter(([k]) => k !== "params")
        .map(([k, v]) => `    ${k}: ${Array.isArray(v) ? `[${v.join(", ")}]` : String(v)}`);
      return `Parameter Group ${i}\n${opts.join("\n")}`;
    });
    return `${this.name} (\n${lines.join("\n")}\n)`;
  }
}
