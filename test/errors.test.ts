// Bad input: clear errors naming the op, the argument and the shapes; nothing corrupted after.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";

describe("bad input", () => {
  it("shape mismatches name the op and both shapes", () => {
    nt.scope(() => {
      expect(() => nt.add(nt.zeros([2, 3]), nt.zeros([4]))).toThrow(/add: shapes \[2, 3\] and \[4\] cannot be broadcast/);
      expect(() => nt.matmul(nt.zeros([2, 3]), nt.zeros([4, 5]))).toThrow(/matmul: shapes \[2, 3\] and \[4, 5\] cannot be multiplied/);
      expect(() => nt.gemm(nt.zeros([2, 3]), nt.zeros([2, 3]), false, false)).toThrow(/gemm: inner dimensions differ/);
      expect(() => nt.mseLoss(nt.zeros([3]), nt.zeros([4]))).toThrow(/mseLoss: input \[3\] and target \[4\]/);
      expect(() => nt.reshape(nt.zeros([2, 3]), [4, 2])).toThrow(/reshape: shape \[4, 2\] is invalid for an input of shape \[2, 3\]/);
      expect(() => nt.crossEntropy(nt.zeros([4, 3]), nt.zeros([5]))).toThrow(/crossEntropy: target \[5\] must be class indices of shape \[4\]/);
    });
  });

  it("invalid shapes: NaN, negative, fractional, not an array", () => {
    expect(() => nt.zeros([2, NaN])).toThrow(/zeros|full: shape \[2, NaN\] has an invalid size NaN/);
    expect(() => nt.zeros([-1])).toThrow(/invalid size -1/);
    expect(() => nt.ones([1.5])).toThrow(/invalid size 1.5/);
    expect(() => nt.randn("3" as any)).toThrow(/randn: shape must be an array/);
    expect(() => nt.zeros([1 << 20, 1 << 20])).toThrow(/more than wasm memory can hold/);
  });

  it("wrong argument types", () => {
    nt.scope(() => {
      expect(() => nt.relu([1, 2] as any)).toThrow(/relu: input must be a Tensor, got array/);
      expect(() => nt.add(1, 2)).toThrow(/add: at least one argument must be a Tensor/);
      expect(() => nt.tensor([[1, 2], [3]])).toThrow(/not rectangular/);
      expect(() => nt.tensor([1, "a" as any])).toThrow(/not a number|expected a number/);
      expect(() => nt.tensor([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2, 2\]/);
      expect(() => nt.gelu(nt.zeros([1]), "fast" as any)).toThrow(/gelu: approximate must be/);
      expect(() => nt.mseLoss(nt.zeros([2]), nt.zeros([2]), { reduction: "avg" as any })).toThrow(/mseLoss: reduction must be/);
    });
  });

  it("out-of-range axes and class indices", () => {
    nt.scope(() => {
      expect(() => nt.sum(nt.zeros([2, 3]), 2)).toThrow(/sum: dim 2 is out of range for a tensor of shape \[2, 3\] \(expected -2..1\)/);
      expect(() => nt.softmax(nt.zeros([2, 3]), -3)).toThrow(/softmax: dim -3 is out of range/);
      expect(() => nt.transpose(nt.zeros([2, 3]), 0, 5)).toThrow(/transpose: dim 5 is out of range/);
      expect(() => nt.crossEntropy(nt.zeros([2, 3]), nt.tensor([0, 3]))).toThrow(/crossEntropy: target value 3 at index 1 is not a class index in \[0, 3\) for input \[2, 3\]/);
      expect(() => nt.crossEntropy(nt.zeros([2, 3]), nt.tensor([0, 1.5]))).toThrow(/target value 1.5/);
      expect(() => nt.crossEntropy(nt.zeros([2, 3]), nt.tensor([-1, 0]))).toThrow(/target value -1/);
    });
  });

  it("a failed call leaves memory and later results intact", () => {
    nt.scope(() => {
      const a = nt.tensor([[1, 2], [3, 4]]);
      const before = nt.memory();
      for (const bad of [
        () => nt.matmul(a, nt.zeros([3, 3])),
        () => nt.add(a, nt.zeros([3])),
        () => nt.crossEntropy(a, nt.tensor([0, 9])),
        () => nt.reshape(a, [3]),
      ]) {
        nt.scope(() => expect(bad).toThrow());
      }
      expect(nt.memory().numTensors).toBe(before.numTensors);
      expect(a.matmul(a).toArray()).toEqual([[7, 10], [15, 22]]);
    });
  });
});
