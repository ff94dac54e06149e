// Gradient checks for nllLoss, klDiv, smoothL1Loss and crossEntropy's class weights (src/ops/loss.ts); the
// older losses are in test/gradcheck.test.ts. Inputs stay 0.05 away from smoothL1Loss's kinks (|input - target| = beta) and
// klDiv's probability targets stay >= 0.1 so a step of 1e-3 never leaves the smooth region.
import * as nt from "../../src/index";
import type { Tensor } from "../../src/index";
import { seededInput } from "../helpers/inputs";

const labels = (values: number[], shape?: number[]) => nt.tensor(values, shape);
/** Probabilities in [0.1, 1) (no zeros: d/dtarget is NaN there, as in torch). */
const probs = (shape: number[], seed: number) => seededInput(shape, seed, 0.1, 1);
/** Input and target whose difference keeps 0.05 away from 0 and from ±beta. */
function apart(shape: number[], seed: number, beta: number): Tensor[] {
  const x = seededInput(shape, seed);
  const y = seededInput(shape, seed + 1);
  const xv = x.data(), yv = y.data();
  for (let i = 0; i < xv.length; i++) {
    for (const k of [0, beta, -beta]) {
      const d = xv[i] - yv[i] - k;
      if (Math.abs(d) < 0.05) xv[i] += d < 0 ? -0.1 : 0.1;
    }
  }
  return [nt.tensor(xv, shape, { requiresGrad: true }), y];
}

export const checks: Record<string, { fn: (...x: Tensor[]) => Tensor; inputs: () => Tensor[] }[]> = {
  nllLoss: [
    { fn: (x) => nt.nllLoss(x, labels([0, 3, 1, 4])), inputs: () => [seededInput([4, 5], 1)] },
    { fn: (x) => nt.nllLoss(x, labels([0, 3, 1, 2]), { weight: labels([0.5, 2, 1, 3, 1.5]), ignoreIndex: 1 }), inputs: () => [seededInput([4, 5], 2)] },
    { fn: (x) => nt.nllLoss(x, labels([0, 2, 1, 1, 0, 2], [2, 3]), { reduction: "none" }), inputs: () => [seededInput([2, 3, 3], 3)] },
    { fn: (x) => nt.nllLoss(x, labels(2), { reduction: "sum" }), inputs: () => [seededInput([4], 4)] },
  ],
  crossEntropy: [
    // class weights: class indices with smoothing and an ignored element, 4-D, and probability targets
    { fn: (x) => nt.crossEntropy(x, labels([0, 3, 1, 2]), { weight: labels([0.5, 2, 1, 3, 1.5]), labelSmoothing: 0.2, ignoreIndex: 1 }), inputs: () => [seededInput([4, 5], 21)] },
    { fn: (x) => nt.crossEntropy(x, labels([0, 2, 1, 1, 0, 2, 2, 0], [2, 2, 2]), { weight: labels([1.5, 0.25, 2]), reduction: "none" }), inputs: () => [seededInput([2, 3, 2, 2], 22)] },
    { fn: (x) => nt.crossEntropy(x, labels([2, 0, 1]), { weight: labels([2, 0.5, 1]), labelSmoothing: 0.1, reduction: "sum" }), inputs: () => [seededInput([3, 3], 23)] },
    { fn: (x, y) => nt.crossEntropy(x, y, { weight: labels([0.5, 2, 1, 3]), labelSmoothing: 0.3 }), inputs: () => [seededInput([3, 4], 24), nt.tensor(probs([3, 4], 25).data(), [3, 4])] },
  ],
  klDiv: [
    { fn: (x, y) => nt.klDiv(x, y), inputs: () => [seededInput([3, 4], 5, -3, 0), probs([3, 4], 6)] },
    { fn: (x, y) => nt.klDiv(x, y, { reduction: "batchmean" }), inputs: () => [seededInput([3, 4], 7, -3, 0), probs([3, 4], 8)] },
    { fn: (x, y) => nt.klDiv(x, y, { logTarget: true, reduction: "none" }), inputs: () => [seededInput([2, 5], 9, -3, 0), seededInput([2, 5], 10, -3, 0)] },
    { fn: (x, y) => nt.klDiv(x, y, { logTarget: true, reduction: "sum" }), inputs: () => [seededInput([6], 11, -3, 0), seededInput([6], 12, -3, 0)] },
  ],
  smoothL1Loss: [
    { fn: (x, y) => nt.smoothL1Loss(x, y), inputs: () => apart([3, 4], 13, 1) },
    { fn: (x, y) => nt.smoothL1Loss(x, y, { beta: 0.5, reduction: "none" }), inputs: () => apart([3, 4], 15, 0.5) },
    { fn: (x, y) => nt.smoothL1Loss(x, y, { beta: 2, reduction: "sum" }), inputs: () => apart([2, 5], 17, 2) },
    { fn: (x, y) => nt.smoothL1Loss(x, y, { beta: 0 }), inputs: () => apart([3, 3], 19, 0) },
  ],
};
