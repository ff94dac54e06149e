// Hopfield associative memory: the recall dynamics and the energy. W is an n x n row-major symmetric
// matrix with a zero diagonal (the Hebbian sum of outer products, built by the TypeScript side with
// matmul_f32 and hopfield_zero_diag_f32); states hold +1 / -1 values. With integer weights (the
// unnormalized Hebbian rule) every field and energy below is an exact integer while n * P < 2^24, so
// ties (a zero field) are detected exactly and energy comparisons carry no rounding.

import { dotRow } from "./common";

/** The update rule: the sign of the field h, keeping the current value when h is exactly 0. */
// @ts-ignore: decorator
@inline function update(h: f32, current: f32): f32 {
  return h > 0 ? 1 : h < 0 ? -1 : current;
}

/** w[i, i] = 0 for i < n. */
export function hopfield_zero_diag_f32(w: usize, n: i32): void {
  const stride = (<usize>n + 1) << 2;
  for (let i = 0; i < n; i++) store<f32>(w + <usize>i * stride, 0);
}

/**
 * One synchronous step: out[i] = sign((W s)[i]) for every i at once (keeping s[i] where the field is 0).
 * Returns how many entries differ from s. out must not overlap s.
 */
export function hopfield_sync_step_f32(out: usize, s: usize, w: usize, n: i32): i32 {
  let changed = 0;
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < n; i++) {
    const cur = load<f32>(s + (<usize>i << 2));
    const next = update(dotRow(w + <usize>i * rowBytes, s, n), cur);
    store<f32>(out + (<usize>i << 2), next);
    if (next != cur) changed++;
  }
  return changed;
}

/**
 * One asynchronous sweep: for k = 0..n-1, neuron i = order[k] (i32) takes sign((W s)[i]) from the
 * current state, in place. Returns the number of neurons that flipped. When trace != 0, trace[k] (f64)
 * receives the energy after update k, tracked from `energy` (the energy before the sweep) by
 * dE = -(s_i' - s_i) * h_i, which holds because W is symmetric with a zero diagonal.
 */
export function hopfield_async_sweep_f32(s: usize, w: usize, order: usize, n: i32, trace: usize, energy: f64): i32 {
  let flips = 0;
  let e = energy;
  const rowBytes = <usize>n << 2;
  for (let k = 0; k < n; k++) {
    const i = <usize>load<i32>(order + (<usize>k << 2));
    const p = s + (i << 2);
    const cur = load<f32>(p);
    const h = dotRow(w + i * rowBytes, s, n);
    const next = update(h, cur);
    if (next != cur) {
      store<f32>(p, next);
      e -= <f64>(next - cur) * <f64>h;
      flips++;
    }
    if (trace != 0) store<f64>(trace + (<usize>k << 3), e);
  }
  return flips;
}

/** E = -1/2 sᵀ W s: each row's field in f32 (exact for integer weights), the sum in f64. */
export function hopfield_energy_f32(w: usize, s: usize, n: i32): f64 {
  let sum: f64 = 0;
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < n; i++) {
    sum += <f64>load<f32>(s + (<usize>i << 2)) * <f64>dotRow(w + <usize>i * rowBytes, s, n);
  }
  return -0.5 * sum;
}

/**
 * A random permutation of 0..n-1 into order (i32) by Fisher-Yates, drawing from a xorshift32 stream
 * whose state is passed in and returned (nonzero; 0 is replaced by a fixed constant). The stream is
 * local to the caller, so seeded recalls never disturb the global random stream.
 */
export function hopfield_shuffle_i32(order: usize, n: i32, state: u32): u32 {
  let x = state == 0 ? <u32>0x9e3779b9 : state;
  for (let k = 0; k < n; k++) store<i32>(order + (<usize>k << 2), k);
  for (let k = n - 1; k > 0; k--) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    const j = <i32>((<u64>x * <u64>(k + 1)) >> 32); // uniform in [0, k] up to a bias below 2^-32 * n
    const pk = order + (<usize>k << 2);
    const pj = order + (<usize>j << 2);
    const t = load<i32>(pk);
    store<i32>(pk, load<i32>(pj));
    store<i32>(pj, t);
  }
  return x;
}
