// Pooling and nearest-neighbour upsampling over NCHW planes, forward and backward, with
// PyTorch's (CPU) window rules. Every kernel sees the batch and channel dims flattened into NC
// planes of H x W.
//
// Geometry block (`dims`, 13 i32): NC, H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW. The
// TypeScript side validates it (PyTorch's output-size formula, ceil mode, padding at most half
// the kernel), so every max-pool window holds at least one input element.

/**
 * Max pooling: out[q, oh, ow] = max over the window, idx[q, oh, ow] (i32) = its flat index in the
 * H x W plane (as PyTorch's return_indices). As PyTorch: the window starts at -inf with the index
 * of its first element, and a NaN replaces the running maximum (so NaN propagates).
 */
export function max_pool2d_f32(out: usize, idx: usize, x: usize, dims: usize): void {
  const NC = load<i32>(dims), H = load<i32>(dims, 4), W = load<i32>(dims, 8);
  const OH = load<i32>(dims, 12), OW = load<i32>(dims, 16), kH = load<i32>(dims, 20), kW = load<i32>(dims, 24);
  const sH = load<i32>(dims, 28), sW = load<i32>(dims, 32), pH = load<i32>(dims, 36), pW = load<i32>(dims, 40);
  const dH = load<i32>(dims, 44), dW = load<i32>(dims, 48);
  if (NC <= 0 || OH <= 0 || OW <= 0) return;
  const HW = H * W;
  if (kH == 2 && kW == 2 && sH == 2 && sW == 2 && pH == 0 && pW == 0 && dH == 1 && dW == 1) {
    maxPool2x2(out, idx, x, NC, H, W, OH, OW);
    return;
  }
  let o = 0;
  for (let q = 0; q < NC; q++) {
    const plane = x + ((<usize>q * <usize>HW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      let hs = oh * sH - pH;
      let he = hs + (kH - 1) * dH + 1;
      if (he > H) he = H;
      while (hs < 0) hs += dH;
      for (let ow = 0; ow < OW; ow++) {
        let ws = ow * sW - pW;
        let we = ws + (kW - 1) * dW + 1;
        if (we > W) we = W;
        while (ws < 0) ws += dW;
        let best = f32x4.splat(-Infinity);
        let bi = i32x4.splat(hs * W + ws);
        for (let ih = hs; ih < he; ih += dH) {
          for (let iw = ws; iw < we; iw += dW) {
            const k = ih * W + iw;
            const v = v128.load32_splat(plane + (<usize>k << 2));
            const m = takes4(v, best);
            best = v128.bitselect(v, best, m);
            bi = v128.bitselect(i32x4.splat(k), bi, m);
          }
        }
        store<f32>(out + (<usize>o << 2), f32x4.extract_lane(best, 0));
        store<i32>(idx + (<usize>o << 2), i32x4.extract_lane(bi, 0));
        o++;
      }
    }
  }
}

/**
 * The running-maximum rule for 4 lanes: an all-ones lane where v replaces best (v larger, or v
 * NaN). Single outputs use it on splatted lanes too: V8 compiles a scalar f32 select to a branch,
 * which mispredicts on data like this, while v128.bitselect never branches.
 */
// @ts-ignore: decorator
@inline
function takes4(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
}

/**
 * The common 2x2, stride 2, unpadded case with the same rule: 4 outputs at a time from 8
 * columns of two input rows (even/odd columns split by shuffles), scalar for the rest.
 */
function maxPool2x2(out: usize, idx: usize, x: usize, NC: i32, H: i32, W: i32, OH: i32, OW: i32): void {
  const HW = H * W;
  const one = i32x4.splat(1), wv = i32x4.splat(W), w1 = i32x4.splat(W + 1);
  const steps = i32x4(0, 2, 4, 6);
  let o = 0;
  for (let q = 0; q < NC; q++) {
    const plane = x + ((<usize>q * <usize>HW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const r0 = 2 * oh * W;
      const bottom = 2 * oh + 1 < H; // ceil mode can leave a last row of one
      let ow = 0;
      if (bottom) {
        for (; 2 * ow + 8 <= W && ow + 4 <= OW; ow += 4) {
          const k = r0 + 2 * ow;
          const p0 = plane + (<usize>k << 2);
          const p1 = p0 + (<usize>W << 2);
          const u0 = v128.load(p0), u1 = v128.load(p0, 16), l0 = v128.load(p1), l1 = v128.load(p1, 16);
          let best = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6);
          let bi = i32x4.splat(0);
          const b = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
          let m = takes4(b, best);
          best = v128.bitselect(b, best, m);
          bi = v128.bitselect(one, bi, m);
          const c = v128.shuffle<f32>(l0, l1, 0, 2, 4, 6);
          m = takes4(c, best);
          best = v128.bitselect(c, best, m);
          bi = v128.bitselect(wv, bi, m);
          const d = v128.shuffle<f32>(l0, l1, 1, 3, 5, 7);
          m = takes4(d, best);
          best = v128.bitselect(d, best, m);
          bi = v128.bitselect(w1, bi, m);
          v128.store(out + (<usize>o << 2), best);
          v128.store(idx + (<usize>o << 2), i32x4.add(i32x4.add(i32x4.splat(k), steps), bi));
          o += 4;
        }
      }
      for (; ow < OW; ow++) {
        const k = r0 + 2 * ow;
        const p = plane + (<usize>k << 2);
        const right = 2 * ow + 1 < W;
        let best = v128.load32_splat(p);
        let bi = i32x4.splat(k);
        if (right) {
          const v = v128.load32_splat(p, 4);
          const m = takes4(v, best);
          best = v128.bitselect(v, best, m);
          bi = v128.bitselect(i32x4.splat(k + 1), bi, m);
        }
        if (bottom) {
          const pb = p + (<usize>W << 2);
          const v = v128.load32_splat(pb);
          let m = takes4(v, best);
          best = v128.bitselect(v, best, m);
          bi = v128.bitselect(i32x4.splat(k + W), bi, m);
          if (right) {
            const v2 = v128.load32_splat(pb, 4);
            m = takes4(v2, best);
            best = v128.bitselect(v2, best, m);
            bi = v128.bitselect(i32x4.splat(k + W + 1), bi, m);
          }
        }
        store<f32>(out + (<usize>o << 2), f32x4.extract_lane(best, 0));
        store<i32>(idx + (<usize>o << 2), i32x4.extract_lane(bi, 0));
        o++;
      }
    }
  }
}

/**
 * Backward of max pooling: dx ([NC, HW]) is zeroed, then dx[q, idx[q, o]] += dy[q, o] for every
 * output o of the OHW per plane (overlapping windows accumulate). Indices outside [0, HW) are skipped.
 */
export function max_pool2d_bwd_f32(dx: usize, idx: usize, dy: usize, NC: i32, HW: i32, OHW: i32): void {
  if (NC <= 0 || HW <= 0) return;
  memory.fill(dx, 0, (<usize>NC * <usize>HW) << 2);
  if (OHW <= 0) return;
  let o: usize = 0;
  for (let q = 0; q < NC; q++) {
    const plane = dx + ((<usize>q * <usize>HW) << 2);
    for (let i = 0; i < OHW; i++) {
      const k = load<i32>(idx + (o << 2));
      if (<u32>k < <u32>HW) {
        const p = plane + (<usize>k << 2);
        store<f32>(p, load<f32>(p) + load<f32>(dy + (o << 2)));
      }
      o++;
    }
  }
}

/** Sum (f32, row by row) of the window rows [h0, h1) x columns [w0, w1) of a plane W floats wide. */
// @ts-ignore: decorator
@inline
function windowSum(plane: usize, W: i32, h0: i32, h1: i32, w0: i32, w1: i32): f32 {
  let sum: f32 = 0;
  for (let ih = h0; ih < h1; ih++) {
    const row = plane + ((<usize>(ih * W)) << 2);
    for (let iw = w0; iw < w1; iw++) sum += load<f32>(row + (<usize>iw << 2));
  }
  return sum;
}

/** Adds v to every element of the window rows [h0, h1) x columns [w0, w1) of a plane W floats wide. */
// @ts-ignore: decorator
@inline
function windowAdd(plane: usize, W: i32, h0: i32, h1: i32, w0: i32, w1: i32, v: f32): void {
  for (let ih = h0; ih < h1; ih++) {
    const row = plane + ((<usize>(ih * W)) << 2);
    for (let iw = w0; iw < w1; iw++) {
      const p = row + (<usize>iw << 2);
      store<f32>(p, load<f32>(p) + v);
    }
  }
}

/** PyTorch's avg-pool divisor for one window (see avg_pool2d_f32). */
// @ts-ignore: decorator
@inline
function avgDivisor(hs: i32, he: i32, ws: i32, we: i32, H: i32, W: i32, pH: i32, pW: i32, kH: i32, kW: i32,
  countIncludePad: i32, divisor: i32): i32 {
  if (divisor > 0) return divisor;
  if (countIncludePad) {
    const hp = hs + kH < H + pH ? hs + kH : H + pH;
    const wp = ws + kW < W + pW ? ws + kW : W + pW;
    return (hp - hs) * (wp - ws);
  }
  const h0 = hs > 0 ? hs : 0, w0 = ws > 0 ? ws : 0;
  const h1 = he < H ? he : H, w1 = we < W ? we : W;
  return (h1 - h0) * (w1 - w0);
}

/**
 * Average pooling (no dilation: dH, dW are ignored). Window [hs, hs + kH) with hs = oh*sH - pH;
 * the divisor is `divisor` when > 0, else with countIncludePad the window clipped to the padded
 * input, else the number of input elements in it. A window with no input element gives 0.
 */
export function avg_pool2d_f32(out: usize, x: usize, dims: usize, countIncludePad: i32, divisor: i32): void {
  const NC = load<i32>(dims), H = load<i32>(dims, 4), W = load<i32>(dims, 8);
  const OH = load<i32>(dims, 12), OW = load<i32>(dims, 16), kH = load<i32>(dims, 20), kW = load<i32>(dims, 24);
  const sH = load<i32>(dims, 28), sW = load<i32>(dims, 32), pH = load<i32>(dims, 36), pW = load<i32>(dims, 40);
  if (NC <= 0 || OH <= 0 || OW <= 0) return;
  const HW = H * W;
  let o = 0;
  for (let q = 0; q < NC; q++) {
    const plane = x + ((<usize>q * <usize>HW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const hs = oh * sH - pH;
      const h0 = hs > 0 ? hs : 0;
      const h1 = hs + kH < H ? hs + kH : H;
      for (let ow = 0; ow < OW; ow++) {
        const ws = ow * sW - pW;
        const w0 = ws > 0 ? ws : 0;
        const w1 = ws + kW < W ? ws + kW : W;
        let v: f32 = 0;
        if (h0 < h1 && w0 < w1) {
          v = windowSum(plane, W, h0, h1, w0, w1) / <f32>avgDivisor(hs, hs + kH, ws, ws + kW, H, W, pH, pW, kH, kW, countIncludePad, divisor);
        }
        store<f32>(out + (<usize>o << 2), v);
        o++;
      }
    }
  }
}

/** Backward of avg_pool2d_f32: dx is zeroed, then each dy / divisor is added over its window. */
export function avg_pool2d_bwd_f32(dx: usize, dy: usize, dims: usize, countIncludePad: i32, divisor: i32): void {
  const NC = load<i32>(dims), H = load<i32>(dims, 4), W = load<i32>(dims, 8);
  const OH = load<i32>(dims, 12), OW = load<i32>(dims, 16), kH = load<i32>(dims, 20), kW = load<i32>(dims, 24);
  const sH = load<i32>(dims, 28), sW = load<i32>(dims, 32), pH = load<i32>(dims, 36), pW = load<i32>(dims, 40);
  if (NC <= 0 || H <= 0 || W <= 0) return;
  const HW = H * W;
  memory.fill(dx, 0, (<usize>NC * <usize>HW) << 2);
  if (OH <= 0 || OW <= 0) return;
  let o = 0;
  for (let q = 0; q < NC; q++) {
    const plane = dx + ((<usize>q * <usize>HW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const hs = oh * sH - pH;
      const h0 = hs > 0 ? hs : 0;
      const h1 = hs + kH < H ? hs + kH : H;
      for (let ow = 0; ow < OW; ow++) {
        const ws = ow * sW - pW;
        const w0 = ws > 0 ? ws : 0;
        const w1 = ws + kW < W ? ws + kW : W;
        const g = load<f32>(dy + (<usize>o << 2));
        o++;
        if (h0 >= h1 || w0 >= w1) continue;
        const v = g / <f32>avgDivisor(hs, hs + kH, ws, ws + kW, H, W, pH, pW, kH, kW, countIncludePad, divisor);
        windowAdd(plane, W, h0, h1, w0, w1, v);
      }
    }
  }
}

/**
 * Adaptive average pooling to OH x OW: output cell (i, j) averages rows floor(i*H/OH) ..
 * ceil((i+1)*H/OH) - 1 and the columns likewise (PyTorch's start/end index rule).
 */
export function adaptive_avg_pool2d_f32(out: usize, x: usize, NC: i32, H: i32, W: i32, OH: i32, OW: i32): void {
  if (NC <= 0 || OH <= 0 || OW <= 0) return;
  const HW = H * W;
  let o = 0;
  for (let q = 0; q < NC; q++) {
    const plane = x + ((<usize>q * <usize>HW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = <i32>((<i64>oh * H) / OH), h1 = <i32>(((<i64>(oh + 1) * H) + OH - 1) / OH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = <i32>((<i64>ow * W) / OW), w1 = <i32>(((<i64>(ow + 1) * W) + OW - 1) / OW);
        store<f32>(out + (<usize>o << 2), windowSum(plane, W, h0, h1, w0, w1) / <f32>((h1 - h0) * (w1 - w0)));
        o++;
      }
    }
  }
}

/** Backward of adaptive_avg_pool2d_f32: dx zeroed, each dy spread evenly over its window. */
export function adaptive_avg_pool2d_bwd_f32(dx: usize, dy: usize, NC: i32, H: i32, W: i32, OH: i32, OW: i32): void {
  if (NC <= 0 || H <= 0 || W <= 0) return;
  const HW = H * W;
  memory.fill(dx, 0, (<usize>NC * <usize>HW) << 2);
  if (OH <= 0 || OW <= 0) return;
  let o = 0;
  for (let q = 0; q < NC; q++) {
    const plane = dx + ((<usize>q * <usize>HW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = <i32>((<i64>oh * H) / OH), h1 = <i32>(((<i64>(oh + 1) * H) + OH - 1) / OH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = <i32>((<i64>ow * W) / OW), w1 = <i32>(((<i64>(ow + 1) * W) + OW - 1) / OW);
        const v = load<f32>(dy + (<usize>o << 2)) / <f32>((h1 - h0) * (w1 - w0));
        o++;
        windowAdd(plane, W, h0, h1, w0, w1, v);
      }
    }
  }
}

/**
 * Nearest-neighbour resize: out[q, i, j] = x[q, hIdx[i], wIdx[j]] with i32 source-index tables
 * of OH and OW entries (computed by the caller with PyTorch's float rule, each in [0, H) / [0, W)).
 */
export function upsample_nearest2d_f32(out: usize, x: usize, NC: i32, H: i32, W: i32, OH: i32, OW: i32,
  hIdx: usize, wIdx: usize): void {
  if (NC <= 0 || OH <= 0 || OW <= 0) return;
  const HW = H * W;
  let o: usize = out;
  for (let q = 0; q < NC; q++) {
    const plane = x + ((<usize>q * <usize>HW) << 2);
    for (let i = 0; i < OH; i++) {
      const row = plane + ((<usize>(load<i32>(hIdx + (<usize>i << 2)) * W)) << 2);
      for (let j = 0; j < OW; j++) {
        store<f32>(o, load<f32>(row + (<usize>load<i32>(wIdx + (<usize>j << 2)) << 2)));
        o += 4;
      }
    }
  }
}

/** Backward of upsample_nearest2d_f32: dx zeroed, dx[q, hIdx[i], wIdx[j]] += dy[q, i, j]. */
export function upsample_nearest2d_bwd_f32(dx: usize, dy: usize, NC: i32, H: i32, W: i32, OH: i32, OW: i32,
  hIdx: usize, wIdx: usize): void {
  if (NC <= 0 || H <= 0 || W <= 0) return;
  const HW = H * W;
  memory.fill(dx, 0, (<usize>NC * <usize>HW) << 2);
  if (OH <= 0 || OW <= 0) return;
  let g: usize = dy;
  for (let q = 0; q < NC; q++) {
    const plane = dx + ((<usize>q * <usize>HW) << 2);
    for (let i = 0; i < OH; i++) {
      const row = plane + ((<usize>(load<i32>(hIdx + (<usize>i << 2)) * W)) << 2);
      for (let j = 0; j < OW; j++) {
        const p = row + (<usize>load<i32>(wIdx + (<usize>j << 2)) << 2);
        store<f32>(p, load<f32>(p) + load<f32>(g));
        g += 4;
      }
    }
  }
}
