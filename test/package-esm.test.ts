// dist/esm/ (the "module" export condition, scripts/build-esm.mjs): one ES module per source file,
// every relative import fully specified, the same public API as the bundle, and the same results
// whether it is run directly or bundled and tree-shaken by a bundler that resolves "neurite"
// through the package's exports map.
import { describe, it, expect, afterAll } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join, relative } from "node:path";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";

const exec = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const esm = join(root, "dist", "esm");

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith(".js") ? [join(dir, e.name)] : [],
  );
}

/**
 * Trains a small classifier with Adam: a checksum of its output, or with `io` of the output of the
 * model saved and loaded again (the registry reaches every module family, so it shakes less).
 */
const SCRIPT = (from: string, readyArgs: string, io = true) => `
import { ready, manualSeed, randn, tensor, scope, crossEntropy, nn, optim${io ? ", io" : ""} } from ${JSON.stringify(from)};
await ready(${readyArgs});
manualSeed(3);
const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
const x = randn([16, 4]);
const y = tensor(Array.from({ length: 16 }, (_, i) => i % 3));
for (let i = 0; i < 20; i++) scope(() => { opt.zeroGrad(); crossEntropy(model(x), y).backward(); opt.step(); });
const back = ${io ? "io.loadModel(io.saveModel(model))" : "model"};
let h = 0;
for (const v of back(x).data()) h = (h * 31 + Math.round(v * 1e6)) | 0;
console.log(h);
`;

const tmp = mkdtempSync(join(tmpdir(), "neurite-esm-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function runScript(name: string, text: string): Promise<string> {
  const file = join(tmp, name);
  writeFileSync(file, text);
  const { stdout } = await exec(process.execPath, [file], { cwd: tmp });
  return stdout.trim();
}

describe("dist/esm", () => {
  it("every relative import is fully specified and names a file that exists", () => {
    const files = jsFiles(esm);
    expect(files.length).toBeGreaterThan(40);
    let imports = 0;
    for (const f of files) {
      const js = readFileSync(f, "utf8");
      for (const m of js.matchAll(/(?:from|import)\s*["'](\.{1,2}\/[^"']*)["']/g)) {
        imports++;
        expect(m[1], relative(root, f)).toMatch(/\.js$/);
        expect(existsSync(join(dirname(f), m[1])), `${relative(root, f)}: ${m[1]}`).toBe(true);
      }
    }
    expect(imports).toBeGreaterThan(100);
  });

  it("exports the same names as the bundle", async () => {
    const fromEsm = Object.keys(await import(pathToFileURL(join(esm, "index.js")).href)).sort();
    const fromBundle = Object.keys(await import(pathToFileURL(join(root, "dist", "neurite.js")).href)).sort();
    expect(fromEsm).toEqual(fromBundle);
  });

  it("run directly, it finds the core beside dist/ and trains exactly as the bundle does", async () => {
    const bundle = await runScript("bundle.mjs", SCRIPT(pathToFileURL(join(root, "dist", "neurite.js")).href, ""));
    const direct = await runScript("direct.mjs", SCRIPT(pathToFileURL(join(esm, "index.js")).href, ""));
    expect(bundle).toMatch(/^-?\d+$/);
    expect(direct).toBe(bundle);
  });

  /** esbuild, as an app with neurite installed would run it (node_modules/neurite -> this repository). */
  async function bundleApp(name: string, io: boolean) {
    const app = join(tmp, name);
    mkdirSync(join(app, "node_modules"), { recursive: true });
    symlinkSync(root, join(app, "node_modules", "neurite"), "dir");
    const wasmPath = join(root, "dist", "neurite.wasm");
    writeFileSync(join(app, "main.mjs"), SCRIPT("neurite", `{ bytes: (await import("node:fs")).readFileSync(${JSON.stringify(wasmPath)}) }`, io));
    const esbuild = await import("esbuild");
    const result = await esbuild.build({
      entryPoints: [join(app, "main.mjs")], bundle: true, minify: true, format: "esm", target: "es2022",
      platform: "browser", external: ["node:*"], write: false, metafile: true, logLevel: "silent",
    });
    // the modules that put code into the output (metafile.inputs also lists those shaken away)
    const inputs = Object.keys(Object.values(result.metafile!.outputs)[0].inputs).filter((p) => !p.endsWith("main.mjs"));
    const code = result.outputFiles![0].contents;
    return { inputs, code, run: () => runScript(`${name}.mjs`, Buffer.from(code).toString()) };
  }
  const reference = (io: boolean) => runScript(`reference-${io}.mjs`, SCRIPT(pathToFileURL(join(root, "dist", "neurite.js")).href, "", io));

  it("a bundler resolving \"neurite\" picks dist/esm and tree-shakes it; the result trains the same", async () => {
    const app = await bundleApp("train", false);
    expect(app.inputs.length).toBeGreaterThan(10);
    for (const p of app.inputs) expect(p).toMatch(/dist\/esm\//);
    // what the script does not reach is left out (the nn namespace object it uses keeps every layer)
    for (const family of ["io/safetensors.js", "io/registry.js", "train/fit.js", "plot.js", "gradcheck.js"]) {
      expect(app.inputs.some((p) => p.endsWith(family)), family).toBe(false);
    }
    const shaken = gzipSync(app.code, { level: 9 }).length;
    const whole = gzipSync(readFileSync(join(root, "dist", "neurite.min.js")), { level: 9 }).length;
    expect(shaken).toBeLessThan(whole * 0.8); // measured: 0.71 of the whole minified library
    expect(await app.run()).toBe(await reference(false));
  });

  it("bundled from dist/esm, saving and loading a model works as from the bundle", async () => {
    const app = await bundleApp("save-load", true);
    expect(app.inputs.some((p) => p.endsWith("io/safetensors.js"))).toBe(true);
    expect(await app.run()).toBe(await reference(true));
  });
});
