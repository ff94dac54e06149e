// Gradient clipping (nn.utils.clipGradNorm_, clipGradValue_) against PyTorch 1.13 (test/fixtures/optim.json).
//
// Tolerance for clipGradNorm_: 1e-6 relative. torch sums each gradient's norm in f32 (its own reduction
// order) and then takes the norm of those norms in f32; we sum squares in f64 and round the norm once, so the
// two norms differ by a few f32 ulp (~2e-7); the clip coefficient maxNorm / (norm + 1e-6) inherits that and
// each scaled gradient adds one rounding. clipGradValue_ is a clamp: exact.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";

interface ClipCase {
  name: string;
  kind: "norm" | "value";
  options: { max_norm?: number; norm_type?: number | "Infinity"; clip_value?: number };
  shapes: number[][];
  grads: number[][];
  total_norm: number | null;
  after: number[][];
}
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/optim.json", import.meta.url), "utf8")) as { clipping: ClipCase[] };
const { clipGradNorm_, clipGradValue_ } = nt.nn.utils;
const fr = Math.fround;

function closeRel(got: ArrayLike<number>, want: number[], what: string, rtol: number): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = rtol * Math.abs(want[i]) + 1e-30;
    if (!(Math.abs(got[i] - want[i]) <= tol)) throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

function withGrads(shapes: number[][], grads: (number[] | null)[]): Tensor[] {
  return shapes.map((s, i) => {
    const p = nt.keep(nt.zeros(s, { requiresGrad: true }));
    const g = grads[i];
    if (g) p.grad = nt.keep(nt.tensor(g, s));
    return p;
  });
}
const free = (ps: Tensor[]) => ps.forEach((p) => p.dispose());

describe("clipping matches PyTorch 1.13", () => {
  for (const c of fixtures.clipping) {
    it(c.name, () => {
      const ps = withGrads(c.shapes, c.grads);
      if (c.kind === "norm") {
        const normType = c.options.norm_type === "Infinity" ? Infinity : c.options.norm_type!;
        const total = clipGradNorm_(ps, c.options.max_norm!, normType);
        closeRel([total], [c.total_norm!], `${c.name} total norm`, 1e-6);
        ps.forEach((p, i) => closeRel(p.grad!.data(), c.after[i], `${c.name} grad ${i}`, 1e-6));
      } else {
        clipGradValue_(ps, c.options.clip_value!);
        ps.forEach((p, i) => expect(Array.from(p.grad!.data()), `grad ${i}`).toEqual(c.after[i]));
      }
      free(ps);
    });
  }
});

describe("clipGradNorm_", () => {
  it("hand-derived: grads [3], [4] have norm 5 and are scaled by maxNorm / (5 + 1e-6)", () => {
    const ps = withGrads([[1], [1]], [[3], [4]]);
    expect(clipGradNorm_(ps, 1)).toBe(5);
    const coef = fr(1 / fr(5 + fr(1e-6)));
    expect([ps[0].grad!.item(), ps[1].grad!.item()]).toEqual([fr(3 * coef), fr(4 * coef)]);
    free(ps);
  });

  it("leaves gradients bit for bit alone below the limit, and accepts a single tensor", () => {
    const [p] = withGrads([[3]], [[0.1, -0.2, 0.3]]);
    const before = Array.from(p.grad!.data());
    expect(clipGradNorm_(p, 1)).toBe(fr(Math.sqrt(fr(0.1) ** 2 + fr(0.2) ** 2 + fr(0.3) ** 2)));
    expect(Array.from(p.grad!.data())).toEqual(before);
    // the infinity norm is the largest |g|
    expect(clipGradNorm_([p], 0.15, Infinity)).toBe(fr(0.3));
    expect(Math.max(...Array.from(p.grad!.data()).map(Math.abs))).toBeLessThanOrEqual(0.15);
    free([p]);
  });

  it("skips parameters without a gradient; returns 0 when none has one", () => {
    const ps = withGrads([[2], [2]], [null, [3, 4]]);
    expect(clipGradNorm_(ps, 10)).toBe(5);
    expect(ps[0].grad).toBe(null);
    expect(clipGradNorm_([ps[0]], 1)).toBe(0);
    free(ps);
  });

  it("allocates no tensors", () => {
    const ps = withGrads([[4032], [17]], [Array.from({ length: 4032 }, (_, i) => Math.sin(i)), new Array(17).fill(2)]);
    const before = nt.memory();
    clipGradNorm_(ps, 0.5);
    clipGradNorm_(ps, 0.5, 1);
    clipGradValue_(ps, 0.01);
    expect(nt.memory()).toEqual(before);
    free(ps);
  });

  it("non-finite norms: scaled by them like torch (inf -> coefficient 0), or an error with errorIfNonfinite", () => {
    const ps = withGrads([[3]], [[1, Infinity, 2]]);
    expect(() => clipGradNorm_(ps, 1, 2, { errorIfNonfinite: true })).toThrow(/clipGradNorm_: the total norm of order 2 for gradients is non-finite/);
    expect(Array.from(ps[0].grad!.data())).toEqual([1, Infinity, 2]);
    expect(clipGradNorm_(ps, 1)).toBe(Infinity);
    expect(Array.from(ps[0].grad!.data())).toEqual([0, NaN, 0]); // g * 0, as torch's mul_ by clamp(0, max=1)
    free(ps);
  });

  it("argument errors", () => {
    const ps = withGrads([[2]], [[1, 1]]);
    expect(() => clipGradNorm_(ps, 1, 0)).toThrow("clipGradNorm_: normType must be a number > 0 or Infinity, got number 0");
    expect(() => clipGradNorm_(ps, "1" as any)).toThrow("clipGradNorm_: maxNorm must be a number, got string 1");
    expect(() => clipGradNorm_([ps[0], 2 as any], 1)).toThrow("clipGradNorm_: parameters[1] must be a Tensor, got number 2");
    expect(() => clipGradNorm_(3 as any, 1)).toThrow("clipGradNorm_: parameters must be a Tensor or an array of Tensors, got number 3");
    expect(() => clipGradValue_(ps, NaN)).toThrow("clipGradValue_: clipValue must be a number, got number NaN");
    free(ps);
  });
});

describe("clipGradValue_", () => {
  it("clamps into [-v, v] in place, keeps NaN, skips missing gradients", () => {
    const ps = withGrads([[5], [1]], [[-3, -0.5, 0.25, 2, NaN], null]);
    const g = ps[0].grad!;
    clipGradValue_(ps, 0.5);
    expect(ps[0].grad).toBe(g);
    expect(Array.from(g.data())).toEqual([-0.5, -0.5, 0.25, 0.5, NaN]);
    expect(ps[1].grad).toBe(null);
    clipGradValue_(ps[0], 0.1);
    expect(Array.from(g.data())).toEqual([-0.1, -0.1, 0.1, 0.1, NaN].map(fr));
    free(ps);
  });
});
