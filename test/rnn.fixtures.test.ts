// nn.RNN (tanh, relu), nn.LSTM and nn.GRU forward and backward against PyTorch 1.13
// (test/fixtures/rnn.json, made offline by test/fixtures/gen_rnn.py): PyTorch's weights are
// loaded by state-dict key, and output, h_n, c_n and the gradients of the input, the initial
// states and every parameter are compared, for 1 and 2 layers, batchFirst both ways,
// bidirectional, with and without initial states and bias, unbatched input and odd sizes.
// A safetensors file of a PyTorch state dict loads and gives PyTorch's outputs.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";
import { expectCloseTo } from "./helpers/close";

interface Fx { shape: number[]; data: number[] }
interface Case {
  name: string; kind: "RNN" | "LSTM" | "GRU"; inputSize: number; hiddenSize: number; options: Record<string, any>;
  stateDict: Record<string, Fx>; input: Fx; h0: Fx | null; c0: Fx | null;
  output: Fx; hN: Fx; cN: Fx | null; loss: number; grads: Record<string, Fx | null>;
}
interface StateDictCase {
  kind: "LSTM"; inputSize: number; hiddenSize: number; options: Record<string, any>;
  safetensors: string; input: Fx; output: Fx; hN: Fx; cN: Fx;
}
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/rnn.json", import.meta.url), "utf8")) as {
  cases: Case[]; stateDict: StateDictCase;
};

/**
 * |got - want| <= ATOL·max|want| + RTOL·|want|, per tensor. The kernels sum in other orders than
 * PyTorch (SIMD GEMM blocks, one dW_hh GEMM over all steps instead of per-step sums, biases added
 * in another order) and use their own tanh/sigmoid (within 2.4 ulp); a recurrence feeds each
 * rounding difference into the later steps and BPTT sums them again. Measured worst here: about
 * a tenth of this tolerance (3e-7 of a tensor's scale), which the last test prints and checks.
 * A wrong gate, order or sign gives errors of 1e-2 and up.
 */
const RTOL = 1e-5;
const ATOL = 2e-6;
let worstRatio = 0;

function close(got: ArrayLike<number>, want: Fx, what: string): void {
  worstRatio = Math.max(worstRatio, expectCloseTo(got, want.data, what, { rtol: RTOL, atol: ATOL, minScale: 1e-3 }));
}

const t = (f: Fx, requiresGrad = false) => nt.tensor(f.data, f.shape, { requiresGrad });

function build(c: { kind: string; inputSize: number; hiddenSize: number; options: Record<string, any> }) {
  const cls = { RNN: nt.nn.RNN, LSTM: nt.nn.LSTM, GRU: nt.nn.GRU }[c.kind]!;
  return new cls(c.inputSize, c.hiddenSize, c.options);
}

describe("recurrent modules against PyTorch", () => {
  for (const c of fixtures.cases) {
    it(c.name, () => {
      const model = build(c);
      try {
        nt.scope(() => {
          expect(Object.keys(model.stateDict()).sort()).toEqual(Object.keys(c.stateDict).sort());
          model.loadStateDict(Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, t(v)])));
          const x = t(c.input, true);
          const h0 = c.h0 ? t(c.h0, true) : null;
          const c0 = c.c0 ? t(c.c0, true) : null;
          let out: Tensor;
          let hN: Tensor;
          let cN: Tensor | null = null;
          if (c.kind === "LSTM") [out, [hN, cN]] = (model as nt.nn.LSTM)(x, h0 ? [h0, c0!] : undefined);
          else [out, hN] = model(x, h0 ?? undefined);
          expect(out.shape).toEqual(c.output.shape);
          expect(hN.shape).toEqual(c.hN.shape);
          close(out.data(), c.output, "output");
          close(hN.data(), c.hN, "h_n");
          if (cN) close(cN.data(), c.cN!, "c_n");
          let loss = out.add(1).pow(2).mean().add(hN.pow(2).mul(0.7).sum());
          if (cN) loss = loss.add(cN.pow(3).mul(0.3).sum());
          expect(Math.abs(loss.item() - c.loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(c.loss)));
          loss.backward();
          close(x.grad!.data(), c.grads.input!, "grad input");
          if (h0) close(h0.grad!.data(), c.grads.h0!, "grad h0");
          if (c0) close(c0.grad!.data(), c.grads.c0!, "grad c0");
          for (const [name, p] of model.namedParameters()) close(p.grad!.data(), c.grads[name]!, `grad ${name}`);
        });
      } finally {
        model.dispose();
      }
    });
  }

  it("a PyTorch LSTM state dict read from safetensors gives PyTorch's outputs", () => {
    const sd = fixtures.stateDict;
    const model = build(sd);
    try {
      nt.scope(() => {
        const bytes = Uint8Array.from(Buffer.from(sd.safetensors, "base64"));
        const dict = nt.io.loadSafetensors(bytes);
        const result = model.loadStateDict(dict);
        expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
        model.eval();
        const [out, [hN, cN]] = nt.noGrad(() => (model as nt.nn.LSTM)(t(sd.input)));
        close(out.data(), sd.output, "output");
        close(hN.data(), sd.hN, "h_n");
        close(cN.data(), sd.cN, "c_n");
      });
    } finally {
      model.dispose();
    }
  });

  it("stays within tolerance with margin (worst error / tolerance)", () => {
    // Runs last: every comparison above fed worstRatio.
    console.log(`rnn fixtures: worst |error| / tolerance = ${worstRatio.toFixed(3)}`);
    expect(worstRatio).toBeLessThanOrEqual(1);
  });
});
