// The reference comparison the fixture tests share must fail on a real mismatch.
import { describe, it, expect } from "vitest";
import { expectCloseTo } from "./helpers/close";

describe("expectCloseTo", () => {
  it("passes within tolerance and names the first element outside it", () => {
    expect(expectCloseTo([1, 2.00001], [1, 2], "ok", { rtol: 1e-5, atol: 1e-6 })).toBeLessThanOrEqual(1);
    expect(() => expectCloseTo([1, 2.001], [1, 2], "out", { rtol: 1e-5, atol: 1e-6 })).toThrow(/out\[1\]: got 2.001, reference 2/);
    expect(() => expectCloseTo([NaN], [0], "nan", { rtol: 1e-5, atol: 1e-6 })).toThrow(/nan\[0\]/);
    expect(() => expectCloseTo([1], [1, 2], "len", { rtol: 1e-5, atol: 1e-6 })).toThrow();
  });
});
