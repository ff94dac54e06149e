// The one training run every runtime does (Node, Deno, workerd, a Chromium page and worker).
// It takes the loaded neurite namespace, so each runtime brings its own import and ready() call.
// Everything it computes comes from fixed seeds and integer arithmetic or the wasm core, so the
// same build must give the same bits everywhere: the checksum is FNV-1a over the float32 bytes
// of the trained state dict (keys in order), and the test compares it across runtimes.

/** 32-bit FNV-1a over the bytes of a Float32Array, continuing from `hash`. */
export function fnv1a(f32, hash = 0x811c9dc5) {
  const bytes = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
  return hash >>> 0;
}

const hex = (h) => h.toString(16).padStart(8, "0");

/** Points in [-1, 1)² from an integer LCG; label 1 inside the circle x² + y² < 0.5. */
function circle(n, seed) {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1; // exact in f64
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.fround(next());
    const b = Math.fround(next());
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = a * a + b * b < 0.5 ? 1 : 0;
  }
  return { x, y };
}

/**
 * Train a 2-16-16-1 MLP (Tanh, ReLU) with Adam and BCE-with-logits on 128 points for 40 epochs
 * of shuffled batches of 16, then predict 64 held-out points.
 * Returns { checksum, predictions, loss, accuracy, params } (checksums as 8 hex digits).
 */
export async function trainMlp(nt) {
  const { nn, optim } = nt;
  nt.manualSeed(1234);
  const train = circle(128, 7);
  const test = circle(64, 99);
  const model = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 16), new nn.ReLU(), new nn.Linear(16, 1));
  const xs = nt.tensor(train.x, [128, 2]);
  const ys = nt.tensor(train.y, [128, 1]);
  const xt = nt.tensor(test.x, [64, 2]);
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.02 });
  const history = await nt.fit(model, {
    x: xs,
    y: ys,
    loss: new nn.BCEWithLogitsLoss(),
    optimizer,
    epochs: 40,
    batchSize: 16,
    shuffle: true,
    seed: 5,
  });
  let checksum = 0x811c9dc5;
  let params = 0;
  for (const [, t] of Object.entries(model.stateDict())) {
    const data = t.data();
    checksum = fnv1a(data, checksum);
    params += data.length;
  }
  const out = nt.predict(model, xt);
  const logits = out.data();
  optimizer.dispose();
  for (const t of [xs, ys, xt, out, ...model.parameters()]) t.dispose();
  let correct = 0;
  for (let i = 0; i < 64; i++) correct += (logits[i] > 0 ? 1 : 0) === test.y[i] ? 1 : 0;
  return {
    checksum: hex(checksum),
    predictions: hex(fnv1a(logits)),
    loss: history.history.loss.at(-1),
    firstLoss: history.history.loss[0],
    accuracy: correct / 64,
    params,
  };
}
