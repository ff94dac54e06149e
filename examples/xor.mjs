// XOR with a 2-layer ReLU network: the classic problem a single neuron cannot solve.
import * as nt from "../dist/neurite.js";

await nt.ready();
nt.manualSeed(1);
const x = nt.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = nt.tensor([[0], [1], [1], [0]]);
const model = new nt.nn.Sequential(new nt.nn.Linear(2, 8), new nt.nn.ReLU(), new nt.nn.Linear(8, 1));
const history = await nt.fit(model, {
  x, y,
  loss: new nt.nn.BCEWithLogitsLoss(),
  optimizer: new nt.optim.Adam(model.parameters(), { lr: 0.05 }),
  epochs: 300,
  batchSize: 4,
});
const p = nt.sigmoid(nt.predict(model, x)).data();
console.log("input  target  prediction");
[[0, 0], [0, 1], [1, 0], [1, 1]].forEach(([a, b], i) => console.log(`${a} ${b}    ${a ^ b}       ${p[i].toFixed(3)}`));
console.log(`final loss ${history.history.loss.at(-1).toFixed(4)}`);
console.log(JSON.stringify({ predictions: Array.from(p), loss: history.history.loss.at(-1) }));
