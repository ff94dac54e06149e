// The one place that turns the .wasm into a running core, in every runtime.
// Edge runtimes (Cloudflare Workers, Vercel Edge) refuse to compile bytes and have no
// import.meta.url, so the default location is computed only inside ready(), only when
// no precompiled module was given.
import { Engine, installEngine, currentEngine } from "./engine";

export interface ReadyOptions {
  /** A precompiled module (edge runtimes import the .wasm as one). Never compiles bytes. */
  module?: WebAssembly.Module;
  /** The .wasm bytes. */
  bytes?: BufferSource;
  /** Where to fetch (or, for file: URLs, read) the .wasm from. */
  url?: string | URL;
}

let pending: Promise<void> | null = null;

/** Load the wasm core. Safe to call more than once; later calls resolve at once. */
export function ready(options: ReadyOptions = {}): Promise<void> {
  if (currentEngine()) return Promise.resolve();
  if (!pending) {
    pending = load(options).then(
      (exports) => installEngine(new Engine(exports)),
      (err) => {
        pending = null; // allow a retry with other options
        throw err;
      },
    );
  }
  return pending;
}

function imports(): WebAssembly.Imports {
  return {
    env: {
      abort(_msg: number, _file: number, line: number, column: number) {
        throw new Error(`neurite: wasm core aborted at ${line}:${column}`);
      },
    },
  };
}

async function load(options: ReadyOptions): Promise<WebAssembly.Exports> {
  if (options.module !== undefined) {
    if (!(options.module instanceof WebAssembly.Module)) {
      throw new TypeError("ready: options.module must be a WebAssembly.Module");
    }
    return (await WebAssembly.instantiate(options.module, imports())).exports;
  }
  if (options.bytes !== undefined) {
    const { instance } = await WebAssembly.instantiate(options.bytes, imports());
    return instance.exports;
  }
  const url = options.url !== undefined ? new URL(String(options.url), baseUrl()) : defaultUrl();
  const bytes = (await readUrl(url)) as BufferSource;
  const { instance } = await WebAssembly.instantiate(bytes, imports());
  return instance.exports;
}

function baseUrl(): string | undefined {
  const here = import.meta.url;
  return typeof here === "string" ? here : typeof location !== "undefined" ? String(location.href) : undefined;
}

function defaultUrl(): URL {
  const here = import.meta.url;
  if (typeof here !== "string") {
    throw new Error(
      "ready: this runtime gives no module URL to find neurite.wasm from; " +
        "pass ready({ module }) with the .wasm imported as a WebAssembly.Module (edge runtimes) or ready({ bytes }).",
    );
  }
  return new URL("./neurite.wasm", here);
}

async function readUrl(url: URL): Promise<ArrayBuffer | Uint8Array> {
  const isNodeLike = typeof process !== "undefined" && !!(process as any).versions?.node;
  if (url.protocol === "file:" && isNodeLike) {
    // Node and Deno: read the file; a variable specifier keeps bundlers from resolving it.
    const fsName = "node:fs/promises";
    const urlName = "node:url";
    const fs = await import(/* @vite-ignore */ fsName);
    const { fileURLToPath } = await import(/* @vite-ignore */ urlName);
    return fs.readFile(fileURLToPath(url));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`ready: could not fetch ${url.href} (HTTP ${res.status})`);
  return res.arrayBuffer();
}

declare const process: any;
declare const location: any;
