// Linear-memory allocation for tensors. The TypeScript engine is the only caller and the
// only owner of the pointers returned here; the core keeps no map of its own.

/** Allocate `bytes` bytes, 16-byte aligned (TLSF from the minimal runtime). */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes == 0 ? 16 : bytes);
}

/** Return a block obtained from `alloc`. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

/** Fill `n` floats at `out` with `value`. */
export function fill_f32(out: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + (<usize>i << 2), v);
  for (; i < n; i++) store<f32>(out + (<usize>i << 2), value);
}

/** Copy `n` floats from `src` to `out` (regions may overlap). */
export function copy_f32(out: usize, src: usize, n: i32): void {
  memory.copy(out, src, <usize>n << 2);
}
