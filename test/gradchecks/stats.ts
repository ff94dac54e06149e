// Gradient checks for var, std, logsumexp and norm (src/ops/stats.ts).
import * as nt from "../../src/index";
import type { Tensor } from "../../src/index";

/** Deterministic values in [-2, 2), or with |x| in [0.5, 2) when awayFromZero (p < 1 norms). */
function input(shape: number[], seed: number, awayFromZero = false): Tensor {
  let s = seed * 7919 + 17;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const u = ((s >>> 8) / 2 ** 24) * 4 - 2;
    v[i] = awayFromZero ? Math.sign(u || 1) * (0.5 + (Math.abs(u) * 3) / 4) : u;
  }
  return nt.tensor(v, shape, { requiresGrad: true });
}

export const checks: Record<string, { fn: (...x: Tensor[]) => Tensor; inputs: () => Tensor[] }[]> = {
  var: [
    { fn: (x) => nt.var(x), inputs: () => [input([3, 4], 1)] },
    { fn: (x) => nt.var(x, 1, { keepdim: true }), inputs: () => [input([2, 3, 4], 2)] },
    { fn: (x) => nt.var(x, 0, { correction: 0 }), inputs: () => [input([3, 4], 3)] },
    { fn: (x) => x.var(-1, { unbiased: false }), inputs: () => [input([2, 5], 4)] },
  ],
  std: [
    { fn: (x) => nt.std(x), inputs: () => [input([3, 4], 5)] },
    { fn: (x) => nt.std(x, 1, { correction: 2 }), inputs: () => [input([2, 4, 3], 6)] },
    { fn: (x) => x.std(0, { keepdim: true }), inputs: () => [input([3, 2], 7)] },
  ],
  logsumexp: [
    { fn: (x) => nt.logsumexp(x, 1), inputs: () => [input([3, 4], 8)] },
    { fn: (x) => nt.logsumexp(x, 0, true), inputs: () => [input([3, 2, 2], 9)] },
    { fn: (x) => x.logsumexp(-1), inputs: () => [input([2, 5], 10)] },
    { fn: (x) => nt.logsumexp(x, null), inputs: () => [input([2, 3], 11)] },
  ],
  norm: [
    { fn: (x) => nt.norm(x), inputs: () => [input([3, 4], 12)] },
    { fn: (x) => nt.norm(x, 2, 1, true), inputs: () => [input([2, 3, 4], 13)] },
    { fn: (x) => nt.norm(x, 1, 0), inputs: () => [input([3, 4], 14, true)] },
    { fn: (x) => nt.norm(x, Infinity, 1), inputs: () => [input([3, 4], 15)] },
    { fn: (x) => nt.norm(x, -Infinity, 0), inputs: () => [input([3, 4], 16)] },
    { fn: (x) => nt.norm(x, 3, -1), inputs: () => [input([2, 5], 17)] },
    { fn: (x) => x.norm(1.5, 1), inputs: () => [input([3, 4], 18, true)] },
    { fn: (x) => x.norm(0.5), inputs: () => [input([2, 3], 19, true)] },
  ],
};
