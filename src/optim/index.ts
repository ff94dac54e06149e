// torch.optim, as neurite's `optim` namespace: optimizers and learning-rate schedulers.
export {
  Optimizer, type ParamGroup, type ParamGroupInput, type Params, type ParamState, type StateValue,
  type OptimizerStateDict, type LoadableOptimizerStateDict,
} from "./optimizer";
export { SGD, type SGDOptions } from "./sgd";
export { Adam, AdamW, type AdamOptions } from "./adam";
export { RMSprop, type RMSpropOptions } from "./rmsprop";
export { Adagrad, type AdagradOptions } from "./adagrad";
export {
  LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ReduceLROnPlateau,
  type StepLROptions, type MultiStepLROptions, type ExponentialLROptions, type CosineAnnealingLROptions,
  type LinearLROptions, type ReduceLROnPlateauOptions, type SchedulerStateDict,
} from "./lr_scheduler";
export * as lrScheduler from "./lr_scheduler";
