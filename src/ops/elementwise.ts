// Elementwise ops with PyTorch broadcasting, each forward and backward together.
// Broadcasting is decided here; the kernels see collapsed shapes and strides.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { BinaryOp, UnaryOp } from "../core";
import { describe } from "../shape";
import { binaryForward, sumTo } from "./broadcast";

export { sumTo };

type Operand = Tensor | number;

/** Elementwise map through one unary kernel (no graph). */
function unaryForward(op: string, code: number, x: Tensor, p1 = 0, p2 = 0): Tensor {
  const out = Tensor.empty(op, x.shape.slice());
  getEngine(op).core.unary_f32(code, out.ptr, x.ptr, x.size, p1, p2);
  return out;
}

/** Backward of a unary kernel: dx = dy * f'(x). */
function unaryBackward(op: string, code: number, x: Tensor, y: Tensor, dy: Tensor, p1 = 0, p2 = 0): Tensor {
  const dx = Tensor.empty(op, x.shape.slice());
  getEngine(op).core.unary_bwd_f32(code, dx.ptr, x.ptr, y.ptr, dy.ptr, x.size, p1, p2);
  return dx;
}

/** A differentiable unary op built on unary_f32/unary_bwd_f32. */
function unary(op: string, code: number, x: Tensor, p1 = 0, p2 = 0): Tensor {
  checkTensor(op, "input", x);
  const y = unaryForward(op, code, x, p1, p2);
  return record(y, op, [x], (g) => [unaryBackward(op, code, x, y, g, p1, p2)]);
}

function checkScalar(op: string, arg: string, v: number): number {
  if (typeof v !== "number") throw new TypeError(`${op}: ${arg} must be a number, got ${describe(v)}`);
  return v;
}

/** x * scale + shift, differentiable in x. */
export function affine(x: Tensor, scale: number, shift = 0): Tensor {
  return unary("affine", UnaryOp.affine, x, scale, shift);
}

function operands(op: string, a: Operand, b: Operand): void {
  if (typeof a === "number" && typeof b === "number") {
    throw new TypeError(`${op}: at least one argument must be a Tensor, got two numbers`);
  }
  if (typeof a !== "number") checkTensor(op, "input", a);
  if (typeof b !== "number") checkTensor(op, "other", b);
}

export function add(a: Operand, b: Operand): Tensor {
  operands("add", a, b);
  if (typeof b === "number") return affine(a as Tensor, 1, b);
  if (typeof a === "number") return affine(b, 1, a);
  const out = binaryForward("add", BinaryOp.add, a, b);
  return record(out, "add", [a, b], (g) => [sumTo(g, a.shape), sumTo(g, b.shape)]);
}

export function sub(a: Operand, b: Operand): Tensor {
  operands("sub", a, b);
  if (typeof b === "number") return affine(a as Tensor, 1, -b);
  if (typeof a === "number") return affine(b, -1, a);
  const out = binaryForward("sub", BinaryOp.sub, a, b);
  return record(out, "sub", [a, b], (g) => [sumTo(g, a.shape), neg(sumTo(g, b.shape))]);
}

export function mul(a: Operand, b: Operand): Tensor {
  operands("mul", a, b);
  if (typeof b === "number") return affine(a as Tensor, b, 0);
  if (typeof a === "number") return affine(b, a, 0);
  const out = binaryForward("mul", BinaryOp.mul, a, b);
  return record(out, "mul", [a, b], (g) => [
    a.requiresGrad ? sumTo(binaryForward("mul", BinaryOp.mul, g, b), a.shape) : null,
    b.requiresGrad ? sumTo(binaryForward("mul", BinaryOp.mul, g, a), b.shape) : null,
  ]);
}

export function div(a: Operand, b: Operand): Tensor {
  operands("div", a, b);
  if (typeof b === "number") return affine(a as Tensor, 1 / b, 0);
  if (typeof a === "number") return scalarOver(a, b);
  const out = binaryForward("div", BinaryOp.div, a, b);
  // d(a/b)/da = 1/b;  d(a/b)/db = -a/b^2 = -out/b
  return record(out, "div", [a, b], (g) => [
    a.requiresGrad ? sumTo(binaryForward("div", BinaryOp.div, g, b), a.shape) : null,
    b.requiresGrad
      ? sumTo(unaryForward("div", UnaryOp.neg, binaryForward("div", BinaryOp.div, binaryForward("div", BinaryOp.mul, g, out), b)), b.shape)
      : null,
  ]);
}

/** a / x for a number a, as one node: y = a·x⁻¹, dy/dx = -a·x⁻². */
function scalarOver(a: number, x: Tensor): Tensor {
  const y = unaryForward("div", UnaryOp.powScalar, x, -1);
  const core = getEngine("div").core;
  core.unary_f32(UnaryOp.affine, y.ptr, y.ptr, y.size, a, 0);
  return record(y, "div", [x], (g) => {
    const dx = Tensor.empty("div", x.shape.slice());
    core.unary_bwd_f32(UnaryOp.powScalar, dx.ptr, x.ptr, 0, g.ptr, x.size, -1, 0);
    core.unary_f32(UnaryOp.affine, dx.ptr, dx.ptr, dx.size, a, 0);
    return [dx];
  });
}

/** 1/x, differentiable. */
export function reciprocal(x: Tensor): Tensor {
  return unary("reciprocal", UnaryOp.powScalar, checkTensor("reciprocal", "input", x), -1);
}

/** a ** b: a tensor exponent broadcasts like any binary op; a number exponent uses a fused kernel. */
export function pow(a: Operand, b: Operand): Tensor {
  operands("pow", a, b);
  if (typeof b === "number") return powScalar(a as Tensor, b);
  const base = typeof a === "number" ? full0(a) : a;
  const out = binaryForward("pow", BinaryOp.pow, base, b);
  // d/da = b * a^(b-1);  d/db = out * log(a), taken as 0 where a == 0 (as torch does)
  return record(out, "pow", [base, b], (g) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (base.requiresGrad) {
      const bm1 = unaryForward("pow", UnaryOp.affine, b, 1, -1);
      const d = binaryForward("pow", BinaryOp.mul, binaryForward("pow", BinaryOp.pow, base, bm1), b);
      ga = sumTo(binaryForward("pow", BinaryOp.mul, g, d), base.shape);
    }
    if (b.requiresGrad) {
      // log(a + [a == 0]): log(1) = 0 where the base is 0, so those elements get no gradient
      const isZero = unaryForward("pow", UnaryOp.affine, unaryForward("pow", UnaryOp.abs, unaryForward("pow", UnaryOp.sign, base)), -1, 1);
      const safeLog = unaryForward("pow", UnaryOp.log, binaryForward("pow", BinaryOp.add, base, isZero));
      const d = binaryForward("pow", BinaryOp.mul, out, safeLog);
      gb = sumTo(binaryForward("pow", BinaryOp.mul, g, d), b.shape);
    }
    return [ga, gb];
  }, base === a ? [] : [base]);
}

function full0(v: number): Tensor {
  const t = Tensor.empty("pow", []);
  getEngine("pow").core.fill_f32(t.ptr, 1, v);
  return t;
}

/** x ** exponent for a number exponent (torch.pow(x, 2.5)). */
export function powScalar(x: Tensor, exponent: number): Tensor {
  return unary("pow", UnaryOp.powScalar, checkTensor("pow", "input", x), checkScalar("pow", "exponent", exponent));
}

/** Elementwise maximum; at ties the gradient is split half and half, as in PyTorch. */
export function maximum(a: Operand, b: Operand): Tensor {
  return extremum("maximum", BinaryOp.maximum, 1, a, b);
}

export function minimum(a: Operand, b: Operand): Tensor {
  return extremum("minimum", BinaryOp.minimum, -1, a, b);
}

function extremum(op: string, code: number, sign: 1 | -1, a: Operand, b: Operand): Tensor {
  operands(op, a, b);
  if (typeof a === "number") return extremum(op, code, sign, b, a);
  // A number operand becomes a 0-d constant owned by the node, so ties split as for tensors.
  const bT = typeof b === "number" ? full0(b) : b;
  return extremumTensors(op, code, sign, a as Tensor, bT, bT === b ? [] : [bT]);
}

function extremumTensors(op: string, code: number, sign: 1 | -1, a: Tensor, b: Tensor, saved: Tensor[]): Tensor {
  const out = binaryForward(op, code, a, b);
  return record(out, op, [a, b], (g) => {
    // share = (sign(±(a - b)) + 1) / 2: 1 where a wins, 0 where b wins, 1/2 at ties.
    const diff = binaryForward(op, BinaryOp.sub, a, b);
    const shareA = unaryForward(op, UnaryOp.affine, unaryForward(op, UnaryOp.sign, diff), sign * 0.5, 0.5);
    const shareB = unaryForward(op, UnaryOp.affine, shareA, -1, 1);
    return [
      sumTo(binaryForward(op, BinaryOp.mul, g, shareA), a.shape),
      b.requiresGrad ? sumTo(binaryForward(op, BinaryOp.mul, g, shareB), b.shape) : null,
    ];
  }, saved);
}

export function neg(x: Tensor): Tensor {
  return unary("neg", UnaryOp.neg, x);
}

export function exp(x: Tensor): Tensor {
  return unary("exp", UnaryOp.exp, x);
}

export function log(x: Tensor): Tensor {
  return unary("log", UnaryOp.log, x);
}

export function sqrt(x: Tensor): Tensor {
  return unary("sqrt", UnaryOp.sqrt, x);
}

export function abs(x: Tensor): Tensor {
  return unary("abs", UnaryOp.abs, x);
}

/** Elementwise sign (-1, 0, 1); not differentiable (zero gradient, as in PyTorch). */
export function sign(x: Tensor): Tensor {
  return unary("sign", UnaryOp.sign, x);
}

/** Clamp into [min, max]; either bound may be null. Gradient passes where min <= x <= max. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  checkTensor("clamp", "input", x);
  const lo = min === undefined || min === null ? -Infinity : checkScalar("clamp", "min", min);
  const hi = max === undefined || max === null ? Infinity : checkScalar("clamp", "max", max);
  if (lo === -Infinity && hi === Infinity) throw new TypeError("clamp: at least one of min and max must be given");
  return unary("clamp", UnaryOp.clamp, x, lo, hi);
}
