// saveModel/loadModel entries for the recurrent layers (see registry.ts for the spec format).
import type { Module } from "../nn/module";
import type { ModuleSpec, ModuleConfig } from "./registry";
import { RNN, LSTM, GRU, type RNNBase } from "../nn/rnn";
import { keys, int, num, bool, oneOf, MAX_FEATURES } from "./config";

/** More layers than any real network; keeps a hostile config from building a huge stack. */
const MAX_LAYERS = 1024;

interface RecurrentConfig {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;
}

const COMMON = ["inputSize", "hiddenSize", "numLayers", "bias", "batchFirst", "dropout", "bidirectional"];

function common(config: ModuleConfig): RecurrentConfig {
  return {
    inputSize: int(config, "inputSize", undefined, 1, MAX_FEATURES),
    hiddenSize: int(config, "hiddenSize", undefined, 1, MAX_FEATURES),
    numLayers: int(config, "numLayers", 1, 1, MAX_LAYERS),
    bias: bool(config, "bias", true),
    batchFirst: bool(config, "batchFirst", false),
    dropout: num(config, "dropout", 0, (p) => p >= 0 && p <= 1, "a number in [0, 1]"),
    bidirectional: bool(config, "bidirectional", false),
  };
}

function toCommon(m: RNNBase): ModuleConfig {
  return {
    inputSize: m.inputSize,
    hiddenSize: m.hiddenSize,
    numLayers: m.numLayers,
    bias: m.bias,
    batchFirst: m.batchFirst,
    dropout: m.dropout,
    bidirectional: m.bidirectional,
  };
}

/** Floats of every weight and bias: per layer and direction gates*hidden*(in + hidden) (+ 2*gates*hidden). */
function count(c: RecurrentConfig, gates: number): number {
  const dirs = c.bidirectional ? 2 : 1;
  const G = gates * c.hiddenSize;
  let total = 0;
  for (let layer = 0; layer < c.numLayers; layer++) {
    const inSize = layer === 0 ? c.inputSize : c.hiddenSize * dirs;
    total += dirs * (G * (inSize + c.hiddenSize) + (c.bias ? 2 * G : 0));
  }
  return total;
}

export function installRecurrentModules(reg: <M extends Module>(name: string, spec: ModuleSpec<M>) => void): void {
  reg("RNN", {
    moduleClass: RNN,
    toConfig: (m) => ({ ...toCommon(m), nonlinearity: m.nonlinearity }),
    fromConfig: (config) => {
      keys(config, [...COMMON, "nonlinearity"]);
      const c = common(config);
      return new RNN(c.inputSize, c.hiddenSize, { ...c, nonlinearity: oneOf(config, "nonlinearity", "tanh", ["tanh", "relu"] as const) });
    },
    paramCount: (config) => {
      keys(config, [...COMMON, "nonlinearity"]);
      return count(common(config), 1);
    },
  });
  for (const [name, cls, gates] of [["LSTM", LSTM, 4], ["GRU", GRU, 3]] as const) {
    reg<LSTM | GRU>(name, {
      moduleClass: cls,
      toConfig: (m) => toCommon(m),
      fromConfig: (config) => {
        keys(config, COMMON);
        const c = common(config);
        return new cls(c.inputSize, c.hiddenSize, c);
      },
      paramCount: (config) => {
        keys(config, COMMON);
        return count(common(config), gates);
      },
    });
  }
}
