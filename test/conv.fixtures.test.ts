// conv and pooling ops forward and backward against PyTorch 1.13 (test/fixtures/conv.json, made
// offline by test/fixtures/gen_conv.py), convolutions also with the batch split into chunks of
// one or two samples; and PyTorch-made safetensors state dicts for small models (conv, pooling,
// transposed conv, upsampling, conv1d layers) loaded into the same neurite architectures.
import { describe, it, expect, afterEach } from "vitest";
import { readFileSync } from "node:fs";
import * as nt from "../src/index";
import { convTuning } from "../src/ops/conv";
import { expectCloseTo } from "./helpers/close";
import { expectCaseMatches, type Call, type Case, type Fx } from "./helpers/fixtures";

interface ModelFx { name: string; description: string; safetensors: string; input: Fx; output: Fx }

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/conv.json", import.meta.url), "utf8")) as { cases: Case[]; models: ModelFx[] };

const calls: Record<string, Call> = {
  conv2d: (x, a) => nt.conv2d(x[0], x[1], x[2], a),
  conv1d: (x, a) => nt.conv1d(x[0], x[1], x[2], a),
  convTranspose2d: (x, a) => nt.convTranspose2d(x[0], x[1], x[2], a),
  maxPool2d: (x, { kernelSize, ...o }) => nt.maxPool2d(x[0], kernelSize, o),
  avgPool2d: (x, { kernelSize, ...o }) => nt.avgPool2d(x[0], kernelSize, o),
  adaptiveAvgPool2d: (x, a) => nt.adaptiveAvgPool2d(x[0], a.outputSize),
  interpolate: (x, a) => nt.interpolate(x[0], a),
};

/**
 * |got - want| <= ATOL·scale + RTOL·|want|, scale = the largest |want| of the tensor (at least 1).
 * Convolutions sum up to 144 products per output and up to ~800 per weight gradient in another
 * order than PyTorch (GEMM blocks and SIMD lanes vs. its own kernels); f32 rounding of such sums
 * grows like √n·2^-24 of the sum of |terms|. The worst case measured is 4e-7 of the scale
 * (convTranspose2d/random13); 2e-6 leaves 5x margin, and a wrong index or a missed tap is off by
 * 1e-2 or more. Pooling and upsampling match exactly or to 1 ulp.
 */
const ATOL = 2e-6;
const RTOL = 1e-5;

function close(got: ArrayLike<number>, want: number[], what: string): void {
  expectCloseTo(got, want, what, { rtol: RTOL, atol: ATOL });
}

function runCase(c: Case): void {
  expectCaseMatches(c, calls[c.op], { rtol: RTOL, atol: ATOL });
}

const defaultChunk = convTuning.chunkFloats;
afterEach(() => {
  convTuning.chunkFloats = defaultChunk;
});

describe("conv and pooling ops against PyTorch", () => {
  it("covers every op the fixtures hold, with a spread of cases", () => {
    const ops = fixtures.cases.map((c) => c.op);
    expect([...new Set(ops)].filter((op) => !calls[op])).toEqual([]);
    for (const op of Object.keys(calls)) expect(ops.filter((o) => o === op).length, op).toBeGreaterThanOrEqual(7);
  });

  for (const c of fixtures.cases) it(c.name, () => runCase(c));
});

describe("convolutions with the batch in chunks of one sample (accumulating weight gradients)", () => {
  for (const c of fixtures.cases.filter((k) => k.op.startsWith("conv") && k.inputs[0].shape[0] > 1 && k.inputs[0].shape.length === (k.op === "conv1d" ? 3 : 4))) {
    it(c.name, () => {
      convTuning.chunkFloats = 1; // one sample per chunk
      runCase(c);
    });
  }
});

function decodeBase64(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, "base64"));
}

/** The neurite twins of the torch models in gen_conv.py (same layers, same order, same names). */
const builders: Record<string, () => nt.nn.Module> = {
  cnn: () => new nt.nn.Sequential(
    new nt.nn.Conv2d(1, 4, 3, { padding: 1 }), new nt.nn.ReLU(), new nt.nn.MaxPool2d(2),
    new nt.nn.Conv2d(4, 8, 3, { padding: 1, groups: 2 }), new nt.nn.ReLU(), new nt.nn.AvgPool2d(2),
    new nt.nn.Flatten(), new nt.nn.Linear(8 * 2 * 2, 5),
  ),
  decoder: () => new nt.nn.Sequential(
    new nt.nn.ConvTranspose2d(3, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }), new nt.nn.ReLU(),
    new nt.nn.Upsample({ scaleFactor: 2 }), new nt.nn.Conv2d(4, 2, 1), new nt.nn.AdaptiveAvgPool2d([3, 5]),
  ),
  conv1d: () => new nt.nn.Sequential(
    new nt.nn.Conv1d(2, 4, 3, { padding: "same", bias: false }), new nt.nn.ReLU(),
    new nt.nn.Conv1d(4, 3, 2, { stride: 2, dilation: 2 }), new nt.nn.Flatten(),
  ),
};

describe("PyTorch-made state dicts (safetensors) give PyTorch's outputs", () => {
  it("has a builder for every model fixture", () => {
    expect(fixtures.models.map((m) => m.name).sort()).toEqual(Object.keys(builders).sort());
  });

  for (const m of fixtures.models) {
    it(m.name, () => {
      nt.scope(() => {
        const model = builders[m.name]();
        const state = nt.io.loadSafetensors(decodeBase64(m.safetensors));
        model.loadStateDict(state); // strict: every key present, every shape equal
        model.eval();
        const y = nt.noGrad(() => model(nt.tensor(m.input.data, m.input.shape)));
        expect(y.shape).toEqual(m.output.shape);
        close(y.data(), m.output.data, `${m.name} output`);
        // the file round-trips through neurite's writer and loadModel too
        const reloaded = nt.io.loadModel(nt.io.saveModel(model));
        reloaded.eval();
        const y2 = nt.noGrad(() => reloaded(nt.tensor(m.input.data, m.input.shape)));
        expect(Array.from(y2.data())).toEqual(Array.from(y.data()));
        model.dispose();
        reloaded.dispose();
        for (const t of Object.values(state)) t.dispose();
      });
    });
  }
});
