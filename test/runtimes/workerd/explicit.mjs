// Cloudflare-style module worker, the documented way: the .wasm imported as a module and passed
// to ready({ module }). One request: probe the runtime, load, train, predict, answer with JSON.
import wasm from "./neurite.wasm";
import * as nt from "./neurite.js";
import { trainMlp } from "./train.mjs";
import { probeRuntime, spyOnWasm } from "./probe.mjs";

let loaded = false;

export default {
  async fetch() {
    try {
      const facts = await probeRuntime();
      // Before the core is loaded, a bare ready() has no module URL to find the .wasm from here:
      // it must reject with neurite's message rather than throw while the module loads.
      const defaultReady = loaded ? "(core already loaded)" : await nt.ready().then(() => "resolved", (e) => e.message);
      const spy = spyOnWasm();
      try {
        await nt.ready({ module: wasm });
      } finally {
        spy.restore();
      }
      loaded = true;
      const result = await trainMlp(nt);
      return Response.json({ ...facts, wasmIsModule: wasm instanceof WebAssembly.Module, defaultReady, loaderCalls: spy.calls, ...result });
    } catch (e) {
      return Response.json({ error: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
