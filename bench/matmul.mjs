// Float32 matmul: neurite vs TensorFlow.js (wasm = XNNPACK single-threaded, and cpu) in the same
// process, plus the register-only f32x4 mul+add peak of this machine (bench/probe/peak.ts,
// compiled with asc at bench time) so every figure can be read as a fraction of what the
// hardware allows through WebAssembly SIMD without FMA.
//
// Shapes are M x K x N (op(A) is M x K, op(B) is K x N). GFLOPS = 2*M*N*K / seconds / 1e9, median
// of several timed runs after warm-up; every call allocates its output and frees/disposes it
// (the public API path: neurite matmul()/gemm(), tf.matMul()).
// Options: --quick (fewer, shorter runs), --no-cpu (skip tfjs-cpu), --neurite-only.
//
// Two tables, because tfjs-wasm's cost depends on whether B is a tensor it has seen before: its
// BatchMatMul keeps XNNPACK's packed copy of B in an operator cache keyed by B's tensor id (see
// tfjs-backend-wasm/src/cc/batch_mat_mul_impl.cc), so a call with the same B tensor skips
// packing it. neurite packs B on every call.
//   1. "B reused": the same A and B tensors every call (inference with fixed weights; tfjs's
//      cache hits every time).
//   2. "fresh B": a new B tensor every call, created from the same Float32Array on both sides
//      (the copy in counts for both): what a training step (weights change every step) or a
//      product of two activations costs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import os from "node:os";

const SQUARE = [64, 128, 256, 512, 1024];
const EXTRA = [[64, 784, 128], [64, 128, 10]];
/** Transposed variants (backprop: dA = dY.B^T, dB = A^T.dY), compared with the plain product. */
const TRANSPOSED = [
  [256, 256, 256, 0, 1], [256, 256, 256, 1, 0],
  [64, 784, 128, 0, 1], [64, 784, 128, 1, 0],
  [128, 64, 784, 0, 0], [128, 64, 784, 1, 0],
];

/** GFLOPS of the register-only peak probe (compiled into a temp dir, never into the repo). */
function peakGflops(ctx, opts) {
  const dir = mkdtempSync(join(os.tmpdir(), "neurite-peak-"));
  try {
    const out = join(dir, "peak.wasm");
    execFileSync(join(ctx.root, "node_modules", ".bin", "asc"),
      [join(ctx.root, "bench", "probe", "peak.ts"), "--enable", "simd", "-O3", "--runtime", "stub",
        "--noAssert", "-o", out], { stdio: "inherit" });
    const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), {
      env: { abort() {} },
    }).exports;
    const iters = 1 << 20;
    const flops = iters * ex.FLOPS_PER_ITER.value;
    const t = ctx.measure(() => ex.peak(iters, 0.001), opts);
    return flops / t / 1e9;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** neurite through the public API (dist/neurite.js): matmul() / gemm() return a new tensor. */
function publicCase(nt, m, n, k, tA, tB) {
  const a = nt.randn(tA ? [k, m] : [m, k]);
  const b = nt.randn(tB ? [n, k] : [k, n]);
  const call = tA || tB ? () => nt.gemm(a, b, !!tA, !!tB).dispose() : () => nt.matmul(a, b).dispose();
  return { call, dispose() { a.dispose(); b.dispose(); } };
}

/** A fixed, a new B tensor (same values) per call; the same for neurite (lib=nt) and tfjs. */
function freshCase(create, mm, randn, m, n, k) {
  const a = randn([m, k]);
  const bData = Float32Array.from({ length: k * n }, () => Math.random() * 2 - 1);
  const call = () => {
    const b = create(bData, [k, n]);
    mm(a, b).dispose();
    b.dispose();
  };
  return { call, dispose() { a.dispose(); } };
}

function tfCase(tf, m, n, k, tA, tB) {
  const a = tf.randomNormal(tA ? [k, m] : [m, k]);
  const b = tf.randomNormal(tB ? [n, k] : [k, n]);
  const call = () => tf.matMul(a, b, !!tA, !!tB).dispose();
  return { call, dispose() { a.dispose(); b.dispose(); } };
}

export async function run(ctx) {
  const quick = ctx.argv.includes("--quick");
  const noCpu = ctx.argv.includes("--no-cpu") || ctx.argv.includes("--neurite-only");
  const noTf = ctx.argv.includes("--neurite-only");
  const opts = quick ? { warmupMs: 150, runs: 5, runMs: 40 } : { warmupMs: 400, runs: 9, runMs: 100 };
  // tfjs-cpu needs ~2 s for one 1024^3 product: fewer, single-call runs for it.
  const cpuOpts = { warmupMs: 0, runs: 3, runMs: 0 };

  const nt = await ctx.neurite();
  if (!nt) throw new Error("matmul bench: dist/neurite.js is missing; run `npm run build` first");
  nt.manualSeed(1);
  console.log("neurite: public API (dist/neurite.js matmul/gemm, output allocated and disposed per call)");

  const peak = peakGflops(ctx, opts);
  console.log(`register-only f32x4 mul+add peak: ${peak.toFixed(1)} GFLOPS\n`);

  const shapes = [
    ...SQUARE.map((s) => [s, s, s, 0, 0]),
    ...EXTRA.map(([m, k, n]) => [m, k, n, 0, 0]),
    ...TRANSPOSED,
  ];
  const plain = new Map();
  const rows = [];
  for (const [m, k, n, tA, tB] of shapes) {
    const flops = 2 * m * n * k;
    const label = `${m}x${k}x${n}${tA ? " Aᵀ·B" : tB ? " A·Bᵀ" : ""}`;
    const gf = (t) => flops / t / 1e9;

    const nc = publicCase(nt, m, n, k, tA, tB);
    let ours, wasm = NaN, cpu = NaN;
    if (noTf) {
      ours = gf(ctx.measure(nc.call, opts));
    } else {
      // neurite and tfjs-wasm runs interleaved: noise from other processes hits both alike.
      const tfw = await ctx.tf("wasm");
      const w = tfCase(tfw, m, n, k, tA, tB);
      const [tn, tw] = ctx.measureEach([nc.call, w.call], opts);
      ours = gf(tn);
      wasm = gf(tw);
      w.dispose();
    }
    nc.dispose();
    if (!noTf) {
      if (!noCpu) {
        const tfc = await ctx.tf("cpu");
        const c = tfCase(tfc, m, n, k, tA, tB);
        cpu = gf(ctx.measure(c.call, flops > 1e8 ? cpuOpts : { ...opts, runs: 5 }));
        c.dispose();
      }
    }
    const key = `${m}x${k}x${n}`;
    if (!tA && !tB) plain.set(key, ours);
    const vsPlain = tA || tB ? (plain.has(key) ? (ours / plain.get(key)).toFixed(2) : "-") : "";
    const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
    rows.push([label, f(ours), f(wasm), f(cpu), f(ours / wasm, 2), f(ours / cpu, 1),
      f(ours / peak, 2), vsPlain]);
  }
  console.log("B reused (same tensors every call):");
  ctx.table(["shape MxKxN", "neurite GFLOPS", "tfjs-wasm", "tfjs-cpu", "vs wasm", "vs cpu",
    "of peak", "vs plain"], rows);

  if (noTf) return;
  const tfw = await ctx.tf("wasm");
  const fresh = [];
  for (const [m, k, n] of [...SQUARE.map((s) => [s, s, s]), ...EXTRA]) {
    const flops = 2 * m * n * k;
    const nc = freshCase((d, s) => nt.tensor(d, s), nt.matmul, (s) => nt.randn(s), m, n, k);
    const w = freshCase((d, s) => tfw.tensor(d, s), tfw.matMul, (s) => tfw.randomNormal(s), m, n, k);
    const [tn, tw] = ctx.measureEach([nc.call, w.call], opts);
    nc.dispose();
    w.dispose();
    const ours = flops / tn / 1e9, wasm = flops / tw / 1e9;
    fresh.push([`${m}x${k}x${n}`, ours.toFixed(1), wasm.toFixed(1), (ours / wasm).toFixed(2),
      (ours / peak).toFixed(2)]);
  }
  console.log("\nfresh B (a new B tensor from the same Float32Array every call, copy in counted on both sides):");
  ctx.table(["shape MxKxN", "neurite GFLOPS", "tfjs-wasm", "vs wasm", "of peak"], fresh);
}
