// `npm run playground`: serve the built playground (build/playground, made by `npm run build`)
// on 127.0.0.1 and print its URL. Static files only, with the right MIME types (application/wasm
// for the core) and cross-origin isolation headers (COOP/COEP), which let the page use
// SharedArrayBuffer and keep it from loading anything off-site.
//
//   node scripts/serve-playground.mjs [--port N] [--dir PATH]
//
// Also importable: startPlaygroundServer({ dir, port }) resolves to { url, close }.
import { createServer } from "node:http";
import { createReadStream, existsSync, statSync } from "node:fs";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");
export const PLAYGROUND_DIR = join(root, "build", "playground");

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

const HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-store",
};

/** Serve `dir` on 127.0.0.1:`port` (0 = any free port). */
export function startPlaygroundServer({ dir = PLAYGROUND_DIR, port = 0 } = {}) {
  const base = resolve(dir);
  if (!existsSync(join(base, "index.html"))) {
    throw new Error(`serve-playground: ${join(base, "index.html")} is missing; run \`npm run build\` first`);
  }
  const server = createServer((req, res) => {
    const send = (status, text) => {
      res.writeHead(status, { ...HEADERS, "Content-Type": "text/plain; charset=utf-8" });
      res.end(text);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed");
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(400, "bad request");
    }
    if (path.endsWith("/")) path += "index.html";
    const file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return send(403, "forbidden");
    let info;
    try {
      info = statSync(file);
    } catch {
      return send(404, "not found");
    }
    if (!info.isFile()) return send(404, "not found");
    res.writeHead(200, {
      ...HEADERS,
      "Content-Type": MIME[extname(file).toLowerCase()] ?? "application/octet-stream",
      "Content-Length": String(info.size),
    });
    if (req.method === "HEAD") return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolveStart, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: actual } = server.address();
      resolveStart({
        url: `http://127.0.0.1:${actual}/`,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  });
}

function parseArgs(argv) {
  const opts = { port: 8080, dir: PLAYGROUND_DIR };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--port") opts.port = Number(argv[++i]);
    else if (a === "--dir") opts.dir = resolve(argv[++i]);
    else if (a === "--help" || a === "-h") {
      console.log("usage: npm run playground [-- --port N] [-- --dir PATH]");
      process.exit(0);
    } else throw new Error(`serve-playground: unknown argument ${a}`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error("serve-playground: --port must be 0..65535");
  return opts;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    let started;
    try {
      started = await startPlaygroundServer(opts);
    } catch (err) {
      if (err.code !== "EADDRINUSE" || opts.port === 0) throw err;
      started = await startPlaygroundServer({ ...opts, port: 0 }); // the usual port is taken: any free one
    }
    console.log(`neurite playground: ${started.url}  (Ctrl+C to stop)`);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
