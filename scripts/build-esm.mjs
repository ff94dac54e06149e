// dist/esm/: the library as separate ES modules, one per src/ file, for bundlers (the package's
// "module" export condition). With "sideEffects": false in package.json a bundler keeps only the
// modules an app reaches, which a single-file bundle cannot offer: a script that trains an MLP
// ships about 18 KB gzip less JS than with dist/neurite.js (bench/size.mjs measures it).
//
// Each file is compiled on its own (esbuild, es2022, --keep-names as for the bundle: saved models
// and schedulers read class names), with every relative import left external and rewritten to a
// fully specified path ("./tensor" -> "./tensor.js", "./ops/index" stays a file, a folder becomes
// "./x/index.js"), so the tree is valid ESM for Node, Deno and strict bundlers (webpack's
// fullySpecified) alike. The loader looks for the core beside itself: in dist/esm that is
// ../neurite.wasm (checked below, so a change to the loader cannot silently break it).
import { readdirSync, readFileSync, writeFileSync, existsSync, statSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, relative } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");
const out = join(root, "dist", "esm");

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Relative imports stay external, fully specified. */
const fullySpecified = {
  name: "fully-specified",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === "entry-point") return undefined;
      const target = join(args.resolveDir, args.path);
      let spec;
      if (existsSync(`${target}.ts`)) spec = `${args.path}.js`;
      else if (existsSync(join(target, "index.ts"))) spec = `${args.path}/index.js`;
      else throw new Error(`build-esm: cannot resolve ${args.path} from ${relative(root, args.importer)}`);
      return { path: spec, external: true };
    });
  },
};

const esbuild = await import("esbuild");
rmSync(out, { recursive: true, force: true });
await esbuild.build({
  entryPoints: tsFiles(src),
  outdir: out,
  outbase: src,
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "neutral",
  keepNames: true,
  external: ["node:*"],
  plugins: [fullySpecified],
  logLevel: "warning",
});

// The loader resolves "./neurite.wasm" against its own URL; in dist/esm the core is one level up.
const loader = join(out, "loader.js");
const text = readFileSync(loader, "utf8");
const wanted = '"./neurite.wasm"';
if (text.split(wanted).length !== 2) throw new Error(`build-esm: expected one ${wanted} in dist/esm/loader.js`);
writeFileSync(loader, text.replace(wanted, '"../neurite.wasm"'));
