// Seeded shuffling for fit(): a TypeScript copy of the core's RNG (xoshiro128** seeded through
// splitmix64, Lemire's unbounded-rejection bounded integers, Fisher-Yates from the identity), so
// `permutation(n)` gives exactly what rng_permutation_f32 gives after rng_seed(seed), in every
// runtime, without touching the core's own stream (dropout masks and init stay where they were).
// Integer arithmetic only: 32-bit ops through Math.imul / >>> 0 and exact doubles below 2^53.

export class Shuffler {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number) {
    const M = (1n << 64n) - 1n;
    const mix = (x: bigint): bigint => {
      let z = x & M;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
      return z ^ (z >> 31n);
    };
    const g = 0x9e3779b97f4a7c15n;
    const s = BigInt(seed >>> 0);
    const a = mix(s + g);
    const b = mix(s + 2n * g);
    this.s0 = Number(a & 0xffffffffn);
    this.s1 = Number(a >> 32n);
    this.s2 = Number(b & 0xffffffffn);
    this.s3 = Number(b >> 32n);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32 random bits as an unsigned number (xoshiro128**). */
  nextU32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform integer in [0, range), 1 <= range <= 2^32: the high word of x·range, with rejection. */
  bounded(range: number): number {
    for (;;) {
      const x = this.nextU32();
      // x·range as hi·2^32 + lo, exactly, from 16-bit halves of x (every partial product < 2^49).
      const a = (x >>> 16) * range;
      const b = (x & 0xffff) * range;
      const t = a + Math.floor(b / 65536);
      const hi = Math.floor(t / 65536);
      const lo = (t % 65536) * 65536 + (b % 65536);
      if (lo >= range) return hi;
      const threshold = (4294967296 - range) % range;
      if (lo >= threshold) return hi;
    }
  }

  /** Write a uniformly random permutation of 0..n-1 into out[0..n) (Fisher-Yates from the identity). */
  permutation(out: { [i: number]: number; length: number }, n = out.length): void {
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.bounded(i + 1);
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
  }
}
