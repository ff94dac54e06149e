// The autoencoder, GAN and transfer-learning examples run with plain `node` against the built package
// (at reduced sizes where the defaults take longer) and reach the results they state.
import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const run = (script: string, args: string[] = []) =>
  execFileSync(process.execPath, [join(root, "examples", script), ...args], { cwd: root, encoding: "utf8" });
const lastJson = (out: string) => JSON.parse(out.trim().split("\n").at(-1)!);

function withOutDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "neurite-models-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("model examples", () => {
  it("autoencoder: encoder and decoder on their own reconstruct test digits >= 2.5x better than the mean image", () => {
    withOutDir((out) => {
      // 3 epochs with 128 hidden units (the default 10 epochs x 256 reach about 4.8x)
      const text = run("autoencoder.mjs", ["--epochs", "3", "--hidden", "128", "--out", out]);
      const r = lastJson(text);
      expect(r.test).toBe(2000);
      expect(r.baselineMse).toBeGreaterThan(0.05); // the mean image is a poor guess...
      expect(r.testMse * 2.5).toBeLessThan(r.baselineMse); // ...the 16-number codes are much better
      expect(text).toMatch(/test reconstruction mse [\d.]+ {2}mean-image baseline [\d.]+/);
      const svg = readFileSync(join(out, "autoencoder.svg"), "utf8");
      expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
      expect(svg).toContain("test digits");
      expect(svg).toContain("decoded 16-d codes");
      expect((svg.match(/<rect /g) ?? []).length).toBeGreaterThan(1000); // three rows of ten drawn digits
    });
  });

  it("gan: the generator covers all 8 modes of the ring, none before training", () => {
    withOutDir((out) => {
      // 2500 steps of 64-wide networks on batches of 128 (the defaults: 3000 steps, 128 wide, batch 256)
      const text = run("gan.mjs", ["--steps", "2500", "--hidden", "64", "--batch-size", "128", "--out", out]);
      const { before, after } = lastJson(text);
      expect(before.modesCovered).toBe(0);
      expect(before.meanDistance).toBeGreaterThan(1.5);
      expect(after.modesCovered).toBe(8);
      expect(after.meanDistance).toBeLessThan(0.2);
      expect(after.withinThreeStd).toBeGreaterThan(0.6);
      const svg = readFileSync(join(out, "gan.svg"), "utf8");
      expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
      expect((svg.match(/<text [^>]*>(real data|step \d+)/g) ?? []).length).toBe(6); // real + 5 stages
      expect((svg.match(/<circle /g) ?? []).length).toBeGreaterThan(3000);
    });
  });

  it("transfer: frozen layers stay byte-identical and the transferred features beat random ones by 5+ points", () => {
    const text = run("transfer.mjs");
    const r = lastJson(text);
    expect(r.frozenUnchanged).toBe(true);
    expect(r.noFrozenGrads).toBe(true);
    expect(r.checksumAfter).toBe(r.checksumBefore);
    expect(r.headChanged).toBe(true);
    expect(r.taskAAccuracy).toBeGreaterThan(0.93);
    expect(r.transferAccuracy).toBeGreaterThan(0.93);
    expect(r.transferAccuracy - r.randomFeaturesAccuracy).toBeGreaterThan(0.05);
    expect(text).toMatch(/bytes identical, gradients none/);
  });

  it("each example lists its options under --help", () => {
    expect(run("autoencoder.mjs", ["--help"])).toMatch(/--epochs[\s\S]*--code[\s\S]*--out/);
    expect(run("gan.mjs", ["--help"])).toMatch(/--steps[\s\S]*--batch-size[\s\S]*--out/);
    expect(run("transfer.mjs", ["--help"])).toMatch(/--task-a[\s\S]*--task-b[\s\S]*--b-train/);
  });
});
