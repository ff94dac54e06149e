// Loading the core: the built bundle in dist/, ready() in its forms, errors before ready.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";

const wasmUrl = new URL("../dist/neurite.wasm", import.meta.url);

describe("loading the built package", () => {
  it("an op before ready() throws a clear error; ready() finds dist/neurite.wasm beside the module", async () => {
    const nt = await import("../dist/neurite.js?fresh=1" as string);
    expect(() => nt.zeros([2])).toThrow(/not loaded; call `await ready\(\)` first/);
    await nt.ready();
    await nt.ready(); // harmless twice
    expect(nt.ones([2]).add(1).toArray()).toEqual([2, 2]);
  });

  it("ready({ module }) takes a precompiled WebAssembly.Module", async () => {
    const nt = await import("../dist/neurite.js?fresh=2" as string);
    const module = new WebAssembly.Module(readFileSync(wasmUrl));
    const { compile, instantiate, compileStreaming, instantiateStreaming } = WebAssembly as any;
    // Edge runtimes refuse to compile bytes: make sure this path never does, by any route.
    const refuse = () => { throw new Error("compiling bytes is not allowed here"); };
    Object.assign(WebAssembly, {
      compile: refuse,
      compileStreaming: refuse,
      instantiateStreaming: refuse,
      instantiate: (source: unknown, imports: WebAssembly.Imports) =>
        source instanceof WebAssembly.Module ? instantiate(source, imports) : refuse(),
    });
    try {
      await nt.ready({ module });
    } finally {
      Object.assign(WebAssembly, { compile, instantiate, compileStreaming, instantiateStreaming });
    }
    expect(nt.tensor([[1, 2]]).matmul(nt.tensor([[3], [4]])).item()).toBe(11);
  });

  it("ready({ url }) and ready({ bytes })", async () => {
    const a = await import("../dist/neurite.js?fresh=3" as string);
    await a.ready({ url: wasmUrl });
    expect(a.ones([3]).sum().item()).toBe(3);
    const b = await import("../dist/neurite.js?fresh=4" as string);
    await b.ready({ bytes: readFileSync(wasmUrl) });
    expect(b.ones([3]).sum().item()).toBe(3);
  });

  it("bad options give clear errors", async () => {
    const nt = await import("../dist/neurite.js?fresh=5" as string);
    await expect(nt.ready({ module: new Uint8Array(4) as any })).rejects.toThrow(/options.module must be a WebAssembly.Module/);
    await expect(nt.ready({ bytes: new Uint8Array([0, 1, 2]) })).rejects.toThrow();
    await nt.ready({ bytes: readFileSync(wasmUrl) }); // a failed load can be retried
    expect(nt.zeros([1]).item()).toBe(0);
  });

  it("the bundle has no eval or new Function", () => {
    // comments removed: prose such as "train or eval (false) mode" is not code
    const js = readFileSync(new URL("../dist/neurite.js", import.meta.url), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/[^\n]*/g, "");
    // a call of the global eval (not a method such as model.eval(), nor its definition `eval() {`)
    expect(js).not.toMatch(/(?<![.\w$])eval\s*\((?!\)\s*\{)/);
    expect(js).not.toMatch(/new\s+Function\s*\(/);
    // import.meta.url is read only inside ready(), never while the module loads
    expect(js.includes("new URL(")).toBe(true);
  });
});
