// Every op, in one list (the tensor methods and the public API both draw from here).
export * from "./creation";
export * from "./elementwise";
export * from "./reduce";
export * from "./layout";
export * from "./matmul";
export * from "./linear";
export * from "./activations";
export * from "./softmax";
export * from "./loss";
export * from "./inplace";

/**
 * Exported ops with no gradient (creation, integer-valued or graph-cutting ops). Every other
 * exported op has a backward, and test/gradcheck.test.ts checks each of them.
 */
export const nonDifferentiable: readonly string[] = [
  "tensor", "empty", "full", "zeros", "ones", "zerosLike", "onesLike", "rand", "randn", "arange", "manualSeed", "getRngState", "setRngState",
  "detach", "argmax", "argmin", "sign", "sumTo",
  "add_", "sub_", "mul_", "fill_", "zero_", "copy_", "gt", "ge", "lt", "le", "eq", "ne",
  "toUndirected",
];
export * from "./conv";
export * from "./pool";
export * from "./norm";
export * from "./rnn";
export * from "./graph";
export * from "./join";
export * from "./dropout";
export * from "./compare";
export * from "./stats";
