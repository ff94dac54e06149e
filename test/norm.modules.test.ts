// nn.BatchNorm1d / BatchNorm2d / LayerNorm and the batchNorm / layerNorm ops beyond the PyTorch fixtures:
// defaults and state-dict keys, hand-derived cases, train/eval behaviour, errors, memory, and
// saveModel/loadModel round trips (including hostile configs).
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";

const { nn, io } = nt;
const close = (got: ArrayLike<number>, want: number[], tol = 1e-6) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i] - w), `[${i}]: ${got[i]} vs ${w}`).toBeLessThanOrEqual(tol));
};

/** fn must throw an Error matching `pattern`, leaving live tensors and bytes as they were. */
function expectCleanError(fn: () => unknown, pattern: RegExp) {
  const before = nt.memory();
  expect(fn).toThrow(pattern);
  expect(nt.memory().liveTensors).toBe(before.liveTensors);
  expect(nt.memory().liveBytes).toBe(before.liveBytes);
}

describe("BatchNorm modules", () => {
  it("have PyTorch's parameters, buffers and state-dict keys", () => {
    const bn = new nn.BatchNorm1d(4);
    expect(Object.keys(bn.stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    expect(bn.parameters().length).toBe(2);
    expect(bn.buffers().length).toBe(3);
    expect([...bn.weight!.data()]).toEqual([1, 1, 1, 1]);
    expect([...bn.bias!.data()]).toEqual([0, 0, 0, 0]);
    expect([...bn.runningMean!.data()]).toEqual([0, 0, 0, 0]);
    expect([...bn.runningVar!.data()]).toEqual([1, 1, 1, 1]);
    expect(bn.numBatchesTracked!.shape).toEqual([]);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    expect(bn.buffers().every((b) => !b.requiresGrad)).toBe(true);
    expect(String(bn)).toBe("BatchNorm1d(4, eps=0.00001, momentum=0.1, affine=true, track_running_stats=true)");
    bn.dispose();

    const plain = new nn.BatchNorm2d(3, { affine: false, trackRunningStats: false });
    expect(Object.keys(plain.stateDict())).toEqual([]);
    expect(plain.weight).toBeNull();
    expect(plain.runningMean).toBeNull();
    const noAffine = new nn.BatchNorm2d(3, { affine: false });
    expect(Object.keys(noAffine.stateDict())).toEqual(["running_mean", "running_var", "num_batches_tracked"]);
    noAffine.dispose();
  });

  it("hand-derived: x = [[1], [3]] in train mode", () => {
    nt.scope(() => {
      const bn = new nn.BatchNorm1d(1);
      // mean 2, biased variance 1 -> y = (x - 2) / sqrt(1 + 1e-5); unbiased variance 2 goes into running_var:
      // running_mean = 0.9·0 + 0.1·2 = 0.2, running_var = 0.9·1 + 0.1·2 = 1.1
      const y = bn(nt.tensor([[1], [3]])) as Tensor;
      const s = 1 / Math.sqrt(1 + 1e-5);
      close(y.data(), [-s, s]);
      close(bn.runningMean!.data(), [0.2]);
      close(bn.runningVar!.data(), [1.1]);
      expect(bn.numBatchesTracked!.item()).toBe(1);
      // eval mode: (x - 0.2) / sqrt(1.1 + 1e-5), statistics untouched
      bn.eval();
      close((bn(nt.tensor([[1.2]])) as Tensor).data(), [1 / Math.sqrt(1.1 + 1e-5)]);
      close(bn.runningMean!.data(), [0.2]);
      expect(bn.numBatchesTracked!.item()).toBe(1);
      bn.dispose();
    });
  });

  it("hand-derived backward: the gradient of sum(y) through batch statistics is zero", () => {
    nt.scope(() => {
      // Σ_i y_i = w·Σ x̂_i + N·b and Σ x̂_i = 0 for any x, so d/dx = 0, d/dw = Σ x̂ = 0, d/db = N.
      const bn = new nn.BatchNorm1d(2);
      const x = nt.tensor([[1, -2], [4, 0.5], [2, 7]], undefined, { requiresGrad: true });
      (bn(x) as Tensor).sum().backward();
      close(x.grad!.data(), [0, 0, 0, 0, 0, 0], 1e-6);
      close(bn.weight!.grad!.data(), [0, 0], 1e-6);
      close(bn.bias!.grad!.data(), [3, 3]);
      bn.dispose();
    });
  });

  it("momentum null averages every batch equally", () => {
    nt.scope(() => {
      const bn = new nn.BatchNorm1d(1, { momentum: null });
      for (const batch of [[[0], [2]], [[4], [6]], [[8], [10]]]) bn(nt.tensor(batch));
      close(bn.runningMean!.data(), [5], 1e-6); // (1 + 5 + 9) / 3
      close(bn.runningVar!.data(), [2], 1e-6); // every batch has unbiased variance 2
      expect(bn.numBatchesTracked!.item()).toBe(3);
      bn.dispose();
    });
  });

  it("without running statistics eval mode uses the batch's own", () => {
    nt.scope(() => {
      const bn = new nn.BatchNorm1d(2, { trackRunningStats: false }).eval();
      const y = bn(nt.tensor([[1, 10], [3, 30]])) as Tensor;
      const s = 1 / Math.sqrt(1 + 1e-5), t = 1 / Math.sqrt(100 + 1e-5);
      close(y.data(), [-s, -10 * t, s, 10 * t], 1e-5);
      bn.dispose();
    });
  });

  it("refuse bad inputs and options with clear errors, changing nothing", () => {
    const bn = new nn.BatchNorm1d(3);
    expectCleanError(() => nt.scope(() => bn(nt.zeros([2, 3, 4, 5]))), /nn\.BatchNorm1d: expected 2-D \[N, C\] or 3-D \[N, C, L\] input, got \[2, 3, 4, 5\]/);
    expectCleanError(() => nt.scope(() => bn(nt.zeros([2, 4]))), /nn\.BatchNorm1d: input \[2, 4\] has 4 channels \(dim 1\), expected numFeatures = 3/);
    expectCleanError(() => nt.scope(() => bn(nt.zeros([1, 3]))), /batchNorm: expected more than 1 value per channel when training, got input \[1, 3\]/);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    expectCleanError(() => nt.scope(() => new nn.BatchNorm2d(3)(nt.zeros([2, 3]))), /nn\.BatchNorm2d: expected 4-D \[N, C, H, W\] input, got \[2, 3\]/);
    expect(() => bn("x" as any)).toThrow(/nn\.BatchNorm1d: input must be a Tensor, got string x/);
    expect(() => new nn.BatchNorm1d(0)).toThrow(/nn\.BatchNorm1d: numFeatures must be a positive integer, got number 0/);
    expect(() => new nn.BatchNorm2d(2, { momentum: "0.1" as any })).toThrow(/nn\.BatchNorm2d: momentum must be a finite number or null, got string 0.1/);
    expect(() => new nn.BatchNorm1d(2, { eps: -1 })).toThrow(/nn\.BatchNorm1d: eps must be a finite number >= 0, got number -1/);
    expect(() => new nn.BatchNorm1d(2, { affine: 1 as any })).toThrow(/nn\.BatchNorm1d: affine must be a boolean, got number 1/);
    bn.dispose();
  });

  it("a training step leaves live tensors and bytes as they were (saved statistics are freed)", () => {
    const model = new nn.Sequential(new nn.Linear(5, 6), new nn.BatchNorm1d(6), new nn.ReLU(), new nn.Linear(6, 2), new nn.LayerNorm(2));
    const opt = new nt.optim.Adam(model.parameters(), { lr: 0.01 });
    const x = nt.keep(nt.randn([8, 5]));
    const step = () =>
      nt.scope(() => {
        opt.zeroGrad();
        (model(x) as Tensor).pow(2).mean().backward();
        opt.step();
      });
    step(); // creates gradients and optimizer state
    const before = nt.memory();
    for (let i = 0; i < 3; i++) step();
    expect(nt.memory().liveTensors).toBe(before.liveTensors);
    expect(nt.memory().liveBytes).toBe(before.liveBytes);
    model.eval();
    nt.scope(() => model(x));
    expect(nt.memory().liveBytes).toBe(before.liveBytes);
    x.dispose();
    model.dispose();
  });
});

describe("batchNorm and layerNorm ops: errors name the op, the argument and the shapes", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["1-D input", () => nt.batchNorm(nt.zeros([4]), null, null, { training: true }), /batchNorm: input must be at least 2-D \[N, C, \.\.\.\], got \[4\]/],
    ["running mean of the wrong size", () => nt.batchNorm(nt.zeros([2, 3]), nt.zeros([4]), nt.ones([4])), /batchNorm: runningMean \[4\] must be \[3\] \(the channels of input \[2, 3\]\)/],
    ["only one running statistic", () => nt.batchNorm(nt.zeros([2, 3]), nt.zeros([3]), null), /batchNorm: pass both runningMean and runningVar or neither/],
    ["eval without running statistics", () => nt.batchNorm(nt.zeros([2, 3])), /batchNorm: eval mode \(training false\) needs runningMean and runningVar/],
    ["weight of the wrong shape", () => nt.batchNorm(nt.zeros([2, 3, 4]), null, null, { training: true, weight: nt.ones([3, 1]) }), /batchNorm: weight \[3, 1\] must be \[3\]/],
    ["NaN momentum", () => nt.batchNorm(nt.zeros([2, 3]), null, null, { training: true, momentum: NaN }), /batchNorm: momentum must be a finite number, got number NaN/],
    ["negative eps", () => nt.batchNorm(nt.zeros([2, 3]), null, null, { training: true, eps: -1 }), /batchNorm: eps must be a finite number >= 0/],
    ["training not a boolean", () => nt.batchNorm(nt.zeros([2, 3]), null, null, { training: 1 as any }), /batchNorm: training must be a boolean, got number 1/],
    ["layerNorm shape mismatch", () => nt.layerNorm(nt.zeros([2, 3, 4]), [3]), /layerNorm: input \[2, 3, 4\] does not end in normalizedShape \[3\]/],
    ["layerNorm bad normalizedShape", () => nt.layerNorm(nt.zeros([2, 3]), [0]), /layerNorm: normalizedShape must be a positive integer or a non-empty array of them, got array \[0\]/],
    ["layerNorm weight shape", () => nt.layerNorm(nt.zeros([2, 3, 4]), [3, 4], { weight: nt.ones([12]) }), /layerNorm: weight \[12\] must have normalizedShape \[3, 4\]/],
    ["disposed input", () => { const x = nt.zeros([2, 3]); x.dispose(); return nt.layerNorm(x, 3); }, /layerNorm: input \(shape \[2, 3\]\) was disposed/],
  ];
  for (const [name, fn, pattern] of cases) it(name, () => expect(() => nt.scope(fn)).toThrow(pattern));
});

describe("LayerNorm module", () => {
  it("defaults, state-dict keys and a hand-derived case", () => {
    nt.scope(() => {
      const ln = new nn.LayerNorm([2, 3]);
      expect(Object.keys(ln.stateDict())).toEqual(["weight", "bias"]);
      expect(ln.weight!.shape).toEqual([2, 3]);
      expect(String(ln)).toBe("LayerNorm((2, 3), eps=0.00001, elementwise_affine=true)");
      expect(String(new nn.LayerNorm(5))).toBe("LayerNorm((5,), eps=0.00001, elementwise_affine=true)");
      // rows [1, 2, 3]: mean 2, biased variance 2/3
      const y = new nn.LayerNorm(3, { elementwiseAffine: false })(nt.tensor([[1, 2, 3]])) as Tensor;
      const s = 1 / Math.sqrt(2 / 3 + 1e-5);
      close(y.data(), [-s, 0, s]);
      // train and eval mode are the same for layer norm
      const x = nt.randn([4, 2, 3]);
      const a = (ln(x) as Tensor).data();
      ln.eval();
      expect((ln(x) as Tensor).data()).toEqual(a);
      ln.dispose();
    });
  });

  it("refuses bad arguments", () => {
    expect(() => new nn.LayerNorm([])).toThrow(/nn\.LayerNorm: normalizedShape must be a positive integer or a non-empty array of them/);
    expect(() => new nn.LayerNorm([3, 0])).toThrow(/nn\.LayerNorm: normalizedShape\[1\] must be a positive integer, got number 0/);
    expect(() => new nn.LayerNorm(3, { elementwiseAffine: "no" as any })).toThrow(/nn\.LayerNorm: elementwiseAffine must be a boolean/);
  });
});

describe("saveModel / loadModel", () => {
  it("round-trips a trained model with batch norm and layer norm: same weights, buffers, modes and outputs", () => {
    nt.manualSeed(3);
    const model = new nn.Sequential(
      new nn.Linear(4, 6), new nn.BatchNorm1d(6, { momentum: null }), new nn.ReLU(),
      new nn.Linear(6, 3), new nn.LayerNorm(3, { eps: 1e-3 }),
    );
    const opt = new nt.optim.SGD(model.parameters(), { lr: 0.1 });
    for (let i = 0; i < 3; i++) {
      nt.scope(() => {
        opt.zeroGrad();
        (model(nt.randn([8, 4])) as Tensor).pow(2).mean().backward();
        opt.step();
      });
    }
    model.eval();
    const bytes = io.saveModel(model);
    const loaded = io.loadModel(bytes) as nt.nn.Sequential;
    expect(loaded.training).toBe(false);
    const bn = loaded.at(1) as nt.nn.BatchNorm1d;
    expect(bn).toBeInstanceOf(nn.BatchNorm1d);
    expect(bn.momentum).toBeNull();
    expect(bn.numBatchesTracked!.item()).toBe(3);
    expect((loaded.at(4) as nt.nn.LayerNorm).eps).toBe(1e-3);
    const a = model.stateDict(), b = loaded.stateDict();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) expect(b[k].data(), k).toEqual(a[k].data());
    nt.scope(() => {
      const x = nt.randn([5, 4]);
      expect((loaded(x) as Tensor).data()).toEqual((model(x) as Tensor).data());
    });
    model.dispose();
    loaded.dispose();
  });

  it("round-trips BatchNorm2d without affine or running statistics", () => {
    for (const options of [{ affine: false }, { trackRunningStats: false }, { eps: 0.01, momentum: 0.5 }]) {
      const m = new nn.BatchNorm2d(3, options);
      const loaded = io.loadModel(io.saveModel(m)) as nt.nn.BatchNorm2d;
      expect(loaded).toBeInstanceOf(nn.BatchNorm2d);
      expect([loaded.affine, loaded.trackRunningStats, loaded.eps, loaded.momentum]).toEqual([m.affine, m.trackRunningStats, m.eps, m.momentum]);
      m.dispose();
      loaded.dispose();
    }
  });

  it("refuses hostile norm configs before allocating", () => {
    const bytes = io.saveModel(new nn.Sequential(new nn.BatchNorm1d(2)));
    const header = io.readSafetensorsHeader(bytes);
    const withArch = (arch: unknown) =>
      nt.scope(() => io.saveSafetensors(io.loadSafetensors(bytes), { ...header.metadata!, architecture: JSON.stringify(arch) }));
    const seq = (node: object) => ({ type: "Sequential", config: {}, children: [node] });
    const cases: [unknown, RegExp][] = [
      [seq({ type: "BatchNorm1d", config: { numFeatures: 100000000 } }), /module '0' \(BatchNorm1d\) needs 400000001 parameters/],
      [seq({ type: "BatchNorm1d", config: { numFeatures: 2, momentum: "x" } }), /module '0' \(BatchNorm1d\): config\.momentum must be a finite number or null, got string/],
      [seq({ type: "BatchNorm1d", config: { numFeatures: 2, eps: -1 } }), /config\.eps must be a finite number >= 0/],
      [seq({ type: "BatchNorm2d", config: { numFeatures: 2, extra: 1 } }), /config has an unknown key "extra"/],
      [seq({ type: "LayerNorm", config: { normalizedShape: [65536, 65536] } }), /module '0' \(LayerNorm\): config\.normalizedShape has more than/],
      [seq({ type: "LayerNorm", config: { normalizedShape: [2.5] } }), /config\.normalizedShape must hold positive integers, got number 2.5/],
      [seq({ type: "LayerNorm", config: { normalizedShape: 5 } }), /config\.normalizedShape must be an array/],
    ];
    for (const [arch, pattern] of cases) expectCleanError(() => io.loadModel(withArch(arch)), pattern);
  });
});
