// The graph and Hopfield examples run with plain `node` against the built package and reach their
// stated results (each figure is deterministic for the default seed; the thresholds sit just below).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
let out = "";
const run = (script: string) =>
  execFileSync(process.execPath, [join(root, "examples", script), "--out", out], { cwd: root, encoding: "utf8" });
const lastJson = (text: string) => JSON.parse(text.trim().split("\n").at(-1)!);
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "neurite-graph-"));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("graph and Hopfield examples", () => {
  it("karate: a GCN with one label per faction classifies >= 93% of the other 32 members (gets 96.9%)", () => {
    const text = run("karate.mjs");
    const r = lastJson(text);
    expect(r.total).toBe(32);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.93);
    expect(text).toMatch(/34 members, 78 friendships \(156 directed edges\)/);
    expect(text).toMatch(/test accuracy \d+\.\d% \(\d+\/32 unlabelled members\)/);
    const svg = readFileSync(join(out, "karate.svg"), "utf8");
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(count(svg, /<circle /g)).toBe(34 + 3); // the members and the legend
    expect(count(svg, /<line /g)).toBe(78);
    expect(count(svg, /stroke="#d00"/g)).toBe(r.wrong.length + 1); // one cross per wrong member and the legend's
  });

  it("graph-classify: GCN + mean pool + Linear tells rings from stars on >= 90% of test graphs (gets 100%)", () => {
    const r = lastJson(run("graph-classify.mjs"));
    expect(r.total).toBe(128);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.9);
    const svg = readFileSync(join(out, "graphs.svg"), "utf8");
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect(count(svg, /(ring|star)[^<]* nodes<\/text>/g)).toBe(24);
  });

  it("hopfield: letters come back from 20% noise; recall collapses past ~0.14 N", () => {
    const text = run("hopfield.mjs");
    const r = lastJson(text);
    // 60/60 letters exactly recovered with the default seed
    expect(r.letters.total).toBe(60);
    expect(r.letters.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.letters.pixelAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(text).toMatch(/recalled \(asynchronous updates\)\nA {12}C/);
    const cap: { P: number; recalled: number }[] = r.capacity;
    expect(cap.map((c) => c.P)).toEqual(Array.from({ length: 29 }, (_, i) => i + 2));
    // high at P <= 0.1 N (measured >= 0.97), low at P >= 0.2 N (measured <= 0.35)
    for (const c of cap.filter((c) => c.P <= 10)) expect(c.recalled).toBeGreaterThanOrEqual(0.9);
    for (const c of cap.filter((c) => c.P >= 20)) expect(c.recalled).toBeLessThanOrEqual(0.5);
    expect(text).toMatch(/ {2}14 {2}0\.14 .*<- 0\.14 N/);
    const svg = readFileSync(join(out, "hopfield.svg"), "utf8");
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });
});
