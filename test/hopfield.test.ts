// nn.Hopfield: the Hebbian weights against a naive sum, recall (fixed points, noise, 2-cycles,
// seeded async order), the energy never rising under async updates (checked after every single
// update and every sweep, recomputed independently), errors, state dicts and memory.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";

const { nn, io } = nt;

/** Deterministic ±1 patterns (mulberry32). */
function patterns(p: number, n: number, seed: number): number[][] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: p }, () => Array.from({ length: n }, () => (rnd() < 0.5 ? -1 : 1)));
}

/** Flip `k` distinct positions chosen by `seed`. */
function corrupt(p: number[], k: number, seed: number): number[] {
  const order = patterns(1, p.length, seed)[0].map((v, i) => [v * (i + 1) * 7919 % 1009, i]).sort((a, b) => a[0] - b[0]);
  const out = p.slice();
  for (let j = 0; j < k; j++) out[order[j][1]] *= -1;
  return out;
}

function hebbRef(ps: number[][], n: number): number[][] {
  const w = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const p of ps) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) w[i][j] += p[i] * p[j];
  return w;
}

const energyRef = (w: number[][], s: number[]) => -0.5 * s.reduce((acc, si, i) => acc + si * w[i].reduce((h, wij, j) => h + wij * s[j], 0), 0);
const state = (t: nt.Tensor) => Array.from(t.data());

describe("nn.Hopfield", () => {
  it("store: W = Σ p pᵀ with a zero diagonal, accumulating across calls; clear", () => {
    const ps = patterns(5, 23, 1);
    const net = new nn.Hopfield(23);
    net.store(ps.slice(0, 2)).store(nt.tensor(ps[2])).store(nt.tensor(ps.slice(3)));
    expect(net.numPatterns).toBe(5);
    expect(net.weight.toArray()).toEqual(hebbRef(ps, 23));
    expect(Object.keys(net.stateDict())).toEqual(["weight"]);
    expect(String(net)).toBe("Hopfield(n=23, patterns=5)");
    net.clear();
    expect(net.numPatterns).toBe(0);
    expect((net.weight.toArray() as number[][]).flat().every((v) => v === 0)).toBe(true);
    net.dispose();
  });

  it("a stored pattern is a fixed point: no steps, one energy, converged", () => {
    const ps = patterns(3, 64, 2);
    const net = new nn.Hopfield(64).store(ps);
    const w = hebbRef(ps, 64);
    for (const mode of ["sync", "async"] as const) {
      for (const p of ps) {
        const r = net.recall(p, { mode });
        expect(state(r.state)).toEqual(p);
        expect(r.steps).toBe(0);
        expect(r.converged).toBe(true);
        expect(r.energies).toEqual([energyRef(w, p)]);
        expect(net.energy(p)).toBe(energyRef(w, p));
        r.state.dispose();
      }
    }
    net.dispose();
  });

  it("recovers stored patterns from 20% noise (n = 100, 3 patterns), in both modes", () => {
    const ps = patterns(3, 100, 3);
    const net = new nn.Hopfield(100).store(ps);
    ps.forEach((p, k) => {
      for (const mode of ["sync", "async"] as const) {
        const noisy = corrupt(p, 20, 10 + k);
        expect(noisy.filter((v, i) => v !== p[i]).length).toBe(20);
        const r = net.recall(nt.tensor(noisy), { mode, seed: k });
        expect(state(r.state)).toEqual(p);
        expect(r.converged).toBe(true);
        expect(r.steps).toBeGreaterThan(0);
        expect(r.energies.length).toBe(r.steps + 1);
        r.state.dispose();
      }
    });
    net.dispose();
  });

  it("async updates never raise the energy: after every single update and every sweep, recomputed", () => {
    const n = 60;
    const w = (ps: number[][]) => hebbRef(ps, n);
    // from few patterns (clean basins) to many (past capacity, long descents through spurious states)
    for (const p of [2, 6, 12, 20]) {
      const ps = patterns(p, n, 100 + p);
      const net = new nn.Hopfield(n).store(ps);
      const W = w(ps);
      for (let trial = 0; trial < 5; trial++) {
        const start = patterns(1, n, 1000 * p + trial)[0]; // a random state
        const r = net.recall(start, { mode: "async", seed: trial, traceUpdates: true });
        expect(r.converged).toBe(true);
        const updates = r.updateEnergies!;
        expect(updates.length).toBe(r.steps * n);
        let prev = r.energies[0];
        for (let k = 0; k < updates.length; k++) {
          expect(updates[k]).toBeLessThanOrEqual(prev);
          prev = updates[k];
        }
        for (let k = 1; k < r.energies.length; k++) {
          expect(r.energies[k]).toBeLessThanOrEqual(r.energies[k - 1]);
          expect(r.energies[k]).toBe(updates[k * n - 1]); // the traced energy agrees with the sweep's
        }
        expect(r.energies[0]).toBe(energyRef(W, start));
        expect(r.energies.at(-1)).toBe(energyRef(W, state(r.state)));
        // the final state is a fixed point: every neuron agrees with its field (or the field is 0)
        const s = state(r.state);
        for (let i = 0; i < n; i++) {
          const h = W[i].reduce((acc, wij, j) => acc + wij * s[j], 0);
          expect(h * s[i]).toBeGreaterThanOrEqual(0);
        }
        r.state.dispose();
      }
      net.dispose();
    }
  });

  it("sync updates can end in a 2-cycle, which async updates avoid; the async order is seeded", () => {
    // one pattern (1, 1): W = [[0, 1], [1, 0]]. From (1, -1) both neurons swap at every sync step.
    const net = new nn.Hopfield(2).store([[1, 1]]);
    const sync = net.recall([1, -1], { mode: "sync" });
    expect(sync.cycle).toBe(true);
    expect(sync.converged).toBe(false);
    expect(sync.steps).toBe(2);
    expect(state(sync.state)).toEqual([1, -1]);
    expect(sync.energies).toEqual([1, 1, 1]);
    // async: whichever neuron goes first decides between (1, 1) and (-1, -1)
    const outcomes = new Set<string>();
    for (let seed = 0; seed < 16; seed++) {
      const a = net.recall([1, -1], { seed });
      const again = net.recall([1, -1], { seed });
      expect(state(again.state)).toEqual(state(a.state));
      expect(a.converged).toBe(true);
      expect(a.energies).toEqual([1, -1]);
      outcomes.add(String(state(a.state)));
    }
    expect([...outcomes].sort()).toEqual(["-1,-1", "1,1"]);
    net.dispose();
  });

  it("maxSteps bounds the recall; the input and the global random stream are left alone", () => {
    const ps = patterns(4, 50, 5);
    const net = new nn.Hopfield(50).store(ps);
    const input = nt.tensor(corrupt(ps[0], 12, 6));
    const copy = state(input);
    const r0 = net.recall(input, { maxSteps: 0 });
    expect(state(r0.state)).toEqual(copy);
    expect(r0.converged).toBe(false);
    expect(r0.steps).toBe(0);
    nt.manualSeed(9);
    const a = nt.rand([4]).data();
    nt.manualSeed(9);
    net.recall(input, { seed: 3 });
    expect(nt.rand([4]).data()).toEqual(a);
    expect(state(input)).toEqual(copy);
    net.dispose();
  });

  it("recall leaves only its returned state behind", () => {
    const net = new nn.Hopfield(40).store(patterns(3, 40, 7));
    const start = patterns(1, 40, 8)[0];
    const before = nt.memory();
    for (const mode of ["sync", "async"] as const) net.recall(start, { mode, traceUpdates: true }).state.dispose();
    expect(net.energy(start)).toBeTypeOf("number");
    expect(nt.memory().numTensors).toBe(before.numTensors);
    expect(nt.memory().numBytes).toBe(before.numBytes);
    net.dispose();
  });

  it("errors name the method, the argument, the position and the shape", () => {
    const net = new nn.Hopfield(4);
    const before = nt.memory();
    expect(() => net.store([[1, -1, 1, 0]])).toThrow(/Hopfield.store: patterns must hold only \+1 and -1, got 0 at \[0, 3\] \(patterns \[1, 4\]\)/);
    expect(() => net.store([[1, -1, 1]])).toThrow(/Hopfield.store: patterns must be \[P, 4\] or \[4\], got \[1, 3\]/);
    expect(() => net.recall([1, 1, 1])).toThrow(/Hopfield.recall: state must be \[4\], got \[3\]/);
    expect(() => net.recall([1, 1, 0.5, 1])).toThrow(/Hopfield.recall: state must hold only \+1 and -1, got 0.5 at \[2\]/);
    expect(() => net.recall([1, 1, 1, 1], { mode: "fast" as any })).toThrow(/mode must be "sync" or "async"/);
    expect(() => net.recall([1, 1, 1, 1], { maxSteps: -1 })).toThrow(/maxSteps must be a non-negative integer/);
    expect(() => net.energy("1111" as any)).toThrow(/Hopfield.energy: state must be a Tensor or an array/);
    expect(() => new nn.Hopfield(0)).toThrow(/nn.Hopfield: n must be a positive integer/);
    expect(nt.memory().numTensors).toBe(before.numTensors);
    expect(net.numPatterns).toBe(0);
    net.dispose();
  });

  it("saveModel / loadModel keep the memories", () => {
    const ps = patterns(2, 30, 11);
    const net = new nn.Hopfield(30).store(ps);
    const loaded = io.loadModel(io.saveModel(net)) as InstanceType<typeof nn.Hopfield>;
    expect(loaded).toBeInstanceOf(nn.Hopfield);
    expect(loaded.weight.toArray()).toEqual(net.weight.toArray());
    const r = loaded.recall(corrupt(ps[1], 5, 12));
    expect(state(r.state)).toEqual(ps[1]);
    r.state.dispose();
    net.dispose();
    loaded.dispose();
  });
});
