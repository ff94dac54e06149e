// rnn.ts (LSTM, GRU and RNN cell kernels, column concat/split) against naive f64 TypeScript
// references over awkward sizes (batch 0, 1, 3, 64; hidden 1, 3, 4, 5, 17, 63), with guard cells
// around every output to catch stray writes and checks that read-only inputs are unchanged.
//
// Tolerance: each result is a short chain of f32 operations (products, sums, 1 - y^2) on values
// from tanh4/sigmoid4 (within 2.4 ulp, see simd_math.ts). Its error is bounded by a few ulp of the
// "magnitude" of the formula: the same formula evaluated on absolute values with every
// subtraction turned into an addition (the usual forward error bound). 16 ulp of that magnitude
// covers 2.4-ulp transcendentals feeding up to four further roundings; a wrong formula, gate
// order or index is off by far more.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats } from "./harness";

const core = loadCore();
const ex = core.exports;
const EPS = 2 ** -24;
const TOL_ULPS = 16;

/** n floats (16-byte aligned) with 4 sentinel floats on each side; `values` fills it (else NaN, so unwritten outputs show). */
const guarded = (n: number, values?: ArrayLike<number>) => core.guarded(n, values ?? NaN, 4);

/** A value and its error-bound magnitude (the formula on |values| with subtractions added). */
type V = { v: number; m: number };
const val = (x: number): V => ({ v: x, m: Math.abs(x) });
const add = (a: V, b: V): V => ({ v: a.v + b.v, m: a.m + b.m });
const sub = (a: V, b: V): V => ({ v: a.v - b.v, m: a.m + b.m });
const mul = (a: V, b: V): V => ({ v: a.v * b.v, m: a.m * b.m });
const one = val(1);
const sig = (x: number): V => val(x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const tanh = (x: number): V => val(Math.tanh(x));

function expectClose(got: Float32Array, want: V[], what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = TOL_ULPS * EPS * want[i].m + 1e-30;
    const err = Math.abs(got[i] - want[i].v);
    if (!(err <= tol)) throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i].v} (|diff| ${err} > ${tol})`);
  }
}

function expectUnchanged(r: { get: () => Float32Array }, values: Float32Array, what: string): void {
  expect(Array.from(r.get()), `${what} was modified`).toEqual(Array.from(values));
}

const SIZES: [number, number][] = [[0, 3], [1, 1], [1, 3], [3, 4], [3, 5], [2, 17], [64, 63]];

describe("lstm_cell_f32", () => {
  for (const [B, H] of SIZES) {
    it(`batch ${B}, hidden ${H}`, () => {
      const pre = randomFloats(B * 4 * H, 1 + B + H, -4, 4);
      const cp = randomFloats(B * H, 2 + H, -2, 2);
      const gates = guarded(B * 4 * H, pre);
      const cPrev = guarded(B * H, cp);
      const cOut = guarded(B * H);
      const hOut = guarded(B * H);
      ex.lstm_cell_f32(gates.ptr, cPrev.ptr, cOut.ptr, hOut.ptr, B, H);
      const wantG: V[] = [];
      const wantC: V[] = [];
      const wantH: V[] = [];
      for (let b = 0; b < B; b++) {
        const p = (gate: number, j: number) => pre[b * 4 * H + gate * H + j];
        const row: V[][] = [[], [], [], []];
        for (let j = 0; j < H; j++) {
          const i = sig(p(0, j));
          const f = sig(p(1, j));
          const g = tanh(p(2, j));
          const o = sig(p(3, j));
          row[0].push(i);
          row[1].push(f);
          row[2].push(g);
          row[3].push(o);
          const c = add(mul(f, val(cp[b * H + j])), mul(i, g));
          wantC.push(c);
          // tanh(c) inherits c's absolute error (tanh' <= 1) plus its own 2.4 ulp
          wantH.push({ v: o.v * Math.tanh(c.v), m: o.m * (Math.abs(Math.tanh(c.v)) + c.m) });
        }
        wantG.push(...row[0], ...row[1], ...row[2], ...row[3]);
      }
      expectClose(gates.get(), wantG, "activated gates");
      expectClose(cOut.get(), wantC, "c");
      expectClose(hOut.get(), wantH, "h");
      expectUnchanged(cPrev, cp, "cPrev");
      for (const r of [gates, cPrev, cOut, hOut]) expect(r.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});

describe("lstm_cell_bwd_f32", () => {
  for (const [B, H] of SIZES) {
    it(`batch ${B}, hidden ${H}`, () => {
      const n = B * H;
      const act = new Float32Array(B * 4 * H);
      const raw = randomFloats(B * 4 * H, 3 + H, -3, 3);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < 4 * H; k++) {
          const x = raw[b * 4 * H + k];
          act[b * 4 * H + k] = k >= 2 * H && k < 3 * H ? Math.tanh(x) : 1 / (1 + Math.exp(-x)); // plausible gates
        }
      }
      const cp = randomFloats(n, 4 + B, -2, 2);
      const cv = randomFloats(n, 5 + B, -2, 2);
      const dyv = randomFloats(n, 6 + B);
      const drec = randomFloats(n, 7 + B);
      const dcv = randomFloats(n, 8 + B);
      const dcy = randomFloats(n, 9 + B);
      const dGates = guarded(B * 4 * H);
      const dhRec = guarded(n, drec);
      const dY = guarded(n, dyv);
      const dc = guarded(n, dcv);
      const dCy = guarded(n, dcy);
      const gates = guarded(B * 4 * H, act);
      const cPrev = guarded(n, cp);
      const c = guarded(n, cv);
      ex.lstm_cell_bwd_f32(dGates.ptr, dhRec.ptr, dY.ptr, dc.ptr, dCy.ptr, gates.ptr, cPrev.ptr, c.ptr, B, H);
      const wantG: V[] = [];
      const wantDc: V[] = [];
      for (let b = 0; b < B; b++) {
        const a = (gate: number, j: number) => val(act[b * 4 * H + gate * H + j]);
        const row: V[][] = [[], [], [], []];
        for (let j = 0; j < H; j++) {
          const s = b * H + j;
          const [i, f, g, o] = [a(0, j), a(1, j), a(2, j), a(3, j)];
          const dh = add(val(dyv[s]), val(drec[s]));
          const tc = tanh(cv[s]);
          const dcT = add(add(val(dcv[s]), val(dcy[s])), mul(mul(dh, o), sub(one, mul(tc, tc))));
          row[0].push(mul(mul(mul(dcT, g), sub(one, i)), i));
          row[1].push(mul(mul(mul(dcT, val(cp[s])), sub(one, f)), f));
          row[2].push(mul(mul(dcT, i), sub(one, mul(g, g))));
          row[3].push(mul(mul(mul(dh, tc), sub(one, o)), o));
          wantDc.push(mul(dcT, f));
        }
        wantG.push(...row[0], ...row[1], ...row[2], ...row[3]);
      }
      expectClose(dGates.get(), wantG, "dGates");
      expectClose(dc.get(), wantDc, "dc (to cPrev)");
      expectUnchanged(dhRec, drec, "dhRec");
      expectUnchanged(gates, act, "gates");
      expectUnchanged(c, cv, "c");
      for (const r of [dGates, dhRec, dY, dc, dCy, gates, cPrev, c]) expect(r.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});

describe("gru_cell_f32", () => {
  for (const [B, H] of SIZES) {
    it(`batch ${B}, hidden ${H}`, () => {
      const n = B * H;
      const xg = randomFloats(B * 3 * H, 10 + H, -3, 3);
      const hpv = randomFloats(B * 3 * H, 11 + H, -3, 3);
      const bhnv = randomFloats(H, 12 + H);
      const hpr = randomFloats(n, 13 + B, -1, 1);
      const gates = guarded(B * 3 * H, xg);
      const hn = guarded(n);
      const hp = guarded(B * 3 * H, hpv);
      const bhn = guarded(H, bhnv);
      const hPrev = guarded(n, hpr);
      const hOut = guarded(n);
      ex.gru_cell_f32(gates.ptr, hn.ptr, hp.ptr, bhn.ptr, hPrev.ptr, hOut.ptr, B, H);
      const wantG: V[] = [];
      const wantHn: V[] = [];
      const wantH: V[] = [];
      for (let b = 0; b < B; b++) {
        const row: V[][] = [[], [], []];
        for (let j = 0; j < H; j++) {
          const q = (gate: number) => b * 3 * H + gate * H + j;
          const r = sig(xg[q(0)] + hpv[q(0)]);
          const z = sig(xg[q(1)] + hpv[q(1)]);
          const hnv = add(val(hpv[q(2)]), val(bhnv[j]));
          // the rounded sums inside sigmoid/tanh shift their result by at most |argument| * f'(.) * 1 ulp
          const nArg = add(val(xg[q(2)]), mul(r, hnv));
          const nv = { v: Math.tanh(nArg.v), m: Math.abs(Math.tanh(nArg.v)) + nArg.m };
          r.m += Math.abs(xg[q(0)]) + Math.abs(hpv[q(0)]);
          z.m += Math.abs(xg[q(1)]) + Math.abs(hpv[q(1)]);
          row[0].push(r);
          row[1].push(z);
          row[2].push(nv);
          wantHn.push(hnv);
          wantH.push(add(mul(sub(val(hpr[b * H + j]), nv), z), nv));
        }
        wantG.push(...row[0], ...row[1], ...row[2]);
      }
      expectClose(gates.get(), wantG, "activated gates");
      expectClose(hn.get(), wantHn, "hn");
      expectClose(hOut.get(), wantH, "h");
      expectUnchanged(hp, hpv, "hp");
      expectUnchanged(hPrev, hpr, "hPrev");
      for (const r of [gates, hn, hp, bhn, hPrev, hOut]) expect(r.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});

describe("gru_cell_bwd_f32", () => {
  for (const [B, H] of SIZES) {
    it(`batch ${B}, hidden ${H}`, () => {
      const n = B * H;
      const raw = randomFloats(B * 3 * H, 14 + H, -3, 3);
      const act = Float32Array.from(raw, (x, k) => (k % (3 * H) >= 2 * H ? Math.tanh(x) : 1 / (1 + Math.exp(-x))));
      const hnv = randomFloats(n, 15 + B, -2, 2);
      const hpr = randomFloats(n, 16 + B);
      const dyv = randomFloats(n, 17 + B);
      const drec = randomFloats(n, 18 + B);
      const dGx = guarded(B * 3 * H);
      const dGh = guarded(B * 3 * H);
      const dhRec = guarded(n, drec);
      const dY = guarded(n, dyv);
      const gates = guarded(B * 3 * H, act);
      const hn = guarded(n, hnv);
      const hPrev = guarded(n, hpr);
      ex.gru_cell_bwd_f32(dGx.ptr, dGh.ptr, dhRec.ptr, dY.ptr, gates.ptr, hn.ptr, hPrev.ptr, B, H);
      const wantX: V[] = [];
      const wantH: V[] = [];
      const wantRec: V[] = [];
      for (let b = 0; b < B; b++) {
        const rx: V[][] = [[], [], []];
        const rh: V[][] = [[], [], []];
        for (let j = 0; j < H; j++) {
          const s = b * H + j;
          const a = (gate: number) => val(act[b * 3 * H + gate * H + j]);
          const [r, z, nv] = [a(0), a(1), a(2)];
          const dh = add(val(dyv[s]), val(drec[s]));
          const dhz = mul(dh, z);
          const dz = mul(dh, sub(val(hpr[s]), nv));
          const dnPre = mul(sub(dh, dhz), sub(one, mul(nv, nv)));
          const drPre = mul(mul(mul(dnPre, val(hnv[s])), sub(one, r)), r);
          const dzPre = mul(mul(dz, sub(one, z)), z);
          rx[0].push(drPre);
          rx[1].push(dzPre);
          rx[2].push(dnPre);
          rh[0].push(drPre);
          rh[1].push(dzPre);
          rh[2].push(mul(dnPre, r));
          wantRec.push(dhz);
        }
        wantX.push(...rx[0], ...rx[1], ...rx[2]);
        wantH.push(...rh[0], ...rh[1], ...rh[2]);
      }
      expectClose(dGx.get(), wantX, "dGx");
      expectClose(dGh.get(), wantH, "dGh");
      expectClose(dhRec.get(), wantRec, "dhRec (direct part)");
      expectUnchanged(gates, act, "gates");
      for (const r of [dGx, dGh, dhRec, dY, gates, hn, hPrev]) expect(r.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});

describe("rnn_cell_bwd_f32", () => {
  for (const n of [0, 1, 3, 4, 5, 17, 64 * 63]) {
    for (const relu of [0, 1]) {
      it(`${relu ? "relu" : "tanh"}, n ${n}`, () => {
        const h = relu ? randomFloats(n, 20 + n, -1, 1).map((v, i) => (i % 5 === 0 ? 0 : Math.max(v, 0) * (i % 7 === 0 ? -1 : 1))) : randomFloats(n, 20 + n, -1, 1);
        const dyv = randomFloats(n, 21 + n);
        const drec = randomFloats(n, 22 + n);
        const dPre = guarded(n);
        const dhRec = guarded(n, drec);
        const dY = guarded(n, dyv);
        const hv = guarded(n, h);
        ex.rnn_cell_bwd_f32(dPre.ptr, dhRec.ptr, dY.ptr, hv.ptr, n, relu);
        const want: V[] = [];
        for (let i = 0; i < n; i++) {
          const dh = add(val(dyv[i]), val(drec[i]));
          // relu: threshold_backward(grad, output, 0) passes dh where h > 0 and gives 0 where h <= 0 (incl. -0)
          want.push(relu ? (h[i] > 0 ? dh : val(0)) : mul(dh, sub(one, mul(val(h[i]), val(h[i])))));
        }
        expectClose(dPre.get(), want, "dPre");
        expectUnchanged(dhRec, drec, "dhRec");
        for (const r of [dPre, dhRec, dY, hv]) expect(r.guardsIntact()).toBe(true);
        core.reset();
      });
    }
  }

  it("may write dPre over dhRec", () => {
    const n = 6;
    const drec = randomFloats(n, 30);
    const dyv = randomFloats(n, 31);
    const h = randomFloats(n, 32);
    const buf = guarded(n, drec);
    const dY = guarded(n, dyv);
    const hv = guarded(n, h);
    ex.rnn_cell_bwd_f32(buf.ptr, buf.ptr, dY.ptr, hv.ptr, n, 0);
    expectClose(buf.get(), Array.from(h, (y, i) => mul(add(val(dyv[i]), val(drec[i])), sub(one, mul(val(y), val(y))))), "dPre");
    core.reset();
  });
});

describe("concat_cols_f32 / split_cols_f32", () => {
  for (const [rows, na, nb] of [[0, 2, 3], [1, 1, 1], [3, 4, 5], [17, 3, 1], [64, 63, 64]]) {
    it(`rows ${rows}, ${na} + ${nb} columns`, () => {
      const av = randomFloats(rows * na, 40 + na);
      const bv = randomFloats(rows * nb, 41 + nb);
      const a = guarded(rows * na, av);
      const b = guarded(rows * nb, bv);
      const out = guarded(rows * (na + nb));
      ex.concat_cols_f32(out.ptr, a.ptr, b.ptr, rows, na, nb);
      const want = new Float32Array(rows * (na + nb));
      for (let r = 0; r < rows; r++) {
        want.set(av.subarray(r * na, (r + 1) * na), r * (na + nb));
        want.set(bv.subarray(r * nb, (r + 1) * nb), r * (na + nb) + na);
      }
      expect(Array.from(out.get())).toEqual(Array.from(want));
      const da = guarded(rows * na);
      const db = guarded(rows * nb);
      ex.split_cols_f32(da.ptr, db.ptr, out.ptr, rows, na, nb);
      expect(Array.from(da.get())).toEqual(Array.from(av));
      expect(Array.from(db.get())).toEqual(Array.from(bv));
      for (const r of [a, b, out, da, db]) expect(r.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});
