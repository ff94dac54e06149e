// Broadcasting: running a binary kernel over broadcast operands, and summing a gradient back
// down to an operand's shape. Internal to the ops (not part of the public API).
import { Tensor } from "../tensor";
import { getEngine } from "../engine";
import { broadcastShapes, broadcastStrides, collapse, contiguousStrides, sameShape } from "../shape";

/** Run a broadcasting binary kernel: out = a (op) b. */
export function binaryForward(op: string, code: number, a: Tensor, b: Tensor): Tensor {
  const outShape = broadcastShapes(op, a.shape, b.shape);
  const out = Tensor.empty(op, outShape);
  if (out.size === 0) return out;
  const e = getEngine(op);
  // equal shapes collapse to one contiguous run: skip the stride plan (the common case, and per-call cost shows on small tensors)
  if (sameShape(a.shape, b.shape)) {
    e.core.binary_f32(code, out.ptr, a.ptr, b.ptr, 1, e.params([out.size, 1, 1]));
    return out;
  }
  const c = collapse(outShape, [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
  const outPtr = out.ptr;
  const aPtr = a.ptr;
  const bPtr = b.ptr;
  e.core.binary_f32(code, outPtr, aPtr, bPtr, c.shape.length, e.params([...c.shape, ...c.strides[0], ...c.strides[1]]));
  return out;
}

/** Sum a gradient of the broadcast output shape back down to `shape` (backward of broadcasting). */
export function sumTo(g: Tensor, shape: number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const out = Tensor.empty("sumTo", shape.slice());
  const e = getEngine("sumTo");
  if (g.size === 0 || out.size === 0) {
    e.core.fill_f32(out.ptr, out.size, 0);
    return out;
  }
  const c = collapse(g.shape, [contiguousStrides(g.shape), broadcastStrides(shape, g.shape)]);
  const outPtr = out.ptr;
  const gPtr = g.ptr;
  e.core.reduce_broadcast_f32(outPtr, out.size, gPtr, c.shape.length, e.params([...c.shape, ...c.strides[1]]));
  return out;
}

