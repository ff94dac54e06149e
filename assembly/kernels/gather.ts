// Row gather and scatter-add: the kernels behind batching (fit's mini-batches) and indexSelect.
// x is viewed as rows of `rowSize` floats; indices are float values holding whole numbers (the
// engine's only dtype), already validated by the TypeScript side (0 <= idx < rows).

import { addRow } from "./common";

/**
 * out[i, :] = x[idx[i], :] for i in 0..nIdx-1, rows of rowSize floats. One memory.copy per row
 * (bulk memory: the engine's fastest contiguous copy); rowSize 1 uses a plain load/store.
 * out must not overlap x. nIdx 0 or rowSize 0 writes nothing.
 */
export function gather_rows_f32(out: usize, x: usize, idx: usize, nIdx: i32, rowSize: i32): void {
  if (nIdx <= 0 || rowSize <= 0) return;
  if (rowSize == 1) {
    for (let i = 0; i < nIdx; i++) {
      const j = <usize><i32>load<f32>(idx + (<usize>i << 2));
      store<f32>(out + (<usize>i << 2), load<f32>(x + (j << 2)));
    }
    return;
  }
  const rowBytes = <usize>rowSize << 2;
  let o = out;
  for (let i = 0; i < nIdx; i++) {
    const j = <usize><i32>load<f32>(idx + (<usize>i << 2));
    memory.copy(o, x + j * rowBytes, rowBytes);
    o += rowBytes;
  }
}

/**
 * out[idx[i], :] += src[i, :] for i in 0..nIdx-1 in order (repeated indices accumulate), rows of
 * rowSize floats; SIMD over each row with a scalar tail. The caller zeroes out first when it wants
 * a plain scatter (the backward of gather). out must not overlap src.
 */
export function scatter_add_rows_f32(out: usize, src: usize, idx: usize, nIdx: i32, rowSize: i32): void {
  if (nIdx <= 0 || rowSize <= 0) return;
  const rowBytes = <usize>rowSize << 2;
  let s = src;
  for (let i = 0; i < nIdx; i++) {
    addRow(out + <usize><i32>load<f32>(idx + (<usize>i << 2)) * rowBytes, s, rowSize);
    s += rowBytes;
  }
}
