// nn.RNN, nn.LSTM and nn.GRU with PyTorch's constructor options, parameter names and shapes
// (weight_ih_l{k}[_reverse] [gates*hidden, in], weight_hh_l{k}[_reverse] [gates*hidden, hidden],
// bias_ih_l{k}[_reverse], bias_hh_l{k}[_reverse]), initialization U(±1/sqrt(hidden)), inputs and
// outputs, so a PyTorch state dict loads as is and gives the same results. Each layer and
// direction is one sequence op (ops/rnn.ts) whose backward runs the whole BPTT in kernels.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { empty, zeros } from "../ops/creation";
import { mul } from "../ops/elementwise";
import { reshape, transpose } from "../ops/layout";
import { rnnSequence, lstmSequence, gruSequence, flatSlice, concatLastDim, stackDim0 } from "../ops/rnn";
import { uniform_ } from "../init";
import { Module } from "./module";
import { fmt, describe } from "../shape";
import { flag, positiveInt } from "../args";

export type RNNMode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

export interface RNNBaseOptions {
  /** Stacked layers (default 1); layer k > 0 reads layer k-1's output. */
  numLayers?: number;
  /** Use bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Input and output are [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Add a layer running backwards over the sequence; outputs are concatenated (default false). */
  bidirectional?: boolean;
}

export interface RNNOptions extends RNNBaseOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
}

const GATES: Record<RNNMode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** What the three modules share: parameters, validation and the layer/direction loop. */
export abstract class RNNBase extends Module {
  readonly mode: RNNMode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;

  protected constructor(mode: RNNMode, inputSize: number, hiddenSize: number, options: RNNBaseOptions, op: string) {
    super();
    if (options === null || typeof options !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
    this.mode = mode;
    this.inputSize = positiveInt(op, "inputSize", inputSize);
    this.hiddenSize = positiveInt(op, "hiddenSize", hiddenSize);
    this.numLayers = positiveInt(op, "numLayers", options.numLayers ?? 1);
    this.bias = flag(op, "bias", options.bias, true);
    this.batchFirst = flag(op, "batchFirst", options.batchFirst, false);
    this.bidirectional = flag(op, "bidirectional", options.bidirectional, false);
    const p = options.dropout ?? 0;
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`${op}: dropout must be a number in [0, 1], got ${describe(p)}`);
    this.dropout = p;
    const G = GATES[mode] * hiddenSize;
    const dirs = this.numDirections;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const inSize = layer === 0 ? inputSize : hiddenSize * dirs;
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${layer}${d === 1 ? "_reverse" : ""}`;
        this.registerParameter(`weight_ih${sfx}`, empty([G, inSize]));
        this.registerParameter(`weight_hh${sfx}`, empty([G, hiddenSize]));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, empty([G]));
          this.registerParameter(`bias_hh${sfx}`, empty([G]));
        }
      }
    }
    this.resetParameters();
  }

  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** PyTorch's reset_parameters: every weight and bias from U(-1/sqrt(hidden), 1/sqrt(hidden)). */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** [weight_ih, weight_hh, bias_ih, bias_hh] (biases only with bias) of each layer and direction, as torch's all_weights. */
  get allWeights(): Tensor[][] {
    const out: Tensor[][] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let d = 0; d < this.numDirections; d++) {
        const sfx = `_l${layer}${d === 1 ? "_reverse" : ""}`;
        const names = ["weight_ih", "weight_hh", ...(this.bias ? ["bias_ih", "bias_hh"] : [])];
        out.push(names.map((n) => this._parameters.get(n + sfx)!));
      }
    }
    return out;
  }

  protected get opName(): string {
    return `nn.${this.typeName}`;
  }

  /** Check an initial state against [numLayers*numDirections, batch, hidden] (unbatched: no batch dim). */
  private checkState(name: string, s: unknown, batch: number, unbatched: boolean, input: Tensor): Tensor {
    const t = checkTensor(this.opName, name, s);
    const want = unbatched
      ? [this.numLayers * this.numDirections, this.hiddenSize]
      : [this.numLayers * this.numDirections, batch, this.hiddenSize];
    if (t.shape.join() !== want.join()) {
      throw new RangeError(`${this.opName}: expected ${name} of shape ${fmt(want)} for input ${fmt(input.shape)}, got ${fmt(t.shape)}`);
    }
    return t;
  }

  /**
   * The stacked layers over `input`; h0/c0 optional. Returns output in the input's layout and
   * h_n (and c_n) [numLayers*numDirections, batch, hidden] (unbatched: without the batch dim).
   */
  protected run(input: unknown, h0: unknown, c0: unknown): { output: Tensor; hN: Tensor; cN: Tensor | null } {
    const op = this.opName;
    const x0 = checkTensor(op, "input", input);
    if (x0.ndim !== 2 && x0.ndim !== 3) {
      throw new RangeError(
        `${op}: input must be 3-D [${this.batchFirst ? "batch, seqLen" : "seqLen, batch"}, inputSize] or 2-D [seqLen, inputSize], got ${fmt(x0.shape)}`,
      );
    }
    if (x0.shape[x0.ndim - 1] !== this.inputSize) {
      throw new RangeError(`${op}: input ${fmt(x0.shape)} must end in inputSize ${this.inputSize}`);
    }
    const unbatched = x0.ndim === 2;
    const T = unbatched || !this.batchFirst ? x0.shape[0] : x0.shape[1];
    const B = unbatched ? 1 : this.batchFirst ? x0.shape[0] : x0.shape[1];
    if (T === 0) throw new RangeError(`${op}: input ${fmt(x0.shape)} has sequence length 0; at least one step is needed`);
    const lstm = this.mode === "LSTM";
    const hx = h0 === undefined || h0 === null ? null : this.checkState("h0", h0, B, unbatched, x0);
    const cx = !lstm || c0 === undefined || c0 === null ? null : this.checkState("c0", c0, B, unbatched, x0);
    if (lstm && (hx === null) !== (cx === null)) {
      throw new TypeError(`${op}: pass both h0 and c0 as [h0, c0], or neither`);
    }

    const H = this.hiddenSize;
    const D = this.numDirections;
    const row = B * H;
    let x = unbatched ? reshape(x0, [T, 1, this.inputSize]) : this.batchFirst ? transpose(x0, 0, 1) : x0;
    const zero = hx && (!lstm || cx) ? null : zeros([B, H]);
    const hNs: Tensor[] = [];
    const cNs: Tensor[] = [];
    const weights = this.allWeights;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const k = layer * D + d;
        const [wIh, wHh, bIh, bHh] = weights[k];
        const reverse = d === 1;
        const h = hx ? flatSlice(hx, k * row, [B, H]) : zero!;
        let states: Tensor;
        if (lstm) {
          const c = cx ? flatSlice(cx, k * row, [B, H]) : zero!;
          states = lstmSequence(x, h, c, wIh, wHh, bIh ?? null, bHh ?? null, { reverse });
          cNs.push(flatSlice(states, (T + 1) * row + (reverse ? 0 : T * row), [B, H]));
        } else if (this.mode === "GRU") {
          states = gruSequence(x, h, wIh, wHh, bIh ?? null, bHh ?? null, { reverse });
        } else {
          states = rnnSequence(x, h, wIh, wHh, bIh ?? null, bHh ?? null, {
            reverse, nonlinearity: this.mode === "RNN_RELU" ? "relu" : "tanh",
          });
        }
        outs.push(flatSlice(states, reverse ? 0 : row, [T, B, H]));
        hNs.push(flatSlice(states, reverse ? 0 : T * row, [B, H]));
      }
      x = D === 2 ? concatLastDim(outs[0], outs[1]) : outs[0];
      if (this.training && this.dropout > 0 && layer < this.numLayers - 1) x = this.dropMask(x);
    }
    let output = x;
    let hN = stackDim0(hNs);
    let cN = lstm ? stackDim0(cNs) : null;
    if (unbatched) {
      output = reshape(output, [T, D * H]);
      hN = reshape(hN, [this.numLayers * D, H]);
      if (cN) cN = reshape(cN, [this.numLayers * D, H]);
    } else if (this.batchFirst) {
      output = transpose(output, 0, 1);
    }
    return { output, hN, cN };
  }

  /** Inverted dropout between layers: zero with probability p, scale the rest by 1/(1-p). */
  private dropMask(x: Tensor): Tensor {
    const mask = Tensor.empty("dropout", x.shape.slice());
    const keepProb = 1 - this.dropout;
    getEngine("dropout").core.rng_bernoulli_mask_f32(mask.ptr, mask.size, keepProb, keepProb > 0 ? 1 / keepProb : 0);
    return mul(x, mask);
  }

  extraRepr(): string {
    const parts = [`${this.inputSize}`, `${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`num_layers=${this.numLayers}`);
    if (this.mode === "RNN_RELU") parts.push(`nonlinearity='relu'`);
    if (!this.bias) parts.push("bias=false");
    if (this.batchFirst) parts.push("batch_first=true");
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push("bidirectional=true");
    return parts.join(", ");
  }
}

/**
 * Elman RNN (torch.nn.RNN): h_t = act(x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh), act tanh or relu.
 * forward(input, h0?) returns [output, h_n]: output [seqLen, batch, numDirections*hidden]
 * ([batch, seqLen, ...] with batchFirst), h_n [numLayers*numDirections, batch, hidden].
 */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nl = options?.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new RangeError(`nn.RNN: nonlinearity must be "tanh" or "relu", got ${describe(nl)}`);
    super(nl === "relu" ? "RNN_RELU" : "RNN_TANH", inputSize, hiddenSize, options, "nn.RNN");
  }

  get nonlinearity(): "tanh" | "relu" {
    return this.mode === "RNN_RELU" ? "relu" : "tanh";
  }

  forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const { output, hN } = this.run(input, h0, null);
    return [output, hN];
  }
}

/**
 * LSTM (torch.nn.LSTM), gates i, f, g, o: c_t = f*c_{t-1} + i*g, h_t = o*tanh(c_t).
 * forward(input, [h0, c0]?) returns [output, [h_n, c_n]], shapes as nn.RNN.
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions = {}) {
    super("LSTM", inputSize, hiddenSize, options, "nn.LSTM");
  }

  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new TypeError(`nn.LSTM: the initial state must be [h0, c0], got ${describe(hx)}`);
    }
    const { output, hN, cN } = this.run(input, hx?.[0], hx?.[1]);
    return [output, [hN, cN!]];
  }
}

/**
 * GRU (torch.nn.GRU), gates r, z, n: n = tanh(W_in x + b_in + r*(W_hn h + b_hn)),
 * h_t = (1 - z)*n + z*h_{t-1}. forward(input, h0?) returns [output, h_n], shapes as nn.RNN.
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions = {}) {
    super("GRU", inputSize, hiddenSize, options, "nn.GRU");
  }

  forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const { output, hN } = this.run(input, h0, null);
    return [output, hN];
  }
}
