// Builds the wasm core (asc, release) and the JS bundle (esbuild, es2022) into dist/, plus .d.ts types.
import { execFileSync } from "node:child_process";
import { mkdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

mkdirSync(join(root, "dist"), { recursive: true });
if (existsSync(join(root, "scripts", "gen-matmul.mjs"))) run(process.execPath, ["scripts/gen-matmul.mjs"]);
run(bin("asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", "release"]);
if (existsSync(join(root, "src", "index.ts"))) {
  run(bin("esbuild"), [
    "src/index.ts", "--bundle", "--format=esm", "--target=es2022", "--platform=neutral",
    "--external:node:*", "--keep-names", "--outfile=dist/neurite.js",
  ]);
  run(bin("tsc"), ["-p", "tsconfig.build.json"]);
}
// Package entries beside the bundle (minified build, workerd entry, .wasm types): scripts/build-package.mjs;
// the unbundled ES modules for bundlers (dist/esm/): scripts/build-esm.mjs.
if (existsSync(join(root, "src", "index.ts"))) {
  run(process.execPath, ["scripts/build-package.mjs"]);
  run(process.execPath, ["scripts/build-esm.mjs"]);
}

// Playground: the static page (playground/) plus the bundle and the core, copied into
// build/playground/ (gitignored), which `npm run playground` serves.
if (existsSync(join(root, "dist", "neurite.js"))) {
  const { cpSync, rmSync } = await import("node:fs");
  const out = join(root, "build", "playground");
  rmSync(out, { recursive: true, force: true });
  cpSync(join(root, "playground"), out, { recursive: true });
  for (const f of ["neurite.js", "neurite.wasm"]) cpSync(join(root, "dist", f), join(out, f));
}
