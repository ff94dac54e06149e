// conv2d / conv1d / convTranspose2d against naive direct-convolution loops (forward and every
// gradient) over awkward shapes, a hand-derived case, error messages, and memory.
import { describe, it, expect, afterEach } from "vitest";
import * as nt from "../src/index";
import type { Tensor } from "../src/index";
import { convTuning } from "../src/ops/conv";

/** Seeded values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = (seed * 2654435761) >>> 0;
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v[i] = (s >>> 8) / 2 ** 23 - 1;
  }
  return v;
}
const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface Spec {
  N: number; C: number; H: number; W: number; OC: number; kH: number; kW: number;
  s: [number, number]; p: [number, number]; d: [number, number]; g: number; bias: boolean;
}

/**
 * Direct convolution in f64: y[n,o,oh,ow] = b[o] + Σ x[n, g·Cg + c, oh·s - p + i·d, ow·s - p + j·d]·w[o,c,i,j]
 * and its adjoints for the upstream gradient gy (dx, dw, db by the same loops). Each result
 * comes with the sum of the absolute values of its terms (`*Abs`), the scale of its rounding error.
 */
function direct(sp: Spec, x: Float32Array, w: Float32Array, b: Float32Array, gy: Float32Array, OH: number, OW: number) {
  const { N, C, H, W, OC, kH, kW, s, p, d, g } = sp;
  const Cg = C / g, OCg = OC / g;
  const y = new Float64Array(N * OC * OH * OW), yAbs = new Float64Array(y.length);
  const dx = new Float64Array(x.length), dxAbs = new Float64Array(x.length);
  const dw = new Float64Array(w.length), dwAbs = new Float64Array(w.length);
  const db = new Float64Array(OC), dbAbs = new Float64Array(OC);
  for (let n = 0; n < N; n++) for (let o = 0; o < OC; o++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    const yi = ((n * OC + o) * OH + oh) * OW + ow;
    const grp = Math.floor(o / OCg);
    const gv = gy[yi];
    y[yi] = sp.bias ? b[o] : 0;
    yAbs[yi] = Math.abs(y[yi]);
    db[o] += gv;
    dbAbs[o] += Math.abs(gv);
    for (let c = 0; c < Cg; c++) for (let i = 0; i < kH; i++) for (let j = 0; j < kW; j++) {
      const ih = oh * s[0] - p[0] + i * d[0], iw = ow * s[1] - p[1] + j * d[1];
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      const xi = ((n * C + grp * Cg + c) * H + ih) * W + iw;
      const wi = ((o * Cg + c) * kH + i) * kW + j;
      y[yi] += x[xi] * w[wi];
      yAbs[yi] += Math.abs(x[xi] * w[wi]);
      dx[xi] += gv * w[wi];
      dxAbs[xi] += Math.abs(gv * w[wi]);
      dw[wi] += gv * x[xi];
      dwAbs[wi] += Math.abs(gv * x[xi]);
    }
  }
  return { y: [y, yAbs], dx: [dx, dxAbs], dw: [dw, dwAbs], db: [db, dbAbs] } as Record<string, [Float64Array, Float64Array]>;
}

/**
 * |got - want| <= 1e-5·Σ|terms| + 1e-30: f32 sums of up to ~2,000 terms (blocked GEMM sums,
 * chunks accumulated) stay within ~√n·2^-24 ≈ 3e-6 of the sum of their terms' magnitudes; a
 * missing or extra term is off by ~1/n of it (5e-4 or more here).
 */
function near(got: Float32Array, [want, abs]: [Float64Array, Float64Array], what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = 1e-5 * abs[i] + 1e-30;
    if (!(Math.abs(got[i] - want[i]) <= tol)) throw new Error(`${what}[${i}]: got ${got[i]}, direct ${want[i]} (tolerance ${tol})`);
  }
}

const spec = (N: number, C: number, H: number, W: number, OC: number, k: [number, number], s: [number, number] = [1, 1],
  p: [number, number] = [0, 0], d: [number, number] = [1, 1], g = 1, bias = true): Spec => ({ N, C, H, W, OC, kH: k[0], kW: k[1], s, p, d, g, bias });

const SPECS: Spec[] = [
  spec(1, 1, 1, 1, 1, [1, 1]),
  spec(2, 3, 5, 4, 4, [3, 2], [2, 1], [1, 2], [1, 2]),
  spec(3, 4, 7, 7, 6, [3, 3], [1, 1], [1, 1], [1, 1], 2),
  spec(2, 6, 9, 8, 6, [3, 3], [2, 2], [1, 1], [1, 1], 6, false), // depthwise
  spec(1, 2, 17, 3, 5, [1, 1], [3, 1]),
  spec(2, 3, 64, 63, 4, [3, 3], [2, 2], [1, 1]),
  spec(4, 1, 28, 28, 8, [3, 3]),
  spec(2, 2, 4, 5, 3, [4, 5], [1, 1], [3, 2], [2, 1]), // padding past the kernel's reach
  spec(3, 6, 6, 5, 9, [2, 3], [3, 2], [2, 1], [2, 2], 3),
];
const sname = (sp: Spec) =>
  `N${sp.N} C${sp.C} ${sp.H}x${sp.W} -> OC${sp.OC} k${sp.kH}x${sp.kW} s${sp.s} p${sp.p} d${sp.d} g${sp.g}${sp.bias ? "" : " no bias"}`;

function checkConv2d(sp: Spec, seed: number): void {
  nt.scope(() => {
    const x = nt.tensor(values(sp.N * sp.C * sp.H * sp.W, seed), [sp.N, sp.C, sp.H, sp.W], { requiresGrad: true });
    const w = nt.tensor(values(sp.OC * (sp.C / sp.g) * sp.kH * sp.kW, seed + 1), [sp.OC, sp.C / sp.g, sp.kH, sp.kW], { requiresGrad: true });
    const b = nt.tensor(values(sp.OC, seed + 2), [sp.OC], { requiresGrad: true });
    const y = nt.conv2d(x, w, sp.bias ? b : null, { stride: sp.s, padding: sp.p, dilation: sp.d, groups: sp.g });
    const [, , OH, OW] = y.shape;
    const gy = values(y.size, seed + 3);
    y.backward(nt.tensor(gy, y.shape));
    const ref = direct(sp, x.data(), w.data(), b.data(), gy, OH, OW);
    expect(OH).toBe(Math.floor((sp.H + 2 * sp.p[0] - sp.d[0] * (sp.kH - 1) - 1) / sp.s[0]) + 1);
    near(y.data(), ref.y, "y");
    near(x.grad!.data(), ref.dx, "dx");
    near(w.grad!.data(), ref.dw, "dw");
    if (sp.bias) near(b.grad!.data(), ref.db, "db");
    else expect(b.grad).toBeNull();
  });
}

const defaultChunk = convTuning.chunkFloats;
afterEach(() => {
  convTuning.chunkFloats = defaultChunk;
});

describe("conv2d against direct convolution", () => {
  SPECS.forEach((sp, i) => it(sname(sp), () => checkConv2d(sp, 10 * i + 1)));

  it("gives the same results with the batch split into chunks of any size", () => {
    for (const chunk of [1, 3000, 12000]) {
      convTuning.chunkFloats = chunk;
      checkConv2d(spec(5, 4, 9, 7, 6, [3, 3], [1, 2], [1, 1], [1, 1], 2), 7);
    }
  });

  it("copies the input through a 1x1 kernel holding the identity matrix", () => {
    nt.scope(() => {
      const x = nt.tensor(values(2 * 3 * 4 * 5, 3), [2, 3, 4, 5]);
      const eye = nt.tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3, 1, 1]);
      expect(Array.from(nt.conv2d(x, eye).data())).toEqual(Array.from(x.data()));
    });
  });

  it("matches a hand-derived case", () => {
    nt.scope(() => {
      // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,-1]] (x[i,j] - x[i+1,j+1]), b = 0.5, stride 1:
      // y = [[1-5, 2-6],[4-8, 5-9]] + 0.5 = [[-3.5,-3.5],[-3.5,-3.5]].
      // With upstream g = [[1,2],[3,4]]: dw[a,b] = Σ g[i,j]·x[i+a,j+b], e.g. dw[0,0] = 1+4+12+20 = 37,
      // dw[1,1] = 5+12+24+36 = 77; db = Σ g = 10; dx[p,q] = g[p,q]·w00 + g[p-1,q-1]·w11, e.g.
      // dx[1,1] = 4 - 1 = 3, dx[2,2] = -g[1,1] = -4.
      const x = nt.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3], { requiresGrad: true });
      const w = nt.tensor([1, 0, 0, -1], [1, 1, 2, 2], { requiresGrad: true });
      const b = nt.tensor([0.5], [1], { requiresGrad: true });
      const y = nt.conv2d(x, w, b);
      expect(y.toArray()).toEqual([[[[-3.5, -3.5], [-3.5, -3.5]]]]);
      y.backward(nt.tensor([1, 2, 3, 4], [1, 1, 2, 2]));
      expect(w.grad!.toArray()).toEqual([[[[37, 47], [67, 77]]]]);
      expect(b.grad!.toArray()).toEqual([10]);
      expect(x.grad!.toArray()).toEqual([[[[1, 2, 0], [3, 3, -2], [0, -3, -4]]]]);
    });
  });
});

describe("partial gradients and unbatched inputs", () => {
  it("a frozen weight (transfer learning) still passes the input gradient, and vice versa", () => {
    nt.scope(() => {
      const xv = values(2 * 4 * 6 * 5, 21), wv = values(6 * 2 * 3 * 3, 22);
      const full = (xg: boolean, wg: boolean) => {
        const x = nt.tensor(xv, [2, 4, 6, 5], { requiresGrad: xg });
        const w = nt.tensor(wv, [6, 2, 3, 3], { requiresGrad: wg });
        const b = nt.tensor([1, 2, 3, 4, 5, 6], [6], { requiresGrad: true });
        nt.conv2d(x, w, b, { padding: 1, groups: 2, stride: [2, 1] }).pow(2).sum().backward();
        return { dx: x.grad?.data(), dw: w.grad?.data(), db: b.grad!.data() };
      };
      const both = full(true, true);
      const onlyX = full(true, false);
      const onlyW = full(false, true);
      expect(onlyX.dw).toBeUndefined();
      expect(onlyW.dx).toBeUndefined();
      expect(Array.from(onlyX.dx!)).toEqual(Array.from(both.dx!));
      expect(Array.from(onlyW.dw!)).toEqual(Array.from(both.dw!));
      expect(Array.from(onlyW.db)).toEqual(Array.from(both.db));
    });
  });

  it("unbatched inputs give the batched results without the batch dim", () => {
    nt.scope(() => {
      const x3 = nt.tensor(values(3 * 5 * 4, 31), [3, 5, 4]);
      const x4 = x3.reshape([1, 3, 5, 4]);
      const w = nt.tensor(values(3 * 2 * 2 * 3, 32), [3, 2, 2, 3]);
      const same = (a: nt.Tensor, b: nt.Tensor) => {
        expect(a.shape).toEqual(b.shape.slice(1));
        expect(Array.from(a.data())).toEqual(Array.from(b.data()));
      };
      same(nt.convTranspose2d(x3, w, null, { stride: 2 }), nt.convTranspose2d(x4, w, null, { stride: 2 }));
      const w2 = nt.tensor(values(2 * 3 * 2 * 3, 33), [2, 3, 2, 3]);
      same(nt.conv2d(x3, w2, null, { padding: "same" }), nt.conv2d(x4, w2, null, { padding: "same" }));
      const l = nt.tensor(values(3 * 9, 34), [3, 9]);
      const w1 = nt.tensor(values(4 * 3 * 2, 35), [4, 3, 2]);
      same(nt.conv1d(l, w1, null, { stride: 2 }), nt.conv1d(l.reshape([1, 3, 9]), w1, null, { stride: 2 }));
    });
  });
});

describe("conv1d", () => {
  it("is conv2d over a height of 1 (forward and gradients)", () => {
    nt.scope(() => {
      const x = nt.tensor(values(3 * 4 * 11, 5), [3, 4, 11], { requiresGrad: true });
      const w = nt.tensor(values(6 * 2 * 3, 6), [6, 2, 3], { requiresGrad: true });
      const b = nt.tensor(values(6, 7), [6], { requiresGrad: true });
      const y = nt.conv1d(x, w, b, { stride: 2, padding: 2, dilation: 2, groups: 2 });
      y.mul(y).sum().backward();
      const sp = spec(3, 4, 1, 11, 6, [1, 3], [1, 2], [0, 2], [1, 2], 2);
      const gy = Float32Array.from(y.data(), (v) => 2 * v);
      const ref = direct(sp, x.data(), w.data(), b.data(), gy, 1, y.shape[2]);
      expect(y.shape).toEqual([3, 6, 6]); // (11 + 2·2 - 2·(3-1) - 1) / 2 + 1 = 6
      near(y.data(), ref.y, "y");
      near(x.grad!.data(), ref.dx, "dx");
      near(w.grad!.data(), ref.dw, "dw");
      near(b.grad!.data(), ref.db, "db");
    });
  });
});

describe("convTranspose2d", () => {
  it("is the adjoint of conv2d: <convT(y, w), x> = <y, conv2d(x, w)>, and its gradients match", () => {
    nt.scope(() => {
      const opts = { stride: [2, 3] as [number, number], padding: [1, 0] as [number, number], dilation: [1, 2] as [number, number], groups: 2 };
      const x = nt.tensor(values(2 * 4 * 8 * 9, 11), [2, 4, 8, 9]); // conv input = transposed-conv output
      const w = nt.tensor(values(6 * 2 * 3 * 2, 12), [6, 2, 3, 2]); // conv weight [out 6, in/g 2] = convT weight [in 6, out/g 2]
      const y = nt.conv2d(x, w, null, opts);
      const v = nt.tensor(values(y.size, 13), y.shape, { requiresGrad: true });
      // output (4-1)·2 - 2 + (3-1) + op + 1 = 7 + op rows, (3-1)·3 + 2·(2-1) + op + 1 = 9 + op columns: op = [1, 0]
      const t = nt.convTranspose2d(v, w, null, { ...opts, outputPadding: [1, 0] });
      expect(t.shape).toEqual(x.shape);
      const lhs = nt.mul(t, x).sum().item();
      const rhs = nt.mul(y, v).sum().item();
      // two f32 sums of 576 and ~200 products each within ~1e-5 of their magnitude
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * (1 + Math.abs(rhs)));
      // d<t, x>/dv = conv2d(x, w)
      nt.mul(t, x).sum().backward();
      near(v.grad!.data(), [Float64Array.from(y.data()), Float64Array.from(y.data(), (a) => Math.abs(a) + 1e-3)], "dv");
    });
  });

  it("gives the output size PyTorch's formula gives", () => {
    nt.scope(() => {
      const y = nt.convTranspose2d(nt.zeros([2, 3, 4, 5]), nt.zeros([3, 2, 3, 2]), null, { stride: [2, 3], padding: [1, 0], outputPadding: [1, 2], dilation: [2, 1] });
      // (4-1)·2 - 2 + 2·2 + 1 + 1 = 10, (5-1)·3 - 0 + 1·1 + 2 + 1 = 16
      expect(y.shape).toEqual([2, 2, 10, 16]);
    });
  });
});

describe("errors name the op, the argument and the shapes", () => {
  const z = (shape: number[]) => nt.zeros(shape);
  const cases: [string, () => unknown, RegExp | string][] = [
    ["channel mismatch", () => nt.conv2d(z([2, 3, 8, 8]), z([4, 2, 3, 3])), "conv2d: input [2, 3, 8, 8] has 3 channels but weight [4, 2, 3, 3] expects 2 (groups 1)"],
    ["channel mismatch with groups", () => nt.conv2d(z([2, 3, 8, 8]), z([4, 2, 3, 3]), null, { groups: 2 }), "conv2d: input [2, 3, 8, 8] has 3 channels but weight [4, 2, 3, 3] expects 4 (groups 2)"],
    ["out channels vs groups", () => nt.conv2d(z([1, 4, 5, 5]), z([3, 2, 3, 3]), null, { groups: 2 }), "conv2d: weight [3, 2, 3, 3] has 3 output channels, not divisible by groups 2"],
    ["input rank", () => nt.conv2d(z([8, 8]), z([4, 1, 3, 3])), "conv2d: input must be 4-D [N, C, H, W] (or 3-D unbatched), got [8, 8]"],
    ["weight rank", () => nt.conv2d(z([1, 1, 8, 8]), z([4, 9])), "conv2d: weight must be 4-D [out, in/groups, kH, kW], got [4, 9]"],
    ["bias shape", () => nt.conv2d(z([1, 1, 8, 8]), z([4, 1, 3, 3]), z([3])), "conv2d: bias [3] must be [4] for weight [4, 1, 3, 3]"],
    ["kernel too big", () => nt.conv2d(z([1, 1, 2, 8]), z([4, 1, 3, 3])), "conv2d: padded input height 2 is smaller than the dilated kernel 3 (kernel 3, dilation 1, padding 0)"],
    ["dilated kernel too big", () => nt.conv1d(z([1, 1, 5]), z([1, 1, 3]), null, { dilation: 3 }), /conv1d: padded input length 5 is smaller than the dilated kernel 7/],
    ["bad stride", () => nt.conv2d(z([1, 1, 8, 8]), z([4, 1, 3, 3]), null, { stride: 0 }), "conv2d: stride must be an integer >= 1 or 2 of them, got number 0"],
    ["bad padding", () => nt.conv2d(z([1, 1, 8, 8]), z([4, 1, 3, 3]), null, { padding: [1, 2, 3] as any }), /conv2d: padding must be an integer >= 0 or 2 of them, got array \[1, 2, 3\]/],
    ["padding name", () => nt.conv2d(z([1, 1, 8, 8]), z([4, 1, 3, 3]), null, { padding: "full" as any }), /conv2d: padding must be an integer, 2 integers, "same" or "valid"/],
    ["same with stride", () => nt.conv2d(z([1, 1, 8, 8]), z([4, 1, 3, 3]), null, { padding: "same", stride: 2 }), 'conv2d: padding "same" needs stride 1, got stride [2, 2]'],
    ["not a tensor", () => nt.conv2d([1, 2] as any, z([4, 1, 3, 3])), "conv2d: input must be a Tensor, got array [1, 2]"],
    ["convT channels", () => nt.convTranspose2d(z([1, 3, 4, 4]), z([2, 2, 3, 3])), "convTranspose2d: input [1, 3, 4, 4] has 3 channels but weight [2, 2, 3, 3] expects 2"],
    ["convT output padding", () => nt.convTranspose2d(z([1, 2, 4, 4]), z([2, 2, 3, 3]), null, { stride: 2, outputPadding: 2 }), /convTranspose2d: outputPadding \[2, 2\] must be smaller than stride \[2, 2\] or dilation \[1, 1\]/],
    ["convT empty output", () => nt.convTranspose2d(z([1, 2, 1, 1]), z([2, 2, 1, 1]), null, { padding: 1 }), /convTranspose2d: input \[1, 2, 1, 1\] with weight \[2, 2, 1, 1\] gives an empty output \[-1, -1\]/],
  ];
  for (const [what, fn, msg] of cases) {
    it(what, () => {
      nt.scope(() => {
        if (typeof msg === "string") expect(fn).toThrow(msg);
        else expect(fn).toThrow(msg);
      });
    });
  }

  it("a failed call leaves no tensors behind", () => {
    nt.scope(() => {
      const x = z([2, 3, 8, 8]);
      const w = z([4, 2, 3, 3]);
      const before = nt.memory().numTensors;
      expect(() => nt.conv2d(x, w)).toThrow();
      expect(nt.memory().numTensors).toBe(before);
    });
  });
});

describe("memory", () => {
  it("a CNN training step frees everything it allocates", () => {
    const { nn } = nt;
    nt.manualSeed(1);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.ConvTranspose2d(4, 2, 2, { stride: 2 }), new nn.AvgPool2d(2), new nn.Upsample({ scaleFactor: 2 }),
      new nn.AdaptiveAvgPool2d(3), new nn.Flatten(), new nn.Linear(18, 3),
    );
    const opt = new nt.optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = nt.keep(nt.rand([5, 1, 8, 8]));
    const y = nt.keep(nt.tensor([0, 1, 2, 1, 0]));
    const step = () => nt.scope(() => {
      nt.crossEntropy(model(x), y).backward();
      opt.step();
      opt.zeroGrad();
    });
    step(); // optimizer state is created on the first step
    const before = nt.memory();
    for (let i = 0; i < 3; i++) step();
    const after = nt.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    model.dispose();
    opt.dispose?.();
    nt.dispose([x, y]);
  });
});
