// A Hopfield network: an associative memory of ±1 patterns with Hebbian weights, recalled by
// synchronous or asynchronous sign updates until a fixed point.
//
// Weights use the unnormalized Hebbian rule W = Σ_p p pᵀ with a zero diagonal (integer weights). The
// usual 1/n factor changes neither the fixed points nor any update (only the sign of a field
// matters) and would only scale the energy; integer weights keep every field and energy exact in
// float32, so ties (a zero field, where a neuron keeps its value) are detected exactly and the
// energy is compared without rounding. Exact while numPatterns · n < 2^24.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { zeros, tensor } from "../ops/creation";
import { Module } from "./module";
import { describe, fmt } from "../shape";

export interface RecallOptions {
  /** "async" (default): one neuron at a time in a seeded random order; "sync": all neurons at once. */
  mode?: "sync" | "async";
  /** Most steps to take (default 100). A step is one synchronous update, or one asynchronous sweep over all n neurons. */
  maxSteps?: number;
  /** Seed of the asynchronous update order (default 0). Recall never touches the global random stream. */
  seed?: number;
  /** Async only: also return the energy after every single-neuron update (default false). */
  traceUpdates?: boolean;
}

export interface RecallResult {
  /** The final state [n] (a new tensor). */
  state: Tensor;
  /** Steps that changed the state (the confirming step that changed nothing is not counted). */
  steps: number;
  /** energies[0] is the energy of the input, energies[k] after step k: E = -1/2 sᵀ W s. */
  energies: number[];
  /** Whether a fixed point was reached (a step, or sweep, that changed nothing). */
  converged: boolean;
  /** Sync only: stopped because the state came back to the one two steps earlier (a 2-cycle). */
  cycle: boolean;
  /** With traceUpdates (async): the energy after each single-neuron update, n per step. */
  updateEnergies?: Float64Array;
}

const EXACT = 2 ** 24;

/** Throw unless every value is exactly +1 or -1; names the op, argument, position and shape. */
function checkSigns(op: string, arg: string, t: Tensor): void {
  const v = getEngine(op).f32(t.ptr, t.size);
  const cols = t.shape[t.ndim - 1] || 1;
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 1 && v[i] !== -1) {
      const where = t.ndim === 2 ? `[${Math.floor(i / cols)}, ${i % cols}]` : `[${i}]`;
      throw new RangeError(`${op}: ${arg} must hold only +1 and -1, got ${v[i]} at ${where} (${arg} ${fmt(t.shape)})`);
    }
  }
}

function asTensor(op: string, arg: string, v: unknown): { t: Tensor; owned: boolean } {
  if (v instanceof Tensor) return { t: checkTensor(op, arg, v), owned: false };
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return { t: tensor(v as number[]), owned: true };
  throw new TypeError(`${op}: ${arg} must be a Tensor or an array of ±1 values, got ${describe(v)}`);
}

/** A nonzero 32-bit xorshift state from a seed (splitmix-style mixing). */
function seedState(seed: number): number {
  let z = (seed >>> 0) + 0x9e3779b9;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z = (z ^ (z >>> 16)) >>> 0;
  return z === 0 ? 1 : z;
}

/**
 * `new Hopfield(n)`: n binary neurons. store(patterns) adds ±1 patterns by the Hebbian rule;
 * recall(state, options) runs the dynamics to a fixed point; energy(state) gives -1/2 sᵀ W s. The
 * weights are the buffer "weight" [n, n], saved in the state dict.
 */
export class Hopfield extends Module {
  readonly n: number;
  readonly weight: Tensor;
  /** Patterns stored by this instance since construction or clear(). */
  numPatterns = 0;

  constructor(n: number) {
    super();
    if (typeof n !== "number" || !Number.isInteger(n) || n <= 0 || n >= EXACT) {
      throw new RangeError(`nn.Hopfield: n must be a positive integer below 2^24, got ${describe(n)}`);
    }
    this.n = n;
    this.weight = this.registerBuffer("weight", zeros([n, n]))!;
  }

  /**
   * Add patterns [P, n] (or one pattern [n]) of ±1 values: W += Σ_p p pᵀ, then the diagonal is set
   * to 0. Returns this.
   */
  store(patterns: Tensor | number[][] | number[]): this {
    const op = "Hopfield.store";
    const { t, owned } = asTensor(op, "patterns", patterns);
    try {
      const rows = t.ndim === 1 ? 1 : t.shape[0];
      if ((t.ndim !== 1 && t.ndim !== 2) || t.shape[t.ndim - 1] !== this.n) {
        throw new RangeError(`${op}: patterns must be [P, ${this.n}] or [${this.n}], got ${fmt(t.shape)}`);
      }
      checkSigns(op, "patterns", t);
      if ((this.numPatterns + rows) * this.n >= EXACT) {
        throw new RangeError(
          `${op}: ${this.numPatterns + rows} patterns of ${this.n} neurons would make fields too large to stay exact in float32 (P·n must stay below 2^24)`,
        );
      }
      if (rows > 0) {
        const e = getEngine(op);
        const c = e.core;
        const scratch = e.scratch(c.matmul_scratch_bytes(this.n, this.n, rows, 1, 0));
        c.matmul_f32(this.weight.ptr, t.ptr, t.ptr, this.n, this.n, rows, 1, 0, 1, scratch); // W += Pᵀ P
        c.hopfield_zero_diag_f32(this.weight.ptr, this.n);
      }
      this.numPatterns += rows;
      return this;
    } finally {
      if (owned) t.dispose();
    }
  }

  /** Forget every pattern (W = 0). */
  clear(): this {
    getEngine("Hopfield.clear").core.fill_f32(this.weight.ptr, this.n * this.n, 0);
    this.numPatterns = 0;
    return this;
  }

  private checkState(op: string, state: unknown): { t: Tensor; owned: boolean } {
    const s = asTensor(op, "state", state);
    if (s.t.ndim !== 1 || s.t.shape[0] !== this.n) {
      if (s.owned) s.t.dispose();
      throw new RangeError(`${op}: state must be [${this.n}], got ${fmt(s.t.shape)}`);
    }
    try {
      checkSigns(op, "state", s.t);
    } catch (err) {
      if (s.owned) s.t.dispose();
      throw err;
    }
    return s;
  }

  /** E(s) = -1/2 sᵀ W s for a ±1 state [n]. */
  energy(state: Tensor | number[]): number {
    const op = "Hopfield.energy";
    const { t, owned } = this.checkState(op, state);
    const value = getEngine(op).core.hopfield_energy_f32(this.weight.ptr, t.ptr, this.n);
    if (owned) t.dispose();
    return value;
  }

  /**
   * Run the dynamics from `state` ([n], ±1) until a fixed point or maxSteps: each neuron takes the
   * sign of its field h = W s (keeping its value when h = 0). Async updates (the default) visit the
   * neurons in a fresh seeded random order each sweep and never raise the energy; sync updates may
   * end in a 2-cycle, which stops the recall with cycle = true.
   */
  recall(state: Tensor | number[], options: RecallOptions = {}): RecallResult {
    const op = "Hopfield.recall";
    const mode = options.mode ?? "async";
    if (mode !== "sync" && mode !== "async") throw new RangeError(`${op}: mode must be "sync" or "async", got ${describe(mode)}`);
    const maxSteps = options.maxSteps ?? 100;
    if (typeof maxSteps !== "number" || !Number.isInteger(maxSteps) || maxSteps < 0) {
      throw new RangeError(`${op}: maxSteps must be a non-negative integer, got ${describe(maxSteps)}`);
    }
    const seed = options.seed ?? 0;
    if (typeof seed !== "number" || !Number.isInteger(seed)) throw new TypeError(`${op}: seed must be an integer, got ${describe(seed)}`);
    const input = this.checkState(op, state);
    const n = this.n;
    const e = getEngine(op);
    const s = input.t.detach(); // a copy: the caller's state is left as it was
    if (input.owned) input.t.dispose();
    const energies = [e.core.hopfield_energy_f32(this.weight.ptr, s.ptr, n)];
    const result: RecallResult = { state: s, steps: 0, energies, converged: false, cycle: false };
    if (mode === "sync") this.runSync(s, maxSteps, result);
    else this.runAsync(s, maxSteps, seed, !!options.traceUpdates, result);
    return result;
  }

  private runSync(s: Tensor, maxSteps: number, result: RecallResult): void {
    const op = "Hopfield.recall";
    const e = getEngine(op);
    const n = this.n;
    const next = Tensor.empty(op, [n]);
    const prev = Tensor.empty(op, [n]); // the state before the current one
    try {
      for (let step = 0; step < maxSteps; step++) {
        const changed = e.core.hopfield_sync_step_f32(next.ptr, s.ptr, this.weight.ptr, n);
        if (changed === 0) {
          result.converged = true;
          return;
        }
        const a = e.f32(next.ptr, n);
        const b = e.f32(prev.ptr, n);
        const backTwo = step > 0 && a.every((v, i) => v === b[i]);
        e.core.copy_f32(prev.ptr, s.ptr, n);
        e.core.copy_f32(s.ptr, next.ptr, n);
        result.steps++;
        result.energies.push(e.core.hopfield_energy_f32(this.weight.ptr, s.ptr, n));
        if (backTwo) {
          result.cycle = true;
          return;
        }
      }
    } finally {
      next.dispose();
      prev.dispose();
    }
  }

  private runAsync(s: Tensor, maxSteps: number, seed: number, trace: boolean, result: RecallResult): void {
    const op = "Hopfield.recall";
    const e = getEngine(op);
    const n = this.n;
    const order = e.core.alloc(n * 4); // i32 neuron order of one sweep
    const traceBuf = trace ? e.core.alloc(n * 8) : 0; // f64 energy after each update
    if (order === 0 || (trace && traceBuf === 0)) {
      if (order) e.core.free(order);
      throw new RangeError(`${op}: out of wasm memory for the update order of ${n} neurons`);
    }
    const updates: Float64Array[] = [];
    try {
      let rng = seedState(seed);
      for (let step = 0; step < maxSteps; step++) {
        rng = e.core.hopfield_shuffle_i32(order, n, rng) >>> 0;
        const before = result.energies[result.energies.length - 1];
        const flips = e.core.hopfield_async_sweep_f32(s.ptr, this.weight.ptr, order, n, traceBuf, before);
        if (flips === 0) {
          result.converged = true;
          break;
        }
        result.steps++;
        result.energies.push(e.core.hopfield_energy_f32(this.weight.ptr, s.ptr, n));
        if (trace) updates.push(new Float64Array(e.core.memory.buffer, traceBuf, n).slice());
      }
    } finally {
      e.core.free(order);
      if (traceBuf) e.core.free(traceBuf);
    }
    if (trace) {
      const all = new Float64Array(updates.length * n);
      updates.forEach((u, k) => all.set(u, k * n));
      result.updateEnergies = all;
    }
  }

  /** Recall and return only the final state. */
  forward(state: Tensor | number[], options: RecallOptions = {}): Tensor {
    return this.recall(state, options).state;
  }

  extraRepr(): string {
    return `n=${this.n}, patterns=${this.numPatterns}`;
  }
}
