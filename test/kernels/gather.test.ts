// gather.ts against naive TypeScript references. Both kernels only move floats (gather) or add
// one float per element per occurrence in index order (scatter-add), so results must match an f32
// emulation of the same order exactly; guard cells around every output catch stray writes.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats, SENTINEL } from "./harness";

const core = loadCore();
const ex = core.exports;
const fr = Math.fround;

const guarded = (n: number, fill = SENTINEL) => core.guarded(n, fill);

/** Deterministic indices in [0, rows) (with repeats). */
function indices(n: number, rows: number, seed: number): number[] {
  const u = randomFloats(n, seed, 0, 1);
  return Array.from(u, (v) => Math.min(rows - 1, Math.floor(v * rows)));
}

function gatherRef(x: Float32Array, idx: number[], rowSize: number): Float32Array {
  const out = new Float32Array(idx.length * rowSize);
  idx.forEach((j, i) => out.set(x.subarray(j * rowSize, (j + 1) * rowSize), i * rowSize));
  return out;
}

function scatterAddRef(init: Float32Array, src: Float32Array, idx: number[], rowSize: number): Float32Array {
  const out = init.slice();
  idx.forEach((j, i) => {
    for (let k = 0; k < rowSize; k++) out[j * rowSize + k] = fr(out[j * rowSize + k] + src[i * rowSize + k]);
  });
  return out;
}

const N_IDX = [0, 1, 3, 17];
const ROW_SIZES = [1, 3, 4, 5, 64 * 63];
const ROWS = 7;

describe("gather_rows_f32", () => {
  for (const nIdx of N_IDX) {
    for (const rowSize of ROW_SIZES) {
      it(`nIdx ${nIdx}, rowSize ${rowSize}`, () => {
        const x = randomFloats(ROWS * rowSize, nIdx * 31 + rowSize, -3, 3);
        const idx = indices(nIdx, ROWS, nIdx + 7 * rowSize);
        const xp = core.put(x);
        const ip = core.put(idx);
        const out = guarded(nIdx * rowSize);
        ex.gather_rows_f32(out.ptr, xp, ip, nIdx, rowSize);
        expect(out.get()).toEqual(gatherRef(x, idx, rowSize));
        expect(out.guardsIntact()).toBe(true);
        expect(core.get(xp, x.length)).toEqual(x); // input untouched
        core.reset();
      });
    }
  }

  it("every row in order (a permutation) and repeated rows", () => {
    const rowSize = 6;
    const x = randomFloats(17 * rowSize, 3);
    const perm = [...Array(17).keys()].reverse();
    const xp = core.put(x);
    const out = guarded(17 * rowSize);
    ex.gather_rows_f32(out.ptr, xp, core.put(perm), 17, rowSize);
    expect(out.get()).toEqual(gatherRef(x, perm, rowSize));
    const rep = [2, 2, 2, 0];
    const out2 = guarded(4 * rowSize);
    ex.gather_rows_f32(out2.ptr, xp, core.put(rep), 4, rowSize);
    expect(out2.get()).toEqual(gatherRef(x, rep, rowSize));
    expect(out.guardsIntact() && out2.guardsIntact()).toBe(true);
    core.reset();
  });

  it("rowSize 0 writes nothing", () => {
    const out = guarded(0);
    ex.gather_rows_f32(out.ptr, core.put([1, 2]), core.put([0, 1, 1]), 3, 0);
    expect(out.guardsIntact()).toBe(true);
    core.reset();
  });
});

describe("scatter_add_rows_f32", () => {
  for (const nIdx of N_IDX) {
    for (const rowSize of ROW_SIZES) {
      it(`nIdx ${nIdx}, rowSize ${rowSize}`, () => {
        const init = randomFloats(ROWS * rowSize, nIdx + rowSize, -1, 1);
        const src = randomFloats(nIdx * rowSize, 3 * nIdx + rowSize, -2, 2);
        const idx = indices(nIdx, ROWS, 5 * nIdx + rowSize);
        const out = guarded(ROWS * rowSize, 0);
        new Float32Array(ex.memory.buffer, out.ptr, init.length).set(init);
        const sp = core.put(src);
        ex.scatter_add_rows_f32(out.ptr, sp, core.put(idx), nIdx, rowSize);
        expect(out.get()).toEqual(scatterAddRef(init, src, idx, rowSize));
        expect(out.guardsIntact()).toBe(true);
        expect(core.get(sp, src.length)).toEqual(src);
        core.reset();
      });
    }
  }

  it("repeated indices accumulate in index order; zeroed output gives the plain scatter", () => {
    const rowSize = 3;
    const src = Float32Array.from([1, 2, 3, 10, 20, 30, 100, 200, 300, 0.5, 0.25, 0.125]);
    const idx = [1, 1, 3, 1];
    const out = guarded(4 * rowSize, 0);
    ex.scatter_add_rows_f32(out.ptr, core.put(src), core.put(idx), 4, rowSize);
    // row 1 = src0 + src1 + src3, row 3 = src2, rows 0 and 2 stay 0
    expect(Array.from(out.get())).toEqual([0, 0, 0, 11.5, 22.25, 33.125, 0, 0, 0, 100, 200, 300]);
    expect(out.guardsIntact()).toBe(true);
    core.reset();
  });

  it("scatter-add is the adjoint of gather: <gather(x), g> = <x, scatter(g)>", () => {
    const rowSize = 5, nIdx = 17;
    const x = randomFloats(ROWS * rowSize, 11);
    const g = randomFloats(nIdx * rowSize, 12);
    const idx = indices(nIdx, ROWS, 13);
    const gathered = gatherRef(x, idx, rowSize);
    const out = guarded(ROWS * rowSize, 0);
    ex.scatter_add_rows_f32(out.ptr, core.put(g), core.put(idx), nIdx, rowSize);
    const s = out.get();
    let lhs = 0, rhs = 0;
    for (let i = 0; i < g.length; i++) lhs += gathered[i] * g[i];
    for (let i = 0; i < x.length; i++) rhs += x[i] * s[i];
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4);
    core.reset();
  });
});
