// The wasm core's exports, as TypeScript sees them. Pointers are byte addresses into
// linear memory; every kernel writes its output first argument. See assembly/.
export interface Core {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  fill_f32(out: number, n: number, value: number): void;
  copy_f32(out: number, src: number, n: number): void;

  rng_seed(seed: number): void;
  rng_next_u32(): number;
  rng_uniform_f32(out: number, n: number, low: number, high: number): void;
  rng_normal_f32(out: number, n: number, mean: number, std: number): void;
  rng_bernoulli_mask_f32(out: number, n: number, keepProb: number, scale: number): void;
  rng_permutation_f32(out: number, n: number): void;
  rng_get_state(out: number): void;
  rng_set_state(src: number): void;

  matmul_scratch_bytes(m: number, n: number, k: number, transA: number, transB: number): number;
  matmul_f32(out: number, a: number, b: number, m: number, n: number, k: number,
    transA: number, transB: number, accumulate: number, scratch: number): void;
  bmm_f32(out: number, a: number, b: number, batch: number, m: number, n: number, k: number,
    transA: number, transB: number, accumulate: number, scratch: number,
    strideA: number, strideB: number, strideOut: number): void;

  binary_f32(op: number, out: number, a: number, b: number, ndim: number, dims: number): void;
  reduce_broadcast_f32(out: number, outN: number, src: number, ndim: number, dims: number): void;
  strided_copy_f32(out: number, x: number, ndim: number, dims: number): void;
  unary_f32(op: number, out: number, x: number, n: number, p1: number, p2: number): void;
  unary_bwd_f32(op: number, dx: number, x: number, y: number, dy: number, n: number, p1: number, p2: number): void;
  axpy_f32(y: number, x: number, n: number, alpha: number): void;
  select_f32(out: number, cond: number, a: number, b: number, n: number): void;

  act_f32(kind: number, out: number, x: number, n: number, p1: number, p2: number): void;
  act_bwd_f32(kind: number, dx: number, x: number, y: number, dy: number, n: number, p1: number, p2: number): void;

  sum_axis_f32(out: number, x: number, outer: number, dim: number, inner: number): void;
  max_axis_f32(out: number, outIdx: number, x: number, outer: number, dim: number, inner: number): void;
  min_axis_f32(out: number, outIdx: number, x: number, outer: number, dim: number, inner: number): void;
  expand_axis_f32(out: number, src: number, outer: number, dim: number, inner: number, scale: number): void;
  scatter_axis_f32(dx: number, idx: number, dy: number, outer: number, dim: number, inner: number): void;
  sumsq_f32(x: number, n: number): number;

  softmax_f32(out: number, x: number, outer: number, dim: number, inner: number): void;
  softmax_bwd_f32(dx: number, y: number, dy: number, outer: number, dim: number, inner: number): void;
  log_softmax_f32(out: number, x: number, outer: number, dim: number, inner: number): void;
  log_softmax_bwd_f32(dx: number, y: number, dy: number, outer: number, dim: number, inner: number): void;
  cross_entropy_f32(loss: number, logits: number, target: number, n: number, c: number, inner: number,
    smoothing: number, ignoreIndex: number): number;
  cross_entropy_bwd_f32(dlogits: number, logits: number, target: number, dloss: number, dlossScalar: number,
    n: number, c: number, inner: number, smoothing: number, ignoreIndex: number): void;
  cross_entropy_prob_f32(loss: number, logits: number, target: number, n: number, c: number, inner: number,
    smoothing: number): void;
  cross_entropy_prob_bwd_f32(dlogits: number, logits: number, target: number, dloss: number, dlossScalar: number,
    n: number, c: number, inner: number, smoothing: number): void;

  loss_f32(kind: number, out: number, x: number, y: number, n: number, p1: number): void;
  loss_bwd_f32(kind: number, dx: number, x: number, y: number, dy: number, dyScalar: number, n: number, p1: number): void;
  nll_f32(loss: number, x: number, target: number, weight: number, n: number, c: number, inner: number, ignoreIndex: number): number;
  nll_bwd_f32(dx: number, target: number, weight: number, dloss: number, dlossScalar: number, n: number, c: number,
    inner: number, ignoreIndex: number): void;
  ce_weighted_target_f32(out: number, t: number, w: number, n: number, c: number, inner: number, smoothing: number,
    ignoreIndex: number, probs: number): number;

  sgd_f32(param: number, grad: number, buf: number, n: number,
    lr: number, momentum: number, damp: number, weightDecay: number, flags: number): void;
  adam_f32(param: number, grad: number, m: number, v: number, vmax: number, n: number,
    beta1: number, c1: number, beta2: number, c2: number, stepSize: number, bc2Sqrt: number, eps: number,
    weightDecay: number, decay: number, flags: number): void;
  rmsprop_f32(param: number, grad: number, sq: number, ga: number, buf: number, n: number,
    lr: number, alpha: number, c: number, eps: number, weightDecay: number, momentum: number, flags: number): void;
  adagrad_f32(param: number, grad: number, sum: number, n: number,
    clr: number, eps: number, weightDecay: number, flags: number): void;

  gather_rows_f32(out: number, x: number, idx: number, nIdx: number, rowSize: number): void;
  scatter_add_rows_f32(out: number, src: number, idx: number, nIdx: number, rowSize: number): void;

  lstm_cell_f32(gates: number, cPrev: number, cOut: number, hOut: number, batch: number, hidden: number): void;
  lstm_cell_bwd_f32(dGates: number, dhRec: number, dY: number, dc: number, dCy: number,
    gates: number, cPrev: number, c: number, batch: number, hidden: number): void;
  gru_cell_f32(gates: number, hn: number, hp: number, bhn: number, hPrev: number, hOut: number, batch: number, hidden: number): void;
  gru_cell_bwd_f32(dGx: number, dGh: number, dhRec: number, dY: number, gates: number, hn: number, hPrev: number,
    batch: number, hidden: number): void;
  rnn_cell_bwd_f32(dPre: number, dhRec: number, dY: number, h: number, n: number, relu: number): void;
  concat_cols_f32(out: number, a: number, b: number, rows: number, na: number, nb: number): void;
  split_cols_f32(a: number, b: number, g: number, rows: number, na: number, nb: number): void;

  // conv (assembly/kernels/conv.ts): dims = 14 i32 N, C, H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW
  im2col_f32(col: number, x: number, dims: number): void;
  col2im_f32(x: number, col: number, dims: number): void;
  cnp_to_nchw_f32(out: number, src: number, bias: number, n: number, c: number, p: number): void;
  nchw_to_cnp_f32(out: number, src: number, n: number, c: number, p: number): void;
  bias_grad_nchw_f32(db: number, dy: number, n: number, c: number, p: number, accumulate: number): void;
  bias_add_nchw_f32(x: number, bias: number, n: number, c: number, p: number): void;
  // pool (assembly/kernels/pool.ts): dims = 13 i32 NC, H, W, OH, OW, kH, kW, sH, sW, pH, pW, dH, dW
  max_pool2d_f32(out: number, idx: number, x: number, dims: number): void;
  max_pool2d_bwd_f32(dx: number, idx: number, dy: number, nc: number, hw: number, ohw: number): void;
  avg_pool2d_f32(out: number, x: number, dims: number, countIncludePad: number, divisor: number): void;
  avg_pool2d_bwd_f32(dx: number, dy: number, dims: number, countIncludePad: number, divisor: number): void;
  adaptive_avg_pool2d_f32(out: number, x: number, nc: number, h: number, w: number, oh: number, ow: number): void;
  adaptive_avg_pool2d_bwd_f32(dx: number, dy: number, nc: number, h: number, w: number, oh: number, ow: number): void;
  upsample_nearest2d_f32(out: number, x: number, nc: number, h: number, w: number, oh: number, ow: number,
    hIdx: number, wIdx: number): void;
  upsample_nearest2d_bwd_f32(dx: number, dy: number, nc: number, h: number, w: number, oh: number, ow: number,
    hIdx: number, wIdx: number): void;

  // norm (assembly/kernels/norm.ts): batch norm over x [n, c, l] per channel, layer norm over rows of d
  batch_norm_stats_f32(mean: number, var_: number, x: number, n: number, c: number, l: number): void;
  batch_norm_f32(y: number, x: number, mean: number, var_: number, weight: number, bias: number,
    n: number, c: number, l: number, eps: number): void;
  batch_norm_bwd_f32(dx: number, dweight: number, dbias: number, dy: number, x: number, mean: number, var_: number,
    weight: number, n: number, c: number, l: number, eps: number, training: number): void;
  batch_norm_update_f32(runMean: number, runVar: number, mean: number, var_: number, c: number,
    momentum: number, unbias: number): void;
  layer_norm_f32(y: number, mean: number, rstd: number, x: number, weight: number, bias: number,
    rows: number, d: number, eps: number): void;
  layer_norm_bwd_scratch_bytes(d: number): number;
  layer_norm_bwd_f32(dx: number, dweight: number, dbias: number, dy: number, x: number, mean: number, rstd: number,
    weight: number, rows: number, d: number, scratch: number): void;

  // graph (assembly/kernels/graph.ts): index/weight pointers of 0 mean "row e" / weight 1
  graph_propagate_f32(out: number, x: number, from: number, to: number, w: number, nEdges: number, rowSize: number): void;
  graph_edge_dot_f32(out: number, a: number, aIdx: number, b: number, bIdx: number, scale: number,
    nEdges: number, rowSize: number): void;
  graph_mean_weights_f32(out: number, cnt: number, idx: number, w: number, nEdges: number, numNodes: number): void;
  gcn_norm_f32(out: number, dis: number, src: number, dst: number, w: number, nEdges: number, numNodes: number): void;
  gcn_norm_bwd_f32(dw: number, ddis: number, g: number, src: number, dst: number, w: number, dis: number,
    nEdges: number, numNodes: number): void;
  // hopfield (assembly/kernels/hopfield.ts)
  hopfield_zero_diag_f32(w: number, n: number): void;
  hopfield_sync_step_f32(out: number, s: number, w: number, n: number): number;
  hopfield_async_sweep_f32(s: number, w: number, order: number, n: number, trace: number, energy: number): number;
  hopfield_energy_f32(w: number, s: number, n: number): number;
  hopfield_shuffle_i32(order: number, n: number, state: number): number;
}

/** Codes shared with assembly/kernels/elementwise.ts. */
export const BinaryOp = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, gt: 7, ge: 8, lt: 9, le: 10, eq: 11, ne: 12,
} as const;
export const UnaryOp = { neg: 0, exp: 1, log: 2, sqrt: 3, abs: 4, powScalar: 5, clamp: 6, affine: 7, sign: 8 } as const;
/** Codes shared with assembly/kernels/activations.ts. */
export const Act = {
  identity: 0, sigmoid: 1, tanh: 2, relu: 3, leakyRelu: 4, elu: 5, selu: 6, silu: 7, gelu: 8, geluTanh: 9, softplus: 10,
} as const;
/** Codes shared with assembly/kernels/loss.ts. */
export const LossKind = {
  mse: 0, l1: 1, huber: 2, bce: 3, bceWithLogits: 4, smoothL1: 5, klDiv: 6, klDivLog: 7,
  /** loss_bwd_f32 only: the gradients of klDiv and klDivLog with respect to the target. */
  klDivTarget: 8, klDivLogTarget: 9,
} as const;
