// nn.Embedding and the embedding op beyond the PyTorch fixtures: initialization, shapes, index
// validation, the padding row, fromPretrained, training, memory and saveModel/loadModel.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";

const { nn, io } = nt;

describe("nn.Embedding", () => {
  it("initializes N(0, 1) with the padding row zero, and names its parameter weight", () => {
    nt.manualSeed(1);
    const emb = new nn.Embedding(1000, 16, { paddingIdx: -2 });
    expect(emb.paddingIdx).toBe(998);
    expect(Object.keys(emb.stateDict())).toEqual(["weight"]);
    const w = emb.weight.data();
    expect([...w.subarray(998 * 16, 999 * 16)]).toEqual(new Array(16).fill(0));
    // 16,000 N(0, 1) draws: mean within 5 standard errors (5/sqrt(16000) = 0.04) of 0, std within 0.03 of 1
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.04);
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
    expect(String(emb)).toBe("Embedding(1000, 16, padding_idx=998)");
    emb.dispose();
  });

  it("looks up rows for indices of any shape: output [...input.shape, dim]", () => {
    nt.scope(() => {
      const emb = new nn.Embedding(5, 3);
      const w = emb.weight.data();
      const row = (i: number) => [...w.subarray(i * 3, i * 3 + 3)];
      const scalar = emb(nt.tensor(4)) as Tensor;
      expect(scalar.shape).toEqual([3]);
      expect([...scalar.data()]).toEqual(row(4));
      const cube = emb(nt.tensor([[[0, 1]], [[4, 4]]])) as Tensor;
      expect(cube.shape).toEqual([2, 1, 2, 3]);
      expect([...cube.data()]).toEqual([...row(0), ...row(1), ...row(4), ...row(4)]);
      expect((emb(nt.zeros([0])) as Tensor).shape).toEqual([0, 3]);
      emb.dispose();
    });
  });

  it("hand-derived gradient: repeats accumulate, the padding row gets none", () => {
    nt.scope(() => {
      // L = Σ out·c over indices [1, 1, 2, 0] with paddingIdx 0: dW[1] = 2c, dW[2] = c, dW[0] = 0, dW[3] = 0
      const emb = new nn.Embedding(4, 2, { paddingIdx: 0 });
      const c = nt.tensor([0.5, -3]);
      (emb(nt.tensor([1, 1, 2, 0])) as Tensor).mul(c).sum().backward();
      expect([...emb.weight.grad!.data()]).toEqual([0, 0, 1, -6, 0.5, -3, 0, 0]);
      emb.dispose();
    });
  });

  it("keeps its own copy of the indices for backward", () => {
    nt.scope(() => {
      const emb = new nn.Embedding(3, 2);
      const idx = nt.tensor([2, 2]);
      const out = emb(idx) as Tensor;
      idx.dispose();
      out.sum().backward();
      expect([...emb.weight.grad!.data()]).toEqual([0, 0, 0, 0, 2, 2]);
      emb.dispose();
    });
  });

  it("refuses bad indices and arguments with clear errors", () => {
    const emb = new nn.Embedding(5, 2);
    const cases: [() => unknown, RegExp][] = [
      [() => emb(nt.tensor([1, 2.5])), /embedding: index 2.5 at flat position 1 is not an integer \(input \[2\], weight \[5, 2\]\)/],
      [() => emb(nt.tensor([[0, 5]])), /embedding: index 5 at flat position 1 is out of range for 5 embeddings \(input \[1, 2\], weight \[5, 2\]\)/],
      [() => emb(nt.tensor([-1])), /embedding: index -1 at flat position 0 is out of range for 5 embeddings/],
      [() => emb(nt.tensor([NaN])), /embedding: index NaN at flat position 0 is not an integer/],
      [() => emb([1, 2] as any), /embedding: input must be a Tensor, got array \[1, 2\]/],
      [() => nt.embedding(nt.tensor([0]), nt.zeros([5])), /embedding: weight must be 2-D \[numEmbeddings, embeddingDim\], got \[5\]/],
      [() => nt.embedding(nt.tensor([0]), nt.zeros([5, 2]), { paddingIdx: 5 }), /embedding: paddingIdx must be an integer in \[-5, 5\) for 5 embeddings, got number 5/],
      [() => new nn.Embedding(5, 0), /nn\.Embedding: embeddingDim must be a positive integer, got number 0/],
      [() => new nn.Embedding(5, 2, { paddingIdx: -6 }), /nn\.Embedding: paddingIdx must be an integer in \[-5, 5\), got number -6/],
    ];
    for (const [fn, pattern] of cases) {
      const before = nt.memory();
      expect(() => nt.scope(fn)).toThrow(pattern);
      expect(nt.memory().liveBytes).toBe(before.liveBytes);
    }
    emb.dispose();
  });

  it("fromPretrained copies the table and freezes it unless asked not to", () => {
    nt.scope(() => {
      const table = nt.tensor([[1, 2], [3, 4], [5, 6]]);
      const frozen = nn.Embedding.fromPretrained(table);
      expect(frozen.weight.requiresGrad).toBe(false);
      expect([...(frozen(nt.tensor([2, 0])) as Tensor).data()]).toEqual([5, 6, 1, 2]);
      table.fill_(0); // a copy, not the caller's tensor
      expect([...frozen.weight.data()]).toEqual([1, 2, 3, 4, 5, 6]);
      const trainable = nn.Embedding.fromPretrained(nt.tensor([[1, 2], [3, 4]]), { freeze: false, paddingIdx: 1 });
      expect(trainable.weight.requiresGrad).toBe(true);
      expect([...trainable.weight.data()]).toEqual([1, 2, 3, 4]); // the padding row keeps its given values
      frozen.dispose();
      trainable.dispose();
    });
  });

  it("learns: embeddings trained to separate two groups of tokens, padding row untouched, no leak per step", () => {
    nt.manualSeed(2);
    const emb = new nn.Embedding(6, 4, { paddingIdx: 0 });
    const head = new nn.Linear(4, 1);
    const params = [...emb.parameters(), ...head.parameters()];
    const opt = new nt.optim.Adam(params, { lr: 0.05 });
    const tokens = nt.keep(nt.tensor([1, 2, 3, 4, 5, 0]));
    const labels = nt.keep(nt.tensor([[1], [1], [1], [0], [0], [0]]));
    const step = () =>
      nt.scope(() => {
        opt.zeroGrad();
        const loss = nt.bceWithLogitsLoss(head(emb(tokens)) as Tensor, labels);
        loss.backward();
        opt.step();
        return loss.item();
      });
    const first = step();
    const before = nt.memory();
    let last = first;
    for (let i = 0; i < 100; i++) last = step();
    expect(nt.memory().liveBytes).toBe(before.liveBytes);
    expect(last).toBeLessThan(first / 2);
    expect([...emb.weight.data().subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    tokens.dispose();
    labels.dispose();
    emb.dispose();
    head.dispose();
  });

  it("round-trips through saveModel / loadModel", () => {
    const model = new nn.Sequential(new nn.Embedding(7, 3, { paddingIdx: 2 }), new nn.Flatten(), new nn.Linear(6, 1));
    const loaded = io.loadModel(io.saveModel(model)) as nt.nn.Sequential;
    const emb = loaded.at(0) as nt.nn.Embedding;
    expect([emb.numEmbeddings, emb.embeddingDim, emb.paddingIdx]).toEqual([7, 3, 2]);
    nt.scope(() => {
      const idx = nt.tensor([[1, 6], [2, 0]]);
      expect((loaded(idx) as Tensor).data()).toEqual((model(idx) as Tensor).data());
    });
    const header = io.readSafetensorsHeader(io.saveModel(model));
    const arch = JSON.parse(header.metadata!.architecture);
    expect(arch.children[0]).toMatchObject({ type: "Embedding", config: { numEmbeddings: 7, embeddingDim: 3, paddingIdx: 2 } });
    const hostile = nt.scope(() =>
      io.saveSafetensors(io.loadSafetensors(io.saveModel(model)), {
        ...header.metadata!,
        architecture: JSON.stringify({ ...arch, children: [{ type: "Embedding", config: { numEmbeddings: 7, embeddingDim: 3, paddingIdx: 7 } }, ...arch.children.slice(1)] }),
      }),
    );
    expect(() => io.loadModel(hostile)).toThrow(/module '0' \(Embedding\): config\.paddingIdx must be an integer in \[0, 6\], got number 7/);
    model.dispose();
    loaded.dispose();
  });
});
