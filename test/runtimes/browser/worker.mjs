// A module Web Worker: the same bundle and training run as the page, posted back as one message.
import * as nt from "../../../dist/neurite.js";
import { trainMlp } from "../train.mjs";

try {
  await nt.ready();
  const result = await trainMlp(nt);
  postMessage({ ...result, isWorker: typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope });
} catch (e) {
  postMessage({ error: String(e?.stack ?? e) });
}
