// hopfield.ts kernels against naive TypeScript. With integer weights (the Hebbian sums these
// kernels are built for) every field and energy is an exact integer in float32 whatever the
// summation order, so results must match exactly. Sizes n = 0, 1, 3, 17, 63, 64.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats } from "./harness";

const core = loadCore();
const ex = core.exports;
const SIZES = [0, 1, 3, 17, 63, 64];

/** A symmetric integer matrix with zero diagonal, entries in [-4, 4]. */
function symmetric(n: number, seed: number): Float32Array {
  const r = randomFloats(n * n, seed, -4.5, 4.5);
  const w = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) w[i * n + j] = w[j * n + i] = Math.round(r[i * n + j]);
  return w;
}

function signs(n: number, seed: number): Float32Array {
  return Float32Array.from(randomFloats(n, seed), (v) => (v < 0 ? -1 : 1));
}

const field = (w: Float32Array, s: Float32Array, n: number, i: number) => {
  let h = 0;
  for (let j = 0; j < n; j++) h += w[i * n + j] * s[j];
  return h;
};
const energyRef = (w: Float32Array, s: Float32Array, n: number) => {
  let e = 0;
  for (let i = 0; i < n; i++) e += s[i] * field(w, s, n, i);
  return -0.5 * e;
};
const update = (h: number, cur: number) => (h > 0 ? 1 : h < 0 ? -1 : cur);

describe("hopfield kernels", () => {
  for (const n of SIZES) {
    it(`n = ${n}: energy, sync step, async sweep with trace, zero diagonal`, () => {
      const w = symmetric(n, n + 1);
      const s = signs(n, n + 2);
      const wp = core.put(w);
      const sp = core.put(s);
      expect(ex.hopfield_energy_f32(wp, sp, n)).toBe(energyRef(w, s, n));

      const out = core.empty(n + 1, 7);
      const changed = ex.hopfield_sync_step_f32(out, sp, wp, n);
      const want = Float32Array.from(s, (v, i) => update(field(w, s, n, i), v));
      expect(core.get(out, n)).toEqual(want);
      expect(core.get(out + n * 4, 1)[0]).toBe(7); // nothing past the end
      expect(changed).toBe(want.filter((v, i) => v !== s[i]).length);
      expect(core.get(sp, n)).toEqual(s); // sync reads s only

      // async: a fixed order (reversed), state updated in place one neuron at a time
      const order = Array.from({ length: n }, (_, k) => n - 1 - k);
      const op = core.putI32(order);
      const trace = core.empty(2 * n + 2, NaN); // n f64 values
      const e0 = energyRef(w, s, n);
      const flips = ex.hopfield_async_sweep_f32(sp, wp, op, n, trace, e0);
      const ref = s.slice();
      const energies: number[] = [];
      let refFlips = 0;
      for (const i of order) {
        const next = update(field(w, ref, n, i), ref[i]);
        if (next !== ref[i]) refFlips++;
        ref[i] = next;
        energies.push(energyRef(w, ref, n)); // recomputed from scratch, not tracked
      }
      expect(core.get(sp, n)).toEqual(ref);
      expect(flips).toBe(refFlips);
      expect(Array.from(new Float64Array(ex.memory.buffer, trace, n))).toEqual(energies);
      for (let k = 1; k < n; k++) expect(energies[k]).toBeLessThanOrEqual(energies[k - 1]);

      const m = core.put(randomFloats(n * n, n + 3));
      ex.hopfield_zero_diag_f32(m, n);
      const got = core.get(m, n * n);
      for (let i = 0; i < n; i++) expect(got[i * n + i]).toBe(0);
      expect(got.filter((v) => v === 0).length).toBe(n);
      core.reset();
    });
  }

  it("a zero field keeps the neuron's value (no change on ties), in both modes", () => {
    // two neurons joined by weight 0: every field is 0
    const wp = core.put([0, 0, 0, 0]);
    const sp = core.put([1, -1]);
    const out = core.empty(2);
    expect(ex.hopfield_sync_step_f32(out, sp, wp, 2)).toBe(0);
    expect(Array.from(core.get(out, 2))).toEqual([1, -1]);
    expect(ex.hopfield_async_sweep_f32(sp, wp, core.putI32([1, 0]), 2, 0, 0)).toBe(0);
    expect(Array.from(core.get(sp, 2))).toEqual([1, -1]);
    core.reset();
  });

  it("hand-derived: W = p pᵀ - I for p = (1, -1, 1) pulls (1, 1, 1) back to p; E(p) = -3", () => {
    // W = [[0,-1,1],[-1,0,-1],[1,-1,0]]; fields at (1,1,1): (0, -2, 0) -> neuron 1 flips to -1
    const wp = core.put([0, -1, 1, -1, 0, -1, 1, -1, 0]);
    const sp = core.put([1, 1, 1]);
    expect(ex.hopfield_energy_f32(wp, sp, 3)).toBe(1); // -1/2 (1·0 + 1·(-2) + 1·0) = 1
    const out = core.empty(3);
    expect(ex.hopfield_sync_step_f32(out, sp, wp, 3)).toBe(1);
    expect(Array.from(core.get(out, 3))).toEqual([1, -1, 1]);
    expect(ex.hopfield_energy_f32(wp, out, 3)).toBe(-3); // fields at p are 2p: -1/2 (2 + 2 + 2)
    core.reset();
  });

  it("hopfield_shuffle_i32: a permutation, fixed by the state, different for another state", () => {
    for (const n of [0, 1, 3, 17, 100]) {
      const a = core.putI32(new Array(n).fill(-1));
      const b = core.putI32(new Array(n).fill(-1));
      const next = ex.hopfield_shuffle_i32(a, n, 12345) >>> 0;
      ex.hopfield_shuffle_i32(b, n, 12345);
      const pa = Array.from(core.getI32(a, n));
      expect([...pa].sort((x, y) => x - y)).toEqual([...Array(n).keys()]);
      expect(Array.from(core.getI32(b, n))).toEqual(pa);
      if (n >= 17) {
        ex.hopfield_shuffle_i32(b, n, next);
        expect(Array.from(core.getI32(b, n))).not.toEqual(pa);
        expect(pa).not.toEqual([...Array(n).keys()]);
      }
      expect(next).not.toBe(0);
    }
    core.reset();
  });

  it("hopfield_shuffle_i32: every position of a 4-permutation is near uniform over 4000 draws", () => {
    const counts = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    const p = core.putI32([0, 0, 0, 0]);
    let state = 1;
    for (let t = 0; t < 4000; t++) {
      state = ex.hopfield_shuffle_i32(p, 4, state) >>> 0;
      core.getI32(p, 4).forEach((v, pos) => counts[pos][v]++);
    }
    // expected 1000 per cell, sd ≈ 27: 880..1120 is beyond 4 sd
    for (const row of counts) for (const c of row) expect(Math.abs(c - 1000)).toBeLessThan(120);
    core.reset();
  });
});
