// Regression: fit y = sin(2x) + 0.3x on [-3, 3] from noisy samples with a small tanh network.
import * as nt from "../dist/neurite.js";

await nt.ready();
nt.manualSeed(0);
const n = 256;
const xs = nt.arange(-3, 3, 6 / n).reshape(n, 1);
const xData = xs.data();
const yData = Float32Array.from(xData, (v) => Math.sin(2 * v) + 0.3 * v);
const noise = nt.randn([n], { std: 0.05 }).data();
const y = nt.tensor(yData.map((v, i) => v + noise[i]), [n, 1]);
const model = new nt.nn.Sequential(new nt.nn.Linear(1, 32), new nt.nn.Tanh(), new nt.nn.Linear(32, 32), new nt.nn.Tanh(), new nt.nn.Linear(32, 1));
const history = await nt.fit(model, {
  x: xs, y,
  loss: new nt.nn.MSELoss(),
  optimizer: new nt.optim.Adam(model.parameters(), { lr: 0.01 }),
  epochs: 300,
  batchSize: 32,
  seed: 0,
});
const pred = nt.predict(model, xs).data();
let mse = 0;
for (let i = 0; i < n; i++) mse += (pred[i] - yData[i]) ** 2;
mse /= n;
console.log(`MSE against the clean curve: ${mse.toFixed(5)} (noise variance 0.0025); first epoch loss ${history.history.loss[0].toFixed(3)}`);
for (const v of [-2.5, -1, 0, 1, 2.5]) {
  const p = nt.predict(model, nt.tensor([[v]])).item();
  console.log(`x=${v.toFixed(1).padStart(4)}  true ${(Math.sin(2 * v) + 0.3 * v).toFixed(3).padStart(6)}  predicted ${p.toFixed(3).padStart(6)}`);
}
console.log(JSON.stringify({ mse }));
