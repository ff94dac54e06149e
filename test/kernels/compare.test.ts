// Comparison op codes of binary_f32 (7..12) and select_f32 against naive TypeScript, every
// length through the SIMD body and tail, with guards around the output. Results are exact.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats } from "./harness";

const core = loadCore();
const ex = core.exports;
const refs: Record<number, (a: number, b: number) => boolean> = {
  7: (a, b) => a > b, 8: (a, b) => a >= b, 9: (a, b) => a < b, 10: (a, b) => a <= b, 11: (a, b) => a === b, 12: (a, b) => a !== b,
};

/** Inputs with ties, NaN and signed zeros mixed in. */
function inputs(n: number, seed: number): Float32Array {
  const v = randomFloats(n, seed, -2, 2).map((x) => Math.round(x * 2) / 2);
  for (let i = 0; i < n; i += 7) v[i] = NaN;
  for (let i = 3; i < n; i += 11) v[i] = -0;
  return v;
}

describe("comparison kernels", () => {
  for (const n of [0, 1, 3, 17, 64 * 63]) {
    for (const [code, ref] of Object.entries(refs)) {
      it(`binary_f32 op ${code} over ${n}`, () => {
        const a = inputs(n, n + 1);
        const b = inputs(n, n + 2);
        const out = core.guarded(n);
        ex.binary_f32(Number(code), out.ptr, core.put(a), core.put(b), 1, core.putI32([n, 1, 1]));
        const got = out.get();
        for (let i = 0; i < n; i++) expect(got[i], `[${i}] ${a[i]} vs ${b[i]}`).toBe(ref(a[i], b[i]) ? 1 : 0);
        expect(out.guardsIntact()).toBe(true);
        core.reset();
      });
    }
    it(`select_f32 over ${n}`, () => {
      const cond = inputs(n, n + 3).map((x) => (x > 0 ? 1 : x < 0 ? 0 : x)); // includes NaN (nonzero) and -0 (zero)
      const a = randomFloats(n, n + 4);
      const b = randomFloats(n, n + 5);
      const out = core.guarded(n);
      ex.select_f32(out.ptr, core.put(cond), core.put(a), core.put(b), n);
      const got = out.get();
      for (let i = 0; i < n; i++) expect(got[i]).toBe(cond[i] !== 0 ? a[i] : b[i]);
      expect(out.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});
