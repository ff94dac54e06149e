// Statistics reductions over one axis or over everything: var, std, logsumexp, norm.
// Each is one autograd node; forward temporaries are freed before returning, and the
// tensors backward needs (besides the input and the output) go in record's `saved` list.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { BinaryOp, UnaryOp } from "../core";
import { describe } from "../shape";
import { binaryForward } from "./broadcast";
import { plan, expandAlong, type Plan } from "./axis";

/** In-place unary kernel on t. */
function unaryInPlace(op: string, t: Tensor, code: number, p1 = 0, p2 = 0): Tensor {
  getEngine(op).core.unary_f32(code, t.ptr, t.ptr, t.size, p1, p2);
  return t;
}

/** a * b for two tensors of the same shape (no graph). */
function times(op: string, a: Tensor, b: Tensor): Tensor {
  return binaryForward(op, BinaryOp.mul, a, b);
}

/** g / d elementwise, 0 where d == 0 (torch's masked_fill_(norm == 0, 0) subgradient). */
function safeDivide(op: string, g: Tensor, d: Tensor): Tensor {
  const out = Tensor.empty(op, d.shape.slice());
  const e = getEngine(op);
  const o = e.f32(out.ptr, out.size);
  const gv = e.f32(g.ptr, g.size);
  const dv = e.f32(d.ptr, d.size);
  for (let i = 0; i < o.length; i++) o[i] = dv[i] === 0 ? 0 : gv[i] / dv[i];
  return out;
}

export interface VarOptions {
  /** Subtracted from the element count in the divisor (default 1: Bessel's correction). */
  correction?: number;
  /** Older torch's spelling: true = correction 1, false = correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

function correctionOf(op: string, options: VarOptions): number {
  if (typeof options !== "object" || options === null) throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
  const { correction, unbiased } = options;
  if (correction !== undefined && unbiased !== undefined) {
    throw new TypeError(`${op}: pass either correction or unbiased, not both`);
  }
  if (unbiased !== undefined) {
    if (typeof unbiased !== "boolean") throw new TypeError(`${op}: unbiased must be a boolean, got ${describe(unbiased)}`);
    return unbiased ? 1 : 0;
  }
  if (correction === undefined) return 1;
  if (typeof correction !== "number" || !Number.isFinite(correction) || correction < 0) {
    throw new RangeError(`${op}: correction must be a non-negative number, got ${describe(correction)}`);
  }
  return correction;
}

function varStd(op: "var" | "std", x: Tensor, dim: number | null | undefined, options: VarOptions): Tensor {
  checkTensor(op, "input", x);
  const correction = correctionOf(op, options);
  const p = plan(op, x, dim, options.keepdim ?? false);
  const e = getEngine(op);
  const core = e.core;
  // Divisor max(0, N - correction), as torch: 0 gives inf (or nan for 0/0).
  const dof = Math.max(0, p.dim - correction);

  const mean = Tensor.empty(op, p.shape.slice());
  core.sum_axis_f32(mean.ptr, x.ptr, p.outer, p.dim, p.inner);
  unaryInPlace(op, mean, UnaryOp.affine, 1 / p.dim, 0);
  // centered = x - mean (two-pass: no cancellation from E[x²] - E[x]²)
  const centered = expandAlong(op, mean, x, p, -1);
  mean.dispose();
  core.axpy_f32(centered.ptr, x.ptr, x.size, 1);
  const squares = times(op, centered, centered);
  const out = Tensor.empty(op, p.shape.slice());
  core.sum_axis_f32(out.ptr, squares.ptr, p.outer, p.dim, p.inner);
  squares.dispose();
  unaryInPlace(op, out, UnaryOp.affine, 1 / dof, 0);

  if (op === "var") {
    // d var / dx = 2 (x - mean) / dof
    return record(out, op, [x], (g) => {
      const ge = expandAlong(op, g, x, p, 2 / dof);
      const dx = times(op, ge, centered);
      ge.dispose();
      return [dx];
    }, [centered]);
  }
  unaryInPlace(op, out, UnaryOp.sqrt);
  // d std / dx = (x - mean) / (dof · std), 0 where std == 0 (torch's choice)
  return record(out, op, [x], (g) => {
    const gs = safeDivide(op, g, out);
    const ge = expandAlong(op, gs, x, p, 1 / dof);
    gs.dispose();
    const dx = times(op, ge, centered);
    ge.dispose();
    return [dx];
  }, [centered]);
}

/** Variance over `dim` (all elements when null/undefined), divisor N - correction (default 1), as torch.var. */
function variance(x: Tensor, dim?: number | null, options: VarOptions = {}): Tensor {
  return varStd("var", x, dim, options);
}
// `var` is a reserved word, so it can only be an export name.
export { variance as var };

/** Standard deviation over `dim` (all elements when null/undefined), as torch.std. */
export function std(x: Tensor, dim?: number | null, options: VarOptions = {}): Tensor {
  return varStd("std", x, dim, options);
}

/**
 * log Σ exp(x) over `dim` (all elements when null), as torch.logsumexp: the maximum is
 * subtracted first (replaced by 0 when it is ±inf, so all -inf gives -inf and +inf gives +inf).
 */
export function logsumexp(x: Tensor, dim: number | null, keepdim = false): Tensor {
  const op = "logsumexp";
  checkTensor(op, "input", x);
  const p = plan(op, x, dim, keepdim);
  const e = getEngine(op);
  const shift = Tensor.empty(op, p.shape.slice());
  if (p.dim === 0) {
    e.core.fill_f32(shift.ptr, shift.size, 0);
  } else {
    const index = Tensor.empty(op, p.shape.slice());
    e.core.max_axis_f32(shift.ptr, index.ptr, x.ptr, p.outer, p.dim, p.inner);
    index.dispose();
    const s = e.f32(shift.ptr, shift.size);
    for (let i = 0; i < s.length; i++) if (s[i] === Infinity || s[i] === -Infinity) s[i] = 0;
  }
  const t = expandAlong(op, shift, x, p, -1);
  e.core.axpy_f32(t.ptr, x.ptr, x.size, 1);
  unaryInPlace(op, t, UnaryOp.exp);
  const out = Tensor.empty(op, p.shape.slice());
  e.core.sum_axis_f32(out.ptr, t.ptr, p.outer, p.dim, p.inner);
  t.dispose();
  unaryInPlace(op, out, UnaryOp.log);
  e.core.axpy_f32(out.ptr, shift.ptr, out.size, 1);
  shift.dispose();
  // d/dx = exp(x - out) · g  (softmax along the axis)
  return record(out, op, [x], (g) => {
    const c = getEngine(op).core;
    const w = expandAlong(op, out, x, p, -1);
    c.axpy_f32(w.ptr, x.ptr, x.size, 1);
    unaryInPlace(op, w, UnaryOp.exp);
    const ge = expandAlong(op, g, x, p, 1);
    const dx = times(op, w, ge);
    w.dispose();
    ge.dispose();
    return [dx];
  });
}

/**
 * Vector p-norm over `dim` (all elements when null/undefined), as torch.norm /
 * torch.linalg.vector_norm: p = 1, 2 (default; "fro" is the same for one dim or all),
 * Infinity (max |x|), -Infinity (min |x|) or any other positive p.
 */
export function norm(x: Tensor, p: number | "fro" = 2, dim?: number | null, keepdim = false): Tensor {
  const op = "norm";
  checkTensor(op, "input", x);
  const ord = p === "fro" ? 2 : p;
  if (typeof ord !== "number" || Number.isNaN(ord) || !(ord > 0 || ord === -Infinity)) {
    throw new RangeError(`${op}: p must be a positive number, Infinity, -Infinity or "fro", got ${describe(p)}`);
  }
  const pl = plan(op, x, dim, keepdim);
  if (!Number.isFinite(ord)) return extremeNorm(x, ord, pl);
  const e = getEngine(op);
  const core = e.core;
  const a = Tensor.empty(op, x.shape.slice());
  core.unary_f32(UnaryOp.abs, a.ptr, x.ptr, x.size, 0, 0);
  if (ord !== 1) unaryInPlace(op, a, UnaryOp.powScalar, ord);
  const out = Tensor.empty(op, pl.shape.slice());
  core.sum_axis_f32(out.ptr, a.ptr, pl.outer, pl.dim, pl.inner);
  a.dispose();
  if (ord !== 1) unaryInPlace(op, out, UnaryOp.powScalar, 1 / ord);

  return record(out, op, [x], (g) => {
    const c = getEngine(op).core;
    const sgn = Tensor.empty(op, x.shape.slice());
    c.unary_f32(UnaryOp.sign, sgn.ptr, x.ptr, x.size, 0, 0);
    if (ord === 1) {
      // d|x|/dx = sign(x) (0 at 0)
      const ge = expandAlong(op, g, x, pl, 1);
      const dx = times(op, sgn, ge);
      sgn.dispose();
      ge.dispose();
      return [dx];
    }
    // d‖x‖/dx = sign(x)·|x|^(p-1) / ‖x‖^(p-1); for p = 2 that is x / ‖x‖.
    let scaled: Tensor;
    if (ord === 2) {
      scaled = Tensor.empty(op, x.shape.slice());
      c.copy_f32(scaled.ptr, x.ptr, x.size);
    } else {
      const mag = Tensor.empty(op, x.shape.slice());
      c.unary_f32(UnaryOp.abs, mag.ptr, x.ptr, x.size, 0, 0);
      unaryInPlace(op, mag, UnaryOp.powScalar, ord - 1);
      // For p < 1, |0|^(p-1) is inf; capping it keeps sign(0)·cap = 0, torch's value at 0.
      if (ord < 1) unaryInPlace(op, mag, UnaryOp.clamp, -Infinity, 3.4028234663852886e38);
      scaled = times(op, sgn, mag);
      mag.dispose();
    }
    sgn.dispose();
    const denom = Tensor.empty(op, out.shape.slice());
    c.copy_f32(denom.ptr, out.ptr, out.size);
    if (ord !== 2) unaryInPlace(op, denom, UnaryOp.powScalar, ord - 1);
    // p < 1: ‖x‖^(p-1) is inf at ‖x‖ = 0 and the gradient 0 there, which safeDivide also gives.
    const gs = safeDivide(op, g, denom);
    denom.dispose();
    const ge = expandAlong(op, gs, x, pl, 1);
    gs.dispose();
    const dx = times(op, scaled, ge);
    scaled.dispose();
    ge.dispose();
    return [dx];
  });
}

/** max |x| (p = inf) or min |x| (p = -inf); the gradient is shared evenly among ties, as in torch. */
function extremeNorm(x: Tensor, ord: number, pl: Plan): Tensor {
  const op = "norm";
  if (pl.dim === 0) {
    throw new RangeError(`${op}: cannot compute the ${ord} norm over an empty dimension of a tensor of shape [${x.shape.join(", ")}]`);
  }
  const e = getEngine(op);
  const a = Tensor.empty(op, x.shape.slice());
  e.core.unary_f32(UnaryOp.abs, a.ptr, x.ptr, x.size, 0, 0);
  const out = Tensor.empty(op, pl.shape.slice());
  const index = Tensor.empty(op, pl.shape.slice());
  (ord > 0 ? e.core.max_axis_f32 : e.core.min_axis_f32)(out.ptr, index.ptr, a.ptr, pl.outer, pl.dim, pl.inner);
  index.dispose();
  a.dispose();
  return record(out, op, [x], (g) => {
    const c = getEngine(op).core;
    // mask = (|x| == norm) or |x| is NaN; dx = sign(x) · mask · g / count(mask)
    const mag = Tensor.empty(op, x.shape.slice());
    c.unary_f32(UnaryOp.abs, mag.ptr, x.ptr, x.size, 0, 0);
    const ne = expandAlong(op, out, x, pl, 1);
    const mask = binaryForward(op, BinaryOp.eq, mag, ne);
    ne.dispose();
    {
      const m = getEngine(op).f32(mask.ptr, mask.size);
      const v = getEngine(op).f32(mag.ptr, mag.size);
      for (let i = 0; i < m.length; i++) if (Number.isNaN(v[i])) m[i] = 1;
    }
    mag.dispose();
    const count = Tensor.empty(op, out.shape.slice());
    c.sum_axis_f32(count.ptr, mask.ptr, pl.outer, pl.dim, pl.inner);
    const gs = safeDivide(op, g, count); // count >= 1: the extreme is one of the |x| (or a NaN, which is in the mask)
    count.dispose();
    const ge = expandAlong(op, gs, x, pl, 1);
    gs.dispose();
    const sgn = Tensor.empty(op, x.shape.slice());
    c.unary_f32(UnaryOp.sign, sgn.ptr, x.ptr, x.size, 0, 0);
    const t = times(op, sgn, mask);
    sgn.dispose();
    mask.dispose();
    const dx = times(op, t, ge);
    t.dispose();
    ge.dispose();
    return [dx];
  });
}
