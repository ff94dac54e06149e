// nn.Module: parameters, buffers and child modules with PyTorch's names, so state-dict keys
// ("0.weight", "encoder.1.bias") match torch.nn exactly. Modules are callable: model(x)
// runs model.forward(x).
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { noGrad } from "../autograd";
import { keep } from "../scope";
import { fmt, sameShape, describe } from "../shape";

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export interface Module {
  /** Calling a module runs its forward. */
  (...inputs: any[]): any;
}

export abstract class Module {
  /** Train mode (dropout active, batch statistics) or eval mode. */
  declare training: boolean;
  declare protected _parameters: Map<string, Tensor | null>;
  declare protected _buffers: Map<string, Tensor | null>;
  declare protected _modules: Map<string, Module>;

  constructor() {
    // A function object with this class's prototype, so the instance itself is callable.
    const self = function (this: unknown, ...inputs: unknown[]) {
      return (self as unknown as Module).forward(...inputs);
    } as unknown as Module;
    // A function's own `name` and `length` would shadow members of that name.
    delete (self as any).name;
    delete (self as any).length;
    Object.setPrototypeOf(self, new.target.prototype);
    Object.defineProperty(self, "_parameters", { value: new Map(), enumerable: false });
    Object.defineProperty(self, "_buffers", { value: new Map(), enumerable: false });
    Object.defineProperty(self, "_modules", { value: new Map(), enumerable: false });
    self.training = true;
    return self;
  }

  abstract forward(...inputs: any[]): any;

  /** The class name PyTorch would print (Linear, Sequential, ...). */
  get typeName(): string {
    return this.constructor.name;
  }

  /** Register (or replace) a parameter: it requires grad and lives outside memory scopes. */
  registerParameter(name: string, t: Tensor | null): Tensor | null {
    checkName("registerParameter", name);
    if (t) {
      checkTensor("registerParameter", name, t);
      keep(t);
      t.requiresGrad = true;
    }
    this._parameters.set(name, t);
    return t;
  }

  /** Register state that is saved with the module but not trained (e.g. running statistics). */
  registerBuffer(name: string, t: Tensor | null): Tensor | null {
    checkName("registerBuffer", name);
    if (t) keep(checkTensor("registerBuffer", name, t));
    this._buffers.set(name, t);
    return t;
  }

  registerModule(name: string, m: Module): Module {
    checkName("registerModule", name);
    if (!(m instanceof Module)) throw new TypeError(`registerModule: ${name} must be a Module, got ${describe(m)}`);
    this._modules.set(name, m);
    return m;
  }

  /** Direct children, in registration order. */
  children(): Module[] {
    return [...this._modules.values()];
  }

  namedChildren(): [string, Module][] {
    return [...this._modules.entries()];
  }

  /** This module and every descendant, with dotted names ("" for this one). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this._modules) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter with its dotted name, each once. */
  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m._parameters) {
        if (p && !seen.has(p)) {
          seen.add(p);
          out.push([prefix ? `${prefix}.${name}` : name, p]);
        }
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, b] of m._buffers) if (b) out.push([prefix ? `${prefix}.${name}` : name, b]);
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Set train (true) or eval (false) mode on this module and every descendant. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Turn gradients on or off for every parameter (freeze layers for transfer learning). */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /**
   * Reset every parameter's gradient: zero it in place (PyTorch 1.13's default), or free it
   * with { setToNone: true }.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (options.setToNone) {
        p.grad.dispose();
        p.grad = null;
      } else {
        getEngine("zeroGrad").core.fill_f32(p.grad.ptr, p.grad.size, 0);
      }
    }
  }

  /** Parameters and buffers by dotted name. The tensors are the module's own (not copies). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m._parameters) if (p) out[prefix ? `${prefix}.${name}` : name] = p;
      for (const [name, b] of m._buffers) if (b) out[prefix ? `${prefix}.${name}` : name] = b;
    }
    return out;
  }

  /**
   * Copy values from a state dict into this module's tensors. Shapes must match. With strict
   * (the default) missing or unexpected keys are an error; otherwise they are reported.
   */
  loadStateDict(dict: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const entries = dict instanceof Map ? dict : new Map(Object.entries(dict ?? {}));
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !entries.has(k));
    const unexpectedKeys = [...entries.keys()].filter((k) => !(k in own));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      throw new Error(
        `loadStateDict: ${this.typeName} ` +
          (missingKeys.length ? `is missing keys ${missingKeys.join(", ")}` : "") +
          (missingKeys.length && unexpectedKeys.length ? "; " : "") +
          (unexpectedKeys.length ? `got unexpected keys ${unexpectedKeys.join(", ")}` : ""),
      );
    }
    // Check every shape before changing anything, so a bad dict leaves the module untouched.
    for (const [key, src] of entries) {
      const dst = own[key];
      if (!dst) continue;
      checkTensor("loadStateDict", key, src);
      if (!sameShape(dst.shape, src.shape)) {
        throw new RangeError(`loadStateDict: ${key} has shape ${fmt(src.shape)} in the dict but ${fmt(dst.shape)} in the module`);
      }
    }
    noGrad(() => {
      const core = getEngine("loadStateDict").core;
      for (const [key, src] of entries) {
        const dst = own[key];
        if (dst && dst !== src) core.copy_f32(dst.ptr, src.ptr, dst.size);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Free every parameter and buffer (and their gradients). */
  dispose(): void {
    for (const t of this.parameters()) t.dispose();
    for (const t of this.buffers()) t.dispose();
  }

  /** Extra text for toString, e.g. "in_features=4, out_features=2, bias=true". */
  extraRepr(): string {
    return "";
  }

  toString(): string {
    const kids = this.namedChildren();
    if (!kids.length) return `${this.typeName}(${this.extraRepr()})`;
    const lines = kids.map(([n, m]) => `  (${n}): ${m.toString().replace(/\n/g, "\n  ")}`);
    return `${this.typeName}(\n${lines.join("\n")}\n)`;
  }
}

function checkName(op: string, name: string): void {
  if (typeof name !== "string" || name === "" || name.includes(".")) {
    throw new TypeError(`${op}: name must be a non-empty string without dots, got ${describe(name)}`);
  }
}
