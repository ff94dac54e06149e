// Every test file starts with the wasm core loaded from dist/ (built by `npm run build`).
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll } from "vitest";

const wasm = fileURLToPath(new URL("../dist/neurite.wasm", import.meta.url));

beforeAll(async () => {
  const index = fileURLToPath(new URL("../src/index.ts", import.meta.url));
  if (!existsSync(index)) return;
  const { ready } = await import("../src/index.ts");
  await ready({ bytes: readFileSync(wasm) });
});
