// Numerical differentiation to check automatic differentiation: compare each gradient
// that backward() computes with a central finite difference of the same function.
import { Tensor, checkTensor } from "./tensor";
import { getEngine } from "./engine";
import { noGrad } from "./autograd";
import { scope } from "./scope";
import * as ops from "./ops/index";

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-3). */
  eps?: number;
  /** Absolute tolerance (default 1e-3). */
  atol?: number;
  /** Relative tolerance (default 1e-2). */
  rtol?: number;
  /** Throw on failure (default true, as torch.autograd.gradcheck); false returns the report. */
  raiseException?: boolean;
  /** Seed of the random weights that project a non-scalar output to a scalar (default 0). */
  seed?: number;
}

export interface GradcheckReport {
  ok: boolean;
  /** Worst |analytic - numeric| - (atol + rtol·|numeric|) over all elements; <= 0 passes. */
  worst: {
    input: number;
    index: number[];
    analytic: number;
    numeric: number;
    absError: number;
  } | null;
  maxAbsError: number;
  checked: number;
}

/** Deterministic weights in [-1, 1) so every output element gets a different upstream gradient. */
function projection(n: number, seed: number): Float32Array {
  const w = new Float32Array(n);
  let s = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    w[i] = (s / 2 ** 32) * 2 - 1;
  }
  return w;
}

function unflatten(i: number, shape: number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

/**
 * Compare the gradients of sum(fn(...inputs) · w) (w fixed random weights) with central
 * differences (f(x+eps) - f(x-eps)) / 2eps, element by element, for every input that
 * requires grad. The scalar is evaluated in f32 by the same kernels, and its sum in f64.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const eps = options.eps ?? 1e-3;
  const atol = options.atol ?? 1e-3;
  const rtol = options.rtol ?? 1e-2;
  inputs.forEach((t, i) => checkTensor("gradcheck", `inputs[${i}]`, t));
  const engine = getEngine("gradcheck");

  let weights: Float32Array | null = null;
  const objective = (): number =>
    noGrad(() =>
      scope(() => {
        const out = fn(...inputs);
        checkTensor("gradcheck", "fn's result", out);
        weights ??= projection(out.size, options.seed ?? 0);
        const v = out.data();
        let s = 0;
        for (let i = 0; i < v.length; i++) s += v[i] * weights[i];
        return s;
      }),
    );
  objective(); // fixes the projection size

  // Analytic gradients of the same scalar.
  const saved = inputs.map((t) => t.grad);
  inputs.forEach((t) => (t.grad = null));
  const analytic: (Float32Array | null)[] = [];
  try {
    scope(() => {
      const out = fn(...inputs);
      const w = ops.tensor(weights!, out.shape);
      ops.sum(ops.mul(out, w)).backward();
    });
    for (const t of inputs) analytic.push(t.requiresGrad ? (t.grad ? t.grad.data() : new Float32Array(t.size)) : null);
  } finally {
    inputs.forEach((t, i) => {
      t.grad?.dispose();
      t.grad = saved[i];
    });
  }

  const report: GradcheckReport = { ok: true, worst: null, maxAbsError: 0, checked: 0 };
  let worstExcess = -Infinity;
  inputs.forEach((t, k) => {
    const a = analytic[k];
    if (!a) return;
    for (let i = 0; i < t.size; i++) {
      const orig = engine.f32(t.ptr, t.size)[i];
      engine.f32(t.ptr, t.size)[i] = orig + eps;
      const plus = objective();
      engine.f32(t.ptr, t.size)[i] = orig - eps;
      const minus = objective();
      engine.f32(t.ptr, t.size)[i] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const absError = Math.abs(a[i] - numeric);
      const excess = absError - (atol + rtol * Math.abs(numeric));
      report.checked++;
      report.maxAbsError = Math.max(report.maxAbsError, absError);
      if (excess > worstExcess) {
        worstExcess = excess;
        report.worst = { input: k, index: unflatten(i, t.shape), analytic: a[i], numeric, absError };
      }
      if (!(excess <= 0)) report.ok = false;
    }
  });
  if (!report.ok && options.raiseException !== false) {
    const w = report.worst!;
    throw new Error(
      `gradcheck: gradient mismatch for inputs[${w.input}] at [${w.index.join(", ")}]: ` +
        `analytic ${w.analytic}, numeric ${w.numeric} (|diff| ${w.absError.toExponential(3)} > atol ${atol} + rtol ${rtol}·|numeric|)`,
    );
  }
  return report;
}
