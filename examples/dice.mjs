// "Big or small": roll three dice; a sum of 11 or more is big. One neuron (a linear layer and
// a sigmoid) learns the rule from every one of the 216 rolls.
import * as nt from "../dist/neurite.js";

await nt.ready();
nt.manualSeed(0);
const rolls = [];
const big = [];
for (let a = 1; a <= 6; a++) for (let b = 1; b <= 6; b++) for (let c = 1; c <= 6; c++) {
  rolls.push([a, b, c]);
  big.push([a + b + c >= 11 ? 1 : 0]);
}
// Scale the faces to [0, 1] so a plain learning rate suits every weight.
const x = nt.tensor(rolls).sub(1).div(5);
const y = nt.tensor(big);
const neuron = new nt.nn.Linear(3, 1);
await nt.fit(neuron, {
  x, y,
  loss: new nt.nn.BCEWithLogitsLoss(),
  optimizer: new nt.optim.Adam(neuron.parameters(), { lr: 0.1 }),
  epochs: 400,
  batchSize: 216,
  metrics: ["binaryAccuracy"],
});
const logits = nt.predict(neuron, x);
const accuracy = nt.metrics.binaryAccuracy(nt.sigmoid(logits), y);
const [w1, w2, w3] = neuron.weight.data();
console.log(`weights ${w1.toFixed(2)} ${w2.toFixed(2)} ${w3.toFixed(2)}  bias ${neuron.bias.item().toFixed(2)}`);
console.log(`accuracy over all 216 rolls: ${(accuracy * 100).toFixed(1)}%`);
const p = nt.sigmoid(neuron(nt.tensor([[6, 5, 1]]).sub(1).div(5))).item();
console.log(`roll 6+5+1 = 12: P(big) = ${p.toFixed(3)}`);
console.log(JSON.stringify({ accuracy }));
