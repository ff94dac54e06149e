// Seeded inputs for gradient checks: the same values on every run and machine.
import * as nt from "../../src/index";
import type { Tensor } from "../../src/index";

/** Seeded values in [lo, hi), requiring grad. */
export function seededInput(shape: number[], seed: number, lo = -2, hi = 2): Tensor {
  let s = (seed * 2654435761) >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return nt.tensor(v, shape, { requiresGrad: true });
}
