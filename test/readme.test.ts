// The README's first example runs as written (against the built package) and learns y = 2x - 1.
import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync, rmSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

describe("README", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  /** Run a README block as a module inside the package, so `import "neurite"` resolves to itself. */
  const runBlock = (code: string, name: string) => {
    const dir = fileURLToPath(new URL("../build/readme/", import.meta.url));
    mkdirSync(dir, { recursive: true });
    const file = `${dir}${name}.mjs`;
    writeFileSync(file, code);
    try {
      return execFileSync(process.execPath, [file], { encoding: "utf8" });
    } finally {
      rmSync(file, { force: true });
    }
  };

  it("the autograd example trains a neuron to w ≈ 2, b ≈ -1", () => {
    const out = runBlock(blocks[0], "autograd").trim().split(/\s+/).map(Number);
    expect(out[0]).toBeCloseTo(2, 4);
    expect(out[1]).toBeCloseTo(-1, 4);
  });

  it("the networks example trains XOR, saves and reloads", () => {
    const code = blocks.find((b) => b.includes("fit(model"))!;
    const loss = Number(runBlock(code, "networks").trim());
    expect(loss).toBeLessThan(0.05);
  });

  it("the custom Module example registers PyTorch-style keys and runs", () => {
    const code = blocks.find((b) => b.includes("class Net extends nn.Module"))!;
    expect(runBlock(code, "module").trim()).toBe("scale fc1.weight fc1.bias fc2.weight fc2.bias 3x2");
  });
});
