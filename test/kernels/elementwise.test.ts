// elementwise.ts against naive TypeScript references (f64 maths, rounded to f32 where the kernel rounds).
//
// Tolerances: add/sub/mul/div/max/min, neg/abs/sqrt/clamp/affine/sign, strided copies and axpy are IEEE single
// operations (or fixed sequences of them) and must match an f32 emulation (Math.fround after every operation)
// bit for bit. exp/log are range-reduced polynomials: a few ulp of the f64 value. pow goes through musl's powf
// (correctly rounded in all but rare cases): 1 ulp. Sums in reduce_broadcast are f64-accumulated per block
// and added in f32 across outer reduced dims: bound (blocks + 1) * 2^-24 * sum|x|.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats, fail, stepsAround } from "./harness";

const core = loadCore();
const ex = core.exports;
const fr = Math.fround;

/** One ulp of the f32 nearest to v. */
function ulp(v: number): number {
  const a = Math.abs(fr(v));
  if (!isFinite(a)) return Infinity;
  if (a < 2 ** -126) return 2 ** -149;
  const e = Math.floor(Math.log2(a));
  // log2 can be off by one at powers of two
  const ee = 2 ** e > a ? e - 1 : 2 ** (e + 1) <= a ? e + 1 : e;
  return 2 ** (ee - 23);
}
/** Error of got against the (f64) reference in ulps of the reference. NaN/inf must agree exactly. */
function ulpErr(got: number, ref: number): number {
  if (Number.isNaN(ref) || Number.isNaN(got)) return Number.isNaN(ref) && Number.isNaN(got) ? 0 : Infinity;
  if (!isFinite(ref) || !isFinite(got)) return got === ref ? 0 : !isFinite(fr(ref)) && fr(ref) === got ? 0 : Infinity;
  return Math.abs(got - ref) / ulp(ref);
}
function sameF32(got: number, ref: number): boolean {
  return Number.isNaN(ref) ? Number.isNaN(got) : got === fr(ref);
}

const guarded = (n: number) => core.guarded(n);

function contiguous(shape: number[]): number[] {
  const s = new Array(shape.length).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}
/** Strides of a tensor of shape src broadcast to out (right-aligned, 0 on broadcast dims). */
function bcast(src: number[], out: number[]): number[] {
  const cs = contiguous(src);
  const r: number[] = [];
  for (let i = 0; i < out.length; i++) {
    const j = i - (out.length - src.length);
    r.push(j < 0 || src[j] === 1 ? 0 : cs[j]);
  }
  return r;
}
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
/** Offsets (elements) of every output position, row-major, for the given strides. */
function offsets(shape: number[], strides: number[]): number[] {
  const n = prod(shape);
  const out = new Array(n);
  const idx = new Array(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) o += idx[d] * strides[d];
    out[k] = o;
    for (let d = shape.length - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
  }
  return out;
}

const BIN_NAMES = ["add", "sub", "mul", "div", "pow", "maximum", "minimum"];
function binRef(op: number, a: number, b: number): number {
  switch (op) {
    case 0: return fr(a + b);
    case 1: return fr(a - b);
    case 2: return fr(a * b);
    case 3: return fr(a / b);
    case 4: return Math.pow(a, b); // f64, compared within 1 ulp
    case 5: return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
    default: return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b);
  }
}

interface BinCase { name: string; shape: number[]; aLen: number; aStr: number[]; bLen: number; bStr: number[] }
const binCases: BinCase[] = [];
for (const n of [0, 1, 3, 17, 4032]) {
  binCases.push({ name: `[${n}] + [${n}]`, shape: [n], aLen: n, aStr: [1], bLen: n, bStr: [1] });
  binCases.push({ name: `[${n}] + scalar`, shape: [n], aLen: n, aStr: [1], bLen: 1, bStr: [0] });
  binCases.push({ name: `scalar + [${n}]`, shape: [n], aLen: 1, aStr: [0], bLen: n, bStr: [1] });
}
function bc(name: string, shape: number[], aShape: number[], bShape: number[]) {
  binCases.push({ name, shape, aLen: prod(aShape), aStr: bcast(aShape, shape), bLen: prod(bShape), bStr: bcast(bShape, shape) });
}
bc("[64,63] + [63]", [64, 63], [64, 63], [63]);
bc("[64,63] + [64,1]", [64, 63], [64, 63], [64, 1]);
bc("[64,1] + [1,63] (outer)", [64, 63], [64, 1], [1, 63]);
bc("[2,5,3] + [5,1]", [2, 5, 3], [2, 5, 3], [5, 1]);
bc("[1] + [3,17]", [3, 17], [1], [3, 17]);
bc("[2,1,3,1,2,1,2,3] + [3,2,1,2,1] (8-d)", [2, 1, 3, 1, 2, 1, 2, 3], [2, 1, 3, 1, 2, 1, 2, 3], [3, 2, 1, 2, 1]);
bc("[0,5] + [5]", [0, 5], [0, 5], [5]);
bc("[3,0] + [3,1]", [3, 0], [3, 0], [3, 1]);
bc("[4,1,1,5] + [4,1,1,5] (size-1 dims merged)", [4, 1, 1, 5], [4, 1, 1, 5], [4, 1, 1, 5]);
// a transposed view: a is stored as [17, 3] and read as [3, 17] (strides [1, 3]); b contiguous
binCases.push({ name: "[3,17] transposed a + b", shape: [3, 17], aLen: 51, aStr: [1, 3], bLen: 51, bStr: [17, 1] });
// a read with stride 2 (every other element)
binCases.push({ name: "[17] stride-2 a + [17]", shape: [17], aLen: 34, aStr: [2], bLen: 17, bStr: [1] });
// both broadcast along the inner dim: (0, 0) inner strides
binCases.push({ name: "[5,4] from [5,1] and [5,1]", shape: [5, 4], aLen: 5, aStr: [1, 0], bLen: 5, bStr: [1, 0] });

describe("binary_f32", () => {
  for (const c of binCases) {
    for (let op = 0; op < 7; op++) {
      it(`${BIN_NAMES[op]} ${c.name}`, () => {
        let a = randomFloats(c.aLen, 11 + op, -2, 2);
        let b = randomFloats(c.bLen, 97 + op, -2, 2);
        if (op === 4) { // positive bases for a general pow; exponents in [-3, 3]
          a = randomFloats(c.aLen, 5, 0.05, 3);
          b = randomFloats(c.bLen, 6, -3, 3);
        }
        if (op === 3) b = b.map((v) => (Math.abs(v) < 1e-3 ? 0.5 : v));
        const pa = core.put(a);
        const pb = core.put(b);
        const n = prod(c.shape);
        const out = guarded(n);
        const dims = core.putI32([...c.shape, ...c.aStr, ...c.bStr]);
        ex.binary_f32(op, out.ptr, pa, pb, c.shape.length, dims);
        const got = out.get();
        const ao = offsets(c.shape, c.aStr);
        const bo = offsets(c.shape, c.bStr);
        let bad = 0;
        for (let i = 0; i < n; i++) {
          const ref = binRef(op, a[ao[i]], b[bo[i]]);
          const ok = op === 4 ? ulpErr(got[i], ref) <= 1 : sameF32(got[i], ref);
          if (!ok && bad++ < 3) fail(`i=${i}: got ${got[i]} want ${ref} (a=${a[ao[i]]}, b=${b[bo[i]]})`);
        }
        expect(out.guardsIntact()).toBe(true);
        core.reset();
      });
    }
  }

  it("maximum/minimum propagate NaN, pow follows C/torch special cases", () => {
    const a = [NaN, 1, -0, 0, 3, -2, 5];
    const b = [1, NaN, 0, -0, NaN, 4, -Infinity];
    const pa = core.put(a), pb = core.put(b);
    const dims = core.putI32([7, 1, 1]);
    const out = core.empty(7);
    ex.binary_f32(5, out, pa, pb, 1, dims);
    expect(Array.from(core.get(out, 7))).toEqual([NaN, NaN, 0, 0, NaN, 4, 5]);
    ex.binary_f32(6, out, pa, pb, 1, dims);
    const mn = Array.from(core.get(out, 7));
    expect(mn.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(mn.slice(2, 4)).toEqual([-0, -0]); // IEEE 754-2019 minimum: -0 < +0 (torch gives the first operand)
    expect(Number.isNaN(mn[4])).toBe(true);
    expect(mn.slice(5)).toEqual([-2, -Infinity]);
    // pow: negative base with integer exponent keeps the sign; non-integer exponent gives NaN; x^0 = 1 even for NaN
    const pa2 = core.put([-2, -2, -8, NaN, 0, 0, 1, -1]);
    const pb2 = core.put([3, 2, 1 / 3, 0, -1, 0.5, NaN, Infinity]);
    const d2 = core.putI32([8, 1, 1]);
    const o2 = core.empty(8);
    ex.binary_f32(4, o2, pa2, pb2, 1, d2);
    expect(Array.from(core.get(o2, 8))).toEqual([-8, 4, NaN, 1, Infinity, 0, 1, 1]);
    core.reset();
  });
});

// ----------------------------------------------------------------- reduce_broadcast

describe("reduce_broadcast_f32", () => {
  const cases: [string, number[], number[]][] = [
    ["[4032] -> [1]", [4032], [1]],
    ["[17] -> [17]", [17], [17]],
    ["[0] -> [1]", [0], [1]],
    ["[1] -> [1]", [1], [1]],
    ["[3] -> [1]", [3], [1]],
    ["[64,63] -> [63] (bias grad)", [64, 63], [63]],
    ["[64,63] -> [64,1] (row sums)", [64, 63], [64, 1]],
    ["[64,63] -> [1,1]", [64, 63], [1, 1]],
    ["[3,17] -> [3,17] (identity)", [3, 17], [3, 17]],
    ["[2,5,3] -> [5,1]", [2, 5, 3], [5, 1]],
    ["[2,5,3] -> [2,1,3]", [2, 5, 3], [2, 1, 3]],
    ["[4,3,5,6] -> [1,3,1,1] (conv bias)", [4, 3, 5, 6], [1, 3, 1, 1]],
    ["[4,3,5,6] -> [3,1,6]", [4, 3, 5, 6], [3, 1, 6]],
    ["[2,1,3,1,2,4,2,3] -> [1,3,1,1,4,1,3] (8-d)", [2, 1, 3, 1, 2, 4, 2, 3], [1, 3, 1, 1, 4, 1, 3]],
    ["[1000,3] -> [3] (long columns)", [1000, 3], [3]],
    ["[3,0] -> [3,1]", [3, 0], [3, 1]],
  ];
  for (const [name, shape, outShape] of cases) {
    it(name, () => {
      const n = prod(shape);
      const outN = prod(outShape);
      const src = randomFloats(n, 3 + n, -1, 1);
      const strides = bcast(outShape, shape);
      const out = guarded(outN);
      ex.reduce_broadcast_f32(out.ptr, outN, core.put(src), shape.length, core.putI32([...shape, ...strides]));
      const got = out.get();
      const ref = new Float64Array(outN);
      const abs = new Float64Array(outN);
      const oo = offsets(shape, strides);
      for (let i = 0; i < n; i++) { ref[oo[i]] += src[i]; abs[oo[i]] += Math.abs(src[i]); }
      // number of f32 additions into one output <= number of contributing blocks <= elements per output
      const perOut = n / Math.max(outN, 1);
      for (let j = 0; j < outN; j++) {
        const tol = (perOut + 1) * 2 ** -24 * abs[j] + 1e-30;
        expect(Math.abs(got[j] - ref[j]), `out[${j}]`).toBeLessThanOrEqual(tol);
      }
      expect(out.guardsIntact()).toBe(true);
      core.reset();
    });
  }
  it("is accurate: 10^6 copies of 0.1 plus 1 sum with f64 accumulation", () => {
    const n = 1_000_000;
    const src = new Float32Array(n).fill(0.1);
    src[0] = 1;
    const out = core.empty(1);
    ex.reduce_broadcast_f32(out, 1, core.put(src), 1, core.putI32([n, 0]));
    const ref = 1 + (n - 1) * fr(0.1);
    expect(core.get(out, 1)[0]).toBe(fr(ref)); // a serial f32 chain would be off by ~1%
    core.reset();
  });
});

// ----------------------------------------------------------------- strided_copy

describe("strided_copy_f32", () => {
  const cases: [string, number[], number[], number][] = [
    ["contiguous [4032]", [4032], [1], 4032],
    ["[0]", [0], [1], 1],
    ["[1]", [1], [1], 1],
    ["transpose [3,17] of [17,3]", [3, 17], [1, 3], 51],
    ["transpose [64,63] of [63,64] (tiled)", [64, 63], [1, 64], 4032],
    ["transpose [100,37] of [37,100] (4x4 blocks, edges)", [100, 37], [1, 100], 3700],
    ["transpose [66,50] of [50,66] (ragged rows and columns)", [66, 50], [1, 66], 3300],
    ["batched transpose [3,20,18] of [3,18,20]", [3, 20, 18], [360, 1, 20], 1080],
    ["[20,18] gather with strides (2, 40) (tiled scalar)", [20, 18], [2, 40], 720],
    ["permute [2,5,3] <- [3,2,5] (2,0,1)", [2, 5, 3], [5, 1, 10], 30],
    ["expand [4,17] from [17]", [4, 17], [0, 1], 17],
    ["expand [17,4] from [17,1]", [17, 4], [1, 0], 17],
    ["slice rows of [5,20] step 2 columns", [5, 10], [20, 2], 100],
    ["8-d permute", [2, 1, 3, 2, 1, 2, 2, 3], [1, 0, 2, 6, 0, 12, 24, 48], 144],
    ["[3,1,4] size-1 dim, row slices", [3, 1, 4], [8, 99, 1], 24],
  ];
  for (const [name, shape, strides, srcLen] of cases) {
    it(name, () => {
      const n = prod(shape);
      const src = randomFloats(srcLen, 7, -5, 5);
      const out = guarded(n);
      ex.strided_copy_f32(out.ptr, core.put(src), shape.length, core.putI32([...shape, ...strides]));
      const got = out.get();
      const oo = offsets(shape, strides);
      for (let i = 0; i < n; i++) if (got[i] !== src[oo[i]]) fail(`i=${i}: ${got[i]} vs ${src[oo[i]]}`);
      expect(out.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});

// ----------------------------------------------------------------- unary

const UN_NAMES = ["neg", "exp", "log", "sqrt", "abs", "pow_scalar", "clamp", "affine", "sign"];
const SIZES = [0, 1, 3, 17, 4032];

function unaryRef(op: number, x: number, p1: number, p2: number): number {
  switch (op) {
    case 0: return -x;
    case 1: return Math.exp(x);
    case 2: return Math.log(x);
    case 3: return fr(Math.sqrt(x));
    case 4: return Math.abs(x);
    case 5: return powRef(x, p1);
    case 6: return Number.isNaN(x) ? NaN : Math.min(Math.max(x, p1), p2);
    case 7: return fr(fr(x * p1) + p2);
    default: return x > 0 ? 1 : x < 0 ? -1 : 0;
  }
}
/** torch's pow(tensor, scalar) as f32 operations; exact = whether the kernel must match bit for bit. */
function powRef(x: number, p: number): number {
  if (p === 0) return 1;
  if (p === 1) return x;
  if (p === 2) return fr(x * x);
  if (p === 3) return fr(fr(x * x) * x);
  if (p === -1) return fr(1 / x);
  if (p === -2) return fr(1 / fr(x * x));
  if (p === 0.5) return fr(Math.sqrt(x));
  if (p === -0.5) return fr(1 / fr(Math.sqrt(x)));
  return Math.pow(x, p);
}
const POW_EXPS = [2, 3, 0.5, -0.5, -1, -2, 0, 1, 1.7, -2.5, 4];

function inputsFor(op: number, n: number, seed: number): Float32Array {
  if (op === 1) return randomFloats(n, seed, -90, 90);
  if (op === 2 || op === 3 || op === 5) return randomFloats(n, seed, 1e-3, 50);
  return randomFloats(n, seed, -4, 4);
}

describe("unary_f32", () => {
  for (let op = 0; op < 9; op++) {
    const params: [number, number][] = op === 5 ? POW_EXPS.map((p) => [p, 0]) : op === 6 ? [[-1, 0.5], [-Infinity, 1], [0, Infinity]] : op === 7 ? [[1.5, -0.25]] : [[0, 0]];
    for (const n of SIZES) {
      for (const [p1, p2] of params) {
        it(`${UN_NAMES[op]}(${p1}, ${p2}) over ${n}`, () => {
          const x = inputsFor(op, n, 31 + op + n);
          const out = guarded(n);
          ex.unary_f32(op, out.ptr, core.put(x), n, p1, p2);
          const got = out.get();
          for (let i = 0; i < n; i++) {
            const ref = unaryRef(op, x[i], fr(p1), fr(p2));
            // exp/log: <= 1 ulp (measured sweep below); general pow: 1 ulp; the rest exact
            const tol = op === 1 || op === 2 || (op === 5 && ![2, 3, 0.5, -0.5, -1, -2, 0, 1].includes(p1)) ? 1 : 0;
            const ok = tol ? ulpErr(got[i], ref) <= tol : sameF32(got[i], ref);
            if (!ok) fail(`x=${x[i]}: got ${got[i]} want ${ref}`);
          }
          expect(out.guardsIntact()).toBe(true);
          core.reset();
        });
      }
    }
  }

  it("special values: exp/log/sqrt/abs/clamp/sign of NaN, inf, 0, subnormals", () => {
    const x = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, 88.72283, 88.7229, -87.3, -103.9, -104.5, 1];
    const n = x.length;
    const px = core.put(x);
    const out = core.empty(n);
    const run = (op: number, p1 = 0, p2 = 0) => { ex.unary_f32(op, out, px, n, p1, p2); return Array.from(core.get(out, n)); };
    const e = run(1);
    for (let i = 0; i < n; i++) expect(ulpErr(e[i], Math.exp(fr(x[i]))), `exp(${x[i]})`).toBeLessThanOrEqual(1);
    const l = run(2);
    for (let i = 0; i < n; i++) expect(ulpErr(l[i], Math.log(fr(x[i]))), `log(${x[i]})`).toBeLessThanOrEqual(1);
    const c = run(6, -1, 0.5);
    expect(Number.isNaN(c[0])).toBe(true);
    expect(c.slice(1, 4)).toEqual([0.5, -1, 0]);
    const s = run(8);
    expect(s.slice(0, 7)).toEqual([0, 1, -1, 0, 0, 1, -1]); // torch.sign(NaN) = 0 on CPU
    const q = run(3);
    expect(Number.isNaN(q[0]) && q[1] === Infinity && Number.isNaN(q[2]) && Object.is(q[4], -0)).toBe(true);
    core.reset();
  });

  it("exp and log accuracy sweep (10^6 points): max error in ulp", () => {
    const n = 1 << 20;
    const xs = new Float32Array(n);
    const r = randomFloats(n, 2024, 0, 1);
    for (let i = 0; i < n; i++) xs[i] = i % 2 ? -103.9 + 192.6 * r[i] : -2 + 4 * r[i];
    const out = core.empty(n);
    ex.unary_f32(1, out, core.put(xs), n, 0, 0);
    const got = core.get(out, n);
    let maxE = 0;
    for (let i = 0; i < n; i++) maxE = Math.max(maxE, ulpErr(got[i], Math.exp(xs[i])));
    // log: positive floats over the whole exponent range, plus a dense band around 1
    const ls = new Float32Array(n);
    for (let i = 0; i < n; i++) ls[i] = i % 2 ? 2 ** (-149 + 277 * r[i]) : 0.5 + 1.5 * r[i];
    ex.unary_f32(2, out, core.put(ls), n, 0, 0);
    const gl = core.get(out, n);
    let maxL = 0;
    for (let i = 0; i < n; i++) if (ls[i] > 0 && isFinite(ls[i])) maxL = Math.max(maxL, ulpErr(gl[i], Math.log(ls[i])));
    console.log(`exp4 max error ${maxE.toFixed(3)} ulp, log4 max error ${maxL.toFixed(3)} ulp`);
    expect(maxE).toBeLessThanOrEqual(1);
    expect(maxL).toBeLessThanOrEqual(1);
    core.reset();
  });
});

// ----------------------------------------------------------------- unary backward

function unaryBwdRef(op: number, x: number, y: number, dy: number, p1: number, p2: number): number {
  switch (op) {
    case 0: return -dy;
    case 1: return fr(dy * y);
    case 2: return fr(dy / x);
    case 3: return fr(dy / fr(y + y));
    case 4: return fr(dy * (x > 0 ? 1 : x < 0 ? -1 : 0));
    case 5: return p1 === 0 ? 0 : fr(dy * fr(p1 * fr(powRef(x, p1 - 1))));
    case 6: return x >= p1 && x <= p2 ? dy : 0;
    case 7: return fr(dy * p1);
    default: return 0;
  }
}

describe("unary_bwd_f32", () => {
  for (let op = 0; op < 9; op++) {
    const params: [number, number][] = op === 5 ? POW_EXPS.map((p) => [p, 0]) : op === 6 ? [[-1, 0.5]] : op === 7 ? [[1.5, -0.25]] : [[0, 0]];
    for (const n of SIZES) {
      for (const [p1, p2] of params) {
        it(`${UN_NAMES[op]}'(${p1}) over ${n}`, () => {
          const x = inputsFor(op, n, 7 + op + n);
          if (op === 4 || op === 6) { if (n > 2) { x[0] = 0; x[1] = p1; x[2] = p2 || 0.5; } }
          const yo = core.empty(n);
          const px = core.put(x);
          ex.unary_f32(op, yo, px, n, p1, p2);
          const y = core.get(yo, n);
          const dy = randomFloats(n, 99 + n, -2, 2);
          const out = guarded(n);
          ex.unary_bwd_f32(op, out.ptr, px, yo, core.put(dy), n, p1, p2);
          const got = out.get();
          for (let i = 0; i < n; i++) {
            let ref = unaryBwdRef(op, x[i], y[i], dy[i], p1, p2);
            // general pow: x^(p-1) through powf, within 1 ulp, then two roundings
            const general = op === 5 && ![2, 3, 0.5, -0.5, -1, -2, 0, 1, 4].includes(p1 - 1) && p1 !== 0;
            if (general) ref = dy[i] * fr(p1) * Math.pow(x[i], fr(fr(p1) - 1));
            const ok = general ? ulpErr(got[i], ref) <= 3 : sameF32(got[i], ref);
            if (!ok) fail(`x=${x[i]} dy=${dy[i]}: got ${got[i]} want ${ref}`);
          }
          expect(out.guardsIntact()).toBe(true);
          core.reset();
        });
      }
    }
  }

  it("hand-derived: abs'(0) = 0, clamp' at the bounds passes, pow'(x, 0) = 0, sqrt' from y", () => {
    // abs: d|x|/dx = sign(x), PyTorch uses 0 at x = 0.  clamp(x, -1, 0.5): gradient passes for -1 <= x <= 0.5
    // (inclusive bounds), NaN inputs get 0.  pow(x, 0) = 1 has gradient 0 everywhere (even at x = 0, where
    // 0 * x^-1 would be NaN).  sqrt(4) = 2, d/dx = 1/(2*2) = 0.25.
    const x = core.put([0, -1, 0.5, 0.6, NaN, 4]);
    const y = core.put([0, 0, 0, 0, 0, 2]);
    const dy = core.put([3, 3, 3, 3, 3, 3]);
    const dx = core.empty(6);
    ex.unary_bwd_f32(4, dx, x, y, dy, 1, 0, 0);
    expect(core.get(dx, 1)[0]).toBe(0);
    ex.unary_bwd_f32(6, dx, x, y, dy, 5, -1, 0.5);
    expect(Array.from(core.get(dx, 5))).toEqual([3, 3, 3, 0, 0]);
    ex.unary_bwd_f32(5, dx, x, y, dy, 1, 0, 0);
    expect(core.get(dx, 1)[0]).toBe(0);
    ex.unary_bwd_f32(3, dx + 20, x + 20, y + 20, dy + 20, 1, 0, 0);
    expect(core.get(dx + 20, 1)[0]).toBe(0.75);
    core.reset();
  });

  it("finite differences of each differentiable unary op (f64 central differences of the f32 kernel)", () => {
    // h = 3e-3 * max(1, |x|): truncation error h^2/6 |f'''| stays below ~5e-4 (1 + |f'|) on the chosen ranges
    // (worst: log and x^-1.5 near 0.2); the f32 rounding of f(x +- h) adds up to 2 * 2^-24 |f| / (2h), allowed
    // for explicitly. Tolerance 1e-3 (1 + |f'|) + 4 * 2^-24 max|f| / (2h).
    const n = 64;
    const cases: [number, number, number, number, number][] = [
      [0, 0, 0, -3, 3], [1, 0, 0, -3, 3], [2, 0, 0, 0.2, 5], [3, 0, 0, 0.2, 5], [4, 0, 0, -3, 3],
      [5, 2.5, 0, 0.2, 3], [5, -1.5, 0, 0.2, 3], [5, 3, 0, -2, 2], [6, -1, 0.5, -3, 3], [7, 1.5, -0.25, -3, 3],
    ];
    for (const [op, p1, p2, lo, hi] of cases) {
      const x = randomFloats(n, 5 + op, lo, hi);
      // keep clamp / abs inputs away from their kinks
      for (let i = 0; i < n; i++) {
        if ((op === 4 || op === 6) && (Math.abs(x[i]) < 0.05 || Math.abs(x[i] - p1) < 0.05 || Math.abs(x[i] - p2) < 0.05)) x[i] += 0.1;
      }
      const px = core.put(x), yo = core.empty(n), dyp = core.put(new Float32Array(n).fill(1)), dx = core.empty(n);
      ex.unary_f32(op, yo, px, n, p1, p2);
      ex.unary_bwd_f32(op, dx, px, yo, dyp, n, p1, p2);
      const g = core.get(dx, n);
      const { xp, xm, h } = stepsAround(x, 3e-3);
      const fp = core.empty(n), fm = core.empty(n);
      ex.unary_f32(op, fp, core.put(xp), n, p1, p2);
      ex.unary_f32(op, fm, core.put(xm), n, p1, p2);
      const a = core.get(fp, n), b = core.get(fm, n);
      for (let i = 0; i < n; i++) {
        const fd = (a[i] - b[i]) / h[i];
        const tol = 1e-3 * (1 + Math.abs(g[i])) + (4 * 2 ** -24 * Math.max(Math.abs(a[i]), Math.abs(b[i]))) / h[i];
        expect(Math.abs(fd - g[i]), `${UN_NAMES[op]} x=${x[i]} fd=${fd} g=${g[i]}`).toBeLessThanOrEqual(tol);
      }
      core.reset();
    }
  });
});

// ----------------------------------------------------------------- axpy

describe("axpy_f32", () => {
  for (const n of SIZES) {
    it(`y += alpha x over ${n}`, () => {
      const x = randomFloats(n, 1 + n);
      const y0 = randomFloats(n, 2 + n);
      const out = guarded(n);
      new Float32Array(ex.memory.buffer, out.ptr, n).set(y0);
      ex.axpy_f32(out.ptr, core.put(x), n, -0.37);
      const got = out.get();
      const alpha = fr(-0.37);
      for (let i = 0; i < n; i++) if (got[i] !== fr(y0[i] + fr(alpha * x[i]))) fail(`i=${i}`);
      expect(out.guardsIntact()).toBe(true);
      core.reset();
    });
  }
});
