// A generative adversarial network that learns a 2-D distribution: a ring of 8 Gaussians (radius 2,
// std 0.05). The generator (noise -> point) and the discriminator (point -> logit) are separate modules with
// their own Adam optimizers; each step trains the discriminator on real points against detached fakes, then
// the generator (with the discriminator frozen) to make the discriminator call its points real, both with
// BCEWithLogits losses. Prints how many of the 8 modes the generated points cover and how far they lie from
// the nearest mode, before and after training, and writes out/gan.svg with the generated points at several
// stages beside the real ones. The last line is JSON.
import { mkdirSync, writeFileSync } from "node:fs";
import * as nt from "../dist/neurite.js";
import { scatterPanelsSvg } from "./lib/svg-scatter.mjs";
import { mulberry32 } from "./lib/prng.mjs";
import { exampleArgs } from "./lib/cli.mjs";

const HELP = `Usage: node examples/gan.mjs [options]

Options:
  --steps <n>        training steps (default 3000)
  --batch-size <n>   real and fake points per step (default 256)
  --hidden <n>       hidden width of both networks (default 128)
  --lr <x>           Adam learning rate of both optimizers (default 1e-3)
  --seed <n>         seed (default 0)
  --out <dir>        output directory (default out)
  -h, --help         show this help
`;

const { opts, int, positive } = exampleArgs(HELP, {
  steps: { type: "string", default: "3000" },
  "batch-size": { type: "string", default: "256" },
  hidden: { type: "string", default: "128" },
  lr: { type: "string", default: "1e-3" },
  seed: { type: "string", default: "0" },
  out: { type: "string", default: "out" },
});
const steps = int("steps", 1), batchSize = int("batch-size", 2), hidden = int("hidden", 1), seed = int("seed", 0);
const lr = positive("lr");

const MODES = 8, RADIUS = 2, STD = 0.05, Z = 8;
const modes = Array.from({ length: MODES }, (_, k) => [RADIUS * Math.cos((2 * Math.PI * k) / MODES), RADIUS * Math.sin((2 * Math.PI * k) / MODES)]);

const uniform = mulberry32(seed + 1);
/** n points of the ring of Gaussians as [x0, y0, x1, y1, ...]. */
function sampleReal(n) {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [mx, my] = modes[Math.floor(uniform() * MODES)];
    const r = Math.sqrt(-2 * Math.log(1 - uniform())), a = 2 * Math.PI * uniform(); // Box-Muller
    out[2 * i] = mx + STD * r * Math.cos(a);
    out[2 * i + 1] = my + STD * r * Math.sin(a);
  }
  return out;
}

/**
 * How well points match the ring: the mean distance to the nearest mode, the fraction within 3 std of a
 * mode, and the modes covered (holding at least 1% of the points within 3 std; an even spread gives 12.5%).
 */
function quality(points) {
  const n = points.length / 2;
  const near = new Array(MODES).fill(0);
  let dist = 0, good = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity, which = 0;
    for (let k = 0; k < MODES; k++) {
      const d = Math.hypot(points[2 * i] - modes[k][0], points[2 * i + 1] - modes[k][1]);
      if (d < best) [best, which] = [d, k];
    }
    dist += best;
    if (best <= 3 * STD) {
      good++;
      near[which]++;
    }
  }
  return { modesCovered: near.filter((c) => c >= 0.01 * n).length, meanDistance: dist / n, withinThreeStd: good / n };
}

await nt.ready();
nt.manualSeed(seed);
const { nn } = nt;
const generator = new nn.Sequential(
  new nn.Linear(Z, hidden), new nn.ReLU(), new nn.Linear(hidden, hidden), new nn.ReLU(), new nn.Linear(hidden, 2),
);
const discriminator = new nn.Sequential(
  new nn.Linear(2, hidden), new nn.LeakyReLU(0.2), new nn.Linear(hidden, hidden), new nn.LeakyReLU(0.2), new nn.Linear(hidden, 1),
);
const optG = new nt.optim.Adam(generator.parameters(), { lr, betas: [0.5, 0.999] });
const optD = new nt.optim.Adam(discriminator.parameters(), { lr, betas: [0.5, 0.999] });
const bce = new nn.BCEWithLogitsLoss();
const ones = nt.keep(nt.ones([batchSize, 1]));
const zeros = nt.keep(nt.zeros([batchSize, 1]));

const EVAL_POINTS = 2000;
const evalNoise = nt.keep(nt.randn([EVAL_POINTS, Z])); // the same noise at every stage, so the panels compare
const generate = () => nt.scope(() => nt.noGrad(() => generator(evalNoise).data()));

const started = performance.now();
console.log(`GAN on a ring of ${MODES} Gaussians (radius ${RADIUS}, std ${STD}): ${steps} steps, batch ${batchSize}, hidden ${hidden}, Adam lr ${lr}`);
const before = quality(generate());
console.log(`before training: ${before.modesCovered}/${MODES} modes covered, mean distance to the nearest mode ${before.meanDistance.toFixed(3)}, ${(100 * before.withinThreeStd).toFixed(1)}% within 3 std`);

const stages = [...new Set([0, 0.05, 0.15, 0.4, 1].map((f) => Math.round(f * steps)))];
const snapshots = [{ step: 0, points: generate() }];
for (let step = 1; step <= steps; step++) {
  const [lossD, lossG] = nt.scope(() => {
    // discriminator: real points -> 1, detached generated points -> 0
    const real = nt.tensor(sampleReal(batchSize), [batchSize, 2]);
    const fake = nt.noGrad(() => generator(nt.randn([batchSize, Z])));
    optD.zeroGrad();
    const dLoss = bce(discriminator(real), ones).add(bce(discriminator(fake), zeros));
    dLoss.backward();
    optD.step();
    // generator: make the (frozen) discriminator call fresh generated points real
    discriminator.requiresGrad_(false);
    optG.zeroGrad();
    const gLoss = bce(discriminator(generator(nt.randn([batchSize, Z]))), ones);
    gLoss.backward();
    optG.step();
    discriminator.requiresGrad_(true);
    return [dLoss.item(), gLoss.item()];
  });
  if (stages.includes(step)) {
    const points = generate();
    snapshots.push({ step, points });
    const q = quality(points);
    console.log(`step ${String(step).padStart(String(steps).length)}/${steps}  D loss ${lossD.toFixed(3)}  G loss ${lossG.toFixed(3)}  modes ${q.modesCovered}/${MODES}  mean distance ${q.meanDistance.toFixed(3)}`);
  }
}
const after = quality(snapshots[snapshots.length - 1].points);
const seconds = (performance.now() - started) / 1000;

const SHOW = 600; // points per panel
const realShown = sampleReal(SHOW);
const panels = [{ title: "real data", series: [{ points: realShown, color: "#444" }] }];
for (const s of snapshots) {
  const q = quality(s.points);
  panels.push({
    title: `step ${s.step}: ${q.modesCovered}/${MODES} modes, dist ${q.meanDistance.toFixed(2)}`,
    series: [{ points: realShown, color: "#bbb", opacity: 0.5 }, { points: s.points.subarray(0, 2 * SHOW), color: "#d62728" }],
  });
}
mkdirSync(opts.out, { recursive: true });
const svgPath = `${opts.out}/gan.svg`;
writeFileSync(svgPath, scatterPanelsSvg(panels, {
  title: `GAN on a ring of ${MODES} Gaussians: generated points (red) over training, real points grey`,
  caption: `modes covered: a mode holding >= 1% of ${EVAL_POINTS} generated points within 3 std (${(3 * STD).toFixed(2)}); dist: mean distance to the nearest mode`,
}));
console.log(`after training:  ${after.modesCovered}/${MODES} modes covered, mean distance to the nearest mode ${after.meanDistance.toFixed(3)}, ${(100 * after.withinThreeStd).toFixed(1)}% within 3 std`);
console.log(`wrote ${svgPath}  (${seconds.toFixed(1)} s of training)`);
console.log(JSON.stringify({ before, after, steps, svg: svgPath }));
