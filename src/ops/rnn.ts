// Recurrent layers as sequence-level ops: one call runs one layer in one direction over a whole
// sequence and records ONE autograd node, whose backward runs backpropagation through time with
// kernels (no per-step graph). Time-major layout, PyTorch's weights and gate orders:
//   forward:  Xp = x·W_ihᵀ + biases for all steps in one GEMM; then per step one recurrent GEMM
//             (h·W_hhᵀ accumulated onto Xp[t]) and one fused cell kernel (assembly/kernels/rnn.ts)
//             that applies the activations, updates the state and keeps what backward needs.
//   backward: per step (last to first) the cell's backward kernel and one GEMM for the gradient
//             reaching the previous state (dG_t·W_hh); then one GEMM each for dW_hh (over all
//             steps at once: dGᵀ·[h_0 .. h_{T-1}]), dW_ih, dx and the biases (1ᵀ·dG).
//
// Each op returns every state of the sequence, initial one included, so the result has a
// gradient for each of them and the modules (nn/rnn.ts) slice what they need from it:
//   rows 1..T hold the outputs h_1..h_T and row 0 the initial state (reverse: row t holds the
//   state after reading x_t, going backwards from row T, the initial state).
// LSTM adds the cell states the same way: [2, T+1, batch, hidden], [0] hidden, [1] cells.
//
// Also here: flatSlice, concatLastDim and stackDim0, the small differentiable copies the modules
// use to cut those results into PyTorch's output, h_n and c_n.
import { Tensor, checkTensor } from "../tensor";
import { getEngine, type Engine } from "../engine";
import { record } from "../autograd";
import { Act } from "../core";
import { fmt, sizeOf, describe, checkShape } from "../shape";

type Cell = "rnn_tanh" | "rnn_relu" | "lstm" | "gru";
const GATES: Record<Cell, number> = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3 };

export interface SequenceOptions {
  /** Run from the last step to the first (the backward direction of a bidirectional layer). */
  reverse?: boolean;
}

export interface RnnSequenceOptions extends SequenceOptions {
  /** The cell's activation (default "tanh"). */
  nonlinearity?: "tanh" | "relu";
}

interface Dims {
  T: number;
  B: number;
  I: number;
  H: number;
  G: number;
}

function optionalTensor(op: string, arg: string, v: unknown): Tensor | null {
  if (v === undefined || v === null) return null;
  return checkTensor(op, arg, v);
}

/** Check every operand's shape against the input and weight_ih; names the op, argument and shapes. */
function checkOperands(
  op: string, cell: Cell, x: Tensor, h0: Tensor, c0: Tensor | null, wIh: Tensor, wHh: Tensor, bIh: Tensor | null, bHh: Tensor | null,
): Dims {
  const gates = GATES[cell];
  if (x.ndim !== 3) throw new RangeError(`${op}: input must be 3-D [seqLen, batch, inputSize], got ${fmt(x.shape)}`);
  const [T, B, I] = x.shape;
  if (T === 0) throw new RangeError(`${op}: input ${fmt(x.shape)} has sequence length 0; at least one step is needed`);
  const gateNames = gates === 1 ? "" : `${gates}*`;
  if (wIh.ndim !== 2 || wIh.shape[0] === 0 || wIh.shape[0] % gates !== 0) {
    throw new RangeError(`${op}: weight_ih must be 2-D [${gateNames}hiddenSize, inputSize], got ${fmt(wIh.shape)}`);
  }
  const H = wIh.shape[0] / gates;
  const G = gates * H;
  if (wIh.shape[1] !== I) {
    throw new RangeError(`${op}: input ${fmt(x.shape)} has inputSize ${I} but weight_ih ${fmt(wIh.shape)} expects ${wIh.shape[1]}`);
  }
  if (wHh.ndim !== 2 || wHh.shape[0] !== G || wHh.shape[1] !== H) {
    throw new RangeError(`${op}: weight_hh must be [${G}, ${H}] to match weight_ih ${fmt(wIh.shape)}, got ${fmt(wHh.shape)}`);
  }
  for (const [name, b] of [["bias_ih", bIh], ["bias_hh", bHh]] as const) {
    if (b && (b.ndim !== 1 || b.shape[0] !== G)) {
      throw new RangeError(`${op}: ${name} must be [${G}] to match weight_ih ${fmt(wIh.shape)}, got ${fmt(b.shape)}`);
    }
  }
  for (const [name, s] of [["h0", h0], ["c0", c0]] as const) {
    if (s && (s.ndim !== 2 || s.shape[0] !== B || s.shape[1] !== H)) {
      throw new RangeError(`${op}: ${name} must be [batch, hiddenSize] = [${B}, ${H}] for input ${fmt(x.shape)}, got ${fmt(s.shape)}`);
    }
  }
  return { T, B, I, H, G };
}

/** Scratch for the largest of the listed GEMMs ([m, n, k, transA, transB] each). */
function gemmScratch(e: Engine, shapes: number[][]): number {
  let bytes = 0;
  for (const [m, n, k, ta, tb] of shapes) bytes = Math.max(bytes, e.core.matmul_scratch_bytes(m, n, k, ta, tb));
  return e.scratch(bytes);
}

function zeroed(op: string, shape: number[]): Tensor {
  const t = Tensor.empty(op, shape);
  getEngine(op).core.fill_f32(t.ptr, t.size, 0);
  return t;
}

function sequence(
  op: string, cell: Cell, x: Tensor, h0: Tensor, c0: Tensor | null,
  wIh: Tensor, wHh: Tensor, bIh: Tensor | null, bHh: Tensor | null, reverse: boolean,
): Tensor {
  const { T, B, I, H, G } = checkOperands(op, cell, x, h0, c0, wIh, wHh, bIh, bHh);
  const lstm = cell === "lstm";
  const gru = cell === "gru";
  const relu = cell === "rnn_relu";
  const e = getEngine(op);
  const core = e.core;
  const TB = T * B;
  const row = B * H; // floats in one state row [batch, hidden]
  const rowBytes = row * 4;
  const gateRowBytes = B * G * 4;
  const h0Row = reverse ? T : 0;

  const out = Tensor.empty(op, lstm ? [2, T + 1, B, H] : [T + 1, B, H]);
  // Input projections of every step; becomes the activated gates (saved for backward) for LSTM/GRU.
  const xp = Tensor.empty(op, [T, B, G]);
  const temps: Tensor[] = [];
  // Biases: b_ih + b_hh go into Xp once (GRU: only the r and z parts of b_hh; b_hn stays inside r*(...)).
  let bias: Tensor | null = null;
  if (bIh || bHh) {
    bias = bIh ? bIh.detach() : zeroed(op, [G]);
    if (bHh) core.axpy_f32(bias.ptr, bHh.ptr, gru ? 2 * H : G, 1);
    temps.push(bias);
    core.strided_copy_f32(xp.ptr, bias.ptr, 2, e.params([TB, G, 0, 1]));
  }
  const scratch = gemmScratch(e, [[TB, G, I, 0, 1], [B, G, H, 0, 1]]);
  core.matmul_f32(xp.ptr, x.ptr, wIh.ptr, TB, G, I, 0, 1, bias ? 1 : 0, scratch);

  const S = out.ptr;
  const C = S + (T + 1) * rowBytes;
  core.copy_f32(S + h0Row * rowBytes, h0.ptr, row);
  if (lstm) core.copy_f32(C + h0Row * rowBytes, c0!.ptr, row);
  let hn: Tensor | null = null;
  let hp = 0;
  let bhn = 0;
  if (gru) {
    hn = Tensor.empty(op, [T, B, H]); // W_hn h + b_hn of every step (backward needs it for dr)
    const hpT = Tensor.empty(op, [B, G]);
    const bhnT = zeroed(op, [H]);
    if (bHh) core.copy_f32(bhnT.ptr, bHh.ptr + 2 * H * 4, H);
    temps.push(hpT, bhnT);
    hp = hpT.ptr;
    bhn = bhnT.ptr;
  }
  const gatesPtr = xp.ptr;
  const whh = wHh.ptr;
  const hnPtr = hn ? hn.ptr : 0;
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const prev = reverse ? t + 1 : t;
    const cur = reverse ? t : t + 1;
    const g = gatesPtr + t * gateRowBytes;
    const hPrev = S + prev * rowBytes;
    const hCur = S + cur * rowBytes;
    if (gru) {
      core.matmul_f32(hp, hPrev, whh, B, G, H, 0, 1, 0, scratch);
      core.gru_cell_f32(g, hnPtr + t * rowBytes, hp, bhn, hPrev, hCur, B, H);
    } else {
      core.matmul_f32(g, hPrev, whh, B, G, H, 0, 1, 1, scratch);
      if (lstm) core.lstm_cell_f32(g, C + prev * rowBytes, C + cur * rowBytes, hCur, B, H);
      else core.act_f32(relu ? Act.relu : Act.tanh, hCur, g, row, 0, 0);
    }
  }
  for (const tmp of temps) tmp.dispose();
  const saved: Tensor[] = [];
  if (lstm || gru) saved.push(xp);
  else xp.dispose();
  if (hn) saved.push(hn);

  const inputs = [x, h0, ...(c0 ? [c0] : []), wIh, wHh, ...(bIh ? [bIh] : []), ...(bHh ? [bHh] : [])];
  return record(
    out,
    op,
    inputs,
    (grad) => {
      const eb = getEngine(op);
      const c = eb.core;
      const dS = grad.ptr;
      const dC = dS + (T + 1) * rowBytes;
      const S = out.ptr;
      const C = S + (T + 1) * rowBytes;
      const gates = lstm || gru ? xp.ptr : 0; // (a plain RNN's backward needs only its outputs)
      const whh = wHh.ptr;
      const hnP = hn ? hn.ptr : 0;
      // dGx: gradient of the input projections' pre-activations; dGh: of h·W_hhᵀ + b_hh (differs for GRU).
      const dGx = Tensor.empty(op, [T, B, G]);
      const dGh = gru ? Tensor.empty(op, [T, B, G]) : dGx;
      const dhRec = zeroed(op, [B, H]);
      const dc = lstm ? zeroed(op, [B, H]) : null;
      const scratch = gemmScratch(eb, [[B, H, G, 0, 0], [G, H, TB, 1, 0], [G, I, TB, 1, 0], [TB, I, G, 0, 0], [1, G, TB, 0, 0]]);
      const dgx0 = dGx.ptr;
      const dgh0 = dGh.ptr;
      const dh = dhRec.ptr;
      const dcP = dc ? dc.ptr : 0;
      for (let s = T - 1; s >= 0; s--) {
        const t = reverse ? T - 1 - s : s;
        const prev = reverse ? t + 1 : t;
        const cur = reverse ? t : t + 1;
        const dgx = dgx0 + t * gateRowBytes;
        const needPrev = s > 0 || h0.requiresGrad || (c0 !== null && c0.requiresGrad);
        if (gru) {
          c.gru_cell_bwd_f32(dgx, dgh0 + t * gateRowBytes, dh, dS + cur * rowBytes, gates + t * gateRowBytes,
            hnP + t * rowBytes, S + prev * rowBytes, B, H);
          if (needPrev) c.matmul_f32(dh, dgh0 + t * gateRowBytes, whh, B, H, G, 0, 0, 1, scratch);
        } else {
          if (lstm) {
            c.lstm_cell_bwd_f32(dgx, dh, dS + cur * rowBytes, dcP, dC + cur * rowBytes, gates + t * gateRowBytes,
              C + prev * rowBytes, C + cur * rowBytes, B, H);
          } else {
            c.rnn_cell_bwd_f32(dgx, dh, dS + cur * rowBytes, S + cur * rowBytes, row, relu ? 1 : 0);
          }
          if (needPrev) c.matmul_f32(dh, dgx, whh, B, H, G, 0, 0, 0, scratch);
        }
      }
      let dh0: Tensor | null = null;
      let dc0: Tensor | null = null;
      if (h0.requiresGrad) {
        dh0 = Tensor.empty(op, [B, H]);
        c.copy_f32(dh0.ptr, dh, row);
        c.axpy_f32(dh0.ptr, dS + h0Row * rowBytes, row, 1);
      }
      if (lstm && c0!.requiresGrad) {
        dc0 = Tensor.empty(op, [B, H]);
        c.copy_f32(dc0.ptr, dcP, row);
        c.axpy_f32(dc0.ptr, dC + h0Row * rowBytes, row, 1);
      }
      let dWih: Tensor | null = null;
      let dWhh: Tensor | null = null;
      let dbIh: Tensor | null = null;
      let dbHh: Tensor | null = null;
      let dx: Tensor | null = null;
      if (wHh.requiresGrad) {
        // Σ_t dGh_tᵀ·h_prev(t) as one GEMM: the previous states of all steps are rows 0..T-1 (reverse: 1..T).
        dWhh = Tensor.empty(op, [G, H]);
        c.matmul_f32(dWhh.ptr, dgh0, S + (reverse ? rowBytes : 0), G, H, TB, 1, 0, 0, scratch);
      }
      if (wIh.requiresGrad) {
        dWih = Tensor.empty(op, [G, I]);
        c.matmul_f32(dWih.ptr, dgx0, x.ptr, G, I, TB, 1, 0, 0, scratch);
      }
      if (bIh?.requiresGrad || bHh?.requiresGrad) {
        // Column sums of dG over all steps and batch rows, as a GEMM with a row of ones (streams dG once;
        // a column reduction over [T*B, G] would walk it with a 4*G-byte stride). Without GRU's split
        // b_hn, both biases get the same gradient.
        const ones = Tensor.empty(op, [TB]);
        c.fill_f32(ones.ptr, TB, 1);
        const colSum = (src: number) => {
          const d = Tensor.empty(op, [G]);
          c.matmul_f32(d.ptr, ones.ptr, src, 1, G, TB, 0, 0, 0, scratch);
          return d;
        };
        if (bIh?.requiresGrad) dbIh = colSum(dgx0);
        if (bHh?.requiresGrad) {
          if (gru || !dbIh) dbHh = colSum(dgh0);
          else {
            dbHh = Tensor.empty(op, [G]);
            c.copy_f32(dbHh.ptr, dbIh.ptr, G);
          }
        }
        ones.dispose();
      }
      if (x.requiresGrad) {
        dx = Tensor.empty(op, [T, B, I]);
        c.matmul_f32(dx.ptr, dgx0, wIh.ptr, TB, I, G, 0, 0, 0, scratch);
      }
      dGx.dispose();
      dGh.dispose();
      dhRec.dispose();
      dc?.dispose();
      return [dx, dh0, ...(c0 ? [dc0] : []), dWih, dWhh, ...(bIh ? [dbIh] : []), ...(bHh ? [dbHh] : [])];
    },
    saved,
  );
}

/**
 * One Elman RNN layer over a whole sequence: h_t = act(x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh).
 * x [seqLen, batch, inputSize], h0 [batch, hidden], weight_ih [hidden, inputSize], weight_hh
 * [hidden, hidden], biases [hidden] or null. Returns every state, [seqLen + 1, batch, hidden]:
 * row 0 is h0 and row t the output after x_{t-1} (reverse: row T is h0, row t the state after x_t).
 */
export function rnnSequence(
  x: Tensor, h0: Tensor, weightIh: Tensor, weightHh: Tensor,
  biasIh: Tensor | null = null, biasHh: Tensor | null = null, options: RnnSequenceOptions = {},
): Tensor {
  const op = "rnnSequence";
  const nl = options.nonlinearity ?? "tanh";
  if (nl !== "tanh" && nl !== "relu") throw new RangeError(`${op}: nonlinearity must be "tanh" or "relu", got ${describe(nl)}`);
  return sequence(op, nl === "relu" ? "rnn_relu" : "rnn_tanh", checkTensor(op, "input", x), checkTensor(op, "h0", h0), null,
    checkTensor(op, "weight_ih", weightIh), checkTensor(op, "weight_hh", weightHh),
    optionalTensor(op, "bias_ih", biasIh), optionalTensor(op, "bias_hh", biasHh), !!options.reverse);
}

/**
 * One LSTM layer over a whole sequence, gates i, f, g, o as in PyTorch (weight_ih [4*hidden,
 * inputSize], weight_hh [4*hidden, hidden]). Returns [2, seqLen + 1, batch, hidden]: [0] the
 * hidden states and [1] the cell states, laid out as rnnSequence's result.
 */
export function lstmSequence(
  x: Tensor, h0: Tensor, c0: Tensor, weightIh: Tensor, weightHh: Tensor,
  biasIh: Tensor | null = null, biasHh: Tensor | null = null, options: SequenceOptions = {},
): Tensor {
  const op = "lstmSequence";
  return sequence(op, "lstm", checkTensor(op, "input", x), checkTensor(op, "h0", h0), checkTensor(op, "c0", c0),
    checkTensor(op, "weight_ih", weightIh), checkTensor(op, "weight_hh", weightHh),
    optionalTensor(op, "bias_ih", biasIh), optionalTensor(op, "bias_hh", biasHh), !!options.reverse);
}

/**
 * One GRU layer over a whole sequence, gates r, z, n as in PyTorch:
 * n = tanh(x·W_inᵀ + b_in + r*(h·W_hnᵀ + b_hn)), h' = (1 - z)*n + z*h. Returns
 * [seqLen + 1, batch, hidden] laid out as rnnSequence's result.
 */
export function gruSequence(
  x: Tensor, h0: Tensor, weightIh: Tensor, weightHh: Tensor,
  biasIh: Tensor | null = null, biasHh: Tensor | null = null, options: SequenceOptions = {},
): Tensor {
  const op = "gruSequence";
  return sequence(op, "gru", checkTensor(op, "input", x), checkTensor(op, "h0", h0), null,
    checkTensor(op, "weight_ih", weightIh), checkTensor(op, "weight_hh", weightHh),
    optionalTensor(op, "bias_ih", biasIh), optionalTensor(op, "bias_hh", biasHh), !!options.reverse);
}

// ---------------------------------------------------------------- slicing and joining

/**
 * A copy of x's elements [offset, offset + size(shape)) in row-major order, as a tensor of
 * `shape` (e.g. one time step or one layer's state of a larger tensor). Differentiable in x.
 */
export function flatSlice(x: Tensor, offset: number, shape: number[]): Tensor {
  const op = "flatSlice";
  checkTensor(op, "input", x);
  const s = checkShape(op, "shape", shape);
  const n = sizeOf(s);
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
    throw new TypeError(`${op}: offset must be a non-negative integer, got ${describe(offset)}`);
  }
  if (offset + n > x.size) {
    throw new RangeError(`${op}: elements [${offset}, ${offset + n}) for shape ${fmt(s)} are outside input ${fmt(x.shape)} (${x.size} elements)`);
  }
  const out = Tensor.empty(op, s);
  const e = getEngine(op);
  e.core.copy_f32(out.ptr, x.ptr + offset * 4, n);
  return record(out, op, [x], (g) => {
    const dx = zeroed(op, x.shape.slice());
    getEngine(op).core.copy_f32(dx.ptr + offset * 4, g.ptr, n);
    return [dx];
  });
}

/** [..., a] and [..., b] with the same leading dims joined into [..., a + b] (torch.cat(dim=-1)). */
export function concatLastDim(a: Tensor, b: Tensor): Tensor {
  const op = "concatLastDim";
  checkTensor(op, "a", a);
  checkTensor(op, "b", b);
  if (a.ndim === 0 || a.ndim !== b.ndim || a.shape.slice(0, -1).join() !== b.shape.slice(0, -1).join()) {
    throw new RangeError(`${op}: a ${fmt(a.shape)} and b ${fmt(b.shape)} must have the same dims except the last`);
  }
  const na = a.shape[a.ndim - 1];
  const nb = b.shape[b.ndim - 1];
  const rows = sizeOf(a.shape.slice(0, -1));
  const out = Tensor.empty(op, [...a.shape.slice(0, -1), na + nb]);
  getEngine(op).core.concat_cols_f32(out.ptr, a.ptr, b.ptr, rows, na, nb);
  return record(out, op, [a, b], (g) => {
    const da = Tensor.empty(op, a.shape.slice());
    const db = Tensor.empty(op, b.shape.slice());
    getEngine(op).core.split_cols_f32(da.ptr, db.ptr, g.ptr, rows, na, nb);
    return [da, db];
  });
}

/** Tensors of one shape stacked along a new first dim (torch.stack(dim=0)). */
export function stackDim0(tensors: Tensor[]): Tensor {
  const op = "stackDim0";
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new TypeError(`${op}: expects a non-empty array of Tensors, got ${describe(tensors)}`);
  }
  tensors.forEach((t, i) => checkTensor(op, `tensors[${i}]`, t));
  const shape = tensors[0].shape;
  tensors.forEach((t, i) => {
    if (t.shape.join() !== shape.join()) {
      throw new RangeError(`${op}: tensors[${i}] has shape ${fmt(t.shape)} but tensors[0] has ${fmt(shape)}`);
    }
  });
  const n = tensors[0].size;
  const out = Tensor.empty(op, [tensors.length, ...shape]);
  const core = getEngine(op).core;
  tensors.forEach((t, i) => core.copy_f32(out.ptr + i * n * 4, t.ptr, n));
  return record(out, op, tensors.slice(), (g) =>
    tensors.map((t, i) => {
      if (!t.requiresGrad) return null;
      const d = Tensor.empty(op, shape.slice());
      getEngine(op).core.copy_f32(d.ptr, g.ptr + i * n * 4, n);
      return d;
    }),
  );
}
