// Module worker using the package's "workerd" entry (dist/neurite.workerd.js): a bare ready()
// loads the .wasm that entry imports as a module.
import * as nt from "./neurite.workerd.js";
import { trainMlp } from "./train.mjs";
import { probeRuntime, spyOnWasm } from "./probe.mjs";

export default {
  async fetch() {
    try {
      const facts = await probeRuntime();
      const spy = spyOnWasm();
      try {
        await nt.ready();
      } finally {
        spy.restore();
      }
      const result = await trainMlp(nt);
      return Response.json({ ...facts, loaderCalls: spy.calls, ...result });
    } catch (e) {
      return Response.json({ error: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
