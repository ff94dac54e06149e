// The 2-D classification datasets: points in [-6, 6]², label 1 (blue) or 0 (orange).
// Pure functions of (kind, count, noise, seed), shared by the page (thumbnails, points) and tests.

export const DOMAIN = 6; // both coordinates lie in [-DOMAIN, DOMAIN]

/** A small seeded PRNG (mulberry32): the same seed gives the same points in every browser. */
export function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const uniform = (a, b) => a + (b - a) * next();
  // Box-Muller; one value per call keeps the stream simple.
  const normal = (mean = 0, std = 1) => mean + std * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return { next, uniform, normal };
}

const clampToDomain = (v) => Math.max(-DOMAIN, Math.min(DOMAIN, v));

/** Two discs: blue inside radius 2, orange on the ring 3.5..5. */
function circle(n, noise, r) {
  const pts = [];
  const radius = 5;
  for (let i = 0; i < n; i++) {
    const inner = i < n / 2;
    const rad = inner ? r.uniform(0, radius * 0.4) : r.uniform(radius * 0.7, radius);
    const angle = r.uniform(0, 2 * Math.PI);
    const x = rad * Math.sin(angle) + r.uniform(-radius, radius) * noise;
    const y = rad * Math.cos(angle) + r.uniform(-radius, radius) * noise;
    pts.push({ x, y, label: inner ? 1 : 0 });
  }
  return pts;
}

/** Four quadrants: blue where x and y share a sign. */
function xor(n, noise, r) {
  const pts = [];
  const pad = 0.3; // keep points off the axes so the classes are separable at zero noise
  for (let i = 0; i < n; i++) {
    let x = r.uniform(-5, 5);
    let y = r.uniform(-5, 5);
    x += x > 0 ? pad : -pad;
    y += y > 0 ? pad : -pad;
    const label = x * y >= 0 ? 1 : 0;
    pts.push({ x: x + r.uniform(-5, 5) * noise, y: y + r.uniform(-5, 5) * noise, label });
  }
  return pts;
}

/** Two Gaussian clouds at (2, 2) and (-2, -2); noise widens them. */
function gauss(n, noise, r) {
  const pts = [];
  const std = 0.8 + noise * 3.5;
  for (let i = 0; i < n; i++) {
    const blue = i < n / 2;
    const c = blue ? 2 : -2;
    pts.push({ x: r.normal(c, std), y: r.normal(c, std), label: blue ? 1 : 0 });
  }
  return pts;
}

/** Two interleaved arms winding 1.75 turns out from the centre. */
function spiral(n, noise, r) {
  const pts = [];
  const half = Math.floor(n / 2);
  for (const [label, phase] of [[1, 0], [0, Math.PI]]) {
    const count = label === 1 ? half : n - half;
    for (let i = 0; i < count; i++) {
      const rad = (i / count) * 5;
      const t = (1.75 * i / count) * 2 * Math.PI + phase;
      const x = rad * Math.sin(t) + r.uniform(-1, 1) * noise * 2;
      const y = rad * Math.cos(t) + r.uniform(-1, 1) * noise * 2;
      pts.push({ x, y, label });
    }
  }
  return pts;
}

/** Two interlocking half-moons. */
function moons(n, noise, r) {
  const pts = [];
  for (let i = 0; i < n; i++) {
    const blue = i < n / 2;
    const t = r.uniform(0, Math.PI);
    const x = blue ? 4 * Math.cos(t) - 2 : 2 - 4 * Math.cos(t);
    const y = blue ? 4 * Math.sin(t) - 1.2 : 1.2 - 4 * Math.sin(t);
    pts.push({ x: x + r.normal(0, 0.15 + noise * 2), y: y + r.normal(0, 0.15 + noise * 2), label: blue ? 1 : 0 });
  }
  return pts;
}

export const DATASETS = [
  { id: "circle", name: "Circle", make: circle },
  { id: "xor", name: "Exclusive or", make: xor },
  { id: "gauss", name: "Gaussian", make: gauss },
  { id: "spiral", name: "Spiral", make: spiral },
  { id: "moons", name: "Moons", make: moons },
];

/**
 * Points of one dataset, shuffled and split: the first `trainRatio` of them train, the rest test.
 * noise is in [0, 0.5] (the slider shows it as 0..50).
 */
export function makeDataset(kind, { count = 500, noise = 0, seed = 1, trainRatio = 0.5 } = {}) {
  const def = DATASETS.find((d) => d.id === kind);
  if (!def) throw new RangeError(`makeDataset: unknown dataset ${JSON.stringify(kind)}`);
  const r = rng(seed);
  const pts = def.make(count, noise, r).map((p) => ({ x: clampToDomain(p.x), y: clampToDomain(p.y), label: p.label }));
  for (let i = pts.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [pts[i], pts[j]] = [pts[j], pts[i]];
  }
  const nTrain = Math.max(1, Math.min(pts.length - 1, Math.round(pts.length * trainRatio)));
  return { train: pts.slice(0, nTrain), test: pts.slice(nTrain) };
}
