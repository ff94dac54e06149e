// matmul_f32 / bmm_f32 against a naive TypeScript triple loop (f64 accumulation) over awkward
// sizes, every transpose combination, accumulate on and off, with guard elements on both sides
// of the output and a NaN-filled scratch block.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats, type Core } from "./harness";

const GUARD = 12345.5;
const EPS = 2 ** -23; // f32 machine epsilon (twice the unit roundoff u = 2^-24)

/** Stored layouts: A is [m,k] or [k,m] (transA), B is [k,n] or [n,k] (transB). */
function reference(a: Float32Array, b: Float32Array, c0: Float32Array | null, m: number, n: number,
  k: number, tA: number, tB: number) {
  const val = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = c0 ? c0[i * n + j] : 0;
      let g = c0 ? Math.abs(c0[i * n + j]) : 0;
      for (let p = 0; p < k; p++) {
        const x = tA ? a[p * m + i] : a[i * k + p];
        const y = tB ? b[j * k + p] : b[p * n + j];
        s += x * y;
        g += Math.abs(x * y);
      }
      val[i * n + j] = s;
      mag[i * n + j] = g;
    }
  }
  return { val, mag };
}

/**
 * Tolerance for one output element. The kernel rounds each product and each partial sum to f32
 * (u = 2^-24 each); over k terms the worst case is about k*u*sum|a||b|, but the rounding errors
 * are independent and zero-mean, so the realistic error grows like sqrt(k)*u*sum|a||b|. We allow
 * 2*sqrt(k+1)*eps = 4*sqrt(k+1)*u times sum|a||b| (plus |out| when accumulating): about four
 * standard deviations, and still far below any indexing mistake, which changes values by O(|a||b|).
 * (The integer-valued test below checks exactness, so indexing bugs cannot hide in the slack.)
 */
function tolerance(mag: number, k: number) {
  return 2 * Math.sqrt(k + 1) * EPS * mag + 1e-30;
}

interface Case { m: number; n: number; k: number; tA: number; tB: number; acc: number; ints?: boolean }

function intFloats(len: number, seed: number) {
  // Small integers: every product and partial sum is exactly representable in f32.
  return randomFloats(len, seed, -4, 5).map(Math.floor);
}

function runCase(core: Core, c: Case, seed: number) {
  const { m, n, k, tA, tB, acc } = c;
  const ex = core.exports;
  const gen = c.ints ? intFloats : (len: number, s: number) => randomFloats(len, s);
  const a = gen(m * k, seed);
  const b = gen(k * n, seed + 1);
  const c0 = acc ? gen(m * n, seed + 2) : null;
  const pa = core.put(a);
  const pb = core.put(b);
  // 4 guard floats before and 4 after out.
  const base = core.empty(m * n + 8, GUARD);
  const out = base + 16;
  if (c0) new Float32Array(ex.memory.buffer, out, m * n).set(c0);
  else new Float32Array(ex.memory.buffer, out, m * n).fill(NaN); // must not be read
  const sbytes = ex.matmul_scratch_bytes(m, n, k, tA, tB);
  expect(sbytes).toBeGreaterThanOrEqual(0);
  const scratch = core.empty(Math.ceil(Math.max(sbytes, 16) / 4), NaN);
  ex.matmul_f32(out, pa, pb, m, n, k, tA, tB, acc, scratch);
  const all = core.get(base, m * n + 8);
  const got = all.subarray(4, 4 + m * n);
  for (let g = 0; g < 4; g++) {
    expect(all[g]).toBe(GUARD);
    expect(all[4 + m * n + g]).toBe(GUARD);
  }
  const { val, mag } = reference(a, b, c0, m, n, k, tA, tB);
  let bad = -1;
  for (let i = 0; i < m * n; i++) {
    const ok = c.ints ? got[i] === val[i] : Math.abs(got[i] - val[i]) <= tolerance(mag[i], k);
    if (!ok) { bad = i; break; }
  }
  if (bad >= 0) {
    const i = Math.floor(bad / n), j = bad % n;
    expect.fail(`m=${m} n=${n} k=${k} tA=${tA} tB=${tB} acc=${acc}: out[${i},${j}] = ${got[bad]}, expected ${val[bad]}`);
  }
  core.reset();
}

const small = [0, 1, 3, 17];
// [m, n, k]: odd sizes on every side, N and K larger than one block (NC = KC = 512), M larger
// than one M block (MC = 256), n with 24-, 8- and 1..7-column parts for the row path.
const odd: [number, number, number][] = [
  [64, 63, 65], [65, 64, 63], [63, 65, 64], [64, 64, 64], [4, 8, 4], [8, 4, 8], [5, 9, 7],
  [2, 13, 31], [33, 10, 128], [1, 100, 33], [3, 47, 9], [100, 1, 33], [7, 520, 13],
  [40, 530, 20], [5, 9, 600], [6, 7, 1100], [35, 20, 1030], [260, 20, 9], [19, 12, 1],
];

// Parameter ids of matmul_set_param (a testing hook; see assembly/kernels/matmul.ts).
const P = { KC: 0, NC: 1, MC: 2, SMALL_M: 3, DOT_M: 4, DOT_N: 5, DOT_B_MAX: 6, ROW_B_MAX: 7, DOT_MT: 8, DOT_K: 9 };
const BIG = 1 << 30;
// Each configuration routes the same shapes through a different path; "tiny blocks" makes
// small shapes cross many K, N and M blocks of the blocked path.
const configs: { name: string; params: [number, number][] }[] = [
  { name: "default paths", params: [] },
  { name: "blocked path", params: [[P.DOT_M, 0], [P.DOT_N, 0], [P.SMALL_M, 0]] },
  { name: "blocked path, tiny blocks", params: [[P.DOT_M, 0], [P.DOT_N, 0], [P.SMALL_M, 0], [P.KC, 8], [P.NC, 16], [P.MC, 8]] },
  { name: "dot path", params: [[P.DOT_M, BIG], [P.DOT_N, BIG], [P.DOT_B_MAX, BIG], [P.DOT_MT, BIG], [P.DOT_K, 0]] },
  { name: "row path (B^T: blocked)", params: [[P.DOT_M, 0], [P.DOT_N, 0], [P.SMALL_M, BIG]] },
  // ROW_B_MAX 1: K blocks of 16 rows of B.
  { name: "row path, K blocks", params: [[P.DOT_M, 0], [P.DOT_N, 0], [P.SMALL_M, BIG], [P.ROW_B_MAX, 1]] },
];

for (const cfg of configs) {
  describe(`matmul_f32, ${cfg.name}`, () => {
    const core = loadCore();
    for (const [id, v] of cfg.params) core.exports.matmul_set_param(id, v);
    const full = cfg.name === "default paths";
    let seed = 1;
    for (const tA of [0, 1]) for (const tB of [0, 1]) for (const acc of [0, 1]) {
      const flags = `tA=${tA} tB=${tB} acc=${acc}`;
      it(`all m,n,k in {0,1,3,17}, ${flags}`, () => {
        for (const m of small) for (const n of small) for (const k of small)
          runCase(core, { m, n, k, tA, tB, acc }, seed++);
      });
      it(`m in 1..9, n in 1..17, k in {1,2,5,8}, ${flags}`, () => {
        for (let m = 1; m <= 9; m++) for (let n = 1; n <= 17; n++) for (const k of [1, 2, 5, 8])
          runCase(core, { m, n, k, tA, tB, acc }, seed++);
      });
      if (full) {
        for (const [m, n, k] of odd) {
          it(`${m}x${n}x${k} (m x n x k), ${flags}`, () => {
            runCase(core, { m, n, k, tA, tB, acc }, seed++);
          });
        }
      } else {
        it(`odd shapes up to 260x530x1100, ${flags}`, () => {
          for (const [m, n, k] of odd) runCase(core, { m, n, k, tA, tB, acc }, seed++);
        });
      }
      it(`integer inputs are exact: 37x29x45 and 9x530x610, ${flags}`, () => {
        runCase(core, { m: 37, n: 29, k: 45, tA, tB, acc, ints: true }, seed++);
        runCase(core, { m: 9, n: 530, k: 610, tA, tB, acc, ints: true }, seed++);
      });
    }
  });
}

describe("matmul_f32 by hand", () => {
  const core = loadCore();
  it("k = 0 zeroes out, or leaves it alone when accumulating", () => {
    const ex = core.exports;
    const out = core.put([1, 2, 3, 4, 5, 6, GUARD]);
    ex.matmul_f32(out, 0, 0, 2, 3, 0, 0, 0, 1, 0);
    expect(Array.from(core.get(out, 7))).toEqual([1, 2, 3, 4, 5, 6, GUARD]);
    ex.matmul_f32(out, 0, 0, 2, 3, 0, 1, 1, 0, 0);
    expect(Array.from(core.get(out, 7))).toEqual([0, 0, 0, 0, 0, 0, GUARD]);
    expect(ex.matmul_scratch_bytes(2, 3, 0, 0, 0)).toBe(0);
    core.reset();
  });

  it("2x2 by hand: [[1,2],[3,4]] . [[5,6],[7,8]] = [[19,22],[43,50]]", () => {
    const ex = core.exports;
    const a = core.put([1, 2, 3, 4]);
    const b = core.put([5, 6, 7, 8]);
    const out = core.empty(4);
    const s = core.empty(Math.max(ex.matmul_scratch_bytes(2, 2, 2, 1, 1), 16) / 4);
    ex.matmul_f32(out, a, b, 2, 2, 2, 0, 0, 0, s);
    expect(Array.from(core.get(out, 4))).toEqual([19, 22, 43, 50]);
    // A^T . B^T = (B . A)^T: B.A = [[23,34],[31,46]]
    ex.matmul_f32(out, a, b, 2, 2, 2, 1, 1, 0, s);
    expect(Array.from(core.get(out, 4))).toEqual([23, 31, 34, 46]);
    core.reset();
  });

  it("the result does not depend on scratch contents or on which path ran it before", () => {
    const ex = core.exports;
    const [m, n, k] = [37, 45, 70];
    const a = core.put(randomFloats(m * k, 7)), b = core.put(randomFloats(k * n, 8));
    const sb = ex.matmul_scratch_bytes(m, n, k, 0, 1);
    const s1 = core.empty(sb / 4, 0), s2 = core.empty(sb / 4, NaN);
    const o1 = core.empty(m * n), o2 = core.empty(m * n);
    ex.matmul_f32(o1, a, b, m, n, k, 0, 1, 0, s1);
    ex.matmul_f32(o2, a, b, m, n, k, 0, 1, 0, s2);
    expect(Array.from(core.get(o2, m * n))).toEqual(Array.from(core.get(o1, m * n)));
    core.reset();
  });
});

describe("bmm_f32", () => {
  const core = loadCore();
  const shapes: [number, number, number][] = [[3, 5, 7], [4, 8, 16], [17, 9, 3], [1, 1, 1], [6, 13, 0]];
  let seed = 1000;
  for (const [m, n, k] of shapes) for (const tA of [0, 1]) for (const tB of [0, 1]) for (const acc of [0, 1]) {
    for (const bcast of ["none", "A", "B"]) {
      it(`${m}x${n}x${k} batch 3, broadcast ${bcast}, tA=${tA} tB=${tB} acc=${acc}`, () => {
        const ex = core.exports;
        const batch = 3;
        const sA = bcast === "A" ? 0 : m * k;
        const sB = bcast === "B" ? 0 : k * n;
        // Output batches are spaced m*n+2 apart; the 2 floats between them are guards.
        const sO = m * n + 2;
        const a = randomFloats(Math.max(sA * batch, m * k), seed++);
        const b = randomFloats(Math.max(sB * batch, k * n), seed++);
        const c0 = randomFloats(sO * batch, seed++);
        for (let i = 0; i < batch; i++) c0[i * sO + m * n] = c0[i * sO + m * n + 1] = GUARD;
        const pa = core.put(a), pb = core.put(b);
        const out = core.put(acc ? c0 : c0.map((v, i) => (i % sO < m * n ? NaN : v)));
        const sbytes = ex.matmul_scratch_bytes(m, n, k, tA, tB);
        const scratch = core.empty(Math.ceil(Math.max(sbytes, 16) / 4), NaN);
        ex.bmm_f32(out, pa, pb, batch, m, n, k, tA, tB, acc, scratch, sA, sB, sO);
        const got = core.get(out, sO * batch);
        for (let i = 0; i < batch; i++) {
          const ai = a.subarray(i * sA, i * sA + m * k);
          const bi = b.subarray(i * sB, i * sB + k * n);
          const ci = acc ? c0.subarray(i * sO, i * sO + m * n) : null;
          const { val, mag } = reference(ai, bi, ci, m, n, k, tA, tB);
          for (let e = 0; e < m * n; e++) {
            const g = got[i * sO + e];
            if (!(Math.abs(g - val[e]) <= tolerance(mag[e], k)))
              expect.fail(`batch ${i} element ${e}: ${g} vs ${val[e]}`);
          }
          expect(got[i * sO + m * n]).toBe(GUARD);
          expect(got[i * sO + m * n + 1]).toBe(GUARD);
        }
        core.reset();
      });
    }
  }
});
