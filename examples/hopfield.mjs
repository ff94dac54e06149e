// A Hopfield associative memory: store six 10x10 letters in a 100-neuron network with the Hebbian
// rule, flip 20% of each letter's pixels and let the network settle back to the stored letter.
// Then the capacity limit: store P random patterns in N = 100 neurons and count how many come
// back (at most 1% of bits wrong) from 10% noise, for P = 2..30; recall collapses near
// P ≈ 0.14 N. Prints ASCII art and the capacity table; writes out/hopfield.svg.
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as nt from "../dist/neurite.js";
import { LETTERS, letterPattern, asciiRow } from "./lib/hopfield-letters.mjs";
import { svgDocument, esc } from "./lib/graph-draw.mjs";
import { mulberry32 } from "./lib/prng.mjs";

const { values: opts } = parseArgs({
  options: {
    noise: { type: "string", default: "0.2" },
    trials: { type: "string", default: "10" },
    seed: { type: "string", default: "0" },
    out: { type: "string", default: "out" },
    help: { type: "boolean", default: false },
  },
});
if (opts.help) {
  console.log(`usage: node examples/hopfield.mjs [--noise 0.2] [--trials 10] [--seed 0] [--out out]`);
  process.exit(0);
}

await nt.ready();
const seed = Number(opts.seed);
const rnd = mulberry32(1000 + seed);
const N = 100;

/** A copy of pattern p with exactly k distinct bits flipped (chosen by rnd). */
function flip(p, k) {
  const idx = [...p.keys()];
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const out = p.slice();
  for (const i of idx.slice(0, k)) out[i] = -out[i];
  return out;
}

/** Recall `start`, returning the final state as an array and the number of sweeps. */
function recall(net, start, options) {
  const r = net.recall(start, options);
  const state = Array.from(r.state.data());
  r.state.dispose();
  return { state, steps: r.steps, energies: r.energies, converged: r.converged };
}

const wrongBits = (a, b) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0);

// ---------------------------------------------------------------- letters from 20% noise
const names = Object.keys(LETTERS);
const letters = names.map((n) => letterPattern(LETTERS[n]));
const memory = new nt.nn.Hopfield(N).store(letters);
const flips = Math.round(Number(opts.noise) * N);
const trials = Number(opts.trials);
console.log(`stored ${names.length} letters (${names.join(" ")}) in ${N} neurons; each recalled from ${trials} copies with ${flips} of ${N} pixels flipped`);

const shown = { noisy: [], recalled: [] };
let exact = 0, pixels = 0, total = 0, steps = 0;
const syncTally = { exact: 0 };
for (let t = 0; t < trials; t++) {
  letters.forEach((p, k) => {
    const noisy = flip(p, flips);
    const r = recall(memory, noisy, { mode: "async", seed: seed * 1000 + t * names.length + k });
    const wrong = wrongBits(r.state, p);
    exact += wrong === 0 ? 1 : 0;
    pixels += N - wrong;
    steps += r.steps;
    total++;
    if (wrongBits(recall(memory, noisy, { mode: "sync" }).state, p) === 0) syncTally.exact++;
    if (t === 0) {
      shown.noisy.push(noisy);
      shown.recalled.push(r.state);
      if (k === 0) console.log(`letter ${names[0]}: energy ${r.energies.join(" -> ")} (E = -1/2 sᵀWs, W = Σ p pᵀ) in ${r.steps} asynchronous sweep${r.steps === 1 ? "" : "s"}`);
    }
  });
}
console.log("\nstored");
console.log(asciiRow(letters, names));
console.log(`\nwith ${Math.round(Number(opts.noise) * 100)}% of the pixels flipped`);
console.log(asciiRow(shown.noisy, names));
console.log("\nrecalled (asynchronous updates)");
console.log(asciiRow(shown.recalled, names));
const letterAccuracy = exact / total;
const pixelAccuracy = pixels / (total * N);
console.log(`\nrecall accuracy: ${exact}/${total} letters exactly recovered (${(letterAccuracy * 100).toFixed(1)}%), ` +
  `${(pixelAccuracy * 100).toFixed(2)}% of pixels right, ${(steps / total).toFixed(1)} sweeps on average`);
console.log(`synchronous updates: ${syncTally.exact}/${total} exactly recovered`);

// ---------------------------------------------------------------- capacity sweep
const capTrials = 20; // independent sets of random patterns per P
console.log(`\ncapacity of N = ${N} neurons: P random patterns, each recalled from 10% noise (${capTrials} sets per P)`);
console.log("   P   P/N  recalled (<=1% wrong)  exact");
const capacity = [];
for (let P = 2; P <= 30; P++) {
  let ok = 0, same = 0, count = 0;
  for (let s = 0; s < capTrials; s++) {
    const patterns = Array.from({ length: P }, () => Array.from({ length: N }, () => (rnd() < 0.5 ? -1 : 1)));
    const net = new nt.nn.Hopfield(N).store(patterns);
    for (const p of patterns) {
      const wrong = wrongBits(recall(net, flip(p, N / 10), { seed: count + 7919 * P }).state, p);
      ok += wrong <= N / 100 ? 1 : 0;
      same += wrong === 0 ? 1 : 0;
      count++;
    }
    net.dispose();
  }
  const row = { P, loadRatio: P / N, recalled: ok / count, exact: same / count };
  capacity.push(row);
  const bar = "█".repeat(Math.round(row.recalled * 20)).padEnd(20, "·");
  console.log(`${String(P).padStart(4)}  ${(P / N).toFixed(2)}  ${bar} ${row.recalled.toFixed(2)}   ${row.exact.toFixed(2)}${P === 14 ? "   <- 0.14 N" : ""}`);
}

// ---------------------------------------------------------------- picture
const cellPx = 6;
const gridSize = 10 * cellPx;
const parts = [];
const drawPattern = (p, x, y) => {
  parts.push(`<rect x="${x - 1}" y="${y - 1}" width="${gridSize + 2}" height="${gridSize + 2}" fill="none" stroke="#999"/>`);
  p.forEach((v, i) => {
    if (v > 0) parts.push(`<rect x="${x + (i % 10) * cellPx}" y="${y + Math.floor(i / 10) * cellPx}" width="${cellPx}" height="${cellPx}" fill="#222"/>`);
  });
};
[["stored", letters], ["20% flipped", shown.noisy], ["recalled", shown.recalled]].forEach(([label, row], r) => {
  const y = 50 + r * (gridSize + 24);
  parts.push(`<text x="12" y="${y + gridSize / 2 + 4}">${esc(label)}</text>`);
  row.forEach((p, k) => drawPattern(p, 110 + k * (gridSize + 16), y));
});
// capacity bars
const cx = 12, cy = 330, ch = 150, bw = 18;
parts.push(`<text x="${cx}" y="${cy - 12}">fraction recalled (≤ 1% wrong) from 10% noise, N = ${N}, P = 2..30</text>`);
capacity.forEach(({ P, recalled }, i) => {
  const h = recalled * ch;
  parts.push(`<rect x="${cx + 30 + i * bw}" y="${(cy + ch - h).toFixed(1)}" width="${bw - 3}" height="${h.toFixed(1)}" fill="${P / N <= 0.14 ? "#1f77b4" : "#ff7f0e"}"/>`);
  if (P % 4 === 2) parts.push(`<text x="${cx + 30 + i * bw + bw / 2 - 1}" y="${cy + ch + 16}" text-anchor="middle" font-size="11">${P}</text>`);
});
const lineX = cx + 30 + (14 - 2) * bw + bw - 1.5;
parts.push(`<line x1="${lineX}" y1="${cy - 4}" x2="${lineX}" y2="${cy + ch}" stroke="#d00" stroke-dasharray="4 3"/>`);
parts.push(`<text x="${lineX + 4}" y="${cy + 8}" fill="#d00" font-size="11">0.14 N</text>`);
parts.push(`<line x1="${cx + 28}" y1="${cy + ch}" x2="${cx + 30 + capacity.length * bw}" y2="${cy + ch}" stroke="#333"/>`);
parts.push(`<text x="${cx}" y="${cy + 4}" font-size="11">1</text><text x="${cx}" y="${cy + ch}" font-size="11">0</text>`);
parts.push(`<text x="${cx + 30 + (capacity.length * bw) / 2}" y="${cy + ch + 32}" text-anchor="middle" font-size="11">patterns stored (P)</text>`);
mkdirSync(opts.out, { recursive: true });
const file = `${opts.out}/hopfield.svg`;
writeFileSync(file, svgDocument(580, 530,
  `Hopfield memory: ${exact}/${total} letters recovered from ${Math.round(Number(opts.noise) * 100)}% noise`, parts.join("\n")));
console.log(`wrote ${file}`);
memory.dispose();
console.log(JSON.stringify({
  letters: { exact, total, accuracy: letterAccuracy, pixelAccuracy, syncExact: syncTally.exact },
  capacity, svg: file,
}));
