// saveModel/loadModel entries for the norm layers and the embedding (see registry.ts for the spec format).
import type { Module } from "../nn/module";
import type { ModuleSpec, ModuleConfig } from "./registry";
import { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormBase } from "../nn/norm";
import { Embedding } from "../nn/embedding";
import { keys, get, int, num, bool, MAX_FEATURES, MAX_DIM } from "./config";
import { what } from "./safetensors";

/** Features per channel-wise layer: no more than wasm memory could hold. */
const MAX_NUMEL = 2 ** 29;

function batchNormConfig(config: ModuleConfig) {
  keys(config, ["numFeatures", "eps", "momentum", "affine", "trackRunningStats"]);
  const m = get(config, "momentum");
  if (m !== undefined && m !== null && (typeof m !== "number" || !Number.isFinite(m))) {
    throw new RangeError(`config.momentum must be a finite number or null, got ${what(m)}`);
  }
  return {
    numFeatures: int(config, "numFeatures", undefined, 1, MAX_FEATURES),
    eps: num(config, "eps", 1e-5, (e) => e >= 0, "a finite number >= 0"),
    momentum: m === undefined ? 0.1 : (m as number | null),
    affine: bool(config, "affine", true),
    trackRunningStats: bool(config, "trackRunningStats", true),
  };
}

function batchNormSpec<M extends BatchNormBase>(cls: new (numFeatures: number, options: object) => M): ModuleSpec<M> {
  return {
    moduleClass: cls,
    toConfig: (m) => ({
      numFeatures: m.numFeatures, eps: m.eps, momentum: m.momentum, affine: m.affine, trackRunningStats: m.trackRunningStats,
    }),
    fromConfig: (config) => {
      const { numFeatures, ...options } = batchNormConfig(config);
      return new cls(numFeatures, options);
    },
    // weight + bias, running_mean + running_var + num_batches_tracked
    paramCount: (config) => {
      const c = batchNormConfig(config);
      return (c.affine ? 2 * c.numFeatures : 0) + (c.trackRunningStats ? 2 * c.numFeatures + 1 : 0);
    },
  };
}

function layerNormConfig(config: ModuleConfig) {
  keys(config, ["normalizedShape", "eps", "elementwiseAffine"]);
  const shape = get(config, "normalizedShape");
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > MAX_DIM) {
    throw new RangeError(`config.normalizedShape must be an array of 1 to ${MAX_DIM} positive integers, got ${what(shape)}`);
  }
  let numel = 1;
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > MAX_NUMEL) {
      throw new RangeError(`config.normalizedShape must hold positive integers, got ${what(d)}`);
    }
    numel *= d;
    if (numel > MAX_NUMEL) throw new RangeError(`config.normalizedShape has more than ${MAX_NUMEL} elements`);
  }
  return {
    normalizedShape: shape as number[],
    numel,
    eps: num(config, "eps", 1e-5, (e) => e >= 0, "a finite number >= 0"),
    elementwiseAffine: bool(config, "elementwiseAffine", true),
  };
}

function embeddingConfig(config: ModuleConfig) {
  keys(config, ["numEmbeddings", "embeddingDim", "paddingIdx"]);
  const numEmbeddings = int(config, "numEmbeddings", undefined, 1, MAX_FEATURES);
  const embeddingDim = int(config, "embeddingDim", undefined, 1, MAX_FEATURES);
  if (numEmbeddings * embeddingDim > MAX_NUMEL) {
    throw new RangeError(`config: ${numEmbeddings} x ${embeddingDim} embeddings are more than wasm memory can hold`);
  }
  const p = get(config, "paddingIdx");
  const paddingIdx = p === undefined || p === null ? null : int(config, "paddingIdx", undefined, 0, numEmbeddings - 1);
  return { numEmbeddings, embeddingDim, paddingIdx };
}

export function installNormModules(reg: <M extends Module>(name: string, spec: ModuleSpec<M>) => void): void {
  reg("BatchNorm1d", batchNormSpec(BatchNorm1d));
  reg("BatchNorm2d", batchNormSpec(BatchNorm2d));
  reg("LayerNorm", {
    moduleClass: LayerNorm,
    toConfig: (m) => ({ normalizedShape: m.normalizedShape.slice(), eps: m.eps, elementwiseAffine: m.elementwiseAffine }),
    fromConfig: (config) => {
      const c = layerNormConfig(config);
      return new LayerNorm(c.normalizedShape, { eps: c.eps, elementwiseAffine: c.elementwiseAffine });
    },
    paramCount: (config) => {
      const c = layerNormConfig(config);
      return c.elementwiseAffine ? 2 * c.numel : 0;
    },
  });
  reg("Embedding", {
    moduleClass: Embedding,
    toConfig: (m) => ({ numEmbeddings: m.numEmbeddings, embeddingDim: m.embeddingDim, paddingIdx: m.paddingIdx }),
    fromConfig: (config) => {
      const c = embeddingConfig(config);
      return new Embedding(c.numEmbeddings, c.embeddingDim, { paddingIdx: c.paddingIdx });
    },
    paramCount: (config) => {
      const c = embeddingConfig(config);
      return c.numEmbeddings * c.embeddingDim;
    },
  });
}
