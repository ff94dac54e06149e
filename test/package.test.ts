// The package as published: the exports map (conditions, types for every entry, each target
// built), what each condition resolves to, the `npm pack` contents, and no eval/new Function or
// static node: import anywhere in dist's JavaScript (edge runtimes forbid both).
import { describe, it, expect } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const CONDITIONS = ["workerd", "edge-light", "module", "worker", "browser", "deno", "node"];

/** Every JavaScript file under dist/, as paths relative to the repo. */
function distJs(dir = join(root, "dist")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? distJs(join(dir, e.name)) : /\.(m?js)$/.test(e.name) ? [relative(root, join(dir, e.name))] : [],
  );
}

/** Comments removed (prose such as "train or eval (false) mode" is not code). */
const code = (js: string) => js.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/[^\n]*/g, "$1");

describe("package.json exports", () => {
  const main = pkg.exports["."];

  it("the main entry has types first, every runtime condition, and default last", () => {
    const keys = Object.keys(main);
    expect(keys[0]).toBe("types");
    expect(keys.at(-1)).toBe("default");
    for (const c of CONDITIONS) expect(keys, c).toContain(c);
    // workerd must precede "worker" and "browser", which Cloudflare's tools also set
    expect(keys.indexOf("workerd")).toBeLessThan(keys.indexOf("worker"));
    // bundlers set "module" (dist/esm, tree-shakable); the edge runtimes' own entries come first
    expect(keys.indexOf("workerd")).toBeLessThan(keys.indexOf("module"));
    expect(keys.indexOf("edge-light")).toBeLessThan(keys.indexOf("module"));
  });

  it("every entry and condition names its types, and every target exists after the build", () => {
    const targets: [string, unknown][] = [];
    const walk = (where: string, v: unknown) => {
      if (typeof v === "string") targets.push([where, v]);
      else for (const [k, sub] of Object.entries(v as object)) walk(`${where} > ${k}`, sub);
    };
    for (const [entry, value] of Object.entries(pkg.exports)) {
      if (entry === "./package.json") continue;
      expect(typeof value, entry).toBe("object");
      expect((value as any).types, `${entry} has no types`).toMatch(/\.d\.ts$/);
      for (const [cond, sub] of Object.entries(value as object)) {
        if (typeof sub === "object") expect((sub as any).types, `${entry} > ${cond} has no types`).toMatch(/\.d\.ts$/);
      }
      walk(entry, value);
    }
    for (const [where, target] of targets) {
      expect(target, where).toMatch(/^\.\/(dist\/|package\.json$)/);
      expect(existsSync(join(root, target as string)), `${where}: ${target} missing`).toBe(true);
    }
    expect(pkg.exports["./neurite.wasm"].default).toBe("./dist/neurite.wasm");
  });

  it("each condition resolves to the right file in Node's resolver (the package imports itself)", async () => {
    const resolve = async (specifier: string, condition?: string) => {
      const args = [...(condition ? ["-C", condition] : []), "--input-type=module", "-e",
        `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`];
      const { stdout } = await exec(process.execPath, args, { cwd: root });
      return relative(root, fileURLToPath(stdout.trim()));
    };
    const cases: [string, string | undefined, string][] = [
      ["neurite", undefined, "dist/neurite.js"],
      ["neurite", "workerd", "dist/neurite.workerd.js"],
      ["neurite", "module", "dist/esm/index.js"],
      ...["edge-light", "worker", "browser", "deno"].map((c) => ["neurite", c, "dist/neurite.js"] as [string, string, string]),
      ["neurite/min", undefined, "dist/neurite.min.js"],
      ["neurite/neurite.wasm", "workerd", "dist/neurite.wasm"],
    ];
    const got = await Promise.all(cases.map(([s, c]) => resolve(s, c)));
    expect(got).toEqual(cases.map(([, , want]) => want));
  });

  it("the types resolve for every entry (tsc on a consumer importing neurite, /min and /neurite.wasm)", async () => {
    // also under the workerd condition, whose entry is a different file
    for (const extra of [[], ["--customConditions", "workerd"]]) {
      const r = await exec(join(root, "node_modules", ".bin", "tsc"), ["-p", "test/runtimes/types", ...extra], { cwd: root })
        .catch((e) => e);
      expect(`${r.stdout ?? ""}${r.stderr ?? ""}`, `tsc ${extra.join(" ")}`).toBe("");
    }
  });

  it('"files" ships dist/ plus README and LICENSE; no runtime dependencies', () => {
    expect(pkg.files).toEqual(["dist", "README.md", "LICENSE"]);
    expect(pkg.dependencies ?? {}).toEqual({});
  });
});

describe("npm pack", () => {
  it("contains nothing but dist/, README.md, LICENSE and package.json, and all the entries", async () => {
    // --ignore-scripts: `prepare` would rebuild dist/ under the other test files' feet
    const { stdout } = await exec("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root });
    const files: string[] = JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path);
    const stray = files.filter((f) => !f.startsWith("dist/") && !["README.md", "LICENSE", "package.json"].includes(f));
    expect(stray).toEqual([]);
    for (const f of ["README.md", "LICENSE", "package.json", "dist/neurite.js", "dist/neurite.min.js", "dist/neurite.wasm",
      "dist/neurite.workerd.js", "dist/neurite.wasm.d.ts", "dist/types/index.d.ts", "dist/esm/index.js", "dist/esm/loader.js"]) {
      expect(files, f).toContain(f);
    }
  });
});

describe("dist JavaScript", () => {
  const files = distJs();

  it("the bundles are there", () => {
    for (const f of ["dist/neurite.js", "dist/neurite.min.js", "dist/neurite.workerd.js"]) expect(files).toContain(f);
  });

  it("no eval, new Function or Function() in any file", () => {
    for (const f of files) {
      const js = code(readFileSync(join(root, f), "utf8"));
      // a call of the global eval (not a method such as model.eval(), nor its definition `eval() {`)
      expect(js, f).not.toMatch(/(?<![.\w$])eval\s*\((?!\)\s*\{)/);
      expect(js, f).not.toMatch(/(?<![.\w$])(new\s+)?Function\s*\(/);
    }
  });

  it("no static node: imports (edge runtimes and browsers have none)", () => {
    for (const f of files) {
      const js = code(readFileSync(join(root, f), "utf8"));
      expect(js, f).not.toMatch(/(import|export)[^;'"]*from\s*["']node:|import\s*["']node:|require\(/);
    }
  });

  it("the self-check catches what it looks for", () => {
    // so the greps above cannot pass by matching nothing
    expect(code("x = eval('1')")).toMatch(/(?<![.\w$])eval\s*\((?!\)\s*\{)/);
    expect(code("f = new Function('a', 'return a')")).toMatch(/(?<![.\w$])(new\s+)?Function\s*\(/);
    expect(code("model.eval(); // eval(x)")).not.toMatch(/(?<![.\w$])eval\s*\((?!\)\s*\{)/);
    expect(code('import fs from "node:fs";')).toMatch(/(import|export)[^;'"]*from\s*["']node:/);
  });
});
