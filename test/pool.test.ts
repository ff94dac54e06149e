// maxPool2d / avgPool2d / adaptiveAvgPool2d / interpolate: hand-derived cases, PyTorch's output
// sizes and index rules, NaN propagation, unbatched inputs, and error messages.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";

const grid = (h: number, w: number, shape = [1, 1, h, w]) => nt.tensor(Array.from({ length: h * w }, (_, i) => i + 1), shape, { requiresGrad: true });

describe("pooling by hand", () => {
  it("maxPool2d 2x2 on 1..16 picks the bottom-right of each window and routes the gradient there", () => {
    nt.scope(() => {
      const x = grid(4, 4);
      const y = nt.maxPool2d(x, 2);
      expect(y.toArray()).toEqual([[[[6, 8], [14, 16]]]]);
      y.backward(nt.tensor([1, 2, 3, 4], [1, 1, 2, 2]));
      expect(x.grad!.toArray()).toEqual([[[[0, 0, 0, 0], [0, 1, 0, 2], [0, 0, 0, 0], [0, 3, 0, 4]]]]);
    });
  });

  it("maxPool2d with overlapping windows adds the gradients of every window a maximum wins", () => {
    nt.scope(() => {
      const x = grid(3, 3);
      const y = nt.maxPool2d(x, 2, { stride: 1 });
      expect(y.toArray()).toEqual([[[[5, 6], [8, 9]]]]);
      y.sum().backward();
      expect(x.grad!.toArray()).toEqual([[[[0, 0, 0], [0, 1, 1], [0, 1, 1]]]]);
    });
  });

  it("maxPool2d propagates NaN", () => {
    nt.scope(() => {
      const y = nt.maxPool2d(nt.tensor([1, NaN, 3, 4], [1, 1, 2, 2]), 2);
      expect(Number.isNaN(y.item())).toBe(true);
    });
  });

  it("ceil mode adds a last window only where it starts inside the input or its left padding", () => {
    nt.scope(() => {
      const x = grid(5, 5);
      // (5 - 2 + 1) / 2 rounded up + 1 = 3 windows; the third covers row/column 4 alone
      expect(nt.maxPool2d(x, 2, { ceilMode: true }).toArray()).toEqual([[[[7, 9, 10], [17, 19, 20], [22, 24, 25]]]]);
      expect(nt.maxPool2d(x, 2).shape).toEqual([1, 1, 2, 2]);
      // 4x4, kernel 2, stride 2, padding 1, ceil: (4 + 2 - 2 + 1) / 2 + 1 = 3; a 4th window would start at 5 >= 4 + 1
      expect(nt.maxPool2d(grid(4, 4), 2, { padding: 1, ceilMode: true }).shape).toEqual([1, 1, 3, 3]);
    });
  });

  it("avgPool2d: count_include_pad divides by the padded window, otherwise by the real elements", () => {
    nt.scope(() => {
      const x = grid(2, 2); // [[1, 2], [3, 4]]
      // kernel 2, stride 1, padding 1: 3x3 windows; the corner window holds 1 element (1) of 4 places
      expect(nt.avgPool2d(x, 2, { stride: 1, padding: 1 }).toArray()).toEqual([[[[0.25, 0.75, 0.5], [1, 2.5, 1.5], [0.75, 1.75, 1]]]]);
      expect(nt.avgPool2d(x, 2, { stride: 1, padding: 1, countIncludePad: false }).toArray()).toEqual([[[[1, 1.5, 2], [2, 2.5, 3], [3, 3.5, 4]]]]);
      expect(nt.avgPool2d(x, 2, { divisorOverride: 2 }).toArray()).toEqual([[[[5]]]]);
    });
  });

  it("adaptiveAvgPool2d 5 -> 3 uses overlapping windows [0,2), [1,4), [3,5)", () => {
    nt.scope(() => {
      const x = nt.tensor([1, 2, 3, 4, 5], [1, 1, 1, 5], { requiresGrad: true });
      const y = nt.adaptiveAvgPool2d(x, [1, 3]);
      expect(y.toArray()).toEqual([[[[1.5, 3, 4.5]]]]);
      y.sum().backward();
      // each element gets 1/len of every window holding it
      const g = x.grad!.data();
      [1 / 2, 1 / 2 + 1 / 3, 1 / 3, 1 / 3 + 1 / 2, 1 / 2].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 6));
    });
  });

  it("interpolate nearest: a scale factor uses 1/scale, a size uses in/out (PyTorch's rule)", () => {
    nt.scope(() => {
      const x = nt.tensor([0, 1, 2, 3, 4, 5, 6], [1, 1, 7]);
      // scale 1.3: out = floor(9.1) = 9, src = floor(i / 1.3) = 0,0,1,2,3,3,4,5,6
      expect(nt.interpolate(x, { scaleFactor: 1.3 }).toArray()).toEqual([[[0, 0, 1, 2, 3, 3, 4, 5, 6]]]);
      // size 10: src = floor(i · 7/10)
      expect(nt.interpolate(x, { size: 10 }).toArray()).toEqual([[[0, 0, 1, 2, 2, 3, 4, 4, 5, 6]]]);
      // exact doubling repeats each element
      expect(nt.interpolate(nt.tensor([1, 2, 3, 4], [1, 1, 2, 2]), { scaleFactor: 2 }).toArray()).toEqual([[[
        [1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]);
    });
  });

  it("pools accept unbatched [C, H, W] inputs", () => {
    nt.scope(() => {
      const x = grid(4, 4, [1, 4, 4]);
      expect(nt.maxPool2d(x, 2).shape).toEqual([1, 2, 2]);
      expect(nt.avgPool2d(x, 2).shape).toEqual([1, 2, 2]);
      expect(nt.adaptiveAvgPool2d(x, 1).toArray()).toEqual([[[8.5]]]);
    });
  });
});

describe("pooling errors name the op, the argument and the shapes", () => {
  // each case: input shape, the call, the message
  const cases: [string, number[], (x: nt.Tensor) => unknown, RegExp][] = [
    ["rank", [4, 4], (x) => nt.maxPool2d(x, 2), /maxPool2d: input must be 4-D \[N, C, H, W\] \(or 3-D unbatched \[C, H, W\]\), got \[4, 4\]/],
    ["padding over half the kernel", [1, 1, 4, 4], (x) => nt.maxPool2d(x, 3, { padding: 2 }), /maxPool2d: padding 2 must be at most half the kernel size 3/],
    ["input too small", [1, 1, 1, 4], (x) => nt.maxPool2d(x, 2), /maxPool2d: input \[1, 1, 1, 4\] is too small for kernel 2 padding 0 stride 2 \(output size 0\)/],
    ["dilated window too big", [1, 1, 4, 4], (x) => nt.maxPool2d(x, 2, { dilation: 4 }), /maxPool2d: input \[1, 1, 4, 4\] is too small for kernel 2 dilation 4/],
    ["bad kernel", [1, 1, 4, 4], (x) => nt.avgPool2d(x, 0), /avgPool2d: kernelSize must be an integer >= 1 or 2 of them, got number 0/],
    ["bad countIncludePad", [1, 1, 4, 4], (x) => nt.avgPool2d(x, 2, { countIncludePad: "yes" as any }), /avgPool2d: countIncludePad must be a boolean, got string yes/],
    ["bad divisor", [1, 1, 4, 4], (x) => nt.avgPool2d(x, 2, { divisorOverride: -1 }), /avgPool2d: divisorOverride must be a positive integer, got number -1/],
    ["adaptive size list", [1, 1, 4, 4], (x) => nt.adaptiveAvgPool2d(x, [1, 2, 3] as any), /adaptiveAvgPool2d: outputSize must be an integer or 2 integers, got array \[1, 2, 3\]/],
    ["adaptive empty input", [1, 1, 0, 4], (x) => nt.adaptiveAvgPool2d(x, 2), /adaptiveAvgPool2d: input \[1, 1, 0, 4\] has an empty spatial dim/],
    ["interpolate both", [1, 1, 4, 4], (x) => nt.interpolate(x, { size: 8, scaleFactor: 2 }), /interpolate: give exactly one of size and scaleFactor/],
    ["interpolate neither", [1, 1, 4, 4], (x) => nt.interpolate(x, {}), /interpolate: give exactly one of size and scaleFactor/],
    ["interpolate mode", [1, 1, 4, 4], (x) => nt.interpolate(x, { scaleFactor: 2, mode: "bilinear" as any }), /interpolate: mode must be "nearest", got string bilinear/],
    ["interpolate rank", [4, 4], (x) => nt.interpolate(x, { scaleFactor: 2 }), /interpolate: input must be 3-D \[N, C, L\] or 4-D \[N, C, H, W\], got \[4, 4\]/],
    ["interpolate scale", [1, 1, 4, 4], (x) => nt.interpolate(x, { scaleFactor: [2] }), /interpolate: scaleFactor must be a positive number or 2 of them, got array \[2\]/],
    ["interpolate to nothing", [1, 1, 4, 4], (x) => nt.interpolate(x, { scaleFactor: 0.1 }), /interpolate: input \[1, 1, 4, 4\] and output size \[0, 0\] must have no empty spatial dim/],
  ];
  for (const [what, shape, call, pattern] of cases) {
    it(what, () => {
      nt.scope(() => {
        const x = nt.zeros(shape);
        const before = nt.memory().numTensors;
        expect(() => call(x)).toThrow(pattern);
        expect(nt.memory().numTensors).toBe(before);
      });
    });
  }
});
