// PyTorch fixture cases (test/fixtures/*.json, written offline by the gen_*.py scripts there): an op
// applied to a list of inputs, its output, and the gradient of every input under the non-uniform
// L = ((out + 1)^2).mean().
import { expect } from "vitest";
import * as nt from "../../src/index";
import type { Tensor } from "../../src/index";
import { expectCloseTo, type Tolerance } from "./close";

export interface Fx { shape: number[]; data: number[]; requiresGrad?: boolean; dtype?: string }
export interface Case { name: string; op: string; args: Record<string, any>; inputs: Fx[]; output: Fx; grads: (Fx | null)[] }
/** How a fixture's op name maps onto neurite's API: the inputs as tensors and the case's args. */
export type Call = (x: Tensor[], a: Record<string, any>) => Tensor;

/** Run case c through `call`: its output shape and values and every input gradient it holds, within tol. */
export function expectCaseMatches(c: Case, call: Call, tol: Tolerance): void {
  nt.scope(() => {
    const inputs = c.inputs.map((fx) => nt.tensor(fx.data, fx.shape, { requiresGrad: !!fx.requiresGrad }));
    const out = call(inputs, c.args);
    expect(out.shape, "output shape").toEqual(c.output.shape);
    expectCloseTo(out.data(), c.output.data, "output", tol);
    out.add(1).pow(2).mean().backward();
    c.grads.forEach((g, i) => {
      if (!g) return;
      const grad = inputs[i].grad;
      expect(grad, `grad of input ${i}`).not.toBeNull();
      expect(grad!.shape, `grad ${i} shape`).toEqual(g.shape);
      expectCloseTo(grad!.data(), g.data, `grad of input ${i}`, tol);
    });
    inputs.forEach((t) => t.dispose());
  });
}
