// torch.nn, as neurite's `nn` namespace.
export { Module, type StateDict, type LoadStateDictResult } from "./module";
export { Linear, Identity, Flatten, Dropout } from "./linear";
export { Sequential } from "./sequential";
export { ReLU, Sigmoid, Tanh, SELU, SiLU, LeakyReLU, ELU, GELU, Softplus, Softmax, LogSoftmax } from "./activation";
export { MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss, KLDivLoss } from "./loss";
export * as utils from "./utils";
export * from "./conv";
export * from "./pool";
export * from "./norm";
export * from "./embedding";
export * from "./rnn";
export * from "./graph";
export * from "./hopfield";
