// Gradient checks for cat, stack, narrow, split and chunk (src/ops/join.ts), and dropout.
import * as nt from "../../src/index";
import type { Tensor } from "../../src/index";

function input(shape: number[], seed: number): Tensor {
  let s = seed * 7919 + 17;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v[i] = ((s >>> 8) / 2 ** 24) * 4 - 2;
  }
  return nt.tensor(v, shape, { requiresGrad: true });
}

export const checks: Record<string, { fn: (...x: Tensor[]) => Tensor; inputs: () => Tensor[] }[]> = {
  cat: [
    { fn: (a, b) => nt.cat([a, b], 1), inputs: () => [input([2, 3, 2], 1), input([2, 1, 2], 2)] },
    { fn: (a, b, c) => nt.cat([a, b, c], 0), inputs: () => [input([1, 3], 1), input([2, 3], 2), input([1, 3], 3)] },
    { fn: (a, b) => nt.cat([a, b], -1), inputs: () => [input([3, 2], 1), input([3, 3], 2)] },
  ],
  stack: [
    { fn: (a, b) => nt.stack([a, b], 1), inputs: () => [input([2, 3], 1), input([2, 3], 2)] },
    { fn: (a, b) => nt.stack([a, b], 2), inputs: () => [input([2, 3], 1), input([2, 3], 2)] },
  ],
  narrow: [
    { fn: (x) => nt.narrow(x, 1, 1, 2), inputs: () => [input([2, 4, 3], 1)] },
    { fn: (x) => nt.narrow(x, -1, -2, 2), inputs: () => [input([3, 4], 1)] },
  ],
  split: [{ fn: (x) => nt.split(x, [1, 3], 1)[1], inputs: () => [input([2, 4], 1)] }],
  chunk: [{ fn: (x) => nt.chunk(x, 2, 0)[1].mul(nt.chunk(x, 2, 0)[0]), inputs: () => [input([4, 3], 1)] }],
};

// dropout: the same seed before each call gives the same mask, so the function is deterministic.
checks.dropout = [
  {
    fn: (x) => {
      nt.manualSeed(5);
      return nt.dropout(x, 0.3);
    },
    inputs: () => [input([3, 5], 4)],
  },
];

// where: gradient to a where the condition holds, to b elsewhere (inputs kept away from the condition's edge).
checks.where = [
  {
    fn: (a, b) => nt.where(nt.tensor([[1, 0, 1], [0, 0, 1]]), a, b),
    inputs: () => [input([2, 3], 5), input([3], 6)],
  },
  { fn: (a) => nt.where(nt.tensor([1, 0, 1, 0]), a, 0.5), inputs: () => [input([4], 7)] },
];
