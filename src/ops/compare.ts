// Comparisons (torch.gt, ge, lt, le, eq, ne: 1.0 where true, 0.0 where false; not
// differentiable) and torch.where, which picks elements of a or b by a condition and passes
// the gradient to the one it picked.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { BinaryOp } from "../core";
import { broadcastShapes, broadcastStrides, collapse, describe } from "../shape";
import { binaryForward, sumTo } from "./broadcast";

type Operand = Tensor | number;

/** A 0-d tensor for a number operand (the caller disposes it). */
function constant(op: string, v: number): Tensor {
  const t = Tensor.empty(op, []);
  getEngine(op).core.fill_f32(t.ptr, 1, v);
  return t;
}

function compare(op: string, code: number, a: Operand, b: Operand): Tensor {
  if (typeof a === "number" && typeof b === "number") throw new TypeError(`${op}: at least one argument must be a Tensor, got two numbers`);
  if (typeof a !== "number") checkTensor(op, "input", a);
  if (typeof b !== "number" && typeof b !== "object") throw new TypeError(`${op}: other must be a Tensor or a number, got ${describe(b)}`);
  if (typeof b !== "number") checkTensor(op, "other", b);
  const A = typeof a === "number" ? constant(op, a) : a;
  const B = typeof b === "number" ? constant(op, b) : b;
  try {
    return binaryForward(op, code, A, B);
  } finally {
    if (A !== a) A.dispose();
    if (B !== b) B.dispose();
  }
}

export const gt = (a: Operand, b: Operand): Tensor => compare("gt", BinaryOp.gt, a, b);
export const ge = (a: Operand, b: Operand): Tensor => compare("ge", BinaryOp.ge, a, b);
export const lt = (a: Operand, b: Operand): Tensor => compare("lt", BinaryOp.lt, a, b);
export const le = (a: Operand, b: Operand): Tensor => compare("le", BinaryOp.le, a, b);
export const eq = (a: Operand, b: Operand): Tensor => compare("eq", BinaryOp.eq, a, b);
export const ne = (a: Operand, b: Operand): Tensor => compare("ne", BinaryOp.ne, a, b);

/** `x` broadcast to `shape` as a contiguous copy. */
function expand(op: string, x: Tensor, shape: number[]): Tensor {
  const out = Tensor.empty(op, shape.slice());
  if (out.size === 0) return out;
  const e = getEngine(op);
  const c = collapse(shape, [broadcastStrides(shape, shape), broadcastStrides(x.shape, shape)]);
  const outPtr = out.ptr;
  const xPtr = x.ptr;
  e.core.strided_copy_f32(outPtr, xPtr, c.shape.length, e.params([...c.shape, ...c.strides[1]]));
  return out;
}

/**
 * torch.where(condition, a, b): a where condition is nonzero, else b, all three broadcast
 * together. Differentiable in a and b (each gets the gradient where it was picked).
 */
export function where(condition: Tensor, a: Operand, b: Operand): Tensor {
  const op = "where";
  checkTensor(op, "condition", condition);
  if (typeof a !== "number") checkTensor(op, "input", a);
  if (typeof b !== "number") checkTensor(op, "other", b);
  const owned: Tensor[] = [];
  const A = typeof a === "number" ? (owned.push(constant(op, a)), owned[owned.length - 1]) : a;
  const B = typeof b === "number" ? (owned.push(constant(op, b)), owned[owned.length - 1]) : b;
  const shape = broadcastShapes(op, broadcastShapes(op, condition.shape, A.shape), B.shape);
  const c = expand(op, condition, shape);
  const ea = expand(op, A, shape);
  const eb = expand(op, B, shape);
  const out = Tensor.empty(op, shape.slice());
  getEngine(op).core.select_f32(out.ptr, c.ptr, ea.ptr, eb.ptr, out.size);
  ea.dispose();
  eb.dispose();
  return record(
    out,
    op,
    [A, B],
    (g) => {
      // dA = g where picked (else 0), dB = g where not picked
      const zg = Tensor.empty(op, shape.slice());
      getEngine(op).core.fill_f32(zg.ptr, zg.size, 0);
      const pickA = Tensor.empty(op, shape.slice());
      const pickB = Tensor.empty(op, shape.slice());
      getEngine(op).core.select_f32(pickA.ptr, c.ptr, g.ptr, zg.ptr, g.size);
      getEngine(op).core.select_f32(pickB.ptr, c.ptr, zg.ptr, g.ptr, g.size);
      return [A.requiresGrad ? sumTo(pickA, A.shape) : null, B.requiresGrad ? sumTo(pickB, B.shape) : null];
    },
    [c, ...owned],
  );
}
