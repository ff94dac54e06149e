// rng.ts: exact stream (against a TypeScript xoshiro128** + splitmix64 reference), determinism, and statistical
// checks. Statistical bounds are 5 standard errors (false-failure probability ~6e-7 per check; the streams are
// seeded, so a passing test passes forever).
import { describe, it, expect } from "vitest";
import { loadCore, SENTINEL } from "./harness";

/** Reference generator, BigInt splitmix64 seeding as documented in assembly/rng.ts. */
function refStream(seed: number) {
  const M = (1n << 64n) - 1n;
  const mix = (x: bigint) => {
    let z = x & M;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };
  const g = 0x9e3779b97f4a7c15n;
  const a = mix(BigInt(seed) + g), b = mix(BigInt(seed) + 2n * g);
  const s = [Number(a & 0xffffffffn), Number(a >> 32n), Number(b & 0xffffffffn), Number(b >> 32n)].map((v) => v >>> 0);
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] = (s[2] ^ s[0]) >>> 0;
    s[3] = (s[3] ^ s[1]) >>> 0;
    s[1] = (s[1] ^ s[2]) >>> 0;
    s[0] = (s[0] ^ s[3]) >>> 0;
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    return result;
  };
}

function mean(a: ArrayLike<number>) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
function std(a: ArrayLike<number>) {
  const m = mean(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - m) ** 2;
  return Math.sqrt(s / (a.length - 1));
}

describe("rng", () => {
  it("the start state is rng_seed(0), and the stream is xoshiro128** seeded by splitmix64", () => {
    const c1 = loadCore(), c2 = loadCore();
    const first = Array.from({ length: 8 }, () => c1.exports.rng_next_u32() >>> 0);
    c2.exports.rng_seed(0);
    expect(Array.from({ length: 8 }, () => c2.exports.rng_next_u32() >>> 0)).toEqual(first);
    for (const seed of [0, 1, 42, 0xffffffff]) {
      const ref = refStream(seed);
      c1.exports.rng_seed(seed);
      for (let i = 0; i < 1000; i++) expect(c1.exports.rng_next_u32() >>> 0).toBe(ref());
    }
  });

  it("same seed, same sequence for every generator (across instances); different seeds differ", () => {
    const run = (seed: number) => {
      const c = loadCore();
      c.exports.rng_seed(seed);
      const out: number[] = [];
      const p = c.empty(37);
      for (const f of ["uniform", "normal", "mask", "perm"]) {
        if (f === "uniform") c.exports.rng_uniform_f32(p, 37, -2, 3);
        if (f === "normal") c.exports.rng_normal_f32(p, 37, 1, 2);
        if (f === "mask") c.exports.rng_bernoulli_mask_f32(p, 37, 0.3, 2);
        if (f === "perm") c.exports.rng_permutation_f32(p, 37);
        out.push(...c.get(p, 37));
      }
      return out;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it("uniform: [low, high) only, 100k draws have the right mean and standard deviation", () => {
    const core = loadCore();
    core.exports.rng_seed(123);
    const n = 100_000;
    for (const [lo, hi] of [[0, 1], [-3, 5], [10, 10.5]]) {
      const p = core.empty(n + 4, SENTINEL);
      core.exports.rng_uniform_f32(p, n, lo, hi);
      const u = core.get(p, n);
      expect(u.every((v) => v >= lo && v < hi)).toBe(true);
      expect(Array.from(core.get(p + 4 * n, 4))).toEqual([SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
      const w = hi - lo;
      // mean: sd w/sqrt(12n); sample variance: sd w^2 sqrt((1/80 - 1/144)/n)
      expect(Math.abs(mean(u) - (lo + hi) / 2)).toBeLessThan((5 * w) / Math.sqrt(12 * n));
      expect(Math.abs(std(u) ** 2 - (w * w) / 12)).toBeLessThan(5 * w * w * Math.sqrt((1 / 80 - 1 / 144) / n));
    }
    // a range one float wide: values that would round up to high become low (never high)
    const p = core.empty(1000);
    core.exports.rng_uniform_f32(p, 1000, 1, 1 + 2 ** -23);
    expect(core.get(p, 1000).every((v) => v === 1)).toBe(true);
    core.exports.rng_uniform_f32(p, 10, 2, 2);
    expect(core.get(p, 10).every((v) => v === 2)).toBe(true);
    core.reset();
  });

  it("normal: 100k draws (odd count) have mean, std and tail mass of N(mean, std)", () => {
    const core = loadCore();
    core.exports.rng_seed(99);
    const n = 100_001;
    for (const [mu, sd] of [[0, 1], [2, 0.5]]) {
      const p = core.empty(n + 4, SENTINEL);
      core.exports.rng_normal_f32(p, n, mu, sd);
      const z = core.get(p, n);
      expect(Array.from(core.get(p + 4 * n, 4))).toEqual([SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
      expect(z.every(Number.isFinite)).toBe(true);
      // mean: sd/sqrt(n); sample std: ~sd/sqrt(2n); P(|z| > 2 sd) = 0.0455, binomial sd sqrt(p(1-p)/n)
      expect(Math.abs(mean(z) - mu)).toBeLessThan((5 * sd) / Math.sqrt(n));
      expect(Math.abs(std(z) - sd)).toBeLessThan((5 * sd) / Math.sqrt(2 * n));
      let tail = 0;
      for (let i = 0; i < n; i++) if (Math.abs(z[i] - mu) > 2 * sd) tail++;
      const pt = 0.0455003;
      expect(Math.abs(tail / n - pt)).toBeLessThan(5 * Math.sqrt((pt * (1 - pt)) / n));
    }
    for (const n1 of [0, 1, 3]) {
      const p = core.empty(n1 + 2, SENTINEL);
      core.exports.rng_normal_f32(p, n1, 0, 1);
      const v = core.get(p, n1 + 2);
      for (let i = 0; i < n1; i++) expect(Number.isFinite(v[i]) && v[i] !== SENTINEL).toBe(true);
      expect([v[n1], v[n1 + 1]]).toEqual([SENTINEL, SENTINEL]);
    }
    core.reset();
  });

  it("bernoulli masks: values are 0 or scale, keep fraction matches keepProb; 0 and 1 are exact", () => {
    const core = loadCore();
    core.exports.rng_seed(5);
    const n = 100_000;
    const p = core.empty(n + 1, SENTINEL);
    for (const keep of [0.1, 0.5, 0.9]) {
      core.exports.rng_bernoulli_mask_f32(p, n, keep, 1 / keep);
      const m = core.get(p, n);
      let kept = 0;
      for (let i = 0; i < n; i++) {
        if (m[i] === Math.fround(1 / keep)) kept++;
        else expect(m[i]).toBe(0);
      }
      expect(Math.abs(kept / n - keep)).toBeLessThan(5 * Math.sqrt((keep * (1 - keep)) / n));
    }
    core.exports.rng_bernoulli_mask_f32(p, 1000, 0, 2);
    expect(core.get(p, 1000).every((v) => v === 0)).toBe(true);
    core.exports.rng_bernoulli_mask_f32(p, 1000, 1, 2);
    expect(core.get(p, 1000).every((v) => v === 2)).toBe(true);
    expect(core.get(p + 4 * n, 1)[0]).toBe(SENTINEL);
    core.reset();
  });

  it("permutation: a permutation of 0..n-1 for n = 0, 1, 3, 17, 4032; all 6 orders of 3 equally likely", () => {
    const core = loadCore();
    core.exports.rng_seed(11);
    for (const n of [0, 1, 3, 17, 4032]) {
      const p = core.empty(n + 1, SENTINEL);
      core.exports.rng_permutation_f32(p, n);
      const v = Array.from(core.get(p, n)).sort((a, b) => a - b);
      expect(v).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(core.get(p + 4 * n, 1)[0]).toBe(SENTINEL);
    }
    const counts = new Map<string, number>();
    const p = core.empty(3);
    const draws = 60_000;
    for (let k = 0; k < draws; k++) {
      core.exports.rng_permutation_f32(p, 3);
      const key = Array.from(core.get(p, 3)).join(",");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const e = draws / 6;
    for (const c of counts.values()) expect(Math.abs(c - e)).toBeLessThan(5 * Math.sqrt(e * (5 / 6)));
    core.reset();
  });
});
