// The examples run with plain `node` against the built package and reach their stated results.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (script: string, args: string[] = []) =>
  execFileSync(process.execPath, [join(root, "examples", script), ...args], { cwd: root, encoding: "utf8" });
const lastJson = (out: string) => JSON.parse(out.trim().split("\n").at(-1)!);

describe("examples", () => {
  it("xor: a 2-layer ReLU net separates XOR", () => {
    const { predictions } = lastJson(run("xor.mjs"));
    expect(predictions.map((p: number) => Math.round(p))).toEqual([0, 1, 1, 0]);
  });

  it("dice: one neuron learns big (sum >= 11) or small over all 216 rolls", () => {
    expect(lastJson(run("dice.mjs")).accuracy).toBe(1);
  });

  it("curve-fit: a tanh network fits sin(2x) + 0.3x closer than the noise", () => {
    expect(lastJson(run("curve-fit.mjs")).mse).toBeLessThan(0.0025);
  });

  it("npm start: the MLP reaches >= 93% test accuracy on the mnist digits and writes its files", () => {
    const out = mkdtempSync(join(tmpdir(), "neurite-mnist-"));
    try {
      const text = run("mnist.mjs", ["--out", out]);
      const acc = Number(/test accuracy ([\d.]+)%/.exec(text)![1]);
      expect(acc).toBeGreaterThanOrEqual(93);
      expect(text).toMatch(/epoch 15\/15/);
      const svg = readFileSync(join(out, "mnist-loss.svg"), "utf8");
      expect(svg).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>$/);
      expect(existsSync(join(out, "mnist-mlp.safetensors"))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("npm start -- --help lists the options", () => {
    const help = run("mnist.mjs", ["--help"]);
    for (const opt of ["--epochs", "--batch-size", "--hidden", "--optimizer", "--lr", "--seed"]) expect(help).toContain(opt);
  });
});
