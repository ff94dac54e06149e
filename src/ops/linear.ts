// F.linear: y = x·Wᵀ + b with W laid out [out, in] as in PyTorch, fused into one kernel call
// (the bias is broadcast into y, then the product accumulates onto it).
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { fmt, broadcastStrides, collapse } from "../shape";

/** y[..., out] = x[..., in] · weight[out, in]ᵀ + bias[out]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = "linear";
  checkTensor(op, "input", x);
  checkTensor(op, "weight", weight);
  if (bias !== undefined && bias !== null) checkTensor(op, "bias", bias);
  if (weight.ndim !== 2) throw new RangeError(`${op}: weight must be 2-D [out, in], got ${fmt(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new RangeError(`${op}: input ${fmt(x.shape)} does not end in in_features ${inF} of weight ${fmt(weight.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new RangeError(`${op}: bias ${fmt(bias.shape)} must be [${outF}] for weight ${fmt(weight.shape)}`);
  }
  const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const out = Tensor.empty(op, [...x.shape.slice(0, -1), outF]);
  const e = getEngine(op);
  const core = e.core;
  if (bias && out.size > 0) {
    const c = collapse([rows, outF], [[outF, 1], broadcastStrides([outF], [rows, outF])]);
    const outPtr = out.ptr;
    const bPtr = bias.ptr;
    core.strided_copy_f32(outPtr, bPtr, c.shape.length, e.params([...c.shape, ...c.strides[1]]));
  }
  const scratch = e.scratch(core.matmul_scratch_bytes(rows, outF, inF, 0, 1));
  core.matmul_f32(out.ptr, x.ptr, weight.ptr, rows, outF, inF, 0, 1, bias ? 1 : 0, scratch);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, op, inputs, (g) => {
    const ex = getEngine(op);
    const c = ex.core;
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (x.requiresGrad) {
      dx = Tensor.empty(op, x.shape.slice()); // dx = g · W
      c.matmul_f32(dx.ptr, g.ptr, weight.ptr, rows, inF, outF, 0, 0, 0, ex.scratch(c.matmul_scratch_bytes(rows, inF, outF, 0, 0)));
    }
    if (weight.requiresGrad) {
      dw = Tensor.empty(op, [outF, inF]); // dW = gᵀ · x
      c.matmul_f32(dw.ptr, g.ptr, x.ptr, outF, inF, rows, 1, 0, 0, ex.scratch(c.matmul_scratch_bytes(outF, inF, rows, 1, 0)));
    }
    if (bias && bias.requiresGrad) {
      db = Tensor.empty(op, [outF]); // db = Σ_rows g
      c.sum_axis_f32(db.ptr, g.ptr, 1, rows, outF);
    }
    return bias ? [dx, dw, db] : [dx, dw];
  });
}
