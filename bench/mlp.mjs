// MLP training and inference: neurite against TensorFlow.js (tfjs-layers on the wasm and cpu
// backends) in the same process. 784-128-64-10 ReLU, softmax cross-entropy, Adam, batch 64,
// 10,000 samples of random data (the same arrays for every library).

const N = 10000;
const BATCH = 64;

function neuriteModel(nt) {
  const { nn } = nt;
  nt.manualSeed(0);
  return new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));
}

async function tfModel(tf) {
  const tfl = await import("@tensorflow/tfjs-layers");
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 128, activation: "relu" }),
      tfl.layers.dense({ units: 64, activation: "relu" }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  });
  return model;
}

/** Median seconds of `runs` calls of an async fn (after one warm-up call). */
async function timeAsync(fn, runs, median) {
  await fn();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push((performance.now() - t0) / 1e3);
  }
  return median(t);
}

export async function run(ctx) {
  const nt = await ctx.neurite();
  if (!nt?.fit || !nt?.optim?.Adam) {
    console.log("(dist/neurite.js lacks fit or optim.Adam: build first)");
    return;
  }
  const { x, y } = ctx.classificationData(N, 784, 10);
  const runs = Number(process.env.BENCH_RUNS ?? 3);

  // ---- training throughput (one epoch of fit over N samples) ----
  const xs = nt.keep(nt.tensor(x, [N, 784]));
  const ys = nt.keep(nt.tensor(y, [N]));
  const model = neuriteModel(nt);
  const opt = new nt.optim.Adam(model.parameters(), { lr: 1e-3 });
  const loss = new nt.nn.CrossEntropyLoss();
  const ours = await timeAsync(
    () => nt.fit(model, { x: xs, y: ys, loss, optimizer: opt, epochs: 1, batchSize: BATCH, shuffle: true }),
    runs,
    ctx.median,
  );

  const peers = {};
  const oneHot = ctx.oneHot(y, 10);
  for (const backend of ["wasm", "cpu"]) {
    const tf = await ctx.tf(backend);
    const m = await tfModel(tf);
    const tx = tf.tensor2d(x, [N, 784]);
    const ty = tf.tensor2d(oneHot, [N, 10]);
    const r = backend === "cpu" ? 1 : runs;
    peers[backend] = await timeAsync(() => m.fit(tx, ty, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 }), r, ctx.median);
    // ---- inference: batch-1 latency and batch-256 throughput, reading the result back ----
    const t1 = tf.tensor2d(x.subarray(0, 784), [1, 784]);
    const t256 = tf.tensor2d(x.subarray(0, 256 * 784), [256, 784]);
    peers[`${backend}-lat`] = ctx.measure(() => {
      const p = m.predict(t1);
      p.dataSync();
      p.dispose();
    });
    peers[`${backend}-thr`] = ctx.measure(() => {
      const p = m.predict(t256);
      p.dataSync();
      p.dispose();
    });
    tf.dispose([tx, ty, t1, t256]);
    m.dispose?.();
  }

  model.eval();
  const x1 = nt.keep(nt.tensor(x.subarray(0, 784), [1, 784]));
  const x256 = nt.keep(nt.tensor(x.subarray(0, 256 * 784), [256, 784]));
  const infer = (inp) => () => nt.scope(() => nt.noGrad(() => model(inp).data()));
  const lat = ctx.measure(infer(x1));
  const thr = ctx.measure(infer(x256));

  const sps = (sec) => Math.round(N / sec);
  const rows = [
    ["train samples/s (fit, Adam, batch 64)", sps(ours).toLocaleString("en-US"), sps(peers.wasm).toLocaleString("en-US"),
      sps(peers.cpu).toLocaleString("en-US"), (peers.wasm / ours).toFixed(2) + "x", (peers.cpu / ours).toFixed(1) + "x"],
    ["inference batch 1, ms", (lat * 1e3).toFixed(4), (peers["wasm-lat"] * 1e3).toFixed(4), (peers["cpu-lat"] * 1e3).toFixed(4),
      (peers["wasm-lat"] / lat).toFixed(2) + "x", (peers["cpu-lat"] / lat).toFixed(1) + "x"],
    ["inference batch 256, samples/s", Math.round(256 / thr).toLocaleString("en-US"), Math.round(256 / peers["wasm-thr"]).toLocaleString("en-US"),
      Math.round(256 / peers["cpu-thr"]).toLocaleString("en-US"), (peers["wasm-thr"] / thr).toFixed(2) + "x", (peers["cpu-thr"] / thr).toFixed(1) + "x"],
  ];
  ctx.table(["MLP 784-128-64-10", "neurite", "tfjs-wasm", "tfjs-cpu", "vs wasm", "vs cpu"], rows);
  console.log(`(ratios: how many times faster neurite is; medians of ${runs} epochs of ${N} samples; tfjs-cpu 1 epoch)`);
  nt.dispose([xs, ys, x1, x256]);
  model.dispose();
  opt.dispose?.();
}
