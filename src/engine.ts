// The engine owns the wasm core and every pointer in it: it allocates and frees tensor
// storage, counts live tensors and bytes, and keeps the stack of memory scopes.
// Typed-array views of wasm memory are built at the moment of use and never cached,
// because any allocation may grow memory and detach the old buffer.
import type { Core } from "./core";

/** Anything that owns wasm memory and can be freed by a scope. */
export interface Disposable {
  dispose(): void;
}

export class Engine {
  readonly core: Core;
  liveTensors = 0;
  liveBytes = 0;
  /** Each scope is the set of tensors created while it was innermost. */
  readonly scopes: Set<Disposable>[] = [];
  private paramPtr: number;
  private scratchPtr = 0;
  private scratchBytes = 0;

  constructor(exports: WebAssembly.Exports) {
    this.core = exports as unknown as Core;
    this.paramPtr = this.core.alloc(64 * 4);
  }

  /** Allocate storage for `n` floats. */
  allocFloats(op: string, n: number): number {
    const ptr = this.core.alloc(n * 4);
    if (ptr === 0) throw new RangeError(`${op}: out of wasm memory allocating ${n} floats`);
    return ptr;
  }

  free(ptr: number): void {
    this.core.free(ptr);
  }

  /** A fresh view of `n` floats at `ptr` (valid until the next call that may allocate). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.core.memory.buffer, ptr, n);
  }

  /** Write a small i32 parameter block (shapes, strides) for a kernel and return its pointer. */
  params(values: number[]): number {
    if (values.length > 64) throw new RangeError(`neurite: too many dims (${values.length / 3}) for a kernel`);
    new Int32Array(this.core.memory.buffer, this.paramPtr, values.length).set(values);
    return this.paramPtr;
  }

  /** A scratch block of at least `bytes` bytes, reused across calls (kernels must not allocate). */
  scratch(bytes: number): number {
    if (bytes <= this.scratchBytes) return this.scratchPtr;
    if (this.scratchPtr) this.core.free(this.scratchPtr);
    const size = Math.max(bytes, this.scratchBytes * 2, 1 << 16);
    this.scratchPtr = this.core.alloc(size);
    this.scratchBytes = size;
    return this.scratchPtr;
  }

  /** Register a new tensor with the innermost scope. */
  track(t: Disposable): void {
    const top = this.scopes[this.scopes.length - 1];
    if (top) top.add(t);
  }

  /** Remove a tensor from every scope (it now lives until disposed by hand). */
  untrack(t: Disposable): void {
    for (const s of this.scopes) s.delete(t);
  }
}

let engine: Engine | null = null;

export function installEngine(e: Engine): void {
  engine = e;
}

export function currentEngine(): Engine | null {
  return engine;
}

/** The engine, or a clear error naming the op that ran before `ready()`. */
export function getEngine(op = "neurite"): Engine {
  if (!engine) throw new Error(`${op}: the wasm core is not loaded; call \`await ready()\` first`);
  return engine;
}
