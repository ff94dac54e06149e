// nn.Conv1d / Conv2d / ConvTranspose2d / MaxPool2d / AvgPool2d / AdaptiveAvgPool2d / Upsample:
// PyTorch layouts, default initialization, state-dict keys, printing, argument checks, and
// saveModel/loadModel (round trips and hostile configs).
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";

const { nn, io } = nt;

describe("conv modules: layouts, init, state dicts", () => {
  it("Conv2d has weight [out, in/groups, kH, kW] and bias [out], kaiming-uniform(a=√5) within ±1/√fan_in", () => {
    nt.manualSeed(3);
    const m = new nn.Conv2d(6, 8, [3, 2], { groups: 2, padding: 1 });
    expect(m.weight.shape).toEqual([8, 3, 3, 2]);
    expect(m.bias!.shape).toEqual([8]);
    expect(Object.keys(m.stateDict())).toEqual(["weight", "bias"]);
    // gain √(2/(1+5)), bound √3·gain/√fan_in = 1/√fan_in, fan_in = 3·3·2 = 18
    const bound = 1 / Math.sqrt(18);
    const w = m.weight.data();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound); // 144 uniform draws reach the edge
    expect(Math.max(...m.bias!.data().map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
    m.dispose();
  });

  it("ConvTranspose2d has weight [in, out/groups, kH, kW]; fan_in is out/groups·kH·kW as in PyTorch", () => {
    nt.manualSeed(4);
    const m = new nn.ConvTranspose2d(4, 6, 3, { groups: 2, stride: 2, outputPadding: 1 });
    expect(m.weight.shape).toEqual([4, 3, 3, 3]);
    expect(m.bias!.shape).toEqual([6]);
    const bound = 1 / Math.sqrt(3 * 9);
    expect(Math.max(...m.weight.data().map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...m.bias!.data().map(Math.abs))).toBeLessThanOrEqual(bound);
    const y = nt.noGrad(() => m(nt.zeros([2, 4, 5, 5])));
    expect(y.shape).toEqual([2, 6, 12, 12]); // (5-1)·2 + 3 + 1
    m.dispose();
  });

  it("Conv1d without bias has only a weight [out, in/groups, k]", () => {
    const m = new nn.Conv1d(4, 2, 5, { bias: false, padding: "same" });
    expect(m.weight.shape).toEqual([2, 4, 5]);
    expect(m.bias).toBeNull();
    expect(Object.keys(m.stateDict())).toEqual(["weight"]);
    expect(nt.noGrad(() => m(nt.zeros([3, 4, 7]))).shape).toEqual([3, 2, 7]);
    m.dispose();
  });

  it("print like PyTorch", () => {
    const seq = new nn.Sequential(
      new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.MaxPool2d(2), new nn.Conv2d(4, 8, [3, 5], { stride: [2, 1], dilation: 2, groups: 2, bias: false }),
      new nn.ConvTranspose2d(3, 4, 3, { stride: 2, padding: 1, outputPadding: 1 }), new nn.AvgPool2d(3, { stride: 2, padding: 1 }),
      new nn.AdaptiveAvgPool2d([3, 5]), new nn.Upsample({ scaleFactor: 2 }), new nn.Conv1d(2, 3, 3, { padding: "same" }),
    );
    expect(seq.toString().split("\n").slice(1, -1).map((l) => l.trim())).toEqual([
      "(0): Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
      "(1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
      "(2): Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 1), dilation=(2, 2), groups=2, bias=False)",
      "(3): ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))",
      "(4): AvgPool2d(kernel_size=3, stride=2, padding=1)",
      "(5): AdaptiveAvgPool2d(output_size=(3, 5))",
      "(6): Upsample(scale_factor=2, mode=nearest)",
      "(7): Conv1d(2, 3, kernel_size=(3,), stride=(1,), padding=same)",
    ]);
    seq.dispose();
  });

  it("pool and upsample modules run their functional ops", () => {
    nt.scope(() => {
      const x = nt.tensor(Array.from({ length: 2 * 3 * 6 * 5 }, (_, i) => Math.sin(i)), [2, 3, 6, 5]);
      const same = (a: nt.Tensor, b: nt.Tensor) => expect(Array.from(a.data())).toEqual(Array.from(b.data()));
      same(new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true })(x), nt.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }));
      same(new nn.AvgPool2d([2, 3], { countIncludePad: false, padding: [1, 1] })(x), nt.avgPool2d(x, [2, 3], { countIncludePad: false, padding: [1, 1] }));
      same(new nn.AdaptiveAvgPool2d([null, 2])(x), nt.adaptiveAvgPool2d(x, [6, 2]));
      same(new nn.Upsample({ size: [7, 9] })(x), nt.interpolate(x, { size: [7, 9] }));
    });
  });
});

describe("conv module arguments are checked before anything is allocated", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["channels not divisible by groups", () => new nn.Conv2d(3, 4, 3, { groups: 2 }), /nn.Conv2d: inChannels 3 must be divisible by groups 2/],
    ["out channels not divisible by groups", () => new nn.Conv2d(4, 3, 3, { groups: 2 }), /nn.Conv2d: outChannels 3 must be divisible by groups 2/],
    ["zero channels", () => new nn.Conv2d(0, 3, 3), /nn.Conv2d: inChannels must be a positive integer, got number 0/],
    ["kernel of 3 sizes", () => new nn.Conv2d(1, 3, [3, 3, 3] as any), /nn.Conv2d: kernelSize must be an integer >= 1 or 2 of them, got array \[3, 3, 3\]/],
    ["unknown option", () => new nn.Conv2d(1, 3, 3, { padding_mode: "zeros" } as any), /nn.Conv2d: unknown option "padding_mode"/],
    ["same with stride", () => new nn.Conv1d(1, 3, 3, { padding: "same", stride: 2 }), /nn.Conv1d: padding "same" needs stride 1/],
    ["transposed with same", () => new nn.ConvTranspose2d(1, 3, 3, { padding: "same" } as any), /nn.ConvTranspose2d: padding must be integers, got string same/],
    ["output padding too big", () => new nn.ConvTranspose2d(1, 3, 3, { stride: 2, outputPadding: 2 }), /nn.ConvTranspose2d: outputPadding \(2, 2\) must be smaller than stride \(2, 2\) or dilation \(1, 1\)/],
    ["pool padding over half the kernel", () => new nn.MaxPool2d(2, { padding: 2 }), /nn.MaxPool2d: padding 2 must be at most half the kernel size 2/],
    ["avg pool divisor", () => new nn.AvgPool2d(2, { divisorOverride: 0 }), /nn.AvgPool2d: divisorOverride must be a positive integer, got number 0/],
    ["adaptive size", () => new nn.AdaptiveAvgPool2d([2, 0] as any), /nn.AdaptiveAvgPool2d: outputSize must be an integer >= 1/],
    ["upsample both", () => new nn.Upsample({ size: 4, scaleFactor: 2 }), /nn.Upsample: give exactly one of size and scaleFactor/],
    ["upsample mode", () => new nn.Upsample({ scaleFactor: 2, mode: "bilinear" as any }), /nn.Upsample: mode must be "nearest", got string bilinear/],
  ];
  for (const [what, fn, pattern] of cases) {
    it(what, () => {
      const before = nt.memory();
      expect(fn).toThrow(pattern);
      expect(nt.memory()).toEqual(before);
    });
  }
});

/** Replace the "architecture" metadata of a model file (weights unchanged). */
function withArchitecture(bytes: Uint8Array, architecture: unknown): Uint8Array {
  return nt.scope(() => {
    const header = io.readSafetensorsHeader(bytes);
    return io.saveSafetensors(io.loadSafetensors(bytes), { ...header.metadata!, architecture: JSON.stringify(architecture) });
  });
}

describe("saveModel / loadModel", () => {
  function model() {
    nt.manualSeed(5);
    return new nn.Sequential(
      new nn.Conv2d(2, 4, 3, { padding: "same", groups: 2 }), new nn.ReLU(), new nn.MaxPool2d(2, { ceilMode: true }),
      new nn.ConvTranspose2d(4, 4, [2, 3], { stride: [2, 1], padding: [0, 1], dilation: 1, outputPadding: [1, 0] }),
      new nn.AvgPool2d(2, { stride: 1, padding: 1, countIncludePad: false, divisorOverride: 3 }),
      new nn.Upsample({ scaleFactor: [1.5, 2] }), new nn.AdaptiveAvgPool2d([2, null]),
      new nn.Conv2d(4, 3, 1, { bias: false, stride: [1, 2] }), new nn.Flatten(),
    );
  }

  it("round-trips every conv and pooling layer: same configs, same weights, same outputs", () => {
    const m = model();
    const x = nt.keep(nt.rand([2, 2, 7, 6]));
    const bytes = io.saveModel(m);
    const arch = JSON.parse(io.readSafetensorsHeader(bytes).metadata!.architecture);
    expect(arch.children[0]).toEqual({
      type: "Conv2d", config: { inChannels: 2, outChannels: 4, kernelSize: [3, 3], stride: [1, 1], padding: "same", dilation: [1, 1], groups: 2, bias: true },
    });
    expect(arch.children[3].config.outputPadding).toEqual([1, 0]);
    expect(arch.children[6].config).toEqual({ outputSize: [2, null] });
    const back = io.loadModel(bytes);
    expect(back.toString()).toBe(m.toString());
    const y1 = nt.noGrad(() => m(x));
    const y2 = nt.noGrad(() => back(x));
    expect(y1.shape).toEqual(y2.shape);
    expect(Array.from(y2.data())).toEqual(Array.from(y1.data()));
    nt.dispose([x, y1, y2]);
    m.dispose();
    back.dispose();
  });

  const conv = (config: object) => ({ type: "Conv2d", config: { inChannels: 2, outChannels: 4, kernelSize: [3, 3], groups: 2, padding: "same", ...config } });
  const seqWith = (node: object, rest: object[] = []) => ({ type: "Sequential", children: [node, ...rest] });
  const cases: [string, object, RegExp][] = [
    ["unknown key", conv({ paddingMode: "zeros" }), /module '0' \(Conv2d\): config has an unknown key "paddingMode"/],
    ["kernel not an array", conv({ kernelSize: 3 }), /config.kernelSize must be an array of 2 integers in \[1, 65536\], got number 3/],
    ["negative stride", conv({ stride: [1, -1] }), /config.stride must be an array of 2 integers in \[1, 65536\]/],
    ["bad padding string", conv({ padding: "full" }), /config.padding must be an array of 2 integers in \[0, 65536\], got string full/],
    ["groups not dividing", conv({ groups: 3 }), /config.groups 3 must divide inChannels 2 and outChannels 4/],
    ["huge conv", conv({ inChannels: 4096, outChannels: 4096, groups: 1, kernelSize: [64, 64] }), /module '0' \(Conv2d\) needs \d+ parameters, bringing the model to \d+, more than the \d+ values/],
    ["pool dilation", { type: "MaxPool2d", config: { kernelSize: [2, 2], dilation: [0, 1] } }, /config.dilation must be an array of 2 integers in \[1, 65536\]/],
    ["avg divisor", { type: "AvgPool2d", config: { kernelSize: [2, 2], divisorOverride: 0.5 } }, /config.divisorOverride must be an integer in \[1, 1073741824\]/],
    ["adaptive size", { type: "AdaptiveAvgPool2d", config: { outputSize: [2, -1] } }, /config.outputSize entries must be null or integers in \[1, 536870912\], got number -1/],
    ["upsample both", { type: "Upsample", config: { size: 4, scaleFactor: 2 } }, /nn.Upsample: give exactly one of size and scaleFactor/],
    ["upsample mode", { type: "Upsample", config: { scaleFactor: 2, mode: "bicubic" } }, /config.mode must be "nearest", got string bicubic/],
  ];
  for (const [what, node, pattern] of cases) {
    it(`refuses a hostile config: ${what}`, () => {
      const m = model();
      const bytes = io.saveModel(m);
      m.dispose();
      // the hostile layer replaces the first one; the file's weights are untouched
      const arch = JSON.parse(io.readSafetensorsHeader(bytes).metadata!.architecture);
      const file = withArchitecture(bytes, seqWith(node, arch.children.slice(1)));
      const before = nt.memory();
      expect(() => io.loadModel(file)).toThrow(pattern);
      expect(nt.memory()).toEqual(before);
    });
  }
});
