// batchNorm, layerNorm, embedding and their modules against PyTorch 1.13 (test/fixtures/norm.json, made
// offline by test/fixtures/gen_norm.py): forward, backward of L = ((out + 1)^2).mean(), running statistics
// over several training steps, and PyTorch state dicts loaded through safetensors.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";
import { expectCloseTo } from "./helpers/close";

interface Fx { shape: number[]; data: number[] }
interface FunctionalCase {
  name: string;
  op: "batchNorm" | "layerNorm" | "embedding";
  args: Record<string, any>;
  inputs: Record<string, Fx>;
  output: Fx;
  grads: Record<string, Fx>;
  runningAfter?: { mean: Fx; var: Fx };
}
interface Step { mode: "train" | "eval"; x: Fx; output: Fx; gradX: Fx; gradWeight?: Fx; gradBias?: Fx; after: Record<string, Fx> }
interface ModuleCase { name: string; type: "BatchNorm1d" | "BatchNorm2d"; config: Record<string, any>; lr: number; initial: Record<string, Fx>; steps: Step[] }
interface StateDictCase {
  name: string;
  kind: "mlp" | "bn2d" | "embedding";
  safetensors: string;
  keys: string[];
  input: Fx;
  evalOutput: Fx;
  trainOutput?: Fx;
  afterTrain?: Record<string, Fx>;
}

const fixtures = JSON.parse(readFileSync(new URL("./fixtures/norm.json", import.meta.url), "utf8")) as {
  functional: FunctionalCase[];
  modules: ModuleCase[];
  stateDicts: StateDictCase[];
};

/**
 * Tolerance |got - want| <= ATOL·scale + RTOL·|want|, scale = max(1, largest |want| in the array).
 * Both sides round a handful of f32 operations per element from statistics that are exact to f32
 * rounding (ours: f64 sums; PyTorch: its own summation order, and (x - mean)·s + b written as
 * x·s + (b - mean·s), which loses up to ulp(|x|)·|s|). RTOL 1e-5 and ATOL 2e-6 cover that with
 * margin (the inputs stay within |x| < 110) and still catch any wrong formula (errors of 1e-3 and up).
 */
const RTOL = 1e-5;
const ATOL = 2e-6;

function close(got: ArrayLike<number>, want: Fx, what: string): void {
  expectCloseTo(got, want.data, what, { rtol: RTOL, atol: ATOL });
}

const T = (f: Fx, requiresGrad = false) => nt.tensor(f.data, f.shape, { requiresGrad });

function runFunctional(c: FunctionalCase): void {
  nt.scope(() => {
    const inputs: Record<string, Tensor> = {};
    for (const [k, f] of Object.entries(c.inputs)) inputs[k] = T(f, k === "x" || k === "weight" || k === "bias");
    let out: Tensor;
    if (c.op === "batchNorm") {
      out = nt.batchNorm(inputs.x, inputs.runningMean ?? null, inputs.runningVar ?? null, {
        weight: inputs.weight, bias: inputs.bias, training: c.args.training, momentum: c.args.momentum, eps: c.args.eps,
      });
    } else if (c.op === "layerNorm") {
      out = nt.layerNorm(inputs.x, c.args.normalizedShape, { weight: inputs.weight, bias: inputs.bias, eps: c.args.eps });
    } else {
      out = nt.embedding(inputs.input, inputs.weight, { paddingIdx: c.args.paddingIdx });
    }
    expect(out.shape, "output shape").toEqual(c.output.shape);
    close(out.data(), c.output, "output");
    out.add(1).pow(2).mean().backward();
    for (const [k, g] of Object.entries(c.grads)) {
      expect(inputs[k].grad, `grad of ${k}`).not.toBeNull();
      expect(inputs[k].grad!.shape).toEqual(g.shape);
      close(inputs[k].grad!.data(), g, `grad of ${k}`);
    }
    if (c.runningAfter) {
      close(inputs.runningMean.data(), c.runningAfter.mean, "running mean");
      close(inputs.runningVar.data(), c.runningAfter.var, "running var");
    }
  });
}

describe("functional ops against PyTorch", () => {
  it("the fixtures cover every op and both batch-norm modes", () => {
    const ops = new Set(fixtures.functional.map((c) => c.op));
    expect([...ops].sort()).toEqual(["batchNorm", "embedding", "layerNorm"]);
    expect(fixtures.functional.some((c) => c.op === "batchNorm" && c.args.training)).toBe(true);
    expect(fixtures.functional.some((c) => c.op === "batchNorm" && !c.args.training)).toBe(true);
  });
  for (const c of fixtures.functional) it(c.name, () => runFunctional(c));
});

function dictOf(entries: Record<string, Fx>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, f] of Object.entries(entries)) out[k] = T(f);
  return out;
}

describe("BatchNorm modules over several steps against PyTorch", () => {
  for (const c of fixtures.modules) {
    it(c.name, () => {
      nt.scope(() => {
        const { numFeatures, ...options } = c.config;
        const m = c.type === "BatchNorm1d" ? new nt.nn.BatchNorm1d(numFeatures, options) : new nt.nn.BatchNorm2d(numFeatures, options);
        expect(Object.keys(m.stateDict()).sort()).toEqual(Object.keys(c.initial).sort());
        m.loadStateDict(dictOf(c.initial));
        c.steps.forEach((step, i) => {
          const what = `step ${i} (${step.mode})`;
          m.train(step.mode === "train");
          const x = T(step.x, true);
          const out = m(x) as Tensor;
          close(out.data(), step.output, `${what} output`);
          m.zeroGrad();
          out.add(1).pow(2).mean().backward();
          close(x.grad!.data(), step.gradX, `${what} grad x`);
          if (step.gradWeight) {
            close(m.weight!.grad!.data(), step.gradWeight, `${what} grad weight`);
            close(m.bias!.grad!.data(), step.gradBias!, `${what} grad bias`);
            nt.noGrad(() => {
              for (const p of m.parameters()) p.sub_(p.grad!, c.lr);
            });
          }
          const sd = m.stateDict();
          expect(Object.keys(sd).sort()).toEqual(Object.keys(step.after).sort());
          for (const [k, f] of Object.entries(step.after)) {
            expect(sd[k].shape, `${what} ${k} shape`).toEqual(f.shape);
            close(sd[k].data(), f, `${what} ${k}`);
          }
        });
        m.dispose();
      });
    });
  }
});

function modelFor(kind: StateDictCase["kind"]): nt.nn.Module {
  const nn = nt.nn;
  if (kind === "mlp") return new nn.Sequential(new nn.Linear(6, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 4), new nn.LayerNorm(4));
  if (kind === "bn2d") return new nn.BatchNorm2d(3);
  return new nn.Embedding(12, 5, { paddingIdx: 3 });
}

describe("PyTorch state dicts load through safetensors and give PyTorch's outputs", () => {
  for (const c of fixtures.stateDicts) {
    it(c.name, () => {
      nt.scope(() => {
        const dict = nt.io.loadSafetensors(Buffer.from(c.safetensors, "base64"));
        expect(Object.keys(dict).sort()).toEqual([...c.keys].sort());
        const model = modelFor(c.kind);
        expect(Object.keys(model.stateDict())).toEqual(c.keys);
        model.loadStateDict(dict);
        if (c.kind !== "embedding") {
          // num_batches_tracked arrives as torch's int64 0-d tensor, read as a float
          const nbt = Object.entries(model.stateDict()).find(([k]) => k.endsWith("num_batches_tracked"))![1];
          expect(nbt.shape).toEqual([]);
          expect(nbt.item()).toBeGreaterThan(0);
          expect(Number.isInteger(nbt.item())).toBe(true);
        }
        model.eval();
        close((model(T(c.input)) as Tensor).data(), c.evalOutput, "eval output");
        if (c.trainOutput) {
          model.train();
          const out = nt.noGrad(() => model(T(c.input)) as Tensor);
          close(out.data(), c.trainOutput, "train output");
          const sd = model.stateDict();
          for (const [k, f] of Object.entries(c.afterTrain!)) close(sd[k].data(), f, `${k} after a train step`);
        }
        model.dispose();
      });
    });
  }
});
