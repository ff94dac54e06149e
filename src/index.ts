// neurite: neural networks on a WebAssembly SIMD core. Public API.
export { ready, type ReadyOptions } from "./loader";
export { Tensor, type NestedArray } from "./tensor";
export { scope, keep, dispose, memory, type MemoryInfo } from "./scope";
export { noGrad, isGradEnabled } from "./autograd";
export { gradcheck, type GradcheckOptions, type GradcheckReport } from "./gradcheck";
export * from "./ops/index";
export * as nn from "./nn/index";
export * as init from "./init";
export * as optim from "./optim/index";
export * as io from "./io/index";
export * from "./train/index";
export { plotSeries, plotHistory, type PlotOptions, type Series } from "./plot";
