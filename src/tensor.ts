// Tensor: a float32 array in wasm linear memory with a shape, owned by the engine.
// Storage is contiguous row-major; every op returns a new tensor.
import { getEngine } from "./engine";
import { type Node, releaseNode, runBackward, type BackwardOptions } from "./autograd";
import { checkShape, fmt, sizeOf, describe } from "./shape";
import * as ops from "./ops/index";

export type NestedArray = number | NestedArray[];

export class Tensor {
  readonly shape: number[];
  readonly size: number;
  /** Whether gradients flow into (and accumulate in) this tensor. */
  requiresGrad = false;
  /** Accumulated gradient after backward() (leaf tensors only). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, when it is part of a recorded graph. */
  node: Node | null = null;
  private _ptr: number;
  private _disposed = false;

  /** Internal: wrap storage already allocated for `shape`. Use tensor(), zeros(), ... instead. */
  constructor(ptr: number, shape: number[]) {
    this._ptr = ptr;
    this.shape = shape;
    this.size = sizeOf(shape);
  }

  /** Allocate an uninitialized tensor of `shape`, registered with the current scope. */
  static empty(op: string, shape: number[]): Tensor {
    const e = getEngine(op);
    const size = sizeOf(shape);
    const t = new Tensor(e.allocFloats(op, size), shape);
    e.liveTensors++;
    e.liveBytes += size * 4;
    e.track(t);
    return t;
  }

  /** Byte address of the data in wasm memory; throws if the tensor was disposed. */
  get ptr(): number {
    if (this._disposed) {
      throw new Error(`neurite: this tensor of shape ${fmt(this.shape)} was disposed and cannot be used`);
    }
    return this._ptr;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get dtype(): "float32" {
    return "float32";
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** A leaf is a tensor the user created (not the result of a recorded op). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** Free the storage (and the gradient and saved graph state it owns). Idempotent. */
  dispose(): void {
    if (this._disposed) return;
    const e = getEngine("dispose");
    this._disposed = true;
    e.free(this._ptr);
    e.liveTensors--;
    e.liveBytes -= this.size * 4;
    if (this.node) releaseNode(this.node);
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  /** A copy of the data as a Float32Array. */
  data(): Float32Array {
    return getEngine("data").f32(this.ptr, this.size).slice();
  }

  /** The data as nested arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const flat = this.data();
    if (this.shape.length === 0) return flat[0];
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim];
      const out: NestedArray[] = new Array(n);
      if (dim === this.shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = flat[offset + i];
        return out;
      }
      const stride = sizeOf(this.shape.slice(dim + 1));
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item: only one-element tensors convert to a number, got shape ${fmt(this.shape)}`);
    return getEngine("item").f32(this.ptr, 1)[0];
  }

  /** Set requiresGrad in place and return this (PyTorch's requires_grad_). */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) throw new Error("requiresGrad_: only leaf tensors can stop requiring grad; use detach()");
    this.requiresGrad = flag;
    return this;
  }

  /** Back-propagate from this tensor into every leaf's .grad. */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    runBackward(this, gradient, options, () => ops.onesLike(this));
  }

  toString(): string {
    return `Tensor(shape=${fmt(this.shape)}${this.requiresGrad ? ", requiresGrad" : ""})`;
  }

  // ---- methods mirroring PyTorch; each delegates to the op of the same name ----
  clone(): Tensor { return ops.clone(this); }
  detach(): Tensor { return ops.detach(this); }
  reshape(...shape: (number | number[])[]): Tensor { return ops.reshape(this, flatShapeArgs(shape)); }
  view(...shape: (number | number[])[]): Tensor { return ops.reshape(this, flatShapeArgs(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); }
  transpose(dim0 = 0, dim1 = 1): Tensor { return ops.transpose(this, dim0, dim1); }
  permute(...dims: (number | number[])[]): Tensor { return ops.permute(this, flatShapeArgs(dims)); }
  /** All dims reversed (torch's Tensor.T; the transpose for a matrix). */
  get T(): Tensor { return ops.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  unsqueeze(dim: number): Tensor { return ops.unsqueeze(this, dim); }
  narrow(dim: number, start: number, length: number): Tensor { return ops.narrow(this, dim, start, length); }
  split(splitSizeOrSections: number | number[], dim = 0): Tensor[] { return ops.split(this, splitSizeOrSections, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return ops.chunk(this, chunks, dim); }
  squeeze(dim?: number): Tensor { return ops.squeeze(this, dim); }

  add(other: Tensor | number): Tensor { return ops.add(this, other); }
  sub(other: Tensor | number): Tensor { return ops.sub(this, other); }
  mul(other: Tensor | number): Tensor { return ops.mul(this, other); }
  div(other: Tensor | number): Tensor { return ops.div(this, other); }
  pow(exponent: Tensor | number): Tensor { return ops.pow(this, exponent); }
  maximum(other: Tensor | number): Tensor { return ops.maximum(this, other); }
  minimum(other: Tensor | number): Tensor { return ops.minimum(this, other); }
  gt(other: Tensor | number): Tensor { return ops.gt(this, other); }
  ge(other: Tensor | number): Tensor { return ops.ge(this, other); }
  lt(other: Tensor | number): Tensor { return ops.lt(this, other); }
  le(other: Tensor | number): Tensor { return ops.le(this, other); }
  eq(other: Tensor | number): Tensor { return ops.eq(this, other); }
  ne(other: Tensor | number): Tensor { return ops.ne(this, other); }
  neg(): Tensor { return ops.neg(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  abs(): Tensor { return ops.abs(this); }
  clamp(min?: number | null, max?: number | null): Tensor { return ops.clamp(this, min, max); }

  sum(dim?: number | null, keepdim = false): Tensor { return ops.sum(this, dim, keepdim); }
  mean(dim?: number | null, keepdim = false): Tensor { return ops.mean(this, dim, keepdim); }
  max(dim?: number | null, keepdim = false): Tensor { return ops.max(this, dim, keepdim); }
  min(dim?: number | null, keepdim = false): Tensor { return ops.min(this, dim, keepdim); }
  argmax(dim?: number | null, keepdim = false): Tensor { return ops.argmax(this, dim, keepdim); }
  argmin(dim?: number | null, keepdim = false): Tensor { return ops.argmin(this, dim, keepdim); }
  var(dim?: number | null, options?: ops.VarOptions): Tensor { return ops.var(this, dim, options); }
  std(dim?: number | null, options?: ops.VarOptions): Tensor { return ops.std(this, dim, options); }
  logsumexp(dim: number | null, keepdim = false): Tensor { return ops.logsumexp(this, dim, keepdim); }
  norm(p: number | "fro" = 2, dim?: number | null, keepdim = false): Tensor { return ops.norm(this, p, dim, keepdim); }

  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }

  add_(other: Tensor | number, alpha = 1): this { ops.add_(this, other, alpha); return this; }
  sub_(other: Tensor | number, alpha = 1): this { ops.sub_(this, other, alpha); return this; }
  mul_(factor: number): this { ops.mul_(this, factor); return this; }
  fill_(value: number): this { ops.fill_(this, value); return this; }
  zero_(): this { ops.zero_(this); return this; }
  copy_(src: Tensor): this { ops.copy_(this, src); return this; }

  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  relu(): Tensor { return ops.relu(this); }
  softmax(dim: number): Tensor { return ops.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return ops.logSoftmax(this, dim); }
}

function flatShapeArgs(args: (number | number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return args[0] as number[];
  return args as number[];
}

/** Throw unless `v` is a live Tensor; names the op and argument. */
export function checkTensor(op: string, arg: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${op}: ${arg} must be a Tensor, got ${describe(v)}`);
  if (v.isDisposed) throw new Error(`${op}: ${arg} (shape ${fmt(v.shape)}) was disposed and cannot be used`);
  return v;
}

/** A Tensor, or a number turned into a 0-d tensor. */
export function toTensor(op: string, arg: string, v: unknown): Tensor {
  if (typeof v === "number") return ops.full([], v);
  return checkTensor(op, arg, v);
}

export { checkShape };
