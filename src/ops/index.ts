// Every op, in one list (the tensor methods and the public API both draw from here).
export * from "./creation";
export * from "./elementwise";
export * from "./reduce";
export * from "./layout";
export * from "./matmul";
export * from "./activations";
export * from "./softmax";
export * from "./loss";
