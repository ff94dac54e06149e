// `npm run bench` (= node --no-liftoff bench/run.mjs [filter...]): runs every bench module listed
// below whose name contains one of the filters (all of them without a filter).
//
// A bench module exports `async function run(ctx)` and prints its own table. ctx gives it the
// shared pieces every benchmark needs, so peers are measured the same way in every table:
//   ctx.tf(backend)   TensorFlow.js with that backend ("wasm", single-threaded XNNPACK, or "cpu")
//                     active; loaded once per process.
//   ctx.neurite()     the public API from dist/neurite.js, or null when it is not built yet.
//   ctx.measure(fn, opts)  median seconds per call over several timed runs after warm-up.
//   ctx.measureEach([fn...], opts)  the same for several functions, their runs interleaved.
//   ctx.table(header, rows) prints an aligned table.
// V8 tiering: wasm starts in the baseline tier; --no-liftoff (set by the npm script) plus warm-up
// makes sure the optimized code is what gets timed. Flags in use are printed in the header.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import os from "node:os";

/** The bench modules, in the order they run. Add new ones here. */
const MODULES = [
  { name: "matmul", path: "./matmul.mjs" },
  { name: "mlp", path: "./mlp.mjs" },
  { name: "cnn", path: "./cnn.mjs" },
  { name: "lstm", path: "./lstm.mjs" },
  { name: "size", path: "./size.mjs" },
];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

let tfPromise = null;
async function loadTf() {
  const tf = await import("@tensorflow/tfjs-core");
  await import("@tensorflow/tfjs-backend-cpu");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const dir = join(root, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist") + "/";
  wasm.setWasmPaths(dir);
  wasm.setThreadsCount?.(1);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  // Production mode, as an application would deploy it (skips debug-only checks and the
  // "install tfjs-node" banner).
  tf.enableProdMode();
  return tf;
}

async function tf(backend) {
  tfPromise ??= loadTf();
  const t = await tfPromise;
  if (t.getBackend() !== backend) {
    const ok = await t.setBackend(backend);
    if (!ok) throw new Error(`tfjs backend ${backend} failed to initialize`);
    await t.ready();
  }
  return t;
}

let neuritePromise = null;
async function neurite() {
  neuritePromise ??= (async () => {
    const file = join(root, "dist", "neurite.js");
    if (!existsSync(file)) return null;
    try {
      const mod = await import(pathToFileURL(file).href);
      if (typeof mod.ready === "function") await mod.ready();
      return mod;
    } catch (e) {
      console.log(`(dist/neurite.js failed to load: ${e.message})`);
      return null;
    }
  })();
  return neuritePromise;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length & 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Seconds per call of fn over one timed run: fn repeated until `runMs` have passed (at least one call). */
function timedRun(fn, runMs) {
  let n = 0;
  const t0 = performance.now();
  let t;
  do {
    fn();
    n++;
    t = performance.now();
  } while (t - t0 < runMs);
  return (t - t0) / 1e3 / n;
}

/**
 * Median seconds per call of fn(). Warm-up: at least `warmupMs` of calls (and 3 calls). Then
 * `runs` timed runs, each repeating fn until `runMs` have passed (at least one call).
 */
function measure(fn, options) {
  return measureEach([fn], options)[0];
}

/**
 * Like measure, for several functions at once: after each one's warm-up, their timed runs are
 * interleaved (run 1 of each, run 2 of each, ...) so a burst of load from other processes on
 * a shared machine hits all of them alike and their ratio stays meaningful. Returns medians.
 */
function measureEach(fns, { warmupMs = 300, runs = 7, runMs = 100 } = {}) {
  for (const fn of fns) {
    const t0 = performance.now();
    for (let i = 0; i < 3 || performance.now() - t0 < warmupMs; i++) fn();
  }
  const per = fns.map(() => []);
  for (let r = 0; r < runs; r++) fns.forEach((fn, f) => per[f].push(timedRun(fn, runMs)));
  return per.map(median);
}

/**
 * Seeded random classification data for the training benches (the same arrays for every library):
 * n samples of `features` values, each `value(u)` of a uniform u in [0, 1) (default u), then n labels
 * in [0, classes), all from one LCG stream.
 */
function classificationData(n, features, classes, seed = 1, value = (u) => u) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * features);
  for (let i = 0; i < x.length; i++) x[i] = value(rand());
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.floor(rand() * classes);
  return { x, y };
}

/** Labels as one-hot rows [labels, classes] (what tfjs's softmaxCrossEntropy takes). */
function oneHot(y, classes) {
  const out = new Float32Array(y.length * classes);
  for (let i = 0; i < y.length; i++) out[i * classes + y[i]] = 1;
  return out;
}

function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const w = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => "| " + r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(" | ") + " |";
  console.log(line(all[0]));
  console.log("|" + w.map((x, i) => (i === 0 ? "-".repeat(x + 1) + "-" : "-".repeat(x + 1) + ":")).join("|") + "|");
  for (const r of all.slice(1)) console.log(line(r));
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const ctx = { root, argv: process.argv.slice(2), tf, neurite, measure, measureEach, median, table, classificationData, oneHot };

console.log(`node ${process.version}, flags: ${process.execArgv.join(" ") || "(none)"}, ` +
  `${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, single thread`);
if (!process.execArgv.includes("--no-liftoff")) {
  console.log("warning: run with `node --no-liftoff` (npm run bench) or the baseline wasm tier may be timed");
}
for (const m of MODULES) {
  if (filters.length && !filters.some((f) => m.name.includes(f))) continue;
  if (!existsSync(fileURLToPath(new URL(m.path, import.meta.url)))) continue; // not written yet
  console.log(`\n## ${m.name}\n`);
  const mod = await import(new URL(m.path, import.meta.url).href);
  await mod.run(ctx);
}
