// LSTM training throughput: neurite against TensorFlow.js (tfjs-layers 4.22) on its wasm and cpu
// backends in the same process. Input 32 features x 50 steps -> LSTM 128 -> last step -> Linear 10,
// softmax cross-entropy, Adam 1e-3, batch 32, random data (the same arrays for every library).
// About 25 MFLOP per training sample (forward 8.2: x·W_ihᵀ 50 x 32 k, h·W_hhᵀ 50 x 131 k; backward
// twice that). tfjs-layers' default orthogonal recurrent initializer fails in this setup, so the
// peer uses glorotUniform (the initializer does not change the arithmetic).
// neurite and tfjs-wasm epochs are interleaved (run 1 of each, run 2 of each, ...) and the medians
// compared; tfjs-cpu (about 16 samples/s) runs fewer, smaller epochs afterwards.

const T = 50;
const I = 32;
const H = 128;
const C = 10;
const BATCH = 32;
const N_OURS = BATCH * 16; // samples per timed neurite epoch
const N_WASM = BATCH * 4; // samples per timed tfjs-wasm epoch (~90 samples/s)
const N_CPU = BATCH * 2; // samples per timed tfjs-cpu epoch (~16 samples/s)
/** Measured before on this machine, PyTorch 1.13 CPU, one thread, the same model and batch (not rerun here). */
const PYTORCH_QUOTED = 1550;

/** Random sequences [n, T, I] with values in [-1, 1) and labels in [0, C), seeded. */
const data = (ctx, n, seed) => ctx.classificationData(n, T * I, C, seed, (u) => u * 2 - 1);

function neuriteModel(nt) {
  const { nn } = nt;
  nt.manualSeed(0);
  class LastStep extends nn.Module {
    constructor() {
      super();
      this.lstm = this.registerModule("lstm", new nn.LSTM(I, H, { batchFirst: true }));
      this.head = this.registerModule("head", new nn.Linear(H, C));
    }

    forward(x) {
      const [, [hN]] = this.lstm(x); // h_n [1, batch, H] is the last step's output
      return this.head(hN.reshape([x.shape[0], H]));
    }
  }
  return new LastStep();
}

async function tfModel(tf) {
  const tfl = await import("@tensorflow/tfjs-layers");
  const model = tfl.sequential({
    layers: [
      tfl.layers.lstm({ inputShape: [T, I], units: H, recurrentInitializer: "glorotUniform" }),
      tfl.layers.dense({ units: C }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  });
  return model;
}

async function seconds(fn) {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1e3;
}

export async function run(ctx) {
  const nt = await ctx.neurite();
  if (!nt?.nn?.LSTM || !nt?.fit) {
    console.log("(dist/neurite.js lacks nn.LSTM or fit: build first)");
    return;
  }
  const runs = Number(process.env.BENCH_RUNS ?? 5);

  const ours = data(ctx, N_OURS, 1);
  const xs = nt.keep(nt.tensor(ours.x, [N_OURS, T, I]));
  const ys = nt.keep(nt.tensor(ours.y, [N_OURS]));
  const model = neuriteModel(nt);
  const opt = new nt.optim.Adam(model.parameters(), { lr: 1e-3 });
  const loss = new nt.nn.CrossEntropyLoss();
  const neuriteEpoch = () => nt.fit(model, { x: xs, y: ys, loss, optimizer: opt, epochs: 1, batchSize: BATCH, shuffle: true });

  const tfWasm = await ctx.tf("wasm");
  const wasmModel = await tfModel(tfWasm);
  const wd = data(ctx, N_WASM, 2);
  const wx = tfWasm.tensor3d(wd.x, [N_WASM, T, I]);
  const wy = tfWasm.tensor2d(ctx.oneHot(wd.y, C), [N_WASM, C]);
  const wasmEpoch = () => wasmModel.fit(wx, wy, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 });

  // Warm-up (V8 tiers wasm up per function; both libraries get one full epoch), then interleaved runs.
  await neuriteEpoch();
  await neuriteEpoch();
  await wasmEpoch();
  const tOurs = [];
  const tWasm = [];
  for (let r = 0; r < runs; r++) {
    tOurs.push((await seconds(neuriteEpoch)) / N_OURS);
    tWasm.push((await seconds(wasmEpoch)) / N_WASM);
  }
  tfWasm.dispose([wx, wy]);
  wasmModel.dispose?.();

  const tfCpu = await ctx.tf("cpu");
  const cpuModel = await tfModel(tfCpu);
  const cd = data(ctx, N_CPU, 3);
  const cx = tfCpu.tensor3d(cd.x, [N_CPU, T, I]);
  const cy = tfCpu.tensor2d(ctx.oneHot(cd.y, C), [N_CPU, C]);
  const cpuEpoch = () => cpuModel.fit(cx, cy, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 });
  await cpuEpoch();
  const tCpu = [];
  for (let r = 0; r < Math.min(runs, 2); r++) tCpu.push((await seconds(cpuEpoch)) / N_CPU);
  tfCpu.dispose([cx, cy]);
  cpuModel.dispose?.();

  const ourSps = 1 / ctx.median(tOurs);
  const wasmSps = 1 / ctx.median(tWasm);
  const cpuSps = 1 / ctx.median(tCpu);
  const f = (v) => Math.round(v).toLocaleString("en-US");
  ctx.table(
    ["LSTM 32-128 x50 -> Linear 10, batch 32, Adam", "neurite", "tfjs-wasm", "tfjs-cpu", "vs wasm", "vs cpu", "PyTorch 1 thread (quoted)"],
    [["train samples/s", f(ourSps), f(wasmSps), f(cpuSps), (ourSps / wasmSps).toFixed(1) + "x", (ourSps / cpuSps).toFixed(0) + "x",
      `${f(PYTORCH_QUOTED)} (neurite ${(ourSps / PYTORCH_QUOTED).toFixed(2)}x)`]],
  );
  console.log(
    `(ratios: how many times faster neurite is; medians of ${runs} interleaved epochs, neurite ${N_OURS} and tfjs-wasm ` +
      `${N_WASM} samples each; tfjs-cpu ${tCpu.length} epochs of ${N_CPU}; ${(25 * ourSps / 1e3).toFixed(1)} GFLOPS effective for neurite)`,
  );
  nt.dispose([xs, ys]);
  model.dispose();
  opt.dispose?.();
}
