// Gradient checks for the conv and pooling ops (src/ops/conv.ts, src/ops/pool.ts), on small
// shapes with stride, padding, dilation and groups all away from 1/0 somewhere.
import * as nt from "../../src/index";
import type { Tensor } from "../../src/index";
import { seededInput as input } from "../helpers/inputs"; // seeded values in [lo, hi), default [-2, 2), requiring grad

/**
 * A seeded permutation of -2, -2 + 0.05, ...: every two elements differ by at least 0.05, far
 * more than the finite-difference step (1e-3), so no max-pool window changes its argmax.
 */
function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, (_, i) => -2 + 0.05 * i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [v[i], v[j]] = [v[j], v[i]];
  }
  return nt.tensor(v, shape, { requiresGrad: true });
}

type Check = { fn: (...x: Tensor[]) => Tensor; inputs: () => Tensor[] };

export const checks: Record<string, Check[]> = {
  conv2d: [
    { fn: (x, w, b) => nt.conv2d(x, w, b), inputs: () => [input([2, 3, 5, 4], 1), input([4, 3, 3, 2], 2), input([4], 3)] },
    {
      fn: (x, w, b) => nt.conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }),
      inputs: () => [input([2, 4, 7, 6], 4), input([6, 2, 3, 2], 5), input([6], 6)],
    },
    { fn: (x, w) => nt.conv2d(x, w, null, { padding: "same", dilation: 2 }), inputs: () => [input([1, 2, 5, 5], 7), input([3, 2, 2, 3], 8)] },
    { fn: (x, w) => nt.conv2d(x, w, null, { stride: 3 }), inputs: () => [input([3, 2, 4, 5], 9), input([2, 2, 1, 1], 10)] },
  ],
  conv1d: [
    {
      fn: (x, w, b) => nt.conv1d(x, w, b, { stride: 2, padding: 2, dilation: 2, groups: 3 }),
      inputs: () => [input([2, 3, 9], 11), input([6, 1, 3], 12), input([6], 13)],
    },
    { fn: (x, w) => nt.conv1d(x, w, null, { padding: "same" }), inputs: () => [input([3, 7], 14), input([2, 3, 4], 15)] },
  ],
  convTranspose2d: [
    { fn: (x, w, b) => nt.convTranspose2d(x, w, b), inputs: () => [input([2, 3, 3, 4], 16), input([3, 2, 2, 3], 17), input([2], 18)] },
    {
      fn: (x, w, b) => nt.convTranspose2d(x, w, b, { stride: [2, 3], padding: [1, 0], outputPadding: [1, 2], groups: 2, dilation: [1, 2] }),
      inputs: () => [input([2, 4, 3, 3], 19), input([4, 3, 3, 2], 20), input([6], 21)],
    },
  ],
  maxPool2d: [
    { fn: (x) => nt.maxPool2d(x, 2), inputs: () => [distinct([2, 3, 5, 4], 22)] },
    { fn: (x) => nt.maxPool2d(x, [3, 2], { stride: [2, 1], padding: [1, 1], dilation: [1, 2], ceilMode: true }), inputs: () => [distinct([2, 2, 6, 7], 23)] },
    { fn: (x) => nt.maxPool2d(x, 3, { stride: 1 }), inputs: () => [distinct([1, 2, 5, 5], 24)] }, // overlapping windows
  ],
  avgPool2d: [
    { fn: (x) => nt.avgPool2d(x, 2), inputs: () => [input([2, 3, 5, 4], 25)] },
    { fn: (x) => nt.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), inputs: () => [input([2, 2, 6, 5], 26)] },
    { fn: (x) => nt.avgPool2d(x, [2, 3], { stride: 1, padding: [1, 1], divisorOverride: 4 }), inputs: () => [input([1, 2, 4, 5], 27)] },
  ],
  adaptiveAvgPool2d: [
    { fn: (x) => nt.adaptiveAvgPool2d(x, [3, 2]), inputs: () => [input([2, 3, 7, 5], 28)] },
    { fn: (x) => nt.adaptiveAvgPool2d(x, 1), inputs: () => [input([2, 3, 4, 4], 29)] },
  ],
  interpolate: [
    { fn: (x) => nt.interpolate(x, { scaleFactor: 2 }), inputs: () => [input([2, 2, 3, 2], 30)] },
    { fn: (x) => nt.interpolate(x, { size: [5, 3] }), inputs: () => [input([1, 2, 3, 4], 31)] },
    { fn: (x) => nt.interpolate(x, { scaleFactor: 1.5 }), inputs: () => [input([2, 2, 5], 32)] },
  ],
};
