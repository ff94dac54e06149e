// Training orchestration: fit / evaluate / predict, callbacks and early stopping, metrics, and
// indexSelect (the differentiable row gather that batching is built on).
export { fit, evaluate, predict, type FitOptions, type History, type EvaluateOptions, type PredictOptions, type LossFn, type Optimizer, type Scheduler } from "./fit";
export { earlyStopping, type Callback, type CallbackResult, type Logs, type EarlyStopping, type EarlyStoppingOptions } from "./callbacks";
export { indexSelect } from "./gather";
export * as metrics from "./metrics";
export type { MetricFn, MetricName, BinaryAccuracyOptions } from "./metrics";
