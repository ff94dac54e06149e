// The README's first example runs as written (against the built package) and learns y = 2x - 1.
import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

describe("README", () => {
  it("the autograd example trains a neuron to w ≈ 2, b ≈ -1", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const code = /```js\n([\s\S]*?)```/.exec(readme)![1];
    const dir = fileURLToPath(new URL("../build/readme/", import.meta.url));
    mkdirSync(dir, { recursive: true });
    const file = `${dir}example.mjs`;
    writeFileSync(file, code); // inside the package, so `import "neurite"` resolves to itself
    try {
      const out = execFileSync(process.execPath, [file], { encoding: "utf8" }).trim().split(/\s+/).map(Number);
      expect(out[0]).toBeCloseTo(2, 4);
      expect(out[1]).toBeCloseTo(-1, 4);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
