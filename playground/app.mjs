// The page: settings (kept in the URL hash so a link reproduces them), the worker that trains,
// and drawing each snapshot it sends. Loss figures are mirrored into data attributes of #stats
// (data-epoch, data-train-loss, data-test-loss, data-train-acc, data-test-acc, data-state, and
// data-pending="1" from a reset until the new network's first snapshot) so tests can read them.
import { DATASETS, DOMAIN, makeDataset } from "./datasets.mjs";
import { FEATURES, gridPoints } from "./features.mjs";
import { NEURON_RES, OUTPUT_RES, ACTIVATION_IDS, OPTIMIZER_IDS } from "./trainer.mjs";
import { paintGrid, drawHeatmap, drawThumbnail, drawLossChart } from "./draw.mjs";
import { NetworkView, MAX_NEURONS } from "./network.mjs";

const MAX_LAYERS = 6;
const POINTS = 500;
const MAX_CURVE = 4000; // loss-curve points kept in the page
const $ = (id) => document.getElementById(id);

const DEFAULTS = {
  dataset: "circle", noise: 0, ratio: 50, batch: 10,
  features: ["x1", "x2"], hidden: [4, 4, 2],
  lr: 0.01, activation: "tanh", optimizer: "adam", regularization: "none", regRate: 0, speed: 60,
  showTest: false, discretize: false, seed: 1, dataSeed: 1,
};
const LR_CHOICES = [...$("lr").options].map((o) => Number(o.value));
const REG_CHOICES = [...$("regRate").options].map((o) => Number(o.value));
const SPEED_CHOICES = [...$("speed").options].map((o) => Number(o.value));

/** Settings from the URL hash, each checked; anything unknown falls back to its default. */
function readHash() {
  const s = structuredClone(DEFAULTS);
  const q = new URLSearchParams(location.hash.slice(1));
  const num = (k, ok) => {
    if (!q.has(k)) return;
    const v = Number(q.get(k));
    if (Number.isFinite(v) && ok(v)) s[k] = v;
  };
  const pick = (k, list) => { if (list.includes(q.get(k))) s[k] = q.get(k); };
  pick("dataset", DATASETS.map((d) => d.id));
  pick("activation", ACTIVATION_IDS);
  pick("optimizer", OPTIMIZER_IDS);
  pick("regularization", ["none", "l1", "l2"]);
  num("noise", (v) => v >= 0 && v <= 50);
  num("ratio", (v) => v >= 10 && v <= 90);
  num("batch", (v) => Number.isInteger(v) && v >= 1 && v <= 50);
  num("lr", (v) => LR_CHOICES.includes(v));
  num("regRate", (v) => REG_CHOICES.includes(v));
  num("speed", (v) => SPEED_CHOICES.includes(v));
  num("seed", (v) => Number.isInteger(v) && v >= 0);
  num("dataSeed", (v) => Number.isInteger(v) && v >= 0);
  if (q.has("features")) {
    const f = q.get("features").split(",").filter((id) => FEATURES.some((g) => g.id === id));
    if (f.length) s.features = f;
  }
  if (q.has("hidden")) {
    const h = q.get("hidden") === "" ? [] : q.get("hidden").split(",").map(Number);
    if (h.length <= MAX_LAYERS && h.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_NEURONS)) s.hidden = h;
  }
  for (const k of ["showTest", "discretize"]) if (q.has(k)) s[k] = q.get(k) === "1";
  return s;
}

function writeHash() {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) {
    q.set(k, Array.isArray(v) ? v.join(",") : typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  }
  history.replaceState(null, "", `#${String(q).replaceAll("%2C", ",")}`); // commas read better in a link
}

const state = readHash();
let data = null; // { train, test }
let snapshot = null;
let lossHistory = [];
let hover = null;
let playing = false;
let workerReady = false;
let generation = 0; // bumped by every reset; snapshots of older networks are dropped

// ---- the worker -------------------------------------------------------------------------
const worker = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
worker.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === "ready") {
    workerReady = true;
    resetNetwork();
  } else if (msg.type === "snapshot") {
    if (msg.generation !== generation) return;
    lossHistory.push(...msg.history);
    // keep the curve bounded on long runs: halve its resolution, keeping the newest point
    if (lossHistory.length > MAX_CURVE) lossHistory = lossHistory.filter((_, i, a) => i % 2 === 0 || i === a.length - 1);
    snapshot = msg;
    scheduleDraw();
  } else if (msg.type === "error") {
    setPlaying(false);
    showStatus(msg.message);
    console.error(`playground worker: ${msg.message}`);
  }
};
worker.onerror = (e) => {
  showStatus(`worker failed: ${e.message || "see the console"}`);
  console.error(`playground worker failed: ${e.message}`);
};

function trainerConfig() {
  return {
    features: state.features, hidden: state.hidden, activation: state.activation, optimizer: state.optimizer,
    lr: state.lr, batchSize: state.batch, regularization: state.regularization, regRate: state.regRate, seed: state.seed,
  };
}

/** New weights (and new data if asked); the worker answers with an epoch-0 snapshot. */
function resetNetwork({ newData = false } = {}) {
  writeHash();
  if (newData || !data) data = makeDataset(state.dataset, { count: POINTS, noise: state.noise / 100, seed: state.dataSeed, trainRatio: state.ratio / 100 });
  const wasPlaying = playing;
  setPlaying(false);
  lossHistory = [];
  snapshot = null;
  showStatus("");
  network.build(networkSpec());
  scheduleDraw();
  if (!workerReady) return;
  worker.postMessage({ type: "set", epochsPerSecond: state.speed });
  generation++;
  const stats = $("stats").dataset;
  stats.pending = "1";
  stats.dataset = state.dataset;
  stats.features = state.features.join(",");
  stats.hidden = state.hidden.join(",");
  worker.postMessage({ type: "reset", config: trainerConfig(), data, generation });
  if (wasPlaying) setPlaying(true);
}

function setPlaying(on) {
  if (on && !workerReady) return;
  playing = on;
  document.body.classList.toggle("playing", on);
  $("play").setAttribute("aria-label", on ? "Pause" : "Play");
  $("play").title = on ? "Pause" : "Train";
  $("stats").dataset.state = on ? "playing" : "paused";
  if (workerReady) worker.postMessage({ type: on ? "play" : "pause" });
}

function liveSet(change) {
  Object.assign(state, change);
  writeHash();
  if (workerReady) {
    worker.postMessage({
      type: "set", lr: state.lr, batchSize: state.batch, regularization: state.regularization,
      regRate: state.regRate, epochsPerSecond: state.speed,
    });
  }
}

// ---- drawing ----------------------------------------------------------------------------
const featureGrids = (() => {
  const pts = gridPoints(NEURON_RES, DOMAIN);
  const grids = {};
  for (const f of FEATURES) {
    const v = Float32Array.from(pts, (p) => f.fn(p.x, p.y));
    let m = 0;
    for (const x of v) m = Math.max(m, Math.abs(x));
    grids[f.id] = v.map((x) => (m > 0 ? x / m : 0)); // shown relative to its own range
  }
  return grids;
})();

function networkSpec() {
  return {
    features: FEATURES.map((f) => ({ id: f.id, label: f.label, active: state.features.includes(f.id), grid: featureGrids[f.id] })),
    hidden: state.hidden,
  };
}

const network = new NetworkView($("network"), {
  onToggleFeature(id) {
    const on = state.features.includes(id);
    if (on && state.features.length === 1) return; // the network needs at least one input
    state.features = on ? state.features.filter((f) => f !== id) : FEATURES.map((f) => f.id).filter((f) => f === id || state.features.includes(f));
    resetNetwork();
  },
  onNeurons(layer, delta) {
    const n = state.hidden[layer] + delta;
    if (n < 1 || n > MAX_NEURONS) return;
    state.hidden = state.hidden.map((v, i) => (i === layer ? n : v));
    resetNetwork();
  },
  onHover(target) {
    hover = target;
    scheduleDraw();
  },
});

const bigGrid = document.createElement("canvas");
let drawPending = false;
function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    draw();
  });
}

function draw() {
  // the big heat map: the output, or the hovered neuron / feature
  let grid = null;
  let caption = "";
  if (hover?.kind === "feature") {
    paintGrid(bigGrid, featureGrids[hover.id], NEURON_RES, { soften: 0.4, discretize: state.discretize });
    grid = bigGrid;
    caption = `Feature ${FEATURES.find((f) => f.id === hover.id).label}`;
  } else if (hover?.kind === "neuron" && snapshot?.neurons[hover.layer]) {
    const cells = NEURON_RES * NEURON_RES;
    paintGrid(bigGrid, snapshot.neurons[hover.layer].subarray(hover.index * cells, (hover.index + 1) * cells), NEURON_RES,
      { soften: 0.4, discretize: state.discretize });
    grid = bigGrid;
    caption = `Layer ${hover.layer + 1}, neuron ${hover.index + 1}`;
  } else if (snapshot) {
    paintGrid(bigGrid, snapshot.output, OUTPUT_RES, { soften: 0.4, discretize: state.discretize });
    grid = bigGrid;
  }
  $("heatmap-caption").textContent = caption;
  $("heatmap-caption").style.display = caption ? "block" : "none";
  if (data) drawHeatmap($("heatmap"), grid, { train: data.train, test: data.test, showTest: state.showTest });
  drawLossChart($("loss-chart"), lossHistory);
  if (!snapshot) return;

  network.update(snapshot);
  $("epoch").textContent = String(snapshot.epoch).padStart(6, "0").replace(/(\d{3})$/, ",$1");
  const fmt = (v) => (Number.isFinite(v) ? v.toFixed(3) : "–");
  const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}% correct` : "");
  $("test-loss").textContent = fmt(snapshot.testLoss);
  $("train-loss").textContent = fmt(snapshot.trainLoss);
  $("test-acc").textContent = pct(snapshot.testAcc);
  $("train-acc").textContent = pct(snapshot.trainAcc);
  const stats = $("stats").dataset;
  stats.epoch = String(snapshot.epoch);
  stats.trainLoss = String(snapshot.trainLoss);
  stats.testLoss = String(snapshot.testLoss);
  stats.trainAcc = String(snapshot.trainAcc);
  stats.testAcc = String(snapshot.testAcc);
  stats.state = playing ? "playing" : "paused";
  stats.pending = "0"; // the figures above are this network's
}

function showStatus(text) {
  $("status").textContent = text;
}

// ---- controls ---------------------------------------------------------------------------
function buildDatasetPicker() {
  const box = $("datasets");
  for (const d of DATASETS) {
    const b = document.createElement("button");
    b.className = "dataset";
    b.dataset.dataset = d.id;
    b.title = d.name;
    b.setAttribute("role", "radio");
    b.setAttribute("aria-label", d.name);
    const c = document.createElement("canvas");
    b.append(c);
    b.addEventListener("click", () => {
      state.dataset = d.id;
      markDataset();
      resetNetwork({ newData: true });
    });
    box.append(b);
  }
  markDataset();
  requestAnimationFrame(() => {
    for (const b of box.children) {
      const pts = makeDataset(b.dataset.dataset, { count: 200, noise: 0, seed: 3, trainRatio: 0.5 });
      drawThumbnail(b.firstChild, [...pts.train, ...pts.test]);
    }
  });
}

function markDataset() {
  for (const b of $("datasets").children) {
    const on = b.dataset.dataset === state.dataset;
    b.classList.toggle("selected", on);
    b.setAttribute("aria-checked", String(on));
  }
}

function updateLayerControls() {
  const n = state.hidden.length;
  $("layer-count").textContent = String(n);
  $("layer-word").textContent = n === 1 ? "hidden layer" : "hidden layers";
  $("add-layer").disabled = n >= MAX_LAYERS;
  $("remove-layer").disabled = n === 0;
}

function wire() {
  buildDatasetPicker();
  $("play").addEventListener("click", () => setPlaying(!playing));
  $("step").addEventListener("click", () => {
    setPlaying(false);
    if (workerReady) worker.postMessage({ type: "step" });
  });
  $("reset").addEventListener("click", () => {
    state.seed++;
    resetNetwork();
  });
  $("regenerate").addEventListener("click", () => {
    state.dataSeed++;
    resetNetwork({ newData: true });
  });
  $("add-layer").addEventListener("click", () => {
    if (state.hidden.length >= MAX_LAYERS) return;
    state.hidden = [...state.hidden, state.hidden.at(-1) ?? 4];
    updateLayerControls();
    resetNetwork();
  });
  $("remove-layer").addEventListener("click", () => {
    if (!state.hidden.length) return;
    state.hidden = state.hidden.slice(0, -1);
    updateLayerControls();
    resetNetwork();
  });

  const select = (id, key, parse, live) => {
    const el = $(id);
    el.value = String(state[key]);
    el.addEventListener("change", () => {
      const v = parse(el.value);
      if (live) liveSet({ [key]: v });
      else {
        state[key] = v;
        resetNetwork();
      }
    });
  };
  select("lr", "lr", Number, true);
  select("regRate", "regRate", Number, true);
  select("regularization", "regularization", String, true);
  select("speed", "speed", Number, true);
  select("activation", "activation", String, false);
  select("optimizer", "optimizer", String, false);

  const slider = (id, key, show, onChange) => {
    const el = $(id);
    el.value = String(state[key]);
    const label = () => { $(`${id}-value`).textContent = show(Number(el.value)); };
    label();
    el.addEventListener("input", label);
    el.addEventListener("change", () => { state[key] = Number(el.value); onChange(); });
  };
  slider("ratio", "ratio", (v) => `${v}%`, () => resetNetwork({ newData: true }));
  slider("noise", "noise", String, () => resetNetwork({ newData: true }));
  slider("batch", "batch", String, () => liveSet({}));

  const check = (id, key) => {
    const el = $(id);
    el.checked = state[key];
    el.addEventListener("change", () => { state[key] = el.checked; writeHash(); scheduleDraw(); });
  };
  check("show-test", "showTest");
  check("discretize", "discretize");

  // Space plays / pauses, unless a control has the keyboard
  window.addEventListener("keydown", (e) => {
    if (e.code !== "Space" || e.repeat || e.target.closest?.("input, select, button, textarea")) return;
    e.preventDefault();
    setPlaying(!playing);
  });

  updateLayerControls();
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { network.build(networkSpec()); scheduleDraw(); }, 100); // draw() repaints it
  });
}

wire();
resetNetwork({ newData: true });
