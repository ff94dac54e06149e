import { describe, it, expect } from "vitest";
import { loadCore, randomFloats } from "./harness";

describe("memory kernels", () => {
  const core = loadCore();
  for (const n of [0, 1, 3, 17, 64 * 63]) {
    it(`fill_f32 and copy_f32 over ${n} floats`, () => {
      const out = core.empty(n + 1, 7);
      core.exports.fill_f32(out, n, 2.5);
      const got = core.get(out, n + 1);
      for (let i = 0; i < n; i++) expect(got[i]).toBe(2.5);
      expect(got[n]).toBe(7); // nothing written past the end
      const src = core.put(randomFloats(n, n + 3));
      const dst = core.empty(n + 1, 7);
      core.exports.copy_f32(dst, src, n);
      expect(Array.from(core.get(dst, n))).toEqual(Array.from(core.get(src, n)));
      expect(core.get(dst + n * 4, 1)[0]).toBe(7);
      core.reset();
    });
  }
});
