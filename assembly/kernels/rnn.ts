// Recurrent-cell kernels: one time step of a layer for a whole batch, after the GEMMs have
// produced the pre-activations. PyTorch's gate orders and formulas (aten/src/ATen/native/RNN.cpp):
//   LSTM gates i, f, g, o:  c' = f*c + i*g,  h' = o*tanh(c')
//   GRU gates r, z, n:      n = tanh(x_n + r*(W_hn h + b_hn)),  h' = (h - n)*z + n
//   RNN:                    h' = tanh(pre) or relu(pre)  (forward is act_f32; backward below)
// Rows are batch entries: a gate block of row b starts at b*gates*hidden floats, a state row at
// b*hidden. Lanes run over the hidden units with f32x4 SIMD and partial-vector tails (every lane
// goes through the same vector code). No allocation; any batch and hidden size (0 does nothing).
// Backward kernels read the incoming gradient of h as dY + dhRec (the output's own gradient plus
// the gradient arriving through the next step's recurrent GEMM), so no separate add is needed.

import { loadK, storeK, tanh4, sigmoid4 } from "./simd_math";
import { sigmoidGrad4, tanhGrad4, reluGrad4 } from "./common";

// @ts-ignore: decorator
@inline function at(base: usize, floatIndex: i32): usize {
  return base + (<usize>floatIndex << 2);
}

/**
 * LSTM step forward. gates [batch, 4*hidden] holds the pre-activations (x·W_ihᵀ + h·W_hhᵀ +
 * biases) and is overwritten with the activated gates i, f, g, o (what backward needs).
 * cPrev, cOut, hOut are [batch, hidden]; cOut/hOut must not alias gates.
 */
export function lstm_cell_f32(gates: usize, cPrev: usize, cOut: usize, hOut: usize, batch: i32, hidden: i32): void {
  const g4 = hidden << 2;
  for (let b = 0; b < batch; b++) {
    const gr = at(gates, b * g4);
    const sr = b * hidden;
    for (let j = 0; j < hidden; j += 4) {
      const k = min(4, hidden - j);
      const pi = at(gr, j);
      const pf = at(gr, hidden + j);
      const pg = at(gr, 2 * hidden + j);
      const po = at(gr, 3 * hidden + j);
      const i = sigmoid4(loadK(pi, k, 0));
      const f = sigmoid4(loadK(pf, k, 0));
      const g = tanh4(loadK(pg, k, 0));
      const o = sigmoid4(loadK(po, k, 0));
      storeK(pi, i, k);
      storeK(pf, f, k);
      storeK(pg, g, k);
      storeK(po, o, k);
      const c = f32x4.add(f32x4.mul(f, loadK(at(cPrev, sr + j), k, 0)), f32x4.mul(i, g));
      storeK(at(cOut, sr + j), c, k);
      storeK(at(hOut, sr + j), f32x4.mul(o, tanh4(c)), k);
    }
  }
}

/**
 * LSTM step backward. With dh = dY + dhRec and the cell gradient dcT = dc + dCy + dh*o*(1 - tanh(c)^2):
 * dGates = [dcT*g * i(1-i), dcT*cPrev * f(1-f), dcT*i * (1-g^2), dh*tanh(c) * o(1-o)] (gradients of
 * the pre-activations), and dc is overwritten with dcT*f (the gradient flowing to cPrev).
 * gates holds the activated i, f, g, o of the step; c is the step's new cell state; dCy is a
 * gradient on c arriving from outside the recurrence (e.g. on the final cell state).
 */
export function lstm_cell_bwd_f32(
  dGates: usize, dhRec: usize, dY: usize, dc: usize, dCy: usize,
  gates: usize, cPrev: usize, c: usize, batch: i32, hidden: i32,
): void {
  const g4 = hidden << 2;
  for (let b = 0; b < batch; b++) {
    const gr = at(gates, b * g4);
    const dr = at(dGates, b * g4);
    const sr = b * hidden;
    for (let j = 0; j < hidden; j += 4) {
      const k = min(4, hidden - j);
      const i = loadK(at(gr, j), k, 0);
      const f = loadK(at(gr, hidden + j), k, 0);
      const g = loadK(at(gr, 2 * hidden + j), k, 0);
      const o = loadK(at(gr, 3 * hidden + j), k, 0);
      const dh = f32x4.add(loadK(at(dY, sr + j), k, 0), loadK(at(dhRec, sr + j), k, 0));
      const tc = tanh4(loadK(at(c, sr + j), k, 0));
      const dtc = f32x4.mul(dh, o);
      const dcT = f32x4.add(
        f32x4.add(loadK(at(dc, sr + j), k, 0), loadK(at(dCy, sr + j), k, 0)),
        tanhGrad4(dtc, tc),
      );
      const di = f32x4.mul(dcT, g);
      const df = f32x4.mul(dcT, loadK(at(cPrev, sr + j), k, 0));
      const dg = f32x4.mul(dcT, i);
      const dO = f32x4.mul(dh, tc);
      storeK(at(dr, j), sigmoidGrad4(di, i), k);
      storeK(at(dr, hidden + j), sigmoidGrad4(df, f), k);
      storeK(at(dr, 2 * hidden + j), tanhGrad4(dg, g), k);
      storeK(at(dr, 3 * hidden + j), sigmoidGrad4(dO, o), k);
      storeK(at(dc, sr + j), f32x4.mul(dcT, f), k);
    }
  }
}

/**
 * GRU step forward. gates [batch, 3*hidden] holds x·W_ihᵀ + b_ih (+ b_hr, b_hz folded into the r
 * and z parts) and is overwritten with the activated r, z, n; hp [batch, 3*hidden] is h·W_hhᵀ
 * (no bias); bhn [hidden] is b_hn. hn [batch, hidden] receives W_hn h + b_hn (saved for
 * backward), hOut the new state. r = σ(x_r + hp_r), z = σ(x_z + hp_z),
 * n = tanh(x_n + r*hn), h' = (hPrev - n)*z + n.
 */
export function gru_cell_f32(
  gates: usize, hn: usize, hp: usize, bhn: usize, hPrev: usize, hOut: usize, batch: i32, hidden: i32,
): void {
  const g3 = hidden * 3;
  for (let b = 0; b < batch; b++) {
    const gr = at(gates, b * g3);
    const hr = at(hp, b * g3);
    const sr = b * hidden;
    for (let j = 0; j < hidden; j += 4) {
      const k = min(4, hidden - j);
      const pr = at(gr, j);
      const pz = at(gr, hidden + j);
      const pn = at(gr, 2 * hidden + j);
      const r = sigmoid4(f32x4.add(loadK(pr, k, 0), loadK(at(hr, j), k, 0)));
      const z = sigmoid4(f32x4.add(loadK(pz, k, 0), loadK(at(hr, hidden + j), k, 0)));
      const hnv = f32x4.add(loadK(at(hr, 2 * hidden + j), k, 0), loadK(at(bhn, j), k, 0));
      const n = tanh4(f32x4.add(loadK(pn, k, 0), f32x4.mul(r, hnv)));
      storeK(pr, r, k);
      storeK(pz, z, k);
      storeK(pn, n, k);
      storeK(at(hn, sr + j), hnv, k);
      const h = loadK(at(hPrev, sr + j), k, 0);
      storeK(at(hOut, sr + j), f32x4.add(f32x4.mul(f32x4.sub(h, n), z), n), k);
    }
  }
}

/**
 * GRU step backward. With dh = dY + dhRec: dn = dh - dh*z, dz = dh*(hPrev - n),
 * dn_pre = dn*(1 - n^2), dr = dn_pre*hn. Writes dGx = [dr*r(1-r), dz*z(1-z), dn_pre] (gradient of
 * the input projection's pre-activations) and dGh = [same r, same z, dn_pre*r] (of h·W_hhᵀ + b_hh),
 * and overwrites dhRec with dh*z, the direct part of the gradient to hPrev (the recurrent GEMM
 * dGh·W_hh is then accumulated onto it). dhRec may not alias dY.
 */
export function gru_cell_bwd_f32(
  dGx: usize, dGh: usize, dhRec: usize, dY: usize, gates: usize, hn: usize, hPrev: usize, batch: i32, hidden: i32,
): void {
  const g3 = hidden * 3;
  for (let b = 0; b < batch; b++) {
    const gr = at(gates, b * g3);
    const xr = at(dGx, b * g3);
    const hr = at(dGh, b * g3);
    const sr = b * hidden;
    for (let j = 0; j < hidden; j += 4) {
      const k = min(4, hidden - j);
      const r = loadK(at(gr, j), k, 0);
      const z = loadK(at(gr, hidden + j), k, 0);
      const n = loadK(at(gr, 2 * hidden + j), k, 0);
      const dh = f32x4.add(loadK(at(dY, sr + j), k, 0), loadK(at(dhRec, sr + j), k, 0));
      const dhz = f32x4.mul(dh, z);
      const dz = f32x4.mul(dh, f32x4.sub(loadK(at(hPrev, sr + j), k, 0), n));
      const dn = f32x4.sub(dh, dhz);
      const dnPre = tanhGrad4(dn, n);
      const dr = f32x4.mul(dnPre, loadK(at(hn, sr + j), k, 0));
      const drPre = sigmoidGrad4(dr, r);
      const dzPre = sigmoidGrad4(dz, z);
      storeK(at(xr, j), drPre, k);
      storeK(at(xr, hidden + j), dzPre, k);
      storeK(at(xr, 2 * hidden + j), dnPre, k);
      storeK(at(hr, j), drPre, k);
      storeK(at(hr, hidden + j), dzPre, k);
      storeK(at(hr, 2 * hidden + j), f32x4.mul(dnPre, r), k);
      storeK(at(dhRec, sr + j), dhz, k);
    }
  }
}

/**
 * Plain RNN step backward over n = batch*hidden floats: dh = dY + dhRec, then
 * dPre = dh*(1 - h^2) for tanh (relu = 0) or (h <= 0 ? 0 : dh) for relu (relu = 1), h being the
 * step's output. dPre may alias dhRec.
 */
export function rnn_cell_bwd_f32(dPre: usize, dhRec: usize, dY: usize, h: usize, n: i32, relu: i32): void {
  for (let i = 0; i < n; i += 4) {
    const k = min(4, n - i);
    const dh = f32x4.add(loadK(at(dY, i), k, 0), loadK(at(dhRec, i), k, 0));
    const y = loadK(at(h, i), k, 0);
    const d = relu ? reluGrad4(dh, y) : tanhGrad4(dh, y);
    storeK(at(dPre, i), d, k);
  }
}

/** out[r] = [a[r], b[r]] for rows r < rows: a is [rows, na], b [rows, nb], out [rows, na + nb]. */
export function concat_cols_f32(out: usize, a: usize, b: usize, rows: i32, na: i32, nb: i32): void {
  const w = na + nb;
  for (let r = 0; r < rows; r++) {
    memory.copy(at(out, r * w), at(a, r * na), <usize>na << 2);
    memory.copy(at(out, r * w + na), at(b, r * nb), <usize>nb << 2);
  }
}

/** The inverse of concat_cols_f32: a[r] = g[r, 0:na], b[r] = g[r, na:na+nb]. */
export function split_cols_f32(a: usize, b: usize, g: usize, rows: i32, na: i32, nb: i32): void {
  const w = na + nb;
  for (let r = 0; r < rows; r++) {
    memory.copy(at(a, r * na), at(g, r * w), <usize>na << 2);
    memory.copy(at(b, r * nb), at(g, r * w + na), <usize>nb << 2);
  }
}
