// Comparing results with reference values (PyTorch fixtures): elementwise
// |got - want| <= atol·scale + rtol·|want|, where scale is the largest |want| (at least
// minScale), so an absolute floor follows the case's magnitude. Each test file states and
// justifies its own rtol and atol.
import { expect } from "vitest";

export interface Tolerance {
  rtol: number;
  atol: number;
  /** Lower bound of the scale the absolute part is relative to (default 1). */
  minScale?: number;
}

/** Throws naming the first element out of tolerance; returns the worst |diff| / tolerance seen. */
export function expectCloseTo(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol: Tolerance): number {
  expect(got.length, `${what}: length`).toBe(want.length);
  let scale = tol.minScale ?? 1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const bound = tol.atol * scale + tol.rtol * Math.abs(want[i]);
    const err = Math.abs(got[i] - want[i]);
    worst = Math.max(worst, err / bound);
    if (!(err <= bound)) {
      throw new Error(`${what}[${i}]: got ${got[i]}, reference ${want[i]} (|diff| ${err} > ${bound})`);
    }
  }
  return worst;
}
