// The package's extra entries, made after the main bundle (called from scripts/build.mjs):
// - dist/neurite.min.js: the same bundle minified, for shipping (see bench/size.mjs);
// - dist/neurite.workerd.js: the "workerd" export condition; imports ./neurite.wasm as a module
//   (a WebAssembly.Module in Cloudflare's runtime), so a bare ready() works there;
// - dist/neurite.wasm.d.ts: types for `import wasm from "neurite/neurite.wasm"`.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

execFileSync(join(root, "node_modules", ".bin", "esbuild"), [
  "src/index.ts", "--bundle", "--format=esm", "--target=es2022", "--platform=neutral",
  "--external:node:*", "--keep-names", "--minify", "--outfile=dist/neurite.min.js",
], { cwd: root, stdio: "inherit" });

writeFileSync(join(dist, "neurite.workerd.js"), `// neurite for Cloudflare's workerd (the "workerd" export condition): the .wasm is imported as a
// WebAssembly.Module, since workerd refuses to compile bytes, so a bare ready() works there.
// Everything else is dist/neurite.js.
import wasm from "./neurite.wasm";
import { ready as load } from "./neurite.js";
export * from "./neurite.js";

/** Load the wasm core: the imported module unless a module, bytes or url is given. */
export function ready(options) {
  const given = options && (options.module !== undefined || options.bytes !== undefined || options.url !== undefined);
  return load(given ? options : { module: wasm });
}
`);

writeFileSync(join(dist, "neurite.wasm.d.ts"), `// \`import wasm from "neurite/neurite.wasm"\` in edge runtimes (Cloudflare Workers, Vercel Edge)
// and bundlers that load .wasm as a compiled module: pass it to ready({ module: wasm }).
declare const module: WebAssembly.Module;
export default module;
`);
