// Memory scopes: everything created inside scope(fn) is freed when fn returns, except the
// tensors it returns (which move to the enclosing scope) and those passed to keep().
import { getEngine, type Disposable } from "./engine";
import { Tensor } from "./tensor";

/** Tensors found in a scope's result: a tensor, or arrays / plain objects / Maps of them. */
function collect(value: unknown, found: Set<Disposable>, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== "object") return;
  if (value instanceof Tensor) {
    found.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, found, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, found, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, found, depth + 1);
  }
}

/**
 * Returned tensors that are part of a recorded graph keep the tensors their graph needs
 * (created in this scope), so `scope(() => loss).backward()` works. Returns each kept
 * intermediate with the returned tensor whose graph needs it.
 */
function keepGraphs(survivors: Set<Disposable>, mine: Set<Disposable>): Map<Tensor, Tensor> {
  const owner = new Map<Tensor, Tensor>();
  for (const root of survivors) {
    if (!(root instanceof Tensor) || !root.node) continue;
    const stack: Tensor[] = [root];
    while (stack.length) {
      const t = stack.pop()!;
      for (const input of t.node?.inputs ?? []) {
        if (mine.has(input) && !survivors.has(input) && !owner.has(input)) {
          owner.set(input, root);
          stack.push(input);
        }
      }
    }
  }
  return owner;
}

/**
 * Run fn and free every tensor it created, except what it returns or keep()s.
 * fn must be synchronous: a Promise result is refused, since its tensors would be freed
 * before it settles.
 */
export function scope<T>(fn: () => T): T {
  const engine = getEngine("scope");
  engine.scopes.push(new Set());
  let result: T;
  let ok = false;
  try {
    result = fn();
    ok = true;
  } finally {
    const mine = engine.scopes.pop()!;
    const survivors = new Set<Disposable>();
    if (ok) collect(result!, survivors);
    const graphOwner = ok ? keepGraphs(survivors, mine) : new Map<Tensor, Tensor>();
    const parent = engine.scopes[engine.scopes.length - 1];
    for (const t of mine) {
      const root = graphOwner.get(t as Tensor);
      if (survivors.has(t)) parent?.add(t);
      // A graph intermediate lives in the enclosing scope, or else with the returned tensor's
      // node: freed when that node is released (after backward, or when the tensor is disposed).
      else if (root) parent ? parent.add(t) : root.node!.saved.push(t as Tensor);
      else t.dispose();
    }
  }
  if (result! instanceof Promise) {
    throw new TypeError("scope: fn returned a Promise; scopes are synchronous (await outside, scope inside)");
  }
  return result!;
}

/** Exempt a tensor from every scope: it lives until disposed by hand. Returns it. */
export function keep<T extends Tensor>(t: T): T {
  getEngine("keep").untrack(t);
  return t;
}

/** Dispose tensors (and tensors inside arrays / plain objects). */
export function dispose(value: unknown): void {
  const found = new Set<Disposable>();
  collect(value, found);
  for (const t of found) t.dispose();
}

export interface MemoryInfo {
  /** Tensors allocated and not yet disposed (including gradients and saved graph state). */
  numTensors: number;
  /** Bytes of tensor data they hold. */
  numBytes: number;
  /** Size of the wasm linear memory. */
  wasmBytes: number;
}

export function memory(): MemoryInfo {
  const e = getEngine("memory");
  return { numTensors: e.liveTensors, numBytes: e.liveBytes, wasmBytes: e.core.memory.buffer.byteLength };
}
