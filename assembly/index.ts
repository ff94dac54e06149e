// The one entry point of the wasm core: every export is a pointer kernel or an allocator call.
export * from "./memory";
export * from "./rng";
export * from "./kernels/matmul";
export * from "./kernels/elementwise";
export * from "./kernels/activations";
export * from "./kernels/reduce";
export * from "./kernels/softmax";
export * from "./kernels/loss";
export * from "./kernels/optim";
export * from "./kernels/gather";
export * from "./kernels/conv";
export * from "./kernels/pool";
export * from "./kernels/norm";
export * from "./kernels/rnn";
export * from "./kernels/graph";
export * from "./kernels/hopfield";
