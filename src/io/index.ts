// neurite.io: safetensors state dicts (PyTorch-compatible) and whole-model files.
export {
  saveSafetensors,
  loadSafetensors,
  readSafetensorsHeader,
  MAX_HEADER_BYTES,
  type SafetensorsHeader,
  type SafetensorsEntry,
} from "./safetensors";
export { saveModel, loadModel, describeModel, MODEL_FORMAT, MODEL_VERSION, type ArchitectureNode } from "./model";
export { registerModule, type ModuleSpec, type ModuleConfig, type JsonValue } from "./registry";
