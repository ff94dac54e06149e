// cat, stack, narrow, split, chunk: shapes and values as PyTorch gives them, and bad input.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";

describe("joining and slicing", () => {
  it("split and chunk follow torch.split / torch.chunk sizes", () => {
    nt.scope(() => {
      const x = nt.arange(10).reshape(5, 2);
      expect(nt.split(x, 2).map((t) => t.shape)).toEqual([[2, 2], [2, 2], [1, 2]]);
      expect(nt.split(x, [1, 4]).map((t) => t.toArray())).toEqual([[[0, 1]], [[2, 3], [4, 5], [6, 7], [8, 9]]]);
      expect(x.chunk(2).map((t) => t.shape)).toEqual([[3, 2], [2, 2]]); // ceil(5/2) = 3
      expect(x.chunk(2, 1).map((t) => t.toArray())).toEqual([[[0], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]]);
      expect(nt.cat(x.split(2), 0).toArray()).toEqual(x.toArray());
      expect(x.narrow(0, -2, 2).toArray()).toEqual([[6, 7], [8, 9]]);
      expect(nt.stack([x, x], 2).shape).toEqual([5, 2, 2]);
    });
  });

  it("gradients flow only to inputs that require them", () => {
    nt.scope(() => {
      const a = nt.ones([2, 2], { requiresGrad: true });
      const b = nt.ones([2, 3]);
      nt.cat([a, b], 1).mul(nt.arange(10).reshape(2, 5)).sum().backward();
      expect(a.grad!.toArray()).toEqual([[0, 1], [5, 6]]);
      expect(b.grad).toBeNull();
    });
  });

  it("errors name the op and the shapes", () => {
    nt.scope(() => {
      expect(() => nt.cat([nt.zeros([2, 3]), nt.zeros([3, 3])], 1)).toThrow(/cat: tensors\[1\] \[3, 3\] does not match tensors\[0\] \[2, 3\] outside dim 1/);
      expect(() => nt.cat([], 0)).toThrow(/cat: expects a non-empty array/);
      expect(() => nt.stack([nt.zeros([2]), nt.zeros([3])])).toThrow(/stack: tensors\[1\] \[3\] differs from tensors\[0\] \[2\]/);
      expect(() => nt.narrow(nt.zeros([4, 2]), 0, 3, 2)).toThrow(/narrow: start 3 \+ length 2 is out of range for dim 0 of size 4/);
      expect(() => nt.split(nt.zeros([4]), [1, 2])).toThrow(/split: sizes \[1, 2\] must be integers >= 0 adding up to 4/);
      expect(() => nt.chunk(nt.zeros([4]), 0)).toThrow(/chunk: chunks must be a positive integer/);
    });
  });
});
