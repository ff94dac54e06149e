// io: whole-model files (saveModel / loadModel), the module registry, and hostile
// architectures: unknown types, oversized layers, bad configs, mismatched weights.
import { describe, it, expect, beforeAll } from "vitest";
import * as nt from "../src/index";

const { nn, io } = nt;

/** Replace the "architecture" metadata of a model file (weights unchanged). */
function withArchitecture(bytes: Uint8Array, architecture: unknown, extra: Record<string, string> = {}): Uint8Array {
  return nt.scope(() => {
    const header = io.readSafetensorsHeader(bytes);
    const sd = io.loadSafetensors(bytes);
    const text = typeof architecture === "string" ? architecture : JSON.stringify(architecture);
    return io.saveSafetensors(sd, { ...header.metadata!, architecture: text, ...extra });
  });
}

/** fn must throw an Error matching `pattern`, leaving live tensors, bytes and wasm memory as they were. */
function expectCleanError(fn: () => unknown, pattern: RegExp) {
  const before = nt.memory();
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toMatch(pattern);
  expect(nt.memory()).toEqual(before);
}

function mlp() {
  return new nn.Sequential(
    new nn.Linear(10, 16),
    new nn.ReLU(),
    new nn.Dropout(0.25),
    new nn.Linear(16, 16),
    new nn.Tanh(),
    new nn.Linear(16, 12, { bias: false }),
    new nn.GELU("tanh"),
    new nn.LeakyReLU(0.2),
    new nn.ELU(0.5),
    new nn.SiLU(),
    new nn.Softplus(2, 10),
    new nn.SELU(),
    new nn.Sigmoid(),
    new nn.Linear(12, 4),
    new nn.LogSoftmax(1),
  );
}

describe("saveModel / loadModel", () => {
  it("writes the documented metadata and architecture", () => {
    const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
    const bytes = io.saveModel(model);
    const header = io.readSafetensorsHeader(bytes);
    expect(Object.keys(header.metadata!)).toEqual(["format", "version", "architecture"]);
    expect(header.metadata!.format).toBe("neurite-model");
    expect(header.metadata!.version).toBe("1");
    expect(JSON.parse(header.metadata!.architecture)).toEqual({
      type: "Sequential",
      children: [
        { type: "Linear", config: { inFeatures: 784, outFeatures: 128, bias: true } },
        { type: "ReLU", config: {} },
        { type: "Linear", config: { inFeatures: 128, outFeatures: 10, bias: true } },
      ],
    });
    expect(header.tensors.map((t) => t.name)).toEqual(["0.bias", "0.weight", "2.bias", "2.weight"]);
    model.dispose();
  });

  it("an MLP with dropout and many activations reloads with identical outputs", () => {
    nt.manualSeed(7);
    const model = mlp().eval();
    const bytes = io.saveModel(model, { note: "trained on nothing" });
    const loaded = io.loadModel(bytes);
    expect(loaded).toBeInstanceOf(nn.Sequential);
    expect(loaded.toString()).toBe(model.toString());
    expect(loaded.training).toBe(false);
    expect(loaded.modules().every((m) => !m.training)).toBe(true);
    expect(io.readSafetensorsHeader(bytes).metadata!.note).toBe("trained on nothing");
    nt.scope(() => {
      const x = nt.randn([5, 10]);
      expect(Array.from(loaded(x).data())).toEqual(Array.from(model(x).data()));
      for (const [k, t] of Object.entries(model.stateDict())) {
        expect(loaded.stateDict()[k].data()).toEqual(t.data());
        expect(loaded.stateDict()[k]).not.toBe(t);
      }
    });
    // Same model, same bytes.
    expect(io.saveModel(loaded, { note: "trained on nothing" })).toEqual(bytes);
    model.dispose();
    loaded.dispose();
  });

  it("keeps train/eval modes, written only where they differ from the parent", () => {
    const model = mlp();
    (model.at(2) as nt.nn.Dropout).eval();
    const arch = io.describeModel(model);
    expect(arch.training).toBeUndefined();
    expect(arch.children![2]).toEqual({ type: "Dropout", config: { p: 0.25 }, training: false });
    const loaded = io.loadModel(io.saveModel(model));
    expect(loaded.modules().map((m) => m.training)).toEqual(model.modules().map((m) => m.training));
    model.eval();
    expect(io.describeModel(model).training).toBe(false);
    expect(io.describeModel(model).children![2].training).toBeUndefined();
    model.dispose();
    loaded.dispose();
  });

  it("every built-in module keeps its configuration", () => {
    const modules = [
      new nn.Linear(3, 2, { bias: false }),
      new nn.Identity(),
      new nn.Flatten(0, 2),
      new nn.Dropout(0.1),
      new nn.ReLU(), new nn.Sigmoid(), new nn.Tanh(), new nn.SELU(), new nn.SiLU(),
      new nn.LeakyReLU(0.3), new nn.ELU(2), new nn.GELU("tanh"), new nn.Softplus(0.5, 5),
      new nn.Softmax(0), new nn.LogSoftmax(-2),
      new nn.MSELoss({ reduction: "sum" }), new nn.L1Loss({ reduction: "none" }),
      new nn.HuberLoss({ delta: 0.5, reduction: "sum" }), new nn.BCELoss(), new nn.BCEWithLogitsLoss({ reduction: "sum" }),
      new nn.CrossEntropyLoss({ labelSmoothing: 0.1, ignoreIndex: 3, reduction: "none" }),
      new nn.SmoothL1Loss({ beta: 0.25, reduction: "sum" }), new nn.KLDivLoss({ reduction: "batchmean", logTarget: true }),
      new nn.NLLLoss({ ignoreIndex: 2, reduction: "sum" }),
    ];
    for (const m of modules) {
      const loaded = io.loadModel(io.saveModel(m));
      expect(loaded.constructor).toBe(m.constructor);
      expect(io.describeModel(loaded)).toEqual(io.describeModel(m));
      for (const key of ["reduction", "delta", "labelSmoothing", "ignoreIndex", "p", "dim", "startDim", "endDim", "beta", "threshold", "alpha", "negativeSlope", "approximate", "logTarget"]) {
        expect((loaded as any)[key], `${m.typeName}.${key}`).toBe((m as any)[key]);
      }
      loaded.dispose();
      m.dispose();
    }
  });

  it("nested containers and registered custom modules with named children", () => {
    class Residual extends nn.Module {
      constructor(readonly body: nt.nn.Module, readonly scale: number) {
        super();
        this.registerModule("body", body);
      }
      forward(x: nt.Tensor) {
        return x.add(this.body(x).mul(this.scale));
      }
    }
    class Net extends nn.Module {
      constructor(readonly encoder: nt.nn.Module, readonly head: nt.nn.Module) {
        super();
        this.registerModule("encoder", encoder);
        this.registerModule("head", head);
      }
      forward(x: nt.Tensor) {
        return this.head(this.encoder(x));
      }
    }
    const make = () =>
      new Net(new nn.Sequential(new nn.Linear(4, 4), new Residual(new nn.Sequential(new nn.Linear(4, 4), new nn.Tanh()), 0.5)), new nn.Linear(4, 2));
    const model = make();
    expect(() => io.saveModel(model)).toThrow(/saveModel: module \(root\) has type Net, which is not registered; register it with io.registerModule\("Net"/);
    io.registerModule("test.Net", {
      moduleClass: Net,
      toConfig: () => ({}),
      fromConfig: (_config, children, names) => {
        expect(names).toEqual(["encoder", "head"]);
        return new Net(children[0], children[1]);
      },
    });
    expect(() => io.saveModel(model)).toThrow(/saveModel: module 'encoder.1' has type Residual, which is not registered/);
    io.registerModule("test.Residual", {
      moduleClass: Residual,
      toConfig: (m) => ({ scale: m.scale }),
      fromConfig: (config, children) => {
        if (typeof config.scale !== "number") throw new Error("config.scale must be a number");
        return new Residual(children[0], config.scale);
      },
    });
    const arch = io.describeModel(model);
    expect(arch.type).toBe("test.Net");
    expect(arch.children!.map((c) => c.name)).toEqual(["encoder", "head"]);
    expect(arch.children![0].children![1]).toMatchObject({ type: "test.Residual", config: { scale: 0.5 }, children: [{ type: "Sequential" }] });
    const loaded = io.loadModel(io.saveModel(model));
    expect(loaded).toBeInstanceOf(Net);
    expect(Object.keys(loaded.stateDict())).toEqual(Object.keys(model.stateDict()));
    nt.scope(() => {
      const x = nt.randn([3, 4]);
      expect(Array.from(loaded(x).data())).toEqual(Array.from(model(x).data()));
    });
    model.dispose();
    loaded.dispose();
  });

  it("a subclass of a registered class is not silently saved as its parent", () => {
    class MyLinear extends nn.Linear {}
    const m = new nn.Sequential(new MyLinear(2, 2));
    expect(() => io.saveModel(m)).toThrow(/saveModel: module '0' has type MyLinear, which is not registered/);
    m.dispose();
  });

  it("shared modules and non-JSON configs are refused when saving", () => {
    const lin = new nn.Linear(2, 2);
    expect(() => io.saveModel(new nn.Sequential(lin, new nn.ReLU(), lin))).toThrow(/saveModel: module '2' \(Linear\) appears twice/);
    expect(() => io.saveModel(new nn.Sequential(new nn.LeakyReLU(NaN)))).toThrow(/saveModel: the config of module '0' \(LeakyReLU\) holds NaN at negativeSlope/);
    expect(() => io.saveModel(lin, { format: "x" })).toThrow(/saveModel: metadata key 'format' is reserved/);
    expect(() => io.saveModel({} as any)).toThrow(/saveModel: model must be an nn.Module/);
    lin.dispose();
  });

  it("registerModule checks its arguments", () => {
    expect(() => io.registerModule("", { toConfig: () => ({}), fromConfig: () => new nn.ReLU() })).toThrow(/registerModule: typeName must be a non-empty string/);
    expect(() => io.registerModule("X", { toConfig: () => ({}) } as any)).toThrow(/registerModule: spec.fromConfig for X must be a function/);
  });

  it("a model loaded inside a scope outlives it", () => {
    const bytes = nt.scope(() => {
      const m = new nn.Sequential(new nn.Linear(3, 3));
      const b = io.saveModel(m);
      m.dispose();
      return b;
    });
    const before = nt.memory();
    const model = nt.scope(() => io.loadModel(bytes));
    expect(nt.memory().numTensors).toBe(before.numTensors + 2);
    expect(model.parameters().every((p) => !p.isDisposed)).toBe(true);
    model.dispose();
    expect(nt.memory().numTensors).toBe(before.numTensors);
  });
});

describe("loadModel: hostile or mismatched files", () => {
  const small = () => {
    const m = new nn.Sequential(new nn.Linear(6, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const bytes = io.saveModel(m);
    m.dispose();
    return bytes;
  };
  let bytes: Uint8Array;
  beforeAll(() => {
    bytes = small();
  });
  const lin = (inFeatures: unknown, outFeatures: unknown, extra: object = {}) => ({ type: "Linear", config: { inFeatures, outFeatures, bias: true, ...extra } });
  const seq = (...children: unknown[]) => ({ type: "Sequential", children });
  const good = () => seq(lin(6, 8), { type: "ReLU", config: {} }, lin(8, 3));

  it("the unmodified file loads", () => {
    const m = io.loadModel(withArchitecture(bytes, good()));
    m.dispose();
  });

  const cases: [string, () => Uint8Array, RegExp][] = [
    ["plain safetensors (no model metadata)", () => nt.scope(() => io.saveSafetensors(io.loadSafetensors(bytes))), /loadModel: not a neurite model file/],
    ["wrong format", () => withArchitecture(bytes, good(), { format: "keras" }), /loadModel: not a neurite model file/],
    ["unsupported version", () => withArchitecture(bytes, good(), { version: "2" }), /loadModel: model format version '2' is not supported/],
    ["architecture not JSON", () => withArchitecture(bytes, "{nope"), /loadModel: the architecture is not valid JSON/],
    ["architecture with a duplicate key", () => withArchitecture(bytes, '{"type":"Sequential","type":"ReLU"}'), /loadModel: the architecture repeats the key 'type'/],
    ["architecture not an object", () => withArchitecture(bytes, [1, 2]), /loadModel: architecture node \(root\) must be an object, got array/],
    ["unknown type", () => withArchitecture(bytes, seq(lin(6, 8), { type: "Conv9d" }, lin(8, 3))), /loadModel: architecture node '1' has type 'Conv9d', which is not registered/],
    ["type missing", () => withArchitecture(bytes, seq(lin(6, 8), { config: {} }, lin(8, 3))), /loadModel: architecture node '1' has no "type" string/],
    ["inherited type name", () => withArchitecture(bytes, { type: "constructor" }), /has type 'constructor', which is not registered/],
    ["unknown node key", () => withArchitecture(bytes, { ...good(), extra: 1 }), /loadModel: architecture node \(root\) has an unknown key 'extra'/],
    ["config not an object", () => withArchitecture(bytes, seq(lin(6, 8), { type: "ReLU", config: [] }, lin(8, 3))), /architecture node '1' \(ReLU\) has a config that is not an object/],
    ["unknown config key", () => withArchitecture(bytes, seq(lin(6, 8, { bogus: 1 }), { type: "ReLU" }, lin(8, 3))), /loadModel: module '0' \(Linear\): config has an unknown key "bogus"/],
    ["children not an array", () => withArchitecture(bytes, { type: "Sequential", children: {} }), /has "children" that is not an array/],
    ["negative inFeatures", () => withArchitecture(bytes, seq(lin(-6, 8), { type: "ReLU" }, lin(8, 3))), /loadModel: module '0' \(Linear\): config.inFeatures must be an integer in \[1, 536870912\], got number -6/],
    ["fractional outFeatures", () => withArchitecture(bytes, seq(lin(6, 8.5), { type: "ReLU" }, lin(8, 3))), /config.outFeatures must be an integer/],
    ["string size", () => withArchitecture(bytes, seq(lin("6", 8), { type: "ReLU" }, lin(8, 3))), /config.inFeatures must be an integer in \[1, 536870912\], got string 6/],
    ["huge Linear", () => withArchitecture(bytes, seq(lin(100000, 100000))), /loadModel: module '0' \(Linear\) needs 10000100000 parameters, bringing the model to 10000100000, more than the 83 values/],
    ["many Linears, each small, together too big", () => withArchitecture(bytes, seq(...Array.from({ length: 20 }, () => lin(4, 4)))),
      /loadModel: module '\d+' \(Linear\) needs 20 parameters, bringing the model to \d+, more than the 83 values/],
    ["bad Dropout p", () => withArchitecture(bytes, seq(lin(6, 8), { type: "Dropout", config: { p: 2 } }, lin(8, 3))), /module '1' \(Dropout\): config.p must be a number in \[0, 1\], got number 2/],
    ["bad reduction", () => withArchitecture(bytes, { type: "MSELoss", config: { reduction: "avg" } }), /module \(root\) \(MSELoss\): config.reduction must be one of "mean", "sum", "none"/],
    ["bad GELU approximate", () => withArchitecture(bytes, seq(lin(6, 8), { type: "GELU", config: { approximate: "fast" } }, lin(8, 3))), /config.approximate must be one of/],
    ["too deep", () => {
      let node: any = lin(6, 8);
      for (let i = 0; i < 100; i++) node = seq(node);
      return withArchitecture(bytes, node);
    }, /loadModel: the architecture is nested deeper than 64 levels/],
    ["too many modules", () => withArchitecture(bytes, seq(...Array.from({ length: 100001 }, () => ({ type: "ReLU" })))), /loadModel: the architecture has more than 100000 modules/],
    ["deeply nested config value", () => withArchitecture(bytes, `{"type":"Sequential","children":[{"type":"Linear","config":{"inFeatures":${"[".repeat(100000)}${"]".repeat(100000)},"outFeatures":8}}]}`),
      /loadModel: module '0' \(Linear\): config.inFeatures must be an integer in \[1, 536870912\], got array of 1 items/],
    ["child name with a dot", () => withArchitecture(bytes, seq({ ...lin(6, 8), name: "a.b" })), /child 0 of architecture node \(root\) has an invalid name string a.b/],
    ["duplicate child names", () => withArchitecture(bytes, seq({ ...lin(6, 8), name: "x" }, { type: "ReLU", name: "x" })), /has two children named 'x'/],
    ["Sequential children with non-index names", () => withArchitecture(bytes, seq({ ...lin(6, 8), name: "first" }, { type: "ReLU" }, lin(8, 3))),
      /fromConfig of Sequential at \(root\) did not register the children it was given \(expected first, 1, 2; got 0, 1, 2\)/],
    ["training not a boolean", () => withArchitecture(bytes, { ...good(), training: "no" }), /has "training" string no, not a boolean/],
    ["weights missing", () => withArchitecture(bytes, seq(lin(6, 8), { type: "ReLU" }, lin(8, 2), lin(2, 1))), /loadModel: the weights do not match the architecture: missing '3.weight', '3.bias'/],
    ["unexpected weights", () => withArchitecture(bytes, seq(lin(6, 8))), /loadModel: the weights do not match the architecture: unexpected '2.bias', '2.weight'/],
    ["weights of the wrong shape", () => withArchitecture(bytes, seq(lin(8, 6), { type: "ReLU" }, lin(8, 3))), /loadModel: tensor '0.bias' has shape \[8\] in the file but \[6\] in the rebuilt Sequential/],
  ];
  for (const [name, make, pattern] of cases) {
    it(name, () => {
      const file = make();
      expectCleanError(() => io.loadModel(file), pattern);
    });
  }

  it("weights of the wrong shape (same parameter count) name the tensor and both shapes", () => {
    // A [4, 12] weight holds as many values as Linear(6, 8)'s [8, 6]: only the shape check catches it.
    const swapped = nt.scope(() => {
      const sd = io.loadSafetensors(bytes);
      const w = sd["0.weight"].reshape([4, 12]);
      const b = sd["0.bias"];
      return io.saveSafetensors({ "0.weight": w, "0.bias": b, "2.weight": sd["2.weight"], "2.bias": sd["2.bias"] }, io.readSafetensorsHeader(bytes).metadata!);
    });
    expectCleanError(() => io.loadModel(swapped), /loadModel: tensor '0.weight' has shape \[4, 12\] in the file but \[8, 6\] in the rebuilt Sequential/);
  });

  it("a custom module without paramCount that allocates too much is disposed", () => {
    class Big extends nn.Module {
      constructor() {
        super();
        this.registerParameter("w", nt.zeros([1000]));
      }
      forward(x: nt.Tensor) {
        return x;
      }
    }
    io.registerModule("test.Big", { moduleClass: Big, toConfig: () => ({}), fromConfig: () => new Big() });
    expectCleanError(() => io.loadModel(withArchitecture(bytes, seq(lin(6, 8), { type: "test.Big" }))), /loadModel: module '1' \(test.Big\) holds more parameters than the 83 values/);
  });

  it("a fromConfig that throws is reported with the module's path, and what was built is freed", () => {
    class Fails extends nn.Module {
      forward(x: nt.Tensor) {
        return x;
      }
    }
    io.registerModule("test.Fails", { moduleClass: Fails, toConfig: () => ({}), fromConfig: () => { throw new Error("no can do"); } });
    expectCleanError(() => io.loadModel(withArchitecture(bytes, seq(lin(6, 8), { type: "ReLU" }, lin(8, 3), { type: "test.Fails" }))), /loadModel: module '3' \(test.Fails\): no can do/);
  });

  it("hostile safetensors framing is refused by loadModel too", () => {
    expectCleanError(() => io.loadModel(bytes.subarray(0, bytes.length - 1)), /^loadModel: the tensors cover|loadModel: tensor .* past the end/);
    expectCleanError(() => io.loadModel(new Uint8Array(3)), /loadModel: the file is 3 bytes/);
  });
});
