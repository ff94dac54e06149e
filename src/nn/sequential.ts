// nn.Sequential: children named "0", "1", ... run in order. Indexing and slicing share the
// same layers, so seq.slice(0, -1) is the trained network's hidden layers as a feature extractor.
import { Module } from "./module";
import { describe } from "../shape";

export class Sequential extends Module {
  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }

  get length(): number {
    return this._modules.size;
  }

  /** The layer at index i (negative counts from the end), like seq[i]. */
  at(i: number): Module {
    const n = this.length;
    if (!Number.isInteger(i) || i < -n || i >= n) {
      throw new RangeError(`Sequential.at: index ${describe(i)} is out of range for ${n} layers`);
    }
    return this.children()[i < 0 ? i + n : i];
  }

  /** A new Sequential of layers start..end-1 (the same module objects), like seq[start:end]. */
  slice(start = 0, end?: number): Sequential {
    return new Sequential(...this.children().slice(start, end));
  }

  /** Add a layer at the end. */
  append(m: Module): this {
    this.registerModule(String(this.length), m);
    return this;
  }

  forward(x: unknown): any {
    let y = x;
    for (const m of this._modules.values()) y = m.forward(y);
    return y;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }
}
