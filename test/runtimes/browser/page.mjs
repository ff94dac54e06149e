// Train the shared MLP in the page (bare ready(): fetches neurite.wasm beside the bundle) and in a
// module Web Worker at the same time; window.results resolves to both results.
import * as nt from "../../../dist/neurite.js";
import { trainMlp } from "../train.mjs";

const describe = (e) => ({ error: String(e?.stack ?? e?.message ?? e) });

async function inPage() {
  await nt.ready();
  return trainMlp(nt);
}

function inWorker() {
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
    worker.onmessage = (e) => {
      worker.terminate();
      resolve(e.data);
    };
    worker.onerror = (e) => {
      worker.terminate();
      resolve({ error: `worker error: ${e.message} (${e.filename}:${e.lineno})` });
    };
  });
}

window.results = Promise.all([inWorker(), inPage().catch(describe)]).then(([worker, page]) => ({
  userAgent: navigator.userAgent,
  page,
  worker,
}));
