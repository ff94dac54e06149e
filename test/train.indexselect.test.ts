// indexSelect (torch.index_select) against a naive TypeScript reference over awkward sizes, its
// gradient (gradcheck and a hand-derived case), validation errors and memory.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 4 - 2;
  }
  return out;
}

function indices(n: number, size: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % size;
  });
}

/** Naive reference: out[o, i, k] = x[o, idx[i], k] for x viewed as [outer, size, inner]. */
function ref(x: Float32Array, shape: number[], dim: number, idx: number[]): Float32Array {
  const outer = shape.slice(0, dim).reduce((a, b) => a * b, 1);
  const size = shape[dim];
  const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(outer * idx.length * inner);
  for (let o = 0; o < outer; o++) {
    idx.forEach((j, i) => {
      for (let k = 0; k < inner; k++) out[(o * idx.length + i) * inner + k] = x[(o * size + j) * inner + k];
    });
  }
  return out;
}

describe("indexSelect forward", () => {
  const cases: [number[], number][] = [
    [[7], 0], [[7, 1], 0], [[7, 3], 0], [[7, 64, 63], 0], [[5, 17], 1], [[2, 7, 3], 1], [[3, 4, 7], 2], [[7, 3], -2],
  ];
  for (const [shape, dim] of cases) {
    for (const n of [0, 1, 3, 17]) {
      it(`x ${JSON.stringify(shape)}, dim ${dim}, ${n} indices`, () => {
        nt.scope(() => {
          const size = shape.reduce((a, b) => a * b, 1);
          const xv = seeded(size, size + n);
          const x = nt.tensor(xv, shape);
          const axis = dim < 0 ? dim + shape.length : dim;
          const idx = indices(n, shape[axis], n * 13 + shape.length);
          const out = nt.indexSelect(x, dim, nt.tensor(idx, [n]));
          const expectedShape = shape.slice();
          expectedShape[axis] = n;
          expect(out.shape).toEqual(expectedShape);
          expect(out.data()).toEqual(ref(xv, shape, axis, idx));
          // a plain array of indices works the same
          expect(nt.indexSelect(x, dim, idx).data()).toEqual(out.data());
        });
      });
    }
  }

  it("a 0-d index keeps the dim with size 1; an empty input dim with no indices is fine", () => {
    nt.scope(() => {
      const x = nt.tensor([[1, 2], [3, 4], [5, 6]]);
      const out = nt.indexSelect(x, 0, nt.tensor(2));
      expect(out.shape).toEqual([1, 2]);
      expect(out.toArray()).toEqual([[5, 6]]);
      expect(nt.indexSelect(nt.zeros([0, 3]), 0, []).shape).toEqual([0, 3]);
    });
  });
});

describe("indexSelect backward", () => {
  it("gradcheck along dims 0, 1 and -1 with repeated indices", () => {
    nt.scope(() => {
      const x = () => nt.tensor(seeded(3 * 4 * 5, 9), [3, 4, 5], { requiresGrad: true });
      nt.gradcheck((t) => nt.indexSelect(t, 0, nt.tensor([2, 0, 2, 1])), [x()]);
      nt.gradcheck((t) => nt.indexSelect(t, 1, nt.tensor([3, 3, 0])), [x()]);
      nt.gradcheck((t) => nt.indexSelect(t, -1, nt.tensor([4, 1, 1, 1, 0, 2])), [x()]);
      // composed with another op, so the upstream gradient is not uniform
      nt.gradcheck((t) => nt.indexSelect(t, 0, [1, 1, 0]).pow(2).sum(1), [x()]);
    });
  });

  it("hand-derived: rows picked twice get the gradient twice, unpicked rows get zero", () => {
    nt.scope(() => {
      // y = indexSelect(x, 0, [2, 0, 2]); L = sum(y * w) with w rows [1,1], [10,10], [100,100]
      // dL/dx[0] = w[1] = 10, dL/dx[1] = 0, dL/dx[2] = w[0] + w[2] = 101
      const x = nt.tensor([[1, 2], [3, 4], [5, 6]], undefined, { requiresGrad: true });
      const w = nt.tensor([[1, 1], [10, 10], [100, 100]]);
      nt.indexSelect(x, 0, nt.tensor([2, 0, 2])).mul(w).sum().backward();
      expect(x.grad!.toArray()).toEqual([[10, 10], [0, 0], [101, 101]]);
      x.grad!.dispose();
      x.grad = null;
    });
  });

  it("backward uses its own copy of the index (the caller may dispose or change it)", () => {
    nt.scope(() => {
      const x = nt.tensor([1, 2, 3], undefined, { requiresGrad: true });
      const idx = nt.tensor([0, 0]);
      const y = nt.indexSelect(x, 0, idx);
      idx.dispose();
      y.sum().backward();
      expect(x.grad!.toArray()).toEqual([2, 0, 0]);
      x.grad!.dispose();
      x.grad = null;
    });
  });

  it("leaves no tensors behind, with and without grad", () => {
    const before = nt.memory();
    nt.scope(() => {
      const x = nt.randn([5, 3], { requiresGrad: true });
      nt.indexSelect(x, 0, [4, 1]).sum().backward();
      x.grad?.dispose();
      nt.noGrad(() => nt.indexSelect(x, 1, [0, 2]));
      nt.indexSelect(x.detach(), 0, [0]);
    });
    expect(nt.memory().numTensors).toBe(before.numTensors);
    expect(nt.memory().numBytes).toBe(before.numBytes);
  });
});

describe("indexSelect errors", () => {
  it("names the op, the bad index value and the shapes", () => {
    nt.scope(() => {
      const x = nt.zeros([4, 3]);
      expect(() => nt.indexSelect(x, 0, nt.tensor([0, 5, 1]))).toThrow(
        "indexSelect: index value 5 at position 1 is out of range for dim 0 of size 4 (index [3], input [4, 3])",
      );
      expect(() => nt.indexSelect(x, 1, nt.tensor([-1]))).toThrow(/index value -1 at position 0 is out of range for dim 1 of size 3/);
      expect(() => nt.indexSelect(x, 0, nt.tensor([1.5]))).toThrow(
        "indexSelect: index value 1.5 at position 0 is not an integer (index [1], input [4, 3])",
      );
      expect(() => nt.indexSelect(x, 0, nt.tensor([NaN]))).toThrow(/index value NaN at position 0 is not an integer/);
      expect(() => nt.indexSelect(x, 0, nt.zeros([2, 2]))).toThrow("indexSelect: index must be 1-D (or 0-d), got shape [2, 2] for input [4, 3]");
      expect(() => nt.indexSelect(x, 2, [0])).toThrow(/indexSelect: dim 2 is out of range for a tensor of shape \[4, 3\]/);
      expect(() => nt.indexSelect(nt.tensor(1), 0, [0])).toThrow(/indexSelect: input must have at least one dim/);
      expect(() => nt.indexSelect(x, 0, "0" as unknown as Tensor)).toThrow(/indexSelect: index must be a Tensor/);
    });
  });
});
