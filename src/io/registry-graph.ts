// saveModel/loadModel entries for the graph layers and the Hopfield memory (see registry.ts for the
// spec format). Configs come from files, so each is validated before anything is built.
import type { Module } from "../nn/module";
import type { ModuleSpec, ModuleConfig } from "./registry";
import { GCNConv, SAGEConv } from "../nn/graph";
import { Hopfield } from "../nn/hopfield";
import { keys, int, bool, oneOf, MAX_FEATURES } from "./config";

function gcnConfig(config: ModuleConfig) {
  keys(config, ["inChannels", "outChannels", "bias", "addSelfLoops", "normalize", "improved"]);
  return {
    inChannels: int(config, "inChannels", undefined, 1, MAX_FEATURES),
    outChannels: int(config, "outChannels", undefined, 1, MAX_FEATURES),
    bias: bool(config, "bias", true),
    addSelfLoops: bool(config, "addSelfLoops", true),
    normalize: bool(config, "normalize", true),
    improved: bool(config, "improved", false),
  };
}

function sageConfig(config: ModuleConfig) {
  keys(config, ["inChannels", "outChannels", "aggr", "bias", "rootWeight", "normalize"]);
  return {
    inChannels: int(config, "inChannels", undefined, 1, MAX_FEATURES),
    outChannels: int(config, "outChannels", undefined, 1, MAX_FEATURES),
    aggr: oneOf(config, "aggr", "mean", ["mean", "add", "sum"] as const),
    bias: bool(config, "bias", true),
    rootWeight: bool(config, "rootWeight", true),
    normalize: bool(config, "normalize", false),
  };
}

/** Hopfield's n: the weight is n² floats, so n <= 2^14 (1 GiB) keeps it within 32-bit wasm memory. */
function hopfieldConfig(config: ModuleConfig) {
  keys(config, ["n"]);
  return { n: int(config, "n", undefined, 1, 2 ** 14) };
}

export function installGraphModules(reg: <M extends Module>(name: string, spec: ModuleSpec<M>) => void): void {
  reg("GCNConv", {
    moduleClass: GCNConv,
    ownsChildren: true,
    toConfig: (m) => ({
      inChannels: m.inChannels, outChannels: m.outChannels, bias: m.bias !== null,
      addSelfLoops: m.addSelfLoops, normalize: m.normalize, improved: m.improved,
    }),
    fromConfig: (config) => {
      const { inChannels, outChannels, ...options } = gcnConfig(config);
      return new GCNConv(inChannels, outChannels, options);
    },
    paramCount: (config) => {
      const c = gcnConfig(config);
      return c.inChannels * c.outChannels + (c.bias ? c.outChannels : 0);
    },
  });
  reg("SAGEConv", {
    moduleClass: SAGEConv,
    ownsChildren: true,
    toConfig: (m) => ({
      inChannels: m.inChannels, outChannels: m.outChannels, aggr: m.aggr, bias: m.lin_l.bias !== null,
      rootWeight: m.rootWeight, normalize: m.normalize,
    }),
    fromConfig: (config) => {
      const { inChannels, outChannels, ...options } = sageConfig(config);
      return new SAGEConv(inChannels, outChannels, options);
    },
    paramCount: (config) => {
      const c = sageConfig(config);
      return c.inChannels * c.outChannels * (c.rootWeight ? 2 : 1) + (c.bias ? c.outChannels : 0);
    },
  });
  reg("Hopfield", {
    moduleClass: Hopfield,
    toConfig: (m) => ({ n: m.n }),
    fromConfig: (config) => new Hopfield(hopfieldConfig(config).n),
    paramCount: (config) => hopfieldConfig(config).n ** 2,
  });
}
