// Seeded pseudo-random numbers inside the core: xoshiro128** (Blackman & Vigna), 128-bit state, period 2^128 - 1,
// seeded by expanding a 32-bit seed with splitmix64. Pure integer/f64 wasm arithmetic (AssemblyScript's own
// Math.log/cos/sin, no host imports), so a seed gives the same stream in every runtime.
// The module starts in the state of rng_seed(0). One stream per module instance.

let s0: u32 = 0;
let s1: u32 = 0;
let s2: u32 = 0;
let s3: u32 = 0;

// @ts-ignore: decorator
@inline function splitmix64(x: u64): u64 {
  let z = x;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** Reset the stream: state words from splitmix64(seed + k * golden gamma), k = 1, 2. The start state is seed 0. */
export function rng_seed(seed: u32): void {
  const g: u64 = 0x9e3779b97f4a7c15;
  const a = splitmix64(<u64>seed + g);
  const b = splitmix64(<u64>seed + 2 * g);
  s0 = <u32>a;
  s1 = <u32>(a >> 32);
  s2 = <u32>b;
  s3 = <u32>(b >> 32);
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1; // the all-zero state is a fixed point
}

rng_seed(0);

/** Next 32 random bits (xoshiro128**). */
export function rng_next_u32(): u32 {
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u32>(s3, 11);
  return result;
}

/** Uniform in [0, 1) on the 2^-24 grid (every value exactly representable in f32). */
// @ts-ignore: decorator
@inline function unit24(): f32 {
  return <f32>(rng_next_u32() >>> 8) * (1.0 / 16777216.0);
}

/** Largest f32 below x (x finite). */
function nextDown(x: f32): f32 {
  if (x == 0) return -1.4e-45;
  const b = reinterpret<i32>(x);
  return reinterpret<f32>(x > 0 ? b - 1 : b + 1);
}

/**
 * out[i] uniform in [low, high): low + (high - low) * u with u on the 2^-24 grid, computed in f64 and rounded;
 * a value that rounds up to high is replaced by the largest float below high. low == high gives low.
 */
export function rng_uniform_f32(out: usize, n: i32, low: f32, high: f32): void {
  const lo = <f64>low;
  const span = <f64>high - lo;
  const below = high > low ? nextDown(high) : low;
  for (let i = 0; i < n; i++) {
    let v = <f32>(lo + span * <f64>unit24());
    if (v >= high && high > low) v = below;
    store<f32>(out + (<usize>i << 2), v);
  }
}

/**
 * out[i] = mean + std * z, z standard normal by Box-Muller in f64: u1 in (0, 1] with 53 random bits (tails to
 * about 8.5 sigma), u2 with 32 bits; each pair of outputs uses three 32-bit draws (an odd n drops the last sine).
 */
export function rng_normal_f32(out: usize, n: i32, mean: f32, std: f32): void {
  const m = <f64>mean;
  const s = <f64>std;
  for (let i = 0; i < n; i += 2) {
    const hi = <f64>(rng_next_u32() >>> 5); // 27 bits
    const lo = <f64>(rng_next_u32() >>> 6); // 26 bits
    const u1 = (hi * 67108864.0 + lo + 1.0) * (1.0 / 9007199254740992.0); // (0, 1]
    const u2 = <f64>rng_next_u32() * (1.0 / 4294967296.0);
    const r = Math.sqrt(-2.0 * Math.log(u1));
    const th = 6.283185307179586 * u2;
    store<f32>(out + (<usize>i << 2), <f32>(m + s * (r * Math.cos(th))));
    if (i + 1 < n) store<f32>(out + (<usize>(i + 1) << 2), <f32>(m + s * (r * Math.sin(th))));
  }
}

/** Dropout masks: out[i] = (u < keepProb) ? scale : 0 with u uniform on the 2^-24 grid of [0, 1). */
export function rng_bernoulli_mask_f32(out: usize, n: i32, keepProb: f32, scale: f32): void {
  for (let i = 0; i < n; i++) {
    store<f32>(out + (<usize>i << 2), unit24() < keepProb ? scale : 0);
  }
}

/** Uniform integer in [0, range), unbiased (Lemire's multiply-shift with rejection). range >= 1. */
function bounded(range: u32): u32 {
  let m = <u64>rng_next_u32() * <u64>range;
  let l = <u32>m;
  if (l < range) {
    const t: u32 = (<u32>0 - range) % range;
    while (l < t) {
      m = <u64>rng_next_u32() * <u64>range;
      l = <u32>m;
    }
  }
  return <u32>(m >> 32);
}

/** A uniformly random permutation of 0..n-1 written as floats (Fisher-Yates, exact for n <= 2^24). */
export function rng_permutation_f32(out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>i);
  for (let i = n - 1; i > 0; i--) {
    const j = <i32>bounded(<u32>(i + 1));
    const a = out + (<usize>i << 2);
    const b = out + (<usize>j << 2);
    const t = load<f32>(a);
    store<f32>(a, load<f32>(b));
    store<f32>(b, t);
  }
}

/** Write the 4 state words (u32) to out: a snapshot rng_set_state can restore. */
export function rng_get_state(out: usize): void {
  store<u32>(out, s0);
  store<u32>(out + 4, s1);
  store<u32>(out + 8, s2);
  store<u32>(out + 12, s3);
}

/** Restore 4 state words from src (an all-zero state, a fixed point of the generator, becomes seed state 1,0,0,0). */
export function rng_set_state(src: usize): void {
  s0 = load<u32>(src);
  s1 = load<u32>(src + 4);
  s2 = load<u32>(src + 8);
  s3 = load<u32>(src + 12);
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
}
