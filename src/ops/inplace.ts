// In-place updates (PyTorch's trailing-underscore methods) for optimizer steps and
// gradient bookkeeping. They record no graph, so they refuse to touch a tensor that
// requires grad while grad mode is on (as PyTorch refuses for leaves).
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { isGradEnabled } from "../autograd";
import { UnaryOp } from "../core";
import { fmt, sameShape, describe } from "../shape";

function target(op: string, t: Tensor): Tensor {
  checkTensor(op, "self", t);
  if (t.requiresGrad && isGradEnabled()) {
    throw new Error(
      `${op}: a tensor of shape ${fmt(t.shape)} that requires grad is being changed in place; wrap the update in noGrad(() => ...)`,
    );
  }
  return t;
}

/** self += alpha · other (other broadcast only if it has the same shape). */
export function add_(self: Tensor, other: Tensor | number, alpha = 1): Tensor {
  target("add_", self);
  if (typeof alpha !== "number") throw new TypeError(`add_: alpha must be a number, got ${describe(alpha)}`);
  const core = getEngine("add_").core;
  if (typeof other === "number") {
    core.unary_f32(UnaryOp.affine, self.ptr, self.ptr, self.size, 1, alpha * other);
    return self;
  }
  checkTensor("add_", "other", other);
  if (!sameShape(self.shape, other.shape)) {
    throw new RangeError(`add_: other ${fmt(other.shape)} must have the shape of self ${fmt(self.shape)}`);
  }
  core.axpy_f32(self.ptr, other.ptr, self.size, alpha);
  return self;
}

/** self -= alpha · other. */
export function sub_(self: Tensor, other: Tensor | number, alpha = 1): Tensor {
  return add_(self, other, -alpha);
}

/** self *= factor (a number). */
export function mul_(self: Tensor, factor: number): Tensor {
  target("mul_", self);
  if (typeof factor !== "number") throw new TypeError(`mul_: factor must be a number, got ${describe(factor)}`);
  getEngine("mul_").core.unary_f32(UnaryOp.affine, self.ptr, self.ptr, self.size, factor, 0);
  return self;
}

export function fill_(self: Tensor, value: number): Tensor {
  target("fill_", self);
  if (typeof value !== "number") throw new TypeError(`fill_: value must be a number, got ${describe(value)}`);
  getEngine("fill_").core.fill_f32(self.ptr, self.size, value);
  return self;
}

export function zero_(self: Tensor): Tensor {
  return fill_(self, 0);
}

/** Copy src's values into self (same number of elements). */
export function copy_(self: Tensor, src: Tensor): Tensor {
  target("copy_", self);
  checkTensor("copy_", "src", src);
  if (src.size !== self.size) {
    throw new RangeError(`copy_: src ${fmt(src.shape)} has ${src.size} elements, self ${fmt(self.shape)} has ${self.size}`);
  }
  getEngine("copy_").core.copy_f32(self.ptr, src.ptr, self.size);
  return self;
}
