// Seeded synthetic sequence data for examples/sequence.mjs (plain JS, no tensors).
import { mulberry32 as rng } from "./prng.mjs";


function gaussian(u) {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * n noisy sine waves A·sin(ω·0.35·t + φ) + N(0, 0.05²), A in [0.5, 1.5], ω in [0.6, 1.4]:
 * x [n, steps] the first `steps` samples, y [n] the next sample, last [n] the last input sample.
 */
export function sineData(n, steps, seed) {
  const u = rng(seed);
  const g = gaussian(u);
  const x = new Float32Array(n * steps);
  const y = new Float32Array(n);
  const last = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = 0.5 + u();
    const w = (0.6 + 0.8 * u()) * 0.35;
    const phi = 2 * Math.PI * u();
    for (let t = 0; t <= steps; t++) {
      const v = a * Math.sin(w * t + phi) + 0.05 * g();
      if (t < steps) x[i * steps + t] = v;
      else y[i] = v;
    }
    last[i] = x[i * steps + steps - 1];
  }
  return { n, x, y, last };
}

/**
 * n sequences x_t = μ·v_t with μ in [0, 1] per sequence and v_t in [0, 2): the target is the
 * sequence's mean (about μ). variance: the targets' variance (the MSE of predicting their mean).
 */
export function meanData(n, steps, seed) {
  const u = rng(seed);
  const x = new Float32Array(n * steps);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const mu = u();
    let s = 0;
    for (let t = 0; t < steps; t++) {
      const v = mu * 2 * u();
      x[i * steps + t] = v;
      s += v;
    }
    y[i] = s / steps;
  }
  const m = y.reduce((a, b) => a + b, 0) / n;
  const variance = y.reduce((a, b) => a + (b - m) ** 2, 0) / n;
  return { n, x, y, variance };
}
