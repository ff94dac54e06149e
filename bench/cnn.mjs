// Small-CNN training throughput: neurite against TensorFlow.js (tfjs-layers 4.22) in the same
// process. 28x28x1 -> Conv2d 8 3x3 + ReLU -> MaxPool 2 -> Flatten -> Linear 10, softmax
// cross-entropy, Adam 1e-3, batch 64, random data (the same values for both libraries; tfjs
// reads them as NHWC, neurite as NCHW, which for one channel is the same array).
// tfjs's wasm backend cannot train this model (it has no Conv2DBackpropFilter kernel): the bench
// shows the error it raises. About 370 kFLOP per training sample (conv forward, weight and
// input gradients 3 x 97 k, dense 3 x 27 k).

const BATCH = 64;
const N_OURS = 64 * 64; // samples per timed neurite epoch
const N_TF = 64 * 8; // samples per timed tfjs-cpu epoch (it runs ~100 samples/s)
/** Measured before on this machine, PyTorch 1.13 CPU, one thread, the same model and batch (not rerun here). */
const PYTORCH_QUOTED = 16810;

function neuriteModel(nt) {
  const { nn } = nt;
  nt.manualSeed(0);
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(8 * 13 * 13, 10),
  );
}

async function tfModel(tf) {
  const tfl = await import("@tensorflow/tfjs-layers");
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: "relu" }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  });
  return model;
}

export async function run(ctx) {
  const nt = await ctx.neurite();
  if (!nt?.nn?.Conv2d || !nt?.fit) {
    console.log("(dist/neurite.js lacks nn.Conv2d or fit: build first)");
    return;
  }
  const runs = Number(process.env.BENCH_RUNS ?? 5);

  // ---- tfjs wasm: show that it cannot train the model ----
  let wasmError = "trained (unexpected)";
  {
    const tf = await ctx.tf("wasm");
    const m = await tfModel(tf);
    const { x, y } = ctx.classificationData(BATCH, 784, 10);
    const tx = tf.tensor4d(x, [BATCH, 28, 28, 1]);
    const ty = tf.tensor2d(ctx.oneHot(y, 10), [BATCH, 10]);
    try {
      await m.fit(tx, ty, { epochs: 1, batchSize: BATCH, verbose: 0 });
    } catch (e) {
      wasmError = String(e.message ?? e).split("\n")[0];
    }
    tf.dispose([tx, ty]);
    m.dispose?.();
  }

  // ---- neurite: epochs of fit over N_OURS samples ----
  const ours = ctx.classificationData(N_OURS, 784, 10);
  const xs = nt.keep(nt.tensor(ours.x, [N_OURS, 1, 28, 28]));
  const ys = nt.keep(nt.tensor(ours.y, [N_OURS]));
  const model = neuriteModel(nt);
  const opt = new nt.optim.Adam(model.parameters(), { lr: 1e-3 });
  const loss = new nt.nn.CrossEntropyLoss();
  const epochOurs = () => nt.fit(model, { x: xs, y: ys, loss, optimizer: opt, epochs: 1, batchSize: BATCH, shuffle: true });

  // ---- tfjs cpu: epochs of fit over N_TF samples ----
  const tf = await ctx.tf("cpu");
  const tm = await tfModel(tf);
  const theirs = ctx.classificationData(N_TF, 784, 10, 2);
  const tx = tf.tensor4d(theirs.x, [N_TF, 28, 28, 1]);
  const ty = tf.tensor2d(ctx.oneHot(theirs.y, 10), [N_TF, 10]);
  const epochTf = () => tm.fit(tx, ty, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 });

  // warm up both (neurite: long enough for V8 to tier up the wasm), then interleave timed epochs
  for (let i = 0; i < 3; i++) await epochOurs();
  await epochTf();
  const tOurs = [];
  const tTf = [];
  const tfRuns = Number(process.env.BENCH_TF_RUNS ?? 2);
  for (let r = 0; r < Math.max(runs, tfRuns); r++) {
    if (r < runs) {
      const t0 = performance.now();
      await epochOurs();
      tOurs.push((performance.now() - t0) / 1e3);
    }
    if (r < tfRuns) {
      const t0 = performance.now();
      await epochTf();
      tTf.push((performance.now() - t0) / 1e3);
    }
  }
  const spsOurs = N_OURS / ctx.median(tOurs);
  const spsTf = N_TF / ctx.median(tTf);
  const fmt = (v) => Math.round(v).toLocaleString("en-US");
  ctx.table(
    ["CNN train, samples/s (fit, Adam, batch 64)", "neurite", "tfjs-cpu", "vs tfjs-cpu", "tfjs-wasm"],
    [["conv8 3x3 + relu, maxpool 2, linear 10", fmt(spsOurs), fmt(spsTf), (spsOurs / spsTf).toFixed(0) + "x", "cannot train"]],
  );
  console.log(`tfjs-wasm: ${wasmError}`);
  console.log(`(medians of ${runs} epochs of ${N_OURS} samples for neurite and ${tfRuns} of ${N_TF} for tfjs-cpu, interleaved; ` +
    `bar: 100x tfjs-cpu. PyTorch 1.13 one thread, measured before on this machine: ${fmt(PYTORCH_QUOTED)} samples/s, ` +
    `neurite at ${(spsOurs / PYTORCH_QUOTED).toFixed(2)}x of it)`);
  tf.dispose([tx, ty]);
  tm.dispose?.();
  nt.dispose([xs, ys]);
  model.dispose();
  opt.dispose?.();
}
