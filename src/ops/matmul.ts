// Matrix products: gemm (2-D, with transpose flags) and torch.matmul semantics
// (1-D operands, batched operands with broadcast batch dims). Backward uses the kernel's
// transpose flags (dA = dY·Bᵀ, dB = Aᵀ·dY) instead of transposed copies.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { record } from "../autograd";
import { broadcastShapes, fmt, sizeOf, broadcastStrides, collapse } from "../shape";
import { sumTo } from "./elementwise";

/** out = op(a)·op(b) for 2-D tensors, op = transpose when the flag is set. */
function gemmForward(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const m = transA ? a.shape[1] : a.shape[0];
  const k = transA ? a.shape[0] : a.shape[1];
  const n = transB ? b.shape[0] : b.shape[1];
  return gemmRaw(a, b, m, n, k, transA, transB, [m, n]);
}

/** The kernel call: a and b are read as row-major [m,k]/[k,n] (or transposed) whatever their shapes. */
function gemmRaw(a: Tensor, b: Tensor, m: number, n: number, k: number, transA: boolean, transB: boolean, shape: number[]): Tensor {
  const out = Tensor.empty("matmul", shape);
  const e = getEngine("matmul");
  const ta = transA ? 1 : 0;
  const tb = transB ? 1 : 0;
  const scratch = e.scratch(e.core.matmul_scratch_bytes(m, n, k, ta, tb));
  e.core.matmul_f32(out.ptr, a.ptr, b.ptr, m, n, k, ta, tb, 0, scratch);
  return out;
}

/**
 * 2-D matrix product with transpose flags: gemm(a, b, false, true) is a·bᵀ without a copy.
 * Differentiable in both operands.
 */
export function gemm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  checkTensor("gemm", "a", a);
  checkTensor("gemm", "b", b);
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new RangeError(`gemm: expects 2-D tensors, got a ${fmt(a.shape)} and b ${fmt(b.shape)}`);
  }
  const ka = transA ? a.shape[0] : a.shape[1];
  const kb = transB ? b.shape[1] : b.shape[0];
  if (ka !== kb) {
    throw new RangeError(
      `gemm: inner dimensions differ: a ${fmt(a.shape)}${transA ? "ᵀ" : ""} · b ${fmt(b.shape)}${transB ? "ᵀ" : ""} (${ka} vs ${kb})`,
    );
  }
  const out = gemmForward(a, b, transA, transB);
  return record(out, "gemm", [a, b], (g) => [
    a.requiresGrad ? (transA ? gemmForward(b, g, transB, true) : gemmForward(g, b, false, !transB)) : null,
    b.requiresGrad ? (transB ? gemmForward(g, a, true, transA) : gemmForward(a, g, !transA, false)) : null,
  ]);
}

/** Copy `x` broadcast to `shape` (stride-0 reads on broadcast dims). */
function expandTo(x: Tensor, logical: number[], shape: number[]): Tensor {
  const out = Tensor.empty("matmul", shape);
  if (out.size === 0) return out;
  const e = getEngine("matmul");
  const c = collapse(shape, [broadcastStrides(shape, shape), broadcastStrides(logical, shape)]);
  const outPtr = out.ptr;
  const xPtr = x.ptr;
  e.core.strided_copy_f32(outPtr, xPtr, c.shape.length, e.params([...c.shape, ...c.strides[1]]));
  return out;
}

/** Batched product of [B, m, k]-like operands; stride 0 when an operand is shared by all batches. */
function bmmForward(
  a: Tensor, b: Tensor, batch: number, m: number, n: number, k: number,
  transA: boolean, transB: boolean, sA: number, sB: number, shape: number[],
): Tensor {
  const out = Tensor.empty("matmul", shape);
  const e = getEngine("matmul");
  const ta = transA ? 1 : 0;
  const tb = transB ? 1 : 0;
  const scratch = e.scratch(e.core.matmul_scratch_bytes(m, n, k, ta, tb));
  e.core.bmm_f32(out.ptr, a.ptr, b.ptr, batch, m, n, k, ta, tb, 0, scratch, sA, sB, m * n);
  return out;
}

/**
 * torch.matmul: 1-D·1-D is a dot product, 2-D·2-D a matrix product, 1-D operands get a dim
 * added and removed, and leading (batch) dims broadcast. 1-D operands are read in place as
 * [1,k] or [k,1] matrices, so no reshaped copies enter the graph.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor("matmul", "input", a);
  checkTensor("matmul", "other", b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(`matmul: both arguments need at least 1 dim, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  const a2 = a.ndim === 1 ? [1, a.shape[0]] : a.shape;
  const b2 = b.ndim === 1 ? [b.shape[0], 1] : b.shape;
  const k = a2[a2.length - 1];
  if (b2[b2.length - 2] !== k) {
    throw new RangeError(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied (${k} vs ${b2[b2.length - 2]})`);
  }
  const m = a2[a2.length - 2];
  const n = b2[b2.length - 1];
  const batchShape = broadcastShapes("matmul", a2.slice(0, -2), b2.slice(0, -2));
  const outShape = [...batchShape, m, n];
  if (a.ndim === 1) outShape.splice(outShape.length - 2, 1);
  if (b.ndim === 1) outShape.splice(outShape.length - 1, 1);
  if (batchShape.length === 0) return matmul2d(a, b, m, n, k, outShape);
  return batchedMatmul(a, b, a2, b2, batchShape, m, n, k, outShape);
}

function matmul2d(a: Tensor, b: Tensor, m: number, n: number, k: number, outShape: number[]): Tensor {
  const out = gemmRaw(a, b, m, n, k, false, false, outShape);
  return record(out, "matmul", [a, b], (g) => [
    a.requiresGrad ? gemmRaw(g, b, m, k, n, false, true, a.shape.slice()) : null, // dA = g·Bᵀ
    b.requiresGrad ? gemmRaw(a, g, k, n, m, true, false, b.shape.slice()) : null, // dB = Aᵀ·g
  ]);
}

function batchedMatmul(
  a: Tensor, b: Tensor, a2: number[], b2: number[], batchShape: number[],
  m: number, n: number, k: number, outShape: number[],
): Tensor {
  const batch = sizeOf(batchShape);
  const fullA = [...batchShape, m, k];
  const fullB = [...batchShape, k, n];
  const aShared = a2.length === 2;
  const bShared = b2.length === 2;
  // Operands that broadcast only partially over the batch are expanded to a full copy.
  const Ae = aShared || a2.join() === fullA.join() ? a : expandTo(a, a2, fullA);
  const Be = bShared || b2.join() === fullB.join() ? b : expandTo(b, b2, fullB);
  const saved = [Ae, Be].filter((t) => t !== a && t !== b);
  const sA = aShared ? 0 : m * k;
  const sB = bShared ? 0 : k * n;
  const out = bmmForward(Ae, Be, batch, m, n, k, false, false, sA, sB, outShape);
  return record(
    out,
    "matmul",
    [a, b],
    (g) => {
      let gA: Tensor | null = null;
      let gB: Tensor | null = null;
      if (a.requiresGrad) {
        // dA_i = g_i·B_iᵀ, then summed over the batch dims A was broadcast along
        const full = bmmForward(g, Be, batch, m, k, n, false, true, m * n, sB, fullA);
        gA = sumTo(full, a2);
        if (gA.shape.length !== a.ndim) gA = relabel(gA, a.shape);
      }
      if (b.requiresGrad) {
        if (bShared && !aShared) {
          // dB = Σ A_iᵀ·g_i = (A as [batch*m, k])ᵀ · (g as [batch*m, n]) in one product
          gB = gemmRaw(Ae, g, k, n, batch * m, true, false, b.shape.slice());
        } else {
          const full = bmmForward(Ae, g, batch, k, n, m, true, false, sA, m * n, fullB);
          gB = sumTo(full, b2);
          if (gB.shape.length !== b.ndim) gB = relabel(gB, b.shape);
        }
      }
      return [gA, gB];
    },
    saved,
  );
}

/** The same values under another shape of equal size (a copy; used where 1-D operands were read as matrices). */
function relabel(x: Tensor, shape: number[]): Tensor {
  const out = Tensor.empty("matmul", shape.slice());
  getEngine("matmul").core.copy_f32(out.ptr, x.ptr, x.size);
  return out;
}
