// Comparisons and where: values as torch gives them, NaN rules, broadcasting, errors.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";

describe("comparisons and where", () => {
  it("gt, ge, lt, le, eq, ne give 1/0 with broadcasting; NaN compares false except ne", () => {
    nt.scope(() => {
      const a = nt.tensor([[1, 2, NaN], [3, 2, 1]]);
      const b = nt.tensor([2, 2, 2]);
      expect(nt.gt(a, b).toArray()).toEqual([[0, 0, 0], [1, 0, 0]]);
      expect(nt.ge(a, b).toArray()).toEqual([[0, 1, 0], [1, 1, 0]]);
      expect(nt.lt(a, b).toArray()).toEqual([[1, 0, 0], [0, 0, 1]]);
      expect(nt.le(a, b).toArray()).toEqual([[1, 1, 0], [0, 1, 1]]);
      expect(nt.eq(a, b).toArray()).toEqual([[0, 1, 0], [0, 1, 0]]);
      expect(nt.ne(a, b).toArray()).toEqual([[1, 0, 1], [1, 0, 1]]);
      expect(a.gt(1.5).toArray()).toEqual([[0, 1, 0], [1, 1, 0]]);
      expect(nt.lt(0, nt.tensor([-1, 0, 1])).toArray()).toEqual([0, 0, 1]);
      // every length through the SIMD body and its tail
      for (const n of [0, 1, 3, 17]) {
        const x = nt.arange(n);
        expect(Array.from(nt.ge(x, n / 2).data())).toEqual(Array.from({ length: n }, (_, i) => (i >= n / 2 ? 1 : 0)));
      }
    });
  });

  it("where picks by the condition, never mixing in the other branch's inf or NaN", () => {
    nt.scope(() => {
      const cond = nt.tensor([1, 0, 1, 0, 1]);
      const out = nt.where(cond, nt.tensor([1, 2, 3, 4, 5]), nt.tensor([Infinity, -1, NaN, -2, -3]));
      expect(out.toArray()).toEqual([1, -1, 3, -2, 5]);
      expect(nt.where(nt.tensor([[1], [0]]), 7, nt.tensor([1, 2])).toArray()).toEqual([[7, 7], [1, 2]]);
      const before = nt.memory().numTensors;
      nt.where(cond, 1, 2).dispose();
      expect(nt.memory().numTensors).toBe(before);
    });
  });

  it("errors name the op and the shapes", () => {
    nt.scope(() => {
      expect(() => nt.gt(nt.zeros([2]), nt.zeros([3]))).toThrow(/gt: shapes \[2\] and \[3\] cannot be broadcast/);
      expect(() => nt.eq(1, 2)).toThrow(/eq: at least one argument must be a Tensor/);
      expect(() => nt.where(nt.zeros([2]), nt.zeros([3]), 0)).toThrow(/where: shapes \[2\] and \[3\] cannot be broadcast/);
    });
  });
});
