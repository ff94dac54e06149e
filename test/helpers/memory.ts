// Memory accounting checks shared by the op test files.
import { expect } from "vitest";
import * as nt from "../../src/index";

/**
 * Run each named call on x (which requires grad), backpropagate ones through its output, dispose the
 * output, the seed and x.grad, and expect the live tensor count back where it was before the call:
 * the op, used outside any scope, leaves nothing behind (its saved tensors go with its graph).
 */
export function expectBackwardLeavesNothing(x: nt.Tensor, calls: [string, () => nt.Tensor][]): void {
  for (const [name, f] of calls) {
    const before = nt.memory().numTensors;
    const out = f();
    const seed = nt.onesLike(out);
    out.backward(seed);
    seed.dispose();
    out.dispose();
    x.grad!.dispose();
    x.grad = null;
    expect(nt.memory().numTensors, name).toBe(before);
  }
}
