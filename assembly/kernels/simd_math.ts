// Vector (f32x4) transcendental functions shared by the kernels, and partial-vector load/store helpers.
// Not exported from the module. Everything here is plain wasm f32/f64/i32 arithmetic (no relaxed SIMD, no host
// imports), so results are bitwise identical in every runtime. Scalar wrappers run the same vector code on a
// splat, so a value computed in a SIMD lane and in a scalar tail is always the same bits.
//
// Max error against f64 references, measured over 4M inputs per function spanning the whole useful range
// (subnormal results included), with the functions exactly as compiled here:
//   exp4     Cephes expf: n = round(x/ln2) by the 1.5*2^23 shifter, Cody-Waite r, degree-5 polynomial,
//            2^n applied in two halves (exact overflow and subnormal rounding)                  0.97 ulp
//   expm14   same reduction, 2^n*expm1(r) + (2^n - 1) (no cancellation near 0)                    1.53 ulp
//   log4     Cephes logf: frexp, sqrt(1/2) split, degree-8 polynomial, subnormals prescaled     0.80 ulp
//   log1p4   Kahan: log(w) * u / (w - 1), w = 1 + u                                             2.33 ulp
//   tanh4    e / (e + 2), e = expm1(2|x|), sign restored                                        2.33 ulp
//   sigmoid4 1/(1 + e) or e/(1 + e), e = exp(-|x|) (never overflows)                            2.33 ulp
//   erf4     |x| < 0.921875: x + x*A(x^2); else 1 - exp(B(|x|)), B ~ log erfc, own Lawson fits   1.29 ulp
//   phi4     normal CDF t*exp(-x^2/2)*exp(P(t))/4 with an exact -x^2/2 split (see below)        5.99 ulp
//            (relative, over its whole range down to Phi ~ 1e-38; mean 0.55 ulp)
// test/kernels/*.test.ts enforce these bounds through the kernels that use them.
// erf4 is not used by a kernel yet (GELU goes through phi4); it is here for a future torch.erf.

// ---------------------------------------------------------------- partial loads / stores

/** Load k (1..4) floats from p into the low lanes; the other lanes are `fill`. Never reads past p + 4k. */
// @ts-ignore: decorator
@inline export function loadK(p: usize, k: i32, fill: f32): v128 {
  if (k >= 4) return v128.load(p);
  let v = f32x4.splat(fill);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (k > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (k > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Store the low k (1..4) lanes of v to p. Never writes past p + 4k. */
// @ts-ignore: decorator
@inline export function storeK(p: usize, v: v128, k: i32): void {
  if (k >= 4) { v128.store(p, v); return; }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (k > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (k > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Sum of the four lanes in f64 (lane order 0+1, 2+3, then together). */
// @ts-ignore: decorator
@inline export function hsum64(lo: v128, hi: v128): f64 {
  const s = f64x2.add(lo, hi);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** The four f32 lanes of v promoted to f64: low pair. */
// @ts-ignore: decorator
@inline export function promoteLo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** The four f32 lanes of v promoted to f64: high pair. */
// @ts-ignore: decorator
@inline export function promoteHi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

/** Two f64x2 back to one f32x4 (lanes lo0, lo1, hi0, hi1). */
// @ts-ignore: decorator
@inline export function demote2(lo: v128, hi: v128): v128 {
  const a = f32x4.demote_f64x2_zero(lo);
  const b = f32x4.demote_f64x2_zero(hi);
  return v128.shuffle<f32>(a, b, 0, 1, 4, 5);
}

/** Lane-wise select: mask lanes all-ones pick a, else b. */
// @ts-ignore: decorator
@inline export function sel(a: v128, b: v128, mask: v128): v128 {
  return v128.bitselect(a, b, mask);
}

/** |x| with the sign of s. */
// @ts-ignore: decorator
@inline export function copysign4(x: v128, s: v128): v128 {
  return v128.or(v128.and(x, i32x4.splat(0x7fffffff)), v128.and(s, i32x4.splat(0x80000000)));
}

// ---------------------------------------------------------------- polynomials

/** One Horner step: p*x + c. */
// @ts-ignore: decorator
@inline function hornerStep(p: v128, x: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(p, x), f32x4.splat(c));
}

/** c0*x^5 + c1*x^4 + ... + c5 by Horner's rule (the highest coefficient first). */
// @ts-ignore: decorator
@inline function horner6(x: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, c5: f32): v128 {
  let p = f32x4.add(f32x4.mul(f32x4.splat(c0), x), f32x4.splat(c1));
  p = hornerStep(p, x, c2);
  p = hornerStep(p, x, c3);
  p = hornerStep(p, x, c4);
  return hornerStep(p, x, c5);
}

/** c0*x^8 + ... + c8 by Horner's rule (the highest coefficient first). */
// @ts-ignore: decorator
@inline function horner9(x: v128, c0: f32, c1: f32, c2: f32, c3: f32, c4: f32, c5: f32, c6: f32, c7: f32,
  c8: f32): v128 {
  let p = horner6(x, c0, c1, c2, c3, c4, c5);
  p = hornerStep(p, x, c6);
  p = hornerStep(p, x, c7);
  return hornerStep(p, x, c8);
}

// ---------------------------------------------------------------- exp

const LOG2E: f32 = 1.44269504088896341;
const SHIFTER: f32 = 12582912.0; // 1.5 * 2^23
const SHIFTER_BITS: i32 = 0x4b400000;
const LN2_HI: f32 = 0.693359375; // 355/512: n*LN2_HI is exact for |n| < 2^15
const LN2_LO: f32 = -2.12194440e-4;
// Cephes expf: exp(r) = 1 + r + r^2 * P(r), |r| <= ln2/2
const EP0: f32 = 1.9875691500e-4;
const EP1: f32 = 1.3981999507e-3;
const EP2: f32 = 8.3334519073e-3;
const EP3: f32 = 4.1665795894e-2;
const EP4: f32 = 1.6666665459e-1;
const EP5: f32 = 5.0000001201e-1;

/** r^2 * P(r) of the exp polynomial, so exp(r) = 1 + (r + expTail(r)) and expm1(r) = r + expTail(r). */
// @ts-ignore: decorator
@inline function expTail(r: v128): v128 {
  return f32x4.mul(horner6(r, EP0, EP1, EP2, EP3, EP4, EP5), f32x4.mul(r, r));
}

/** 2^n for integer lanes n in [-126, 127], as f32 bits. */
// @ts-ignore: decorator
@inline function pow2i(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
}

/**
 * exp(x) lane-wise. x is clamped to [-104, 89] (beyond that the f32 result is 0 or +inf anyway; NaN passes
 * through pmin/pmax as their first operand), n = round(x/ln2), r = x - n*ln2 in two exact-ish steps, and the
 * result p(r) * 2^n is scaled in two halves so that neither factor leaves the normal range: subnormal results
 * are rounded once, overflow gives +inf.
 */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  // pmax/pmin keep a NaN first operand (cheaper than the NaN-propagating max/min on x64)
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  // round-to-nearest-even integer n via the 1.5*2^23 shifter: the low mantissa bits of t are n
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(SHIFTER));
  const n = f32x4.sub(t, f32x4.splat(SHIFTER));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  const p = f32x4.add(f32x4.add(expTail(r), r), f32x4.splat(1.0));
  const ni = i32x4.sub(t, i32x4.splat(SHIFTER_BITS));
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  return f32x4.mul(f32x4.mul(p, pow2i(n1)), pow2i(n2));
}

/**
 * expm1(x) = exp(x) - 1 without cancellation: with n, r as in exp4, expm1(x) = 2^n*expm1(r) + (2^n - 1),
 * evaluated as 2*(2^(n-1)*expm1(r) + (2^(n-1) - 1/2)) so 2^(n-1) stays normal up to the overflow threshold;
 * n == 0 returns expm1(r) directly (exact for tiny and subnormal x). x is clamped to [-30, 89]
 * (expm1(-30) rounds to -1).
 */
// @ts-ignore: decorator
@inline export function expm14(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, f32x4.splat(-30.0)), f32x4.splat(89.0));
  const tt = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(SHIFTER));
  const n = f32x4.sub(tt, f32x4.splat(SHIFTER));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  const em = f32x4.add(r, expTail(r));
  const ni = i32x4.sub(tt, i32x4.splat(SHIFTER_BITS));
  const s = pow2i(i32x4.sub(ni, i32x4.splat(1))); // 2^(n-1)
  const t = f32x4.add(f32x4.mul(em, s), f32x4.sub(s, f32x4.splat(0.5)));
  const big = f32x4.add(t, t);
  // n == 0: expm1(r) directly; NaN lanes: em is NaN and so is big; x == 0 keeps the sign of zero
  const res = sel(em, big, f32x4.eq(n, f32x4.splat(0.0)));
  return sel(x0, res, f32x4.eq(x0, f32x4.splat(0.0)));
}

// ---------------------------------------------------------------- log

const SQRTHF: f32 = 0.707106781186547524;
const LP0: f32 = 7.0376836292e-2;
const LP1: f32 = -1.1514610310e-1;
const LP2: f32 = 1.1676998740e-1;
const LP3: f32 = -1.2420140846e-1;
const LP4: f32 = 1.4249322787e-1;
const LP5: f32 = -1.6668057665e-1;
const LP6: f32 = 2.0000714765e-1;
const LP7: f32 = -2.4999993993e-1;
const LP8: f32 = 3.3333331174e-1;

/**
 * log(x) lane-wise (Cephes logf): x = m * 2^e with m in [sqrt(1/2), sqrt(2)), log(1+f) = f - f^2/2 + f^3*P(f),
 * plus e*ln2 in two parts. Subnormals are prescaled by 2^25. log(0) = -inf, log(x<0) = NaN, log(inf) = inf.
 */
// @ts-ignore: decorator
@inline function log4_(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const xs = sel(f32x4.mul(x, f32x4.splat(33554432.0)), x, tiny); // 2^25
  const bits = xs;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(25)));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000)); // [0.5, 1)
  const lo = f32x4.lt(m, f32x4.splat(SQRTHF));
  e = i32x4.add(e, lo); // lo lanes are -1
  m = f32x4.sub(f32x4.add(m, v128.and(m, lo)), f32x4.splat(1.0));
  const z = f32x4.mul(m, m);
  let y = horner9(m, LP0, LP1, LP2, LP3, LP4, LP5, LP6, LP7, LP8);
  y = f32x4.mul(f32x4.mul(y, m), z);
  const fe = f32x4.convert_i32x4_s(e);
  y = f32x4.add(y, f32x4.mul(fe, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(m, y);
  r = f32x4.add(r, f32x4.mul(fe, f32x4.splat(LN2_HI)));
  // special values
  r = sel(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0.0)));
  r = sel(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
  r = sel(f32x4.splat(NaN), r, v128.or(f32x4.lt(x, f32x4.splat(0.0)), f32x4.ne(x, x)));
  return r;
}

/**
 * log(1 + u) lane-wise with Kahan's correction: w = 1 + u; u when w == 1, else log(w) * (u / (w - 1)).
 * log1p(-1) = -inf, log1p(u < -1) = NaN, log1p(inf) = inf.
 */
function log1p4_(u: v128): v128 {
  const w = f32x4.add(u, f32x4.splat(1.0));
  const d = f32x4.sub(w, f32x4.splat(1.0));
  let r = f32x4.mul(log4_(w), f32x4.div(u, d));
  r = sel(u, r, f32x4.eq(d, f32x4.splat(0.0)));
  r = sel(u, r, f32x4.eq(u, f32x4.splat(Infinity)));
  r = sel(f32x4.splat(-Infinity), r, f32x4.eq(u, f32x4.splat(-1.0)));
  return r;
}

// ---------------------------------------------------------------- tanh, sigmoid

/** tanh(x) = sign(x) * e / (e + 2) with e = expm1(2|x|); |x| is capped at 9.5 where tanh rounds to 1. */
function tanh4_(x: v128): v128 {
  const ax = f32x4.pmin(f32x4.abs(x), f32x4.splat(9.5)); // NaN stays NaN
  const e = expm14(f32x4.add(ax, ax));
  const t = f32x4.div(e, f32x4.add(e, f32x4.splat(2.0)));
  return copysign4(t, x);
}

/**
 * Logistic sigmoid, stable for every x: e = exp(-|x|) never overflows; 1/(1+e) for x >= 0 and e/(1+e) for
 * x < 0 (so sigmoid(-100) is the correct tiny value instead of 0 or NaN).
 */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const num = sel(f32x4.splat(1.0), e, f32x4.ge(x, f32x4.splat(0.0)));
  return f32x4.div(num, f32x4.add(e, f32x4.splat(1.0)));
}

// ---------------------------------------------------------------- erf

const ERF_SPLIT: f32 = 0.921875;
// erf(x) = x + x * A(x^2) on |x| < 0.921875, Lawson (iteratively reweighted least-squares minimax) fit of
// erf(x)/x - 1 with relative weight; fit error 1.6e-8 relative.
const EA0: f32 = 0.12837915122509003;
const EA1: f32 = -0.37612494826316833;
const EA2: f32 = 0.1128181740641594;
const EA3: f32 = -0.026766641065478325;
const EA4: f32 = 0.004993208684027195;
const EA5: f32 = -0.0005990974023006856;
// log(erfc(t)) = B(t) on [0.921875, 4], same kind of fit; absolute error 1.2e-8 (= relative error of erfc).
const EB0: f32 = 0.0002942791907116771;
const EB1: f32 = -1.130131483078003;
const EB2: f32 = -0.6319953203201294;
const EB3: f32 = -0.10992520302534103;
const EB4: f32 = 0.026335548609495163;
const EB5: f32 = -0.004730284679681063;
const EB6: f32 = 0.0005907157901674509;
const EB7: f32 = -4.535464177024551e-05;
const EB8: f32 = 1.60249271630164e-06;

/** erf(x) for |x| < 0.921875 (lanes outside are garbage). */
// @ts-ignore: decorator
@inline function erfSmall(x: v128): v128 {
  const s = f32x4.mul(x, x);
  return f32x4.add(x, f32x4.mul(x, horner6(s, EA5, EA4, EA3, EA2, EA1, EA0)));
}

/** erfc(t) for t in [0.921875, 4] (t is clamped into that range). */
// @ts-ignore: decorator
@inline function erfcTail(t0: v128): v128 {
  const t = f32x4.pmin(f32x4.pmax(t0, f32x4.splat(ERF_SPLIT)), f32x4.splat(4.0));
  return exp4(horner9(t, EB8, EB7, EB6, EB5, EB4, EB3, EB2, EB1, EB0));
}

/** erf(x) lane-wise; NaN stays NaN, erf(+-inf) = +-1, erf(-0) = -0. */
function erf4_(x: v128): v128 {
  const ax = f32x4.abs(x);
  const small = erfSmall(x);
  const large = copysign4(f32x4.sub(f32x4.splat(1.0), erfcTail(ax)), x);
  const r = sel(small, large, f32x4.lt(ax, f32x4.splat(ERF_SPLIT)));
  return sel(x, r, f32x4.ne(x, x));
}

// Lower tail of the standard normal, T(a) = Phi(-a) for a >= 0, in the form (after Numerical Recipes' erfcc)
//   T(a) = t * exp(-a^2/2) * exp(P(t)) / 4,   t = k / (k + a), k = 2*sqrt(2),
// with P a degree-10 polynomial in (t - 0.55), Lawson-minimax fit of log(4T(a)/t) + a^2/2 over a in [0, 14]
// (the factor 4 centres P on 0, |P| < 0.7, which keeps its rounding error small)
// (fit error 5.5e-9). exp(-a^2/2) is taken with an exact argument: a = ah + al with ah holding 12 significant
// bits, so ah^2/2 is exact and the small rest -al(a + ah)/2 joins P. No cancellation anywhere, valid down to
// the f32 underflow of Phi (a ~ 14), so GELU is accurate in its whole negative tail.
const PHI_K: f32 = 2.8284271247461903;
const PHI_C: f32 = 0.55;
const PC0: f32 = 0.0890430137515068; // fit value -1.2972513 + 2 ln 2 (the 1/4 is applied exactly at the end)
const PC1: f32 = 1.3613399267196655;
const PC2: f32 = 0.13109055161476135;
const PC3: f32 = -0.3994629383087158;
const PC4: f32 = -0.08446326851844788;
const PC5: f32 = 0.2997285723686218;
const PC6: f32 = 0.008768442086875439;
const PC7: f32 = -0.27636122703552246;
const PC8: f32 = 0.08979207277297974;
const PC9: f32 = 0.192071333527565;
const PC10: f32 = -0.13914011418819427;

/** Phi(-a) for a in [0, 15] (callers clamp; NaN propagates). */
function phiLower(a: v128): v128 {
  const t = f32x4.div(f32x4.splat(PHI_K), f32x4.add(f32x4.splat(PHI_K), a));
  const u = f32x4.sub(t, f32x4.splat(PHI_C));
  const p = hornerStep(hornerStep(horner9(u, PC10, PC9, PC8, PC7, PC6, PC5, PC4, PC3, PC2), u, PC1), u, PC0);
  const ah = v128.and(a, i32x4.splat(0xfffff000));
  const al = f32x4.sub(a, ah);
  const half = f32x4.splat(-0.5);
  const e1 = exp4(f32x4.mul(f32x4.mul(ah, ah), half));
  const e2 = exp4(f32x4.add(p, f32x4.mul(f32x4.mul(al, f32x4.add(a, ah)), half)));
  return f32x4.mul(f32x4.mul(f32x4.mul(t, e1), e2), f32x4.splat(0.25));
}

/**
 * Standard normal CDF Phi(x) = (1 + erf(x/sqrt2))/2 with small relative error everywhere: Phi(x) = T(|x|) for
 * x <= 0 and 1 - T(|x|) for x > 0 (T <= 1/2, so no cancellation), |x| clamped at 15 (Phi(-15) rounds to 0);
 * Phi(+-0) = 0.5 exactly. Max error 6 ulp (measured over 4M points on [-14, 9]), mean 0.5 ulp.
 */
function phi4_(x: v128): v128 {
  const a = f32x4.pmin(f32x4.abs(x), f32x4.splat(15.0)); // NaN stays NaN
  const t = phiLower(a);
  const r = sel(f32x4.sub(f32x4.splat(1.0), t), t, f32x4.gt(x, f32x4.splat(0.0)));
  return sel(f32x4.splat(0.5), r, f32x4.eq(x, f32x4.splat(0.0))); // exact Phi(0) (the polynomial gives 0.5 - 1ulp)
}

// ---------------------------------------------------------------- scalar twins (same bits as the lanes)

// @ts-ignore: decorator
@inline export function exp1(x: f32): f32 { return f32x4.extract_lane(exp4(f32x4.splat(x)), 0); }
// @ts-ignore: decorator
@inline export function log1(x: f32): f32 { return f32x4.extract_lane(log4(f32x4.splat(x)), 0); }

// @ts-ignore: decorator
@inline export function log4(x: v128): v128 { return log4_(x); }

// @ts-ignore: decorator
@inline export function log1p4(x: v128): v128 { return log1p4_(x); }

// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 { return tanh4_(x); }

// @ts-ignore: decorator
@inline export function erf4(x: v128): v128 { return erf4_(x); }

// @ts-ignore: decorator
@inline export function phi4(x: v128): v128 { return phi4_(x); }
