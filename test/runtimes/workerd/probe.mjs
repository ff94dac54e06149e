// What this runtime allows, reported by both workers: whether this module has an import.meta.url,
// whether compiling wasm from bytes is refused, and a spy that records every WebAssembly call
// neurite's loader makes (to show that ready({ module }) never hands it bytes).

/** The smallest valid wasm module: magic and version. */
const EMPTY_WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

export async function probeRuntime() {
  const outcome = (p) => p.then(() => "compiled", (e) => `${e?.name}: ${e?.message}`);
  let syncModule;
  try {
    new WebAssembly.Module(EMPTY_WASM);
    syncModule = "compiled";
  } catch (e) {
    syncModule = `${e?.name}: ${e?.message}`;
  }
  return {
    importMetaUrl: typeof import.meta.url,
    compileBytes: await outcome(WebAssembly.compile(EMPTY_WASM)),
    instantiateBytes: await outcome(WebAssembly.instantiate(EMPTY_WASM)),
    moduleFromBytes: syncModule,
  };
}

/** Wrap WebAssembly's compiling and instantiating entry points; `calls` lists what each was given. */
export function spyOnWasm() {
  const calls = [];
  const saved = {};
  for (const name of ["compile", "compileStreaming", "instantiate", "instantiateStreaming"]) {
    const original = WebAssembly[name];
    if (typeof original !== "function") continue;
    saved[name] = original;
    WebAssembly[name] = function (source, ...rest) {
      calls.push(`${name}(${source instanceof WebAssembly.Module ? "Module" : Object.prototype.toString.call(source)})`);
      return original.call(WebAssembly, source, ...rest);
    };
  }
  return {
    calls,
    restore() {
      for (const [name, fn] of Object.entries(saved)) WebAssembly[name] = fn;
    },
  };
}
