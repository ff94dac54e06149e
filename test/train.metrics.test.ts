// Metrics against hand computations (the arithmetic is in the comments).
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";

const { accuracy, binaryAccuracy, mse, mae } = nt.metrics;

describe("metrics", () => {
  it("accuracy: argmax of the last dim against class indices", () => {
    nt.scope(() => {
      const pred = nt.tensor([
        [0.1, 0.7, 0.2], // argmax 1
        [2, -1, 0], //      argmax 0
        [0, 0, 5], //       argmax 2
        [1, 3, 3], //       tie 1/2: the first maximum, 1
      ]);
      // labels 1, 0, 1, 2: rows 0 and 1 right, row 2 wrong, row 3 wrong (tie goes to 1) -> 2/4
      expect(accuracy(pred, nt.tensor([1, 0, 1, 2]))).toBe(0.5);
      expect(accuracy(pred, nt.tensor([1, 0, 2, 1]))).toBe(1);
      // labels of shape [N, 1] also hold one index per row
      expect(accuracy(pred, nt.tensor([[1], [1], [1], [1]]))).toBe(0.5);
    });
  });

  it("accuracy: one-hot targets, and [B, T, C] predictions", () => {
    nt.scope(() => {
      const pred = nt.tensor([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7]]);
      const onehot = nt.tensor([[0, 1], [0, 1], [0, 1]]); // classes 1, 1, 1; predicted 1, 0, 1 -> 2/3
      expect(accuracy(pred, onehot)).toBeCloseTo(2 / 3, 12);
      // [2, 2, 2]: 4 rows of 2 classes; argmaxes 1, 0, 0, 1 against labels 1, 0, 1, 1 -> 3/4
      const seq = nt.tensor([[[0, 1], [1, 0]], [[5, 4], [-1, 1]]]);
      expect(accuracy(seq, nt.tensor([[1, 0], [1, 1]]))).toBe(0.75);
    });
  });

  it("binaryAccuracy: probabilities above 0.5 (or a given threshold) against 0/1 targets", () => {
    nt.scope(() => {
      const p = nt.tensor([0.9, 0.4, 0.6, 0.1, 0.5]);
      const t = nt.tensor([1, 0, 0, 0, 1]);
      // p > 0.5: 1, 0, 1, 0, 0 (0.5 is not above) -> agree on 0, 1, 3 -> 3/5
      expect(binaryAccuracy(p, t)).toBeCloseTo(0.6, 12);
      // p > 0.3: 1, 1, 1, 0, 1 -> agree on 0, 3, 4 -> 3/5
      expect(binaryAccuracy(p, t, { threshold: 0.3 })).toBeCloseTo(0.6, 12);
      // logits with threshold 0: [2, -1] -> 1, 0 against [[1], [1]] ([N, 1] vs [N] is fine) -> 1/2
      expect(binaryAccuracy(nt.tensor([[2], [-1]]), nt.tensor([1, 1]), { threshold: 0 })).toBe(0.5);
    });
  });

  it("mse and mae over all elements", () => {
    nt.scope(() => {
      const p = nt.tensor([[1, 2], [3, 4]]);
      const t = nt.tensor([[1.5, 2], [1, 7]]);
      // differences -0.5, 0, 2, -3: squares 0.25 + 0 + 4 + 9 = 13.25 / 4; abs 0.5 + 0 + 2 + 3 = 5.5 / 4
      expect(mse(p, t)).toBeCloseTo(13.25 / 4, 12);
      expect(mae(p, t)).toBeCloseTo(5.5 / 4, 12);
    });
  });

  it("empty batches give NaN; shapes that do not fit give errors naming the metric", () => {
    nt.scope(() => {
      expect(accuracy(nt.zeros([0, 3]), nt.zeros([0]))).toBeNaN();
      expect(mse(nt.zeros([0]), nt.zeros([0]))).toBeNaN();
      expect(() => accuracy(nt.zeros([4, 3]), nt.zeros([3]))).toThrow(
        "accuracy: target [3] must hold one class index per row (4 values) or one-hot rows of pred's shape [4, 3]",
      );
      expect(() => accuracy(nt.zeros([4, 1]), nt.zeros([4]))).toThrow(/use binaryAccuracy/);
      expect(() => mse(nt.zeros([4]), nt.zeros([3]))).toThrow("mse: pred [4] and target [3] must have the same number of elements");
      expect(() => mae(nt.zeros([4]), 3 as never)).toThrow(/mae: target must be a Tensor/);
      expect(() => binaryAccuracy(nt.zeros([2]), nt.zeros([2]), { threshold: "x" as never })).toThrow(/threshold must be a number/);
    });
  });

  it("metrics read tensors in place: no tensors are created", () => {
    nt.scope(() => {
      const p = nt.randn([8, 4]);
      const t = nt.tensor([0, 1, 2, 3, 0, 1, 2, 3]);
      const before = nt.memory().numTensors;
      accuracy(p, t);
      mse(p, p);
      expect(nt.memory().numTensors).toBe(before);
    });
  });
});
