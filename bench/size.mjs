// Download size: what a page, worker or edge function must load to train an MLP, JS + wasm, gzip.
// neurite's dist/ files beside TensorFlow.js (tfjs-core + tfjs-layers + tfjs-backend-wasm) measured
// from node_modules in the same run; ONNX Runtime Web's wasm is quoted from the issue, not measured
// (it is not installed here). The bar (issue 5): neurite's whole library for MLP training, JS + wasm,
// under 100 KB gzip. gzip is node:zlib at level 9 for every file.
//
// Rows:
// - the shipped files one by one;
// - "whole library": dist/neurite.min.js + dist/neurite.wasm, everything a user loads without a bundler;
// - "MLP script, esbuild": a small MLP training script bundled, minified and tree-shaken by esbuild
//   (--target=es2022), for neurite from the one-file bundle (dist/neurite.js, little to shake) and
//   from the package's "module" entry (dist/esm/, one module per source file, what bundlers pick),
//   and for TF.js from its npm packages (the wasm backend's .wasm added, the SIMD one that a current
//   browser loads);
// - TF.js's own minified es2017 bundles (tf-core, tf-layers, tf-backend-wasm), which a page
//   without a bundler loads.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const KB = 1024;
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const kb = (n) => (n / KB).toFixed(1);

/** An MLP training script for neurite: the API an MLP needs, imported from the shipped bundle. */
const NEURITE_MLP = (bundle) => `
import { ready, tensor, manualSeed, fit, predict, nn, optim } from ${JSON.stringify(bundle)};
await ready();
manualSeed(0);
const model = new nn.Sequential(new nn.Linear(2, 16), new nn.ReLU(), new nn.Linear(16, 1));
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = tensor([[0], [1], [1], [0]]);
await fit(model, { x, y, loss: new nn.BCEWithLogitsLoss(), optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }), epochs: 100, batchSize: 4 });
console.log(predict(model, x).data());
`;

/** The same for TensorFlow.js with the wasm backend. */
const TFJS_MLP = `
import * as tf from "@tensorflow/tfjs-core";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { sequential, layers } from "@tensorflow/tfjs-layers";
setWasmPaths("./");
await tf.setBackend("wasm");
const model = sequential({ layers: [layers.dense({ inputShape: [2], units: 16, activation: "relu" }), layers.dense({ units: 1 })] });
model.compile({ optimizer: tf.train.adam(0.05), loss: "binaryCrossentropy" });
const x = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]), y = tf.tensor2d([[0], [1], [1], [0]]);
await model.fit(x, y, { epochs: 100, batchSize: 4 });
console.log(await model.predict(x).data());
`;

/**
 * esbuild: bundle, minify and tree-shake a script given as text; the output's bytes. keepNames
 * for neurite, as its own builds: it reads class names (plateau schedulers, saved-model registry).
 */
async function bundle(root, contents, platform, keepNames = false) {
  const esbuild = await import("esbuild");
  const out = await esbuild.build({
    stdin: { contents, resolveDir: root, loader: "js", sourcefile: "mlp.mjs" },
    bundle: true, minify: true, format: "esm", target: "es2022", platform,
    external: ["node:*"], keepNames, write: false, logLevel: "silent",
  });
  return Buffer.from(out.outputFiles[0].contents);
}

const file = (root, rel) => readFileSync(join(root, rel));
const sizes = (buf) => ({ raw: buf.length, gzip: gz(buf) });

/** neurite's figures: each shipped file, the whole library, the tree-shaken MLP script. */
export async function neuriteSizes(root) {
  const js = sizes(file(root, "dist/neurite.js"));
  const min = sizes(file(root, "dist/neurite.min.js"));
  const wasm = sizes(file(root, "dist/neurite.wasm"));
  const mlp = sizes(await bundle(root, NEURITE_MLP("./dist/neurite.js"), "neutral", true));
  const esm = existsSync(join(root, "dist", "esm", "index.js")) ? sizes(await bundle(root, NEURITE_MLP("./dist/esm/index.js"), "neutral", true)) : null;
  const plusWasm = (s) => s && { raw: s.raw + wasm.raw, gzip: s.gzip + wasm.gzip };
  return { js, min, wasm, whole: plusWasm(min), mlp, mlpTotal: plusWasm(mlp), esm, esmTotal: plusWasm(esm) };
}

/** TensorFlow.js's figures from node_modules (null when not installed). */
export async function tfjsSizes(root) {
  const tfDir = "node_modules/@tensorflow";
  const umd = ["tfjs-core/dist/tf-core.es2017.min.js", "tfjs-layers/dist/tf-layers.es2017.min.js", "tfjs-backend-wasm/dist/tf-backend-wasm.es2017.min.js"];
  const wasmPath = `${tfDir}/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm`;
  if (![...umd.map((p) => `${tfDir}/${p}`), wasmPath].every((p) => existsSync(join(root, p)))) return null;
  const parts = umd.map((p) => sizes(file(root, `${tfDir}/${p}`)));
  const umdJs = { raw: parts.reduce((s, p) => s + p.raw, 0), gzip: parts.reduce((s, p) => s + p.gzip, 0) };
  const wasm = sizes(file(root, wasmPath));
  const mlp = sizes(await bundle(root, TFJS_MLP, "browser"));
  return {
    umdJs, wasm, mlp,
    umdTotal: { raw: umdJs.raw + wasm.raw, gzip: umdJs.gzip + wasm.gzip },
    mlpTotal: { raw: mlp.raw + wasm.raw, gzip: mlp.gzip + wasm.gzip },
  };
}

/** ONNX Runtime Web's wasm, gzip, as the issue quotes it (not installed here, not measured). */
const ORT_WASM_GZIP_QUOTED = 3.7 * 1024 * 1024;
const BAR = 100 * KB;

export async function run(ctx) {
  if (!existsSync(join(ctx.root, "dist", "neurite.min.js"))) {
    console.log("(dist/neurite.min.js missing: run `npm run build` first)");
    return;
  }
  const n = await neuriteSizes(ctx.root);
  const t = await tfjsSizes(ctx.root);
  const ratio = (theirs, ours) => (theirs ? `${(theirs / ours).toFixed(1)}x` : "");
  const row = (what, s, peer) => [what, kb(s.raw), kb(s.gzip), peer ? kb(peer.gzip) : "", peer ? ratio(peer.gzip, s.gzip) : ""];
  ctx.table(["KB (1024 B), gzip -9", "neurite raw", "neurite gzip", "TF.js gzip", "TF.js / neurite"], [
    row("readable bundle (dist/neurite.js)", n.js),
    row("minified JS (neurite.min.js; TF.js: core + layers + backend-wasm es2017.min.js)", n.min, t?.umdJs),
    row("wasm (neurite.wasm; TF.js: tfjs-backend-wasm-simd.wasm)", n.wasm, t?.wasm),
    row("whole library to train an MLP: minified JS + wasm", n.whole, t?.umdTotal),
    row("MLP training script, esbuild tree-shaken from dist/neurite.js, JS only", n.mlp, t?.mlp),
    row("MLP training script, esbuild tree-shaken from dist/neurite.js, + wasm", n.mlpTotal, t?.mlpTotal),
    ...(n.esm ? [
      row("MLP training script, esbuild tree-shaken from the module entry (dist/esm), JS only", n.esm, t?.mlp),
      row("MLP training script, esbuild tree-shaken from the module entry (dist/esm), + wasm", n.esmTotal, t?.mlpTotal),
    ] : []),
    ["ONNX Runtime Web, wasm alone (quoted from issue 5, not measured)", "", "", "3.7 MB", `~${ratio(ORT_WASM_GZIP_QUOTED, n.whole.gzip)}`],
  ]);
  if (!t) console.log("(TensorFlow.js packages not installed: its columns are empty)");
  const verdict = n.whole.gzip < BAR ? "meets" : "MISSES";
  console.log(`\nbar: the whole library to train an MLP, JS + wasm, under 100 KB gzip: ${kb(n.whole.gzip)} KB, ${verdict} it` +
    ` (tree-shaken MLP script + wasm: ${kb(n.mlpTotal.gzip)} KB from dist/neurite.js` +
    `${n.esmTotal ? `, ${kb(n.esmTotal.gzip)} KB from the module entry` : ""}).`);
}
