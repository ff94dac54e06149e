// activations.ts against naive f64 TypeScript references.
//
// Tolerances. Forward: N ulp of the f64 value (N per kind below, from the measured error of the vector
// primitives: exp <= 1, expm1 <= 1.6, log1p <= 2.4, tanh/sigmoid <= 2.4, Phi <= 6, plus the final f32
// operations), plus 4 * 2^-24 * |x f'(x)| for kinds that round an internal argument (beta*x, u(x) of gelu-tanh):
// that is the error any f32 implementation makes by rounding the argument, scaled by the condition number.
// Backward: sigmoid/tanh/relu/leaky/identity follow fixed f32 formulas and must match an f32 emulation bit for
// bit; the others get N ulp + 8 * 2^-24 * |dy| * (sum of |terms| of the derivative formula) for cancellation,
// plus the same argument-rounding term with f''.
import { describe, it, expect } from "vitest";
import { loadCore, randomFloats, ulp, SENTINEL, fail, stepsAround } from "./harness";

const core = loadCore();
const ex = core.exports;
const fr = Math.fround;
const EPS = 2 ** -24;

// ---- f64 references
/** erfc(z) to ~1e-14 relative: series for |z| < 2.5, continued fraction beyond. */
function erfc(z: number): number {
  if (z < 0) return 2 - erfc(-z);
  if (z < 2.5) {
    // erf(z) = 2/sqrt(pi) exp(-z^2) sum 2^n z^(2n+1) / (1*3*...*(2n+1)), all terms positive
    let term = z;
    let sum = z;
    for (let n = 1; n < 200; n++) {
      term *= (2 * z * z) / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
  }
  // erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...))))
  let k = z;
  for (let n = 120; n >= 1; n--) k = z + n / 2 / k;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / k;
}
const Phi = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const sig = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const SELU_A = 1.6732632423543772848170429916717;
const SELU_S = 1.0507009873554804934193349852946;
const KB = Math.sqrt(2 / Math.PI);
const KK = 0.044715;

const NAMES = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "silu", "gelu", "gelu_tanh", "softplus"];
/** Parameters per kind (p1, p2) as passed to the kernel; f32-rounded in the references. */
const PARAMS: [number, number][][] = [
  [[0, 0]], [[0, 0]], [[0, 0]], [[0, 0]], [[0.01, 0], [0.2, 0]], [[1, 0], [0.5, 0]], [[0, 0]], [[0, 0]], [[0, 0]], [[0, 0]],
  [[1, 20], [2, 5], [0.5, 1]],
];
/** Forward ulp budget per kind. */
const NF = [0, 3, 3, 0, 0, 3, 3, 4, 7, 4, 4];
/** Backward ulp budget per kind (0 = exact f32 emulation). */
const NB = [0, 0, 0, 0, 0, 3, 3, 6, 8, 8, 4];

function fwd(kind: number, x: number, p1: number, p2: number): number {
  const a = fr(p1), b = fr(p2);
  switch (kind) {
    case 0: return x;
    case 1: return sig(x);
    case 2: return Math.tanh(x);
    case 3: return Number.isNaN(x) ? NaN : Math.max(x, 0);
    case 4: return x > 0 ? x : fr(x * a);
    case 5: return x > 0 ? x : a * Math.expm1(x);
    case 6: return x > 0 ? fr(x * fr(SELU_S)) : fr(fr(SELU_A) * fr(SELU_S)) * Math.expm1(x);
    case 7: return x * sig(x);
    case 8: return x * Phi(x);
    case 9: { const u = fr(KB) * (x + fr(KK) * x * x * x); return x * sig(2 * u); } // = 0.5x(1 + tanh u), torch's f32 constants
    default: {
      const z = fr(x * a);
      return z > b ? x : (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))) / a;
    }
  }
}
/** f'(x) in f64 (for kinds with exact f32 emulation the caller uses bwdExact instead). */
function deriv(kind: number, x: number, p1: number, p2: number): number {
  const a = fr(p1), b = fr(p2);
  switch (kind) {
    case 0: return 1;
    case 1: return sig(x) * sig(-x);
    case 2: return 1 - Math.tanh(x) ** 2;
    case 3: return x > 0 ? 1 : 0;
    case 4: return x > 0 ? 1 : a;
    case 5: return x > 0 ? 1 : a * Math.exp(x);
    case 6: return x > 0 ? fr(SELU_S) : fr(fr(SELU_A) * fr(SELU_S)) * Math.exp(x);
    case 7: return sig(x) * (1 + x * sig(-x));
    case 8: return Phi(x) + x * phi(x);
    case 9: {
      const u = fr(KB) * (x + fr(KK) * x * x * x);
      const s = sig(2 * u);
      return s + 2 * x * s * sig(-2 * u) * fr(KB) * (1 + 3 * fr(KK) * x * x);
    }
    default: return fr(x * a) > b ? 1 : sig(x * a);
  }
}
/** Sum of |terms| of the derivative formula (cancellation scale). */
function termScale(kind: number, x: number): number {
  switch (kind) {
    case 7: return sig(x) * (1 + Math.abs(x) * sig(-x));
    case 8: return Phi(x) + Math.abs(x) * phi(x);
    case 9: {
      const u = KB * (x + KK * x * x * x);
      const s = sig(2 * u);
      return s + Math.abs(2 * x * s * sig(-2 * u) * KB * (1 + 3 * KK * x * x));
    }
    default: return Math.abs(deriv(kind, x, 1, 20));
  }
}
/** Backward formulas that are fixed f32 operation sequences (torch's), emulated exactly. */
function bwdExact(kind: number, x: number, y: number, dy: number, p1: number): number {
  switch (kind) {
    case 0: return dy;
    case 1: return fr(fr(dy * fr(1 - y)) * y);
    case 2: return fr(dy * fr(1 - fr(y * y)));
    case 3: return y <= 0 ? 0 : dy;
    default: return x > 0 ? dy : fr(dy * fr(p1));
  }
}
const ARG_ROUNDING = [false, false, false, false, false, false, false, false, true, true, true];

function activationInputs(n: number, seed: number): Float32Array {
  const x = randomFloats(n, seed, -8, 8);
  const special = [0, -0, 1e-30, -1e-30, 20, -20, 100, -100, 0.5, -0.5, 1e-4, -1e-4, 3, -3, 15, -15, 6];
  for (let i = 0; i < Math.min(n, special.length); i++) x[(i * 7919) % n] = special[i];
  return x;
}

describe("act_f32 / act_bwd_f32 against f64 references", () => {
  for (let kind = 0; kind < 11; kind++) {
    for (const [p1, p2] of PARAMS[kind]) {
      for (const n of [0, 1, 3, 17, 4032]) {
        it(`${NAMES[kind]}(${p1}, ${p2}) over ${n}`, () => {
          const x = activationInputs(n, 17 + kind + n);
          const px = core.put(x);
          const base = core.empty(n + 9, SENTINEL);
          const out = base + 20; // misaligned on purpose
          ex.act_f32(kind, out, px, n, p1, p2);
          const y = core.get(out, n);
          for (let i = 0; i < n; i++) {
            const ref = fwd(kind, x[i], p1, p2);
            const tol = NF[kind] * ulp(ref) + (ARG_ROUNDING[kind] ? 4 * EPS * Math.abs(x[i] * deriv(kind, x[i], p1, p2)) : 0) +
              4 * 2 ** -149 * Math.max(1, Math.abs(x[i])); // products with subnormal intermediates (silu(-100))
            const err = Math.abs(y[i] - ref);
            if (NF[kind] === 0 ? y[i] !== fr(ref) : !(err <= tol)) fail(`fwd x=${x[i]}: got ${y[i]} want ${ref} (err ${err / ulp(ref)} ulp)`);
          }
          const g = core.get(base, n + 9);
          for (const i of [0, 1, 2, 3, 4, n + 5, n + 6, n + 7, n + 8]) expect(g[i]).toBe(SENTINEL);

          const dy = randomFloats(n, 5 + n, -2, 2);
          const dbase = core.empty(n + 9, SENTINEL);
          const dx = dbase + 20;
          ex.act_bwd_f32(kind, dx, px, out, core.put(dy), n, p1, p2);
          const d = core.get(dx, n);
          for (let i = 0; i < n; i++) {
            if (NB[kind] === 0) {
              const ref = bwdExact(kind, x[i], y[i], dy[i], p1);
              if (d[i] !== ref) fail(`bwd x=${x[i]} y=${y[i]} dy=${dy[i]}: got ${d[i]} want ${ref}`);
              continue;
            }
            const ref = dy[i] * deriv(kind, x[i], p1, p2);
            const h = 1e-5 * Math.max(1, Math.abs(x[i]));
            const f2 = (deriv(kind, x[i] + h, p1, p2) - deriv(kind, x[i] - h, p1, p2)) / (2 * h);
            let tol = NB[kind] * ulp(ref) + 8 * EPS * Math.abs(dy[i]) * termScale(kind, x[i]) +
              4 * 2 ** -149 * Math.max(1, Math.abs(x[i])) * Math.max(1, Math.abs(dy[i])); // subnormal intermediates
            if (ARG_ROUNDING[kind]) tol += 4 * EPS * Math.abs(dy[i] * x[i] * f2);
            if (!(Math.abs(d[i] - ref) <= tol)) fail(`bwd x=${x[i]} dy=${dy[i]}: got ${d[i]} want ${ref} (${Math.abs(d[i] - ref) / ulp(ref)} ulp)`);
          }
          const dg = core.get(dbase, n + 9);
          for (const i of [0, 1, 2, 3, 4, n + 5, n + 6, n + 7, n + 8]) expect(dg[i]).toBe(SENTINEL);
          core.reset();
        });
      }
    }
  }
});

describe("activation accuracy and stability", () => {
  it("forward max ulp error over 2^18 points per kind (printed)", () => {
    const n = 1 << 18;
    const r = randomFloats(n, 77, 0, 1);
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = i % 2 ? -15 + 30 * r[i] : (i % 4 === 0 ? 1 : -1) * 2 ** (-20 * r[i]);
    const px = core.put(x);
    const out = core.empty(n);
    const report: string[] = [];
    for (const kind of [1, 2, 5, 6, 7, 8, 9, 10]) {
      ex.act_f32(kind, out, px, n, PARAMS[kind][0][0], PARAMS[kind][0][1]);
      const y = core.get(out, n);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const ref = fwd(kind, x[i], PARAMS[kind][0][0], PARAMS[kind][0][1]);
        if (ref === 0 || Math.abs(ref) < 2 ** -126) continue;
        const cond = ARG_ROUNDING[kind] ? 4 * EPS * Math.abs(x[i] * deriv(kind, x[i], PARAMS[kind][0][0], PARAMS[kind][0][1])) : 0;
        const e = Math.max(0, Math.abs(y[i] - ref) - cond) / ulp(ref);
        if (e > worst) { worst = e; if (e > NF[kind]) console.log(NAMES[kind], x[i], y[i], ref); }
      }
      report.push(`${NAMES[kind]} ${worst.toFixed(2)}`);
      expect(worst, NAMES[kind]).toBeLessThanOrEqual(NF[kind]);
    }
    console.log(`activation forward max error (ulp, beyond argument rounding): ${report.join(", ")}`);
    core.reset();
  });

  it("sigmoid(+-100), tanh(+-100) and every kind at +-100, +-1e30 stay finite; NaN stays NaN", () => {
    const x = [-100, 100, -1e30, 1e30, NaN];
    const px = core.put(x);
    const out = core.empty(5);
    ex.act_f32(1, out, px, 2, 0, 0);
    const s = core.get(out, 2);
    expect(s[1]).toBe(1);
    expect(Math.abs(s[0] - Math.exp(-100)) <= 2 ** -149).toBe(true); // 3.7e-44, not 0 or NaN
    ex.act_f32(2, out, px, 2, 0, 0);
    expect(Array.from(core.get(out, 2))).toEqual([-1, 1]);
    const dyp = core.put([1, 1, 1, 1, 1]);
    const dx = core.empty(5);
    for (let kind = 0; kind < 11; kind++) {
      const [p1, p2] = PARAMS[kind][0];
      ex.act_f32(kind, out, px, 5, p1, p2);
      const y = core.get(out, 5);
      for (let i = 0; i < 4; i++) expect(Number.isNaN(y[i]), `${NAMES[kind]}(${x[i]}) = ${y[i]}`).toBe(false);
      expect(Number.isNaN(y[4]), `${NAMES[kind]}(NaN)`).toBe(true);
      ex.act_bwd_f32(kind, dx, px, out, dyp, 5, p1, p2);
      const d = core.get(dx, 5);
      for (let i = 0; i < 4; i++) expect(Number.isFinite(d[i]), `${NAMES[kind]}'(${x[i]}) = ${d[i]}`).toBe(true);
      // identity' = dy; relu' from y = NaN passes dy; leaky' takes the x <= 0 branch's dy*slope (all as torch)
      if (kind !== 0 && kind !== 3 && kind !== 4) expect(Number.isNaN(d[4]), `${NAMES[kind]}'(NaN)`).toBe(true);
    }
    core.reset();
  });

  it("hand-derived derivatives at 0", () => {
    // relu'(0) = 0 (torch's threshold_backward: y <= 0 gives 0); leaky'(0) = slope (x <= 0 branch);
    // elu'(0) = alpha * exp(0) = alpha (x <= 0 branch of elu_backward); selu'(0) = alpha*scale;
    // sigmoid'(0) = y(1-y) = 0.25; tanh'(0) = 1 - 0 = 1; silu'(0) = s(0)(1 + 0) = 0.5;
    // gelu'(0) = Phi(0) + 0 * phi(0) = 0.5; gelu_tanh'(0) = s(0) + 0 = 0.5; softplus'(0) = sigmoid(0) = 0.5.
    const want = [1, 0.25, 1, 0, 0.2, 0.5, fr(fr(SELU_A) * fr(SELU_S)), 0.5, 0.5, 0.5, 0.5];
    const px = core.put([0]);
    const y = core.empty(1);
    const dy = core.put([1]);
    const dx = core.empty(1);
    for (let kind = 0; kind < 11; kind++) {
      const [p1, p2] = kind === 4 ? [0.2, 0] : kind === 5 ? [0.5, 0] : PARAMS[kind][0];
      ex.act_f32(kind, y, px, 1, p1, p2);
      ex.act_bwd_f32(kind, dx, px, y, dy, 1, p1, p2);
      expect(core.get(dx, 1)[0], NAMES[kind]).toBe(fr(want[kind]));
    }
    core.reset();
  });

  it("finite differences of every act_bwd_f32 against the f32 forward kernel", () => {
    // Central differences in f64 of the f32 forward with h = 2e-3 * max(1, |x|): truncation h^2/6 |f'''| <= ~1e-5
    // for these functions on [-6, 6]; rounding of the two f32 outputs adds <= 2^-24 max|f| / h, allowed for.
    // Inputs within 0.05 of a kink (relu/leaky/elu at 0, softplus at its threshold) are moved off it.
    const n = 200;
    for (let kind = 0; kind < 11; kind++) {
      for (const [p1, p2] of PARAMS[kind]) {
        const x = randomFloats(n, 3 + kind, -6, 6);
        for (let i = 0; i < n; i++) {
          if (Math.abs(x[i]) < 0.05) x[i] += 0.1;
          if (kind === 10 && Math.abs(x[i] * p1 - p2) < 0.05) x[i] += 0.1;
        }
        const { xp, xm, h } = stepsAround(x, 2e-3);
        const px = core.put(x), y = core.empty(n), ones = core.put(new Float32Array(n).fill(1)), dx = core.empty(n);
        ex.act_f32(kind, y, px, n, p1, p2);
        ex.act_bwd_f32(kind, dx, px, y, ones, n, p1, p2);
        const g = core.get(dx, n);
        const fp = core.empty(n), fm = core.empty(n);
        ex.act_f32(kind, fp, core.put(xp), n, p1, p2);
        ex.act_f32(kind, fm, core.put(xm), n, p1, p2);
        const a = core.get(fp, n), b = core.get(fm, n);
        for (let i = 0; i < n; i++) {
          const fd = (a[i] - b[i]) / h[i];
          const tol = 1e-4 * (1 + Math.abs(g[i])) + (2 * EPS * Math.max(Math.abs(a[i]), Math.abs(b[i]))) / h[i];
          if (!(Math.abs(fd - g[i]) <= tol)) fail(`${NAMES[kind]}(${p1},${p2}) x=${x[i]}: fd ${fd} vs ${g[i]}`);
        }
        core.reset();
      }
    }
  });
});
