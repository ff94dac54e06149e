// Inverted dropout (F.dropout): in training, each element is zeroed with probability p and the
// rest scaled by 1/(1-p); the mask is drawn from the core's seeded stream and owned by the node.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { BinaryOp } from "../core";
import { describe } from "../shape";

/** x·mask/(1-p) with mask ~ Bernoulli(1-p) when training; x itself otherwise. */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  const op = "dropout";
  checkTensor(op, "input", x);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`${op}: p must be in [0, 1], got ${describe(p)}`);
  if (!training || p === 0) return x;
  const e = getEngine(op);
  const keepProb = 1 - p;
  const mask = Tensor.empty(op, x.shape.slice());
  e.core.rng_bernoulli_mask_f32(mask.ptr, mask.size, keepProb, keepProb > 0 ? 1 / keepProb : 0);
  const out = Tensor.empty(op, x.shape.slice());
  const times = (dst: Tensor, a: Tensor) => {
    const core = getEngine(op).core;
    core.binary_f32(BinaryOp.mul, dst.ptr, a.ptr, mask.ptr, 1, getEngine(op).params([a.size, 1, 1]));
  };
  if (x.size > 0) times(out, x);
  return record(
    out,
    op,
    [x],
    (g) => {
      const dx = Tensor.empty(op, x.shape.slice());
      if (x.size > 0) times(dx, g);
      return [dx];
    },
    [mask],
  );
}
