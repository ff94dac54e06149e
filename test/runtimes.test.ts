// neurite in the real runtimes: the built package (dist/) trains the same MLP (test/runtimes/train.mjs)
// in Node, Deno, Cloudflare's workerd, a Chromium page and a Chromium module worker, and the
// trained weights must be bitwise identical everywhere (same FNV-1a checksum of the float32 bytes).
// All runtimes start at once in beforeAll; each test awaits its own. A missing runtime binary is a
// failure with a message saying how to get it, never a skip. afterAll ends every child process.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { existsSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, extname, join, normalize, sep } from "node:path";
import type { AddressInfo } from "node:net";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const CHROMIUM = "/usr/bin/chromium";
/** Per runtime, from spawn to result; each takes 1-3 s here, CI machines are shared and slower. */
const RUNTIME_TIMEOUT_MS = 30_000;

interface TrainResult {
  checksum: string;
  predictions: string;
  loss: number;
  firstLoss: number;
  accuracy: number;
  params: number;
  error?: string;
}

const children = new Set<ChildProcess>();
let server: Server | undefined;
let browser: { close(): Promise<void> } | undefined;

function withTimeout<T>(what: string, p: Promise<T>, ms = RUNTIME_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function requireFile(path: string, how: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${how}`);
}

/** Run a command to completion; resolves with its stdout, rejects with its stderr on failure. */
function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (err += d));
    child.on("error", (e) => reject(new Error(`${cmd}: ${e.message}`)));
    child.on("close", (code, signal) => {
      children.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(" ")} exited with ${code ?? signal}\n${err}${out}`));
    });
  });
}

/** The last line of JSON a CLI printed. */
const lastJson = (out: string) => JSON.parse(out.trim().split("\n").at(-1)!);

async function runNode() {
  return lastJson(await run(process.execPath, ["test/runtimes/cli.mjs"]));
}

async function runDeno() {
  requireFile(bin("deno"), "the deno devDependency provides it; run `npm ci`");
  // Read permission for dist/ only (ready() reads neurite.wasm); local imports need none.
  const out = await run(bin("deno"), ["run", "--no-remote", `--allow-read=${dist}`, "test/runtimes/cli.mjs"], {
    DENO_NO_UPDATE_CHECK: "1",
  });
  return lastJson(out);
}

/** workerd on 127.0.0.1 with ports it picks itself (reported on --control-fd); fetch both workers. */
async function runWorkerd() {
  requireFile(bin("workerd"), "the workerd devDependency provides it; run `npm ci`");
  requireFile(join(dist, "neurite.workerd.js"), "run `npm run build`");
  const child = spawn(bin("workerd"), ["serve", "test/runtimes/workerd/config.capnp", "--control-fd=3"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  children.add(child);
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const found: Record<string, number> = {};
    let buf = "";
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (d) => {
      buf += d;
      for (const line of buf.split("\n").slice(0, -1)) {
        try {
          const msg = JSON.parse(line);
          if (msg.event === "listen") found[msg.socket] = msg.port;
        } catch {
          reject(new Error(`workerd: unexpected control message ${JSON.stringify(line)}`));
        }
      }
      buf = buf.slice(buf.lastIndexOf("\n") + 1);
      if (found.explicit && found.conditional) resolve(found);
    });
    child.on("error", (e) => reject(new Error(`workerd: ${e.message}`)));
    child.on("exit", (code) => reject(new Error(`workerd exited with ${code} before listening\n${log}`)));
  });
  const get = async (port: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    const body = await res.json();
    if (!res.ok) throw new Error(`workerd answered ${res.status}: ${body.error ?? JSON.stringify(body)}\n${log}`);
    return body;
  };
  const [explicit, conditional] = await Promise.all([get(ports.explicit), get(ports.conditional)]);
  return { explicit, conditional };
}

const MIME: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };
const served: { path: string; type: string }[] = [];

/** A static server for dist/ and test/runtimes/ only, on 127.0.0.1 and a free port. */
async function startServer(): Promise<number> {
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(root, path);
    const allowed = [dist + sep, join(root, "test", "runtimes") + sep].some((dir) => file.startsWith(dir));
    if (!allowed || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const type = MIME[extname(file)] ?? "application/octet-stream";
    served.push({ path, type });
    res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server!.address() as AddressInfo).port;
}

async function runChromium() {
  requireFile(CHROMIUM, "install Debian's chromium (`apt-get install -y chromium`; .ci/run does this)");
  const port = await startServer();
  const { chromium } = await import("playwright-core");
  const b = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  browser = b;
  const page = await b.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  await page.goto(`http://127.0.0.1:${port}/test/runtimes/browser/index.html`);
  const results = await page.evaluate(() => (window as any).results);
  if (problems.length) results.problems = problems;
  return results;
}

let node: Promise<any>, deno: Promise<any>, workerd: Promise<any>, chrome: Promise<any>;

beforeAll(() => {
  requireFile(join(dist, "neurite.js"), "run `npm run build`");
  node = withTimeout("node", runNode());
  deno = withTimeout("deno", runDeno());
  workerd = withTimeout("workerd", runWorkerd());
  chrome = withTimeout("chromium", runChromium());
  // Each test reports its own runtime's failure; keep the others from being unhandled meanwhile.
  for (const p of [node, deno, workerd, chrome]) p.catch(() => {});
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  await Promise.all([...children].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  })));
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** A training result that learned the circle (loss fell well, held-out points right). */
function expectTrained(r: TrainResult, where: string) {
  expect(r.error, `${where}: ${r.error}`).toBeUndefined();
  expect(r.checksum, where).toMatch(/^[0-9a-f]{8}$/);
  expect(r.params, where).toBe(2 * 16 + 16 + 16 * 16 + 16 + 16 + 1);
  expect(r.loss, where).toBeLessThan(r.firstLoss / 3);
  expect(r.accuracy, where).toBeGreaterThanOrEqual(0.9);
}

describe("the built package in real runtimes", () => {
  it("Node: bare ready() finds dist/neurite.wasm; readable and minified bundles train alike", async () => {
    const r = await node;
    expect(r.runtime).toMatch(/^node /);
    expectTrained(r.bundle, "node");
    expect(r.min).toEqual(r.bundle);
  });

  it("Deno (deno run --no-remote, read access to dist/ only)", async () => {
    const r = await deno;
    expect(r.runtime).toMatch(/^deno 2\./);
    expectTrained(r.bundle, "deno");
    expect(r.min).toEqual(r.bundle);
  });

  it("workerd: the .wasm imported as a module, ready({ module }); bytes are refused there and never used", async () => {
    const { explicit: r } = await workerd;
    expectTrained(r, "workerd");
    expect(r.wasmIsModule).toBe(true);
    // The runtime refuses to compile bytes, so the default path could not work there...
    expect(r.compileBytes).toMatch(/CompileError: .*disallowed by embedder/);
    expect(r.instantiateBytes).toMatch(/CompileError: .*disallowed by embedder/);
    expect(r.moduleFromBytes).toMatch(/CompileError: .*disallowed by embedder/);
    // ...and the loader only instantiated the given Module.
    expect(r.loaderCalls).toEqual(["instantiate(Module)"]);
    // import.meta.url is undefined in workerd: a bare ready() rejects with a clear message (the
    // bundle itself loaded, so nothing reads import.meta.url at module load).
    expect(r.importMetaUrl).toBe("undefined");
    expect(r.defaultReady).toMatch(/gives no module URL to find neurite.wasm from; pass ready\(\{ module \}\)/);
  });

  it('workerd: the "workerd" entry (dist/neurite.workerd.js) makes a bare ready() use the imported module', async () => {
    const { conditional: r } = await workerd;
    expectTrained(r, "workerd (conditional entry)");
    expect(r.loaderCalls).toEqual(["instantiate(Module)"]);
  });

  it("Chromium: a page and a module Web Worker, neurite.wasm served as application/wasm", async () => {
    const r = await chrome;
    expect(r.problems).toBeUndefined();
    expect(r.userAgent).toMatch(/Chrome\/\d+/);
    expectTrained(r.page, "chromium page");
    expectTrained(r.worker, "chromium worker");
    expect(r.worker.isWorker).toBe(true);
    const wasm = served.filter((s) => s.path === "/dist/neurite.wasm");
    expect(wasm.length).toBeGreaterThanOrEqual(1);
    expect(wasm.every((s) => s.type === "application/wasm")).toBe(true);
  });

  it("the same seed gives bitwise-identical trained weights and predictions in every runtime", async () => {
    const all = await Promise.allSettled([node, deno, workerd, chrome]);
    const failed = all.filter((s) => s.status === "rejected") as PromiseRejectedResult[];
    expect(failed.map((f) => String(f.reason?.message ?? f.reason))).toEqual([]);
    const [n, d, w, c] = all.map((s) => (s as PromiseFulfilledResult<any>).value);
    const byRuntime: Record<string, TrainResult> = {
      "node": n.bundle, "node (min)": n.min, "deno": d.bundle, "deno (min)": d.min,
      "workerd": w.explicit, "workerd (entry)": w.conditional, "chromium page": c.page, "chromium worker": c.worker,
    };
    const checksums = Object.fromEntries(Object.entries(byRuntime).map(([k, r]) => [k, `${r.checksum}/${r.predictions}`]));
    console.log("runtime checksums (weights/predictions):", JSON.stringify(checksums));
    const expected = checksums.node;
    expect(checksums).toEqual(Object.fromEntries(Object.keys(checksums).map((k) => [k, expected])));
    for (const r of Object.values(byRuntime)) expect(r.loss).toBe(n.bundle.loss);
  });
});
