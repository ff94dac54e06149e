// Gradient checks for the norm family (src/ops/norm.ts): batch norm in train mode (the full
// batch-statistics backward) and eval mode, layer norm over one and two trailing dims, with and
// without weight/bias, and the embedding lookup with repeated indices. (A paddingIdx row gets no
// gradient by definition although the output depends on it, so it cannot pass a finite-difference
// check; the PyTorch fixtures cover it.)
import * as nt from "../../src/index";
import type { Tensor } from "../../src/index";
import { seededInput as input } from "../helpers/inputs"; // seeded values in [lo, hi), default [-2, 2), requiring grad

type Check = { fn: (...x: Tensor[]) => Tensor; inputs: () => Tensor[] };

const train = (x: Tensor, w?: Tensor, b?: Tensor) => nt.batchNorm(x, null, null, { weight: w, bias: b, training: true });
const evalMode = (x: Tensor, w?: Tensor, b?: Tensor) =>
  nt.batchNorm(x, nt.tensor([0.3, -0.2, 0.1]), nt.tensor([0.8, 1.5, 0.4]), { weight: w, bias: b, eps: 1e-3 });

export const checks: Record<string, Check[]> = {
  batchNorm: [
    { fn: train, inputs: () => [input([4, 3], 1), input([3], 2, 0.5, 1.5), input([3], 3)] },
    { fn: (x) => train(x), inputs: () => [input([3, 2, 5], 4)] },
    { fn: train, inputs: () => [input([2, 3, 2, 3], 5), input([3], 6, 0.5, 1.5), input([3], 7)] },
    { fn: evalMode, inputs: () => [input([4, 3], 8), input([3], 9, 0.5, 1.5), input([3], 10)] },
    { fn: (x) => evalMode(x), inputs: () => [input([2, 3, 4], 11)] },
  ],
  layerNorm: [
    { fn: (x, w, b) => nt.layerNorm(x, 5, { weight: w, bias: b }), inputs: () => [input([3, 5], 12), input([5], 13, 0.5, 1.5), input([5], 14)] },
    { fn: (x, w, b) => nt.layerNorm(x, [3, 4], { weight: w, bias: b }), inputs: () => [input([2, 3, 4], 15), input([3, 4], 16, 0.5, 1.5), input([3, 4], 17)] },
    { fn: (x) => nt.layerNorm(x, [3]), inputs: () => [input([4, 3], 18)] },
  ],
  embedding: [
    { fn: (w) => nt.embedding(nt.tensor([[0, 2, 2], [5, 0, 1]]), w), inputs: () => [input([6, 3], 19)] },
    { fn: (w) => nt.embedding(nt.tensor([3, 3, 1]), w, { paddingIdx: 0 }), inputs: () => [input([4, 2], 20)] },
  ],
};
