// Gradient checks of the recurrent sequence ops and their slicing helpers (run by
// test/gradcheck.test.ts). Tiny shapes, odd sizes, both directions, every input requiring grad
// (x, initial states, weights, biases). Weights are scaled to 0.5 so the recurrence stays in
// the range where tanh/sigmoid are far from flat and f32 central differences stay accurate.
import * as nt from "../../src/index";
import type { Tensor } from "../../src/index";

function input(shape: number[], seed: number, scale = 1): Tensor {
  let s = (seed * 2654435761) >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v[i] = ((s >>> 8) / 2 ** 24 * 2 - 1) * scale;
  }
  return nt.tensor(v, shape, { requiresGrad: true });
}

/** x [T, B, I], h0 [B, H], (c0), weight_ih, weight_hh, bias_ih, bias_hh for a cell with `gates` gates. */
function operands(T: number, B: number, I: number, H: number, gates: number, withC0: boolean): () => Tensor[] {
  return () => [
    input([T, B, I], 1),
    input([B, H], 2, 0.5),
    ...(withC0 ? [input([B, H], 3, 0.5)] : []),
    input([gates * H, I], 4, 0.5),
    input([gates * H, H], 5, 0.5),
    input([gates * H], 6, 0.5),
    input([gates * H], 7, 0.5),
  ];
}

export const checks: Record<string, { fn: (...x: Tensor[]) => Tensor; inputs: () => Tensor[] }[]> = {
  rnnSequence: [
    { fn: (x, h, wi, wh, bi, bh) => nt.rnnSequence(x, h, wi, wh, bi, bh), inputs: operands(3, 2, 3, 5, 1, false) },
    { fn: (x, h, wi, wh, bi, bh) => nt.rnnSequence(x, h, wi, wh, bi, bh, { reverse: true }), inputs: operands(4, 1, 2, 3, 1, false) },
    // relu: with these seeded inputs every pre-activation is at least 0.0102 from the kink (computed once in
    // f64), far beyond what an eps = 1e-3 step moves it; another seed could put one at the kink
    { fn: (x, h, wi, wh, bi, bh) => nt.rnnSequence(x, h, wi, wh, bi, bh, { nonlinearity: "relu" }), inputs: operands(3, 2, 3, 4, 1, false) },
    { fn: (x, h, wi, wh) => nt.rnnSequence(x, h, wi, wh), inputs: () => operands(2, 3, 1, 2, 1, false)().slice(0, 4) },
  ],
  lstmSequence: [
    { fn: (x, h, c, wi, wh, bi, bh) => nt.lstmSequence(x, h, c, wi, wh, bi, bh), inputs: operands(3, 2, 3, 5, 4, true) },
    { fn: (x, h, c, wi, wh, bi, bh) => nt.lstmSequence(x, h, c, wi, wh, bi, bh, { reverse: true }), inputs: operands(4, 1, 2, 3, 4, true) },
  ],
  gruSequence: [
    { fn: (x, h, wi, wh, bi, bh) => nt.gruSequence(x, h, wi, wh, bi, bh), inputs: operands(3, 2, 3, 5, 3, false) },
    { fn: (x, h, wi, wh, bi, bh) => nt.gruSequence(x, h, wi, wh, bi, bh, { reverse: true }), inputs: operands(4, 1, 2, 3, 3, false) },
  ],
  flatSlice: [{ fn: (x) => nt.flatSlice(x, 5, [2, 3]), inputs: () => [input([3, 4], 8)] }],
  concatLastDim: [{ fn: (a, b) => nt.concatLastDim(a, b), inputs: () => [input([2, 3, 2], 9), input([2, 3, 5], 10)] }],
  stackDim0: [{ fn: (a, b, c) => nt.stackDim0([a, b, c]), inputs: () => [input([2, 3], 11), input([2, 3], 12), input([2, 3], 13)] }],
};
