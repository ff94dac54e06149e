// The training worker (a module worker): runs the Trainer on neurite's wasm core and posts a
// snapshot to the page at a steady rate (SNAPSHOT_MS) while playing, and after every command.
//
// page -> worker: { type: "reset", config, data, generation } | { type: "set", ...live settings } |
//                 { type: "play" } | { type: "pause" } | { type: "step" }
// worker -> page: { type: "ready" } | { type: "snapshot", ...Trainer.snapshot(), history, playing, generation } |
//                 { type: "error", message }
import * as nt from "./neurite.js";
import { Trainer } from "./trainer.mjs";

const SNAPSHOT_MS = 50; // 20 snapshots a second while playing
const BUDGET_MS = 40; // at most this much training per tick, so commands are never kept waiting

let trainer = null;
let generation = 0; // which reset the current trainer answers (the page drops older snapshots)
let playing = false;
let timer = 0;
let epochsPerSecond = 60;
let owed = 0; // fractional epochs carried between ticks

const loaded = nt.ready();

function post() {
  const snap = trainer.snapshot();
  const history = trainer.drainHistory();
  const transfer = [snap.output.buffer, ...snap.neurons.map((a) => a.buffer), ...snap.weights.flatMap((l) => [l.w.buffer, l.b.buffer])];
  self.postMessage({ type: "snapshot", ...snap, history, playing, generation }, transfer);
}

function tick() {
  timer = 0;
  if (!playing || !trainer) return;
  const start = performance.now();
  owed += epochsPerSecond === Infinity ? Infinity : (epochsPerSecond * SNAPSHOT_MS) / 1000;
  while (owed >= 1 && performance.now() - start < BUDGET_MS) {
    trainer.trainEpoch();
    owed -= 1;
  }
  if (owed === Infinity || owed > 1) owed = 0; // do not bank epochs the budget could not fit
  post();
  timer = setTimeout(tick, Math.max(0, SNAPSHOT_MS - (performance.now() - start)));
}

function stop() {
  playing = false;
  if (timer) clearTimeout(timer);
  timer = 0;
}

function handle(msg) {
  switch (msg.type) {
    case "reset":
      stop();
      trainer?.dispose();
      trainer = null; // a bad config leaves no half-built trainer behind
      generation = msg.generation;
      trainer = new Trainer(nt, msg.config, msg.data);
      owed = 0;
      post();
      break;
    case "set":
      if (msg.epochsPerSecond !== undefined) epochsPerSecond = msg.epochsPerSecond === 0 ? Infinity : msg.epochsPerSecond;
      trainer?.set(msg);
      break;
    case "play":
      if (!trainer || playing) break;
      playing = true;
      owed = 0;
      tick();
      break;
    case "pause":
      stop();
      if (trainer) post();
      break;
    case "step":
      stop();
      if (!trainer) break;
      trainer.trainEpoch();
      post();
      break;
    default:
      throw new Error(`worker: unknown message type ${JSON.stringify(msg.type)}`);
  }
}

// Messages are handled one at a time, in order, once the core is loaded.
let queue = loaded.then(() => self.postMessage({ type: "ready" }));
self.onmessage = (e) => {
  queue = queue.then(() => handle(e.data)).catch((err) => {
    stop();
    self.postMessage({ type: "error", message: String(err?.stack || err) });
  });
};
