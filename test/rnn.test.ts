// nn.RNN / nn.LSTM / nn.GRU behaviour beyond the PyTorch fixtures (test/rnn.fixtures.test.ts):
// parameters and init, shapes for every layout, a hand-derived LSTM case, errors that name the op
// and shapes, gradient clipping on recurrent parameters (clipGradNorm_, clipGradValue_, fit's
// options), dropout between layers, retained graphs, memory across training steps, save/load.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";

const { nn } = nt;

function withModel<M extends nt.nn.Module>(m: M, fn: (m: M) => void): void {
  try {
    nt.scope(() => fn(m));
  } finally {
    m.dispose();
  }
}

describe("parameters", () => {
  it("have PyTorch's names, shapes and order", () => {
    withModel(new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true }), (m) => {
      expect(m.namedParameters().map(([k, p]) => `${k}:${p.shape.join("x")}`)).toEqual([
        "weight_ih_l0:20x3", "weight_hh_l0:20x5", "bias_ih_l0:20", "bias_hh_l0:20",
        "weight_ih_l0_reverse:20x3", "weight_hh_l0_reverse:20x5", "bias_ih_l0_reverse:20", "bias_hh_l0_reverse:20",
        "weight_ih_l1:20x10", "weight_hh_l1:20x5", "bias_ih_l1:20", "bias_hh_l1:20",
        "weight_ih_l1_reverse:20x10", "weight_hh_l1_reverse:20x5", "bias_ih_l1_reverse:20", "bias_hh_l1_reverse:20",
      ]);
      expect(m.allWeights.length).toBe(4);
      expect(m.allWeights[2][0]).toBe(m.stateDict().weight_ih_l1);
    });
    withModel(new nn.GRU(4, 6, { bias: false }), (m) => {
      expect(m.namedParameters().map(([k, p]) => `${k}:${p.shape.join("x")}`)).toEqual(["weight_ih_l0:18x4", "weight_hh_l0:18x6"]);
    });
    withModel(new nn.RNN(2, 7, { nonlinearity: "relu" }), (m) => {
      expect(m.namedParameters().map(([k, p]) => `${k}:${p.shape.join("x")}`)).toEqual([
        "weight_ih_l0:7x2", "weight_hh_l0:7x7", "bias_ih_l0:7", "bias_hh_l0:7",
      ]);
      expect(m.nonlinearity).toBe("relu");
      expect(m.toString()).toBe("RNN(2, 7, nonlinearity='relu')");
    });
  });

  it("are initialized from U(-1/sqrt(hidden), 1/sqrt(hidden)) (PyTorch's reset_parameters)", () => {
    nt.manualSeed(3);
    withModel(new nn.LSTM(10, 25), (m) => {
      const bound = 1 / 5;
      for (const p of m.parameters()) {
        const v = p.data();
        const max = Math.max(...v.map(Math.abs));
        expect(max).toBeLessThanOrEqual(bound);
        expect(max).toBeGreaterThan(bound * 0.9); // many draws: the range is used, not a narrower one
        const mean = v.reduce((a, b) => a + b, 0) / v.length;
        expect(Math.abs(mean)).toBeLessThan(bound * 0.2);
      }
    });
  });
});

describe("shapes", () => {
  const cases: [string, nt.nn.RNNBaseOptions, number[], number[], number[]][] = [
    // options, input, output, h_n
    ["seq-first", {}, [7, 3, 4], [7, 3, 6], [1, 3, 6]],
    ["batchFirst", { batchFirst: true }, [3, 7, 4], [3, 7, 6], [1, 3, 6]],
    ["2 layers bidirectional", { numLayers: 2, bidirectional: true }, [7, 3, 4], [7, 3, 12], [4, 3, 6]],
    ["bidirectional batchFirst", { bidirectional: true, batchFirst: true }, [3, 7, 4], [3, 7, 12], [2, 3, 6]],
    ["unbatched", { numLayers: 3 }, [7, 4], [7, 6], [3, 6]],
    ["unbatched ignores batchFirst", { batchFirst: true, bidirectional: true }, [7, 4], [7, 12], [2, 6]],
    ["batch 0", { numLayers: 2 }, [7, 0, 4], [7, 0, 6], [2, 0, 6]],
  ];
  for (const [name, opts, inShape, outShape, hShape] of cases) {
    it(name, () => {
      for (const cls of [nn.RNN, nn.GRU]) {
        withModel(new cls(4, 6, opts), (m) => {
          const [out, hN] = m(nt.randn(inShape));
          expect(out.shape).toEqual(outShape);
          expect(hN.shape).toEqual(hShape);
        });
      }
      withModel(new nn.LSTM(4, 6, opts), (m) => {
        const [out, [hN, cN]] = m(nt.randn(inShape));
        expect(out.shape).toEqual(outShape);
        expect(hN.shape).toEqual(hShape);
        expect(cN.shape).toEqual(hShape);
      });
    });
  }

  it("h_n is the last step of the output (forward) and the first step (reverse direction)", () => {
    withModel(new nn.GRU(3, 4, { bidirectional: true }), (m) => {
      const [out, hN] = m(nt.randn([5, 2, 3]));
      const o = out.toArray() as number[][][];
      const h = hN.toArray() as number[][][];
      for (let b = 0; b < 2; b++) {
        expect(o[4][b].slice(0, 4)).toEqual(h[0][b]);
        expect(o[0][b].slice(4)).toEqual(h[1][b]);
      }
    });
  });
});

describe("a hand-derived LSTM step", () => {
  it("with zero weights and biases every gate is sigmoid(0) = 1/2 and g = tanh(0) = 0", () => {
    // c_t = f*c_{t-1} + i*g = c_{t-1}/2, so c_t = c0 / 2^t; h_t = o*tanh(c_t) = tanh(c0 / 2^t) / 2.
    withModel(new nn.LSTM(2, 3), (m) => {
      nt.noGrad(() => m.parameters().forEach((p) => p.zero_()));
      const c0 = nt.tensor([[[0.8, -1.6, 3.2]]]);
      const h0 = nt.tensor([[[5, 5, 5]]]); // h0 only enters through W_hh = 0
      const [out, [hN, cN]] = m(nt.randn([3, 1, 2]), [h0, c0]);
      const want = (t: number) => [0.8, -1.6, 3.2].map((c) => Math.tanh(c / 2 ** t) / 2);
      const o = out.toArray() as number[][][];
      for (let t = 1; t <= 3; t++) o[t - 1][0].forEach((v, j) => expect(v).toBeCloseTo(want(t)[j], 6));
      (cN.toArray() as number[][][])[0][0].forEach((v, j) => expect(v).toBeCloseTo([0.1, -0.2, 0.4][j], 6));
      (hN.toArray() as number[][][])[0][0].forEach((v, j) => expect(v).toBeCloseTo(want(3)[j], 6));
    });
  });
});

describe("errors name the op and the shapes", () => {
  it("modules", () => {
    withModel(new nn.LSTM(4, 6, { numLayers: 2 }), (m) => {
      expect(() => m(nt.randn([5, 3, 7]))).toThrow("nn.LSTM: input [5, 3, 7] must end in inputSize 4");
      expect(() => m(nt.randn([5]))).toThrow(/nn\.LSTM: input must be 3-D \[seqLen, batch, inputSize\] or 2-D \[seqLen, inputSize\], got \[5\]/);
      expect(() => m(nt.randn([0, 3, 4]))).toThrow("nn.LSTM: input [0, 3, 4] has sequence length 0");
      expect(() => m(nt.randn([5, 3, 4]), [nt.zeros([1, 3, 6]), nt.zeros([2, 3, 6])])).toThrow(
        "nn.LSTM: expected h0 of shape [2, 3, 6] for input [5, 3, 4], got [1, 3, 6]",
      );
      expect(() => m(nt.randn([5, 3, 4]), nt.zeros([2, 3, 6]) as any)).toThrow("nn.LSTM: the initial state must be [h0, c0]");
      expect(() => m(nt.randn([5, 3, 4]), [nt.zeros([2, 3, 6]), null] as any)).toThrow("nn.LSTM: pass both h0 and c0");
    });
    withModel(new nn.GRU(4, 6, { batchFirst: true }), (m) => {
      expect(() => m(nt.randn([2, 5, 4]), nt.zeros([1, 5, 6]))).toThrow("nn.GRU: expected h0 of shape [1, 2, 6] for input [2, 5, 4], got [1, 5, 6]");
      expect(() => m(nt.randn([5, 4]), nt.zeros([1, 1, 6]))).toThrow("nn.GRU: expected h0 of shape [1, 6] for input [5, 4], got [1, 1, 6]");
    });
    expect(() => new nn.RNN(4, 0)).toThrow("nn.RNN: hiddenSize must be a positive integer, got number 0");
    expect(() => new nn.RNN(4, 3, { nonlinearity: "sigmoid" as any })).toThrow('nn.RNN: nonlinearity must be "tanh" or "relu"');
    expect(() => new nn.GRU(4, 3, { dropout: 1.5 })).toThrow("nn.GRU: dropout must be a number in [0, 1], got number 1.5");
    expect(() => new nn.LSTM(4, 3, { numLayers: 1.5 })).toThrow("nn.LSTM: numLayers must be a positive integer, got number 1.5");
  });

  it("sequence ops", () => {
    nt.scope(() => {
      const x = nt.randn([5, 2, 3]);
      const h = nt.zeros([2, 4]);
      expect(() => nt.lstmSequence(x, h, h, nt.randn([16, 2]), nt.randn([16, 4]))).toThrow(
        "lstmSequence: input [5, 2, 3] has inputSize 3 but weight_ih [16, 2] expects 2",
      );
      expect(() => nt.lstmSequence(x, h, h, nt.randn([15, 3]), nt.randn([16, 4]))).toThrow(
        "lstmSequence: weight_ih must be 2-D [4*hiddenSize, inputSize], got [15, 3]",
      );
      expect(() => nt.gruSequence(x, h, nt.randn([12, 3]), nt.randn([12, 5]))).toThrow(
        "gruSequence: weight_hh must be [12, 4] to match weight_ih [12, 3], got [12, 5]",
      );
      expect(() => nt.rnnSequence(x, nt.zeros([3, 4]), nt.randn([4, 3]), nt.randn([4, 4]))).toThrow(
        "rnnSequence: h0 must be [batch, hiddenSize] = [2, 4] for input [5, 2, 3], got [3, 4]",
      );
      expect(() => nt.rnnSequence(x, h, nt.randn([4, 3]), nt.randn([4, 4]), nt.randn([5]))).toThrow(
        "rnnSequence: bias_ih must be [4] to match weight_ih [4, 3], got [5]",
      );
      expect(() => nt.rnnSequence(nt.randn([5, 3]), h, nt.randn([4, 3]), nt.randn([4, 4]))).toThrow(
        "rnnSequence: input must be 3-D [seqLen, batch, inputSize], got [5, 3]",
      );
      expect(() => nt.flatSlice(nt.randn([2, 3]), 4, [3])).toThrow("flatSlice: elements [4, 7) for shape [3] are outside input [2, 3] (6 elements)");
      expect(() => nt.concatLastDim(nt.randn([2, 3]), nt.randn([3, 3]))).toThrow("concatLastDim: a [2, 3] and b [3, 3] must have the same dims except the last");
      expect(() => nt.stackDim0([nt.randn([2]), nt.randn([3])])).toThrow("stackDim0: tensors[1] has shape [3] but tensors[0] has [2]");
      expect(() => nt.flatSlice(nt.randn([2, 3]), -1, [3])).toThrow("flatSlice: offset must be a non-negative integer, got number -1");
    });
  });
});

/** A small sequence regressor whose parameters all get gradients. */
class Regressor extends nn.Module {
  rnn: nt.nn.RNNBase;
  head: nt.nn.Linear;
  constructor(rnn: nt.nn.RNNBase) {
    super();
    this.rnn = this.registerModule("rnn", rnn) as nt.nn.RNNBase;
    this.head = this.registerModule("head", new nn.Linear(rnn.hiddenSize * rnn.numDirections, 1)) as nt.nn.Linear;
  }

  forward(x: Tensor): Tensor {
    const out = (this.rnn(x) as [Tensor, unknown])[0]; // [batch, T, D*H] (batchFirst)
    return this.head(out).mean(1); // [batch, 1]
  }
}

function grads(m: nt.nn.Module): number[][] {
  return m.parameters().map((p) => Array.from(p.grad!.data()));
}

describe("gradient clipping on recurrent parameters", () => {
  it("clipGradNorm_ scales every gradient to the global norm; clipGradValue_ clamps", () => {
    nt.manualSeed(5);
    withModel(new Regressor(new nn.RNN(3, 8, { nonlinearity: "relu", batchFirst: true, numLayers: 2 })), (m) => {
      const x = nt.randn([4, 30, 3], { std: 3 });
      const y = nt.randn([4, 1]);
      nt.mseLoss(m(x), y).mul(1e3).backward();
      const before = grads(m);
      const norm = Math.sqrt(before.flat().reduce((a, v) => a + v * v, 0));
      expect(norm).toBeGreaterThan(1);
      const total = nn.utils.clipGradNorm_(m.parameters(), 1);
      expect(total).toBeCloseTo(norm, 2);
      const after = grads(m);
      const scale = 1 / (total + 1e-6);
      after.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(before[i][j] * scale, 5)));
      expect(Math.sqrt(after.flat().reduce((a, v) => a + v * v, 0))).toBeCloseTo(1, 4);
      nn.utils.clipGradValue_(m.parameters(), 0.01);
      for (const g of grads(m)) for (const v of g) expect(Math.abs(v)).toBeLessThanOrEqual(0.01);
    });
  });

  it("fit's clipGradNorm option clips the LSTM's gradients before the optimizer step", async () => {
    // One full-batch SGD step: the update is -lr * clipped gradient, so the parameters after fit
    // equal the ones from a manual backward + clipGradNorm_ + step on a copy with the same weights.
    nt.manualSeed(6);
    const a = new Regressor(new nn.LSTM(3, 5, { batchFirst: true }));
    const b = new Regressor(new nn.LSTM(3, 5, { batchFirst: true }));
    b.loadStateDict(a.stateDict());
    const x = nt.keep(nt.randn([6, 9, 3], { std: 2 }));
    const y = nt.keep(nt.randn([6, 1], { std: 10 }));
    try {
      await nt.fit(a, {
        x, y, loss: nt.mseLoss, optimizer: new nt.optim.SGD(a.parameters(), { lr: 0.1 }),
        epochs: 1, batchSize: 6, shuffle: false, clipGradNorm: 0.5,
      });
      nt.scope(() => {
        nt.mseLoss(b(x), y).backward();
        const total = nn.utils.clipGradNorm_(b.parameters(), 0.5);
        expect(total).toBeGreaterThan(0.5); // clipping really happened
        new nt.optim.SGD(b.parameters(), { lr: 0.1 }).step();
      });
      const pa = a.parameters().map((p) => Array.from(p.data()));
      const pb = b.parameters().map((p) => Array.from(p.data()));
      pa.forEach((v, i) => v.forEach((w, j) => expect(w).toBeCloseTo(pb[i][j], 6)));
    } finally {
      a.dispose();
      b.dispose();
      nt.dispose([x, y]);
    }
  });
});

describe("training mode", () => {
  it("dropout between layers acts in training only; eval equals a dropout-free copy", () => {
    nt.manualSeed(7);
    const m = new nn.GRU(3, 5, { numLayers: 3, dropout: 0.5 });
    const plain = new nn.GRU(3, 5, { numLayers: 3 });
    plain.loadStateDict(m.stateDict());
    try {
      nt.scope(() => {
        const x = nt.randn([4, 2, 3]);
        const [o1] = m(x);
        const [o2] = m(x);
        expect(Array.from(o1.data())).not.toEqual(Array.from(o2.data()));
        m.eval();
        expect(Array.from(m(x)[0].data())).toEqual(Array.from(plain(x)[0].data()));
        m.train();
        // the last layer gets no dropout: with one layer, training and eval agree
        const single = new nn.LSTM(3, 4, { dropout: 0.5 });
        try {
          const t = single(x)[0].data();
          single.eval();
          expect(Array.from(single(x)[0].data())).toEqual(Array.from(t));
        } finally {
          single.dispose();
        }
      });
    } finally {
      m.dispose();
      plain.dispose();
    }
  });

  it("a retained graph backpropagates twice (saved gates are not overwritten)", () => {
    withModel(new nn.LSTM(3, 4, { bidirectional: true }), (m) => {
      const x = nt.randn([5, 2, 3], { requiresGrad: true });
      const [out] = m(x);
      const loss = out.pow(2).sum();
      loss.backward(undefined, { retainGraph: true });
      const g1 = Array.from(x.grad!.data());
      loss.backward();
      Array.from(x.grad!.data()).forEach((v, i) => expect(v).toBeCloseTo(2 * g1[i], 5));
    });
  });

  it("inference under noGrad records nothing and its scope frees every temporary", () => {
    withModel(new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true }), (m) => {
      const x = nt.randn([5, 2, 3]);
      const before = nt.memory();
      const kept = nt.scope(() => {
        const [out, [hN, cN]] = nt.noGrad(() => m(x));
        expect([out.node, hN.node, cN.node]).toEqual([null, null, null]);
        expect(out.requiresGrad).toBe(false);
        return out;
      });
      // only the returned output survives: no saved gates, states or slices were kept for a graph
      expect(nt.memory().numTensors).toBe(before.numTensors + 1);
      expect(nt.memory().numBytes).toBe(before.numBytes + kept.size * 4);
      kept.dispose();
    });
  });

  it("memory is unchanged across repeated training steps in scope()", () => {
    nt.manualSeed(8);
    for (const rnn of [new nn.LSTM(3, 6, { batchFirst: true, bidirectional: true, numLayers: 2, dropout: 0.2 }),
      new nn.GRU(3, 6, { batchFirst: true }), new nn.RNN(3, 6, { batchFirst: true, nonlinearity: "relu" })]) {
      const m = new Regressor(rnn);
      const opt = new nt.optim.Adam(m.parameters(), { lr: 1e-2 });
      const x = nt.keep(nt.randn([4, 7, 3]));
      const y = nt.keep(nt.randn([4, 1]));
      const step = () =>
        nt.scope(() => {
          const loss = nt.mseLoss(m(x), y);
          loss.backward();
          nn.utils.clipGradNorm_(m.parameters(), 1);
          opt.step();
          opt.zeroGrad();
          return loss.item();
        });
      step(); // creates the optimizer state
      const before = nt.memory();
      const losses = [0, 1, 2, 3, 4].map(step);
      const after = nt.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
      expect(losses[4]).toBeLessThan(losses[0]);
      m.dispose();
      opt.dispose?.();
      nt.dispose([x, y]);
    }
  });
});

describe("saveModel / loadModel", () => {
  it("round-trips every recurrent module with its options and weights", () => {
    nt.manualSeed(9);
    const modules = [
      new nn.RNN(3, 4, { nonlinearity: "relu", numLayers: 2, batchFirst: true, bidirectional: true }),
      new nn.LSTM(3, 4, { bias: false, dropout: 0.25, numLayers: 2 }),
      new nn.GRU(3, 5),
    ];
    for (const m of modules) {
      const copy = nt.io.loadModel(nt.io.saveModel(m)) as nt.nn.RNNBase;
      try {
        expect(copy.constructor).toBe(m.constructor);
        expect(copy.toString()).toBe(m.toString());
        m.eval();
        copy.eval();
        nt.scope(() => {
          const x = nt.randn([2, 6, 3]);
          expect(Array.from((copy(x) as Tensor[])[0].data())).toEqual(Array.from((m(x) as Tensor[])[0].data()));
        });
      } finally {
        m.dispose();
        copy.dispose();
      }
    }
  });

  it("refuses configs with unknown keys, bad values or more parameters than the file holds", () => {
    const m = new nn.GRU(2, 3);
    const bytes = nt.io.saveModel(m);
    m.dispose();
    const arch = (config: Record<string, unknown>) =>
      nt.scope(() => {
        const header = nt.io.readSafetensorsHeader(bytes);
        const sd = nt.io.loadSafetensors(bytes);
        const text = JSON.stringify({ type: "GRU", config });
        return nt.io.saveSafetensors(sd, { ...header.metadata!, architecture: text });
      });
    const good = JSON.parse(nt.io.readSafetensorsHeader(bytes).metadata!.architecture).config;
    expect(good).toEqual({ inputSize: 2, hiddenSize: 3, numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false });
    const ok = nt.io.loadModel(arch(good));
    ok.dispose();
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...good, proj: 3 }, /GRU.*unknown key "proj"/],
      [{ ...good, nonlinearity: "relu" }, /GRU.*unknown key "nonlinearity"/],
      [{ ...good, hiddenSize: 0 }, /config.hiddenSize must be an integer/],
      [{ ...good, dropout: 2 }, /config.dropout must be a number in \[0, 1\]/],
      [{ ...good, bidirectional: "yes" }, /config.bidirectional must be a boolean/],
      [{ ...good, numLayers: 1000 }, /needs \d+ parameters, bringing the model to \d+, more than the 63 values/],
    ];
    for (const [config, pattern] of bad) {
      const before = nt.memory();
      expect(() => nt.io.loadModel(arch(config))).toThrow(pattern);
      expect(nt.memory()).toEqual(before);
    }
  });
});
