// io: safetensors state dicts. Round trips, the reference writer's exact layout, PyTorch
// fixtures (test/fixtures/safetensors, written offline by test/fixtures/gen_safetensors.py)
// in F32/F16/BF16/F64 and every other dtype, and hostile files: each must fail with a clear
// error before allocating anything.
import { describe, it, expect, vi } from "vitest";
import { readFileSync } from "node:fs";
import * as nt from "../src/index";
import { getEngine } from "../src/engine";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/safetensors/${name}`, import.meta.url)));
const json = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/safetensors/${name}`, import.meta.url), "utf8"));

const enc = new TextEncoder();

/** A safetensors file from header text (padded with spaces to 8 bytes) and raw data. */
function frame(header: string | Uint8Array, data: Uint8Array | number[] = []): Uint8Array {
  const h = typeof header === "string" ? enc.encode(header) : header;
  const pad = (8 - (h.length % 8)) % 8;
  const out = new Uint8Array(8 + h.length + pad + data.length);
  new DataView(out.buffer).setUint32(0, h.length + pad, true);
  out.set(h, 8);
  out.fill(0x20, 8 + h.length, 8 + h.length + pad);
  out.set(data, 8 + h.length + pad);
  return out;
}

const f32bytes = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);

/** Decode fixture numbers ("nan", "inf", "-inf" are strings). */
const num = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number));

/** Bitwise-equal float32 arrays (NaN equals NaN, -0 differs from 0). */
function expectSameFloats(actual: Float32Array | number[], expected: (number | string)[], what = "") {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = Math.fround(num(expected[i]));
    const a = actual[i];
    if (Number.isNaN(e)) expect(Number.isNaN(a), `${what}[${i}] should be NaN, got ${a}`).toBe(true);
    else expect(Object.is(a, e), `${what}[${i}]: ${a} !== ${e}`).toBe(true);
  }
}

/** fn must throw an Error matching `pattern`, leaving memory exactly as it was. */
function expectCleanError(fn: () => unknown, pattern: RegExp) {
  const before = nt.memory();
  expect(fn).toThrow(pattern);
  expect(nt.memory()).toEqual(before);
}

describe("saveSafetensors / loadSafetensors round trip", () => {
  it("writes the reference layout: u64 length, compact JSON sorted by name, space padding, packed data", () => {
    nt.scope(() => {
      const sd = {
        "b.weight": nt.tensor([[1, 2, 3], [4, 5, 6]]),
        a: nt.tensor(-0.5),
        "c.empty": nt.zeros([0, 3]),
      };
      const bytes = nt.io.saveSafetensors(sd, { format: "pt", note: "héllo \"q\"" });
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect(n % 8).toBe(0);
      const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
      const expected =
        '{"__metadata__":{"format":"pt","note":"héllo \\"q\\""},' +
        '"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},' +
        '"b.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[4,28]},' +
        '"c.empty":{"dtype":"F32","shape":[0,3],"data_offsets":[28,28]}}';
      expect(header.trimEnd()).toBe(expected);
      expect(header.length - expected.length).toBeLessThan(8); // only padding spaces follow
      expect(bytes.length).toBe(8 + n + 28);
      expect(Array.from(new Float32Array(bytes.slice(8 + n).buffer))).toEqual([-0.5, 1, 2, 3, 4, 5, 6]);
    });
  });

  it("load(save(x)) gives the same shapes and bits; save(load(bytes)) gives the same bytes; metadata is kept", () => {
    nt.scope(() => {
      const weird = new Float32Array([0, -0, NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, 1 / 3]);
      const sd = { w: nt.tensor(weird, [2, 4]), s: nt.tensor(7), e: nt.zeros([2, 0]), "0.bias": nt.randn([5]) };
      const meta = { format: "pt", epoch: "3" };
      const bytes = nt.io.saveSafetensors(sd, meta);
      const loaded = nt.io.loadSafetensors(bytes);
      expect(Object.keys(loaded).sort()).toEqual(Object.keys(sd).sort());
      for (const [k, t] of Object.entries(sd)) {
        expect(loaded[k].shape).toEqual(t.shape);
        expect(loaded[k]).not.toBe(t);
        expect(new Uint32Array(loaded[k].data().buffer)).toEqual(new Uint32Array(t.data().buffer));
      }
      expect(nt.io.saveSafetensors(loaded, meta)).toEqual(bytes);
      expect(nt.io.readSafetensorsHeader(bytes).metadata).toEqual(meta);
      expect(nt.io.readSafetensorsHeader(nt.io.saveSafetensors(sd)).metadata).toBeNull();
    });
  });

  it("loaded tensors belong to the current scope", () => {
    const bytes = nt.scope(() => nt.io.saveSafetensors({ a: nt.ones([100]), b: nt.ones([3, 3]) }));
    const before = nt.memory();
    const kept = nt.scope(() => {
      const sd = nt.io.loadSafetensors(bytes);
      expect(nt.memory().numTensors).toBe(before.numTensors + 2);
      return sd.b;
    });
    expect(nt.memory().numTensors).toBe(before.numTensors + 1);
    expect(kept.toArray()).toEqual([[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
    kept.dispose();
    expect(nt.memory().numBytes).toBe(before.numBytes);
  });

  it("sorts names by UTF-8 bytes like the reference writer (not UTF-16 code units)", () => {
    nt.scope(() => {
      // UTF-16 puts U+10000 (a surrogate pair, 0xD800...) before U+FFFF; UTF-8 puts it after.
      const names = ["\u{10000}", "\uFFFF", "b", "B", "a.1", "a.10", "a.2", "é"];
      const sd = Object.fromEntries(names.map((n, i) => [n, nt.tensor([i])]));
      const header = nt.io.readSafetensorsHeader(nt.io.saveSafetensors(sd));
      expect(header.tensors.map((t) => t.name)).toEqual(["B", "a.1", "a.10", "a.2", "b", "é", "\uFFFF", "\u{10000}"]);
    });
  });

  it("accepts a Map, a Module, an ArrayBuffer and an unaligned view into a larger buffer", () => {
    nt.scope(() => {
      const lin = new nt.nn.Linear(3, 2);
      const a = nt.io.saveSafetensors(lin);
      const b = nt.io.saveSafetensors(new Map(Object.entries(lin.stateDict())));
      expect(a).toEqual(b);
      const big = new Uint8Array(a.length + 3);
      big.set(a, 3);
      const fromView = nt.io.loadSafetensors(big.subarray(3));
      const fromBuffer = nt.io.loadSafetensors(a.slice().buffer);
      expect(fromView.weight.data()).toEqual(lin.weight.data());
      expect(fromBuffer.bias.data()).toEqual(lin.bias!.data());
      lin.dispose();
    });
  });

  it("a tensor named __proto__ is an ordinary key", () => {
    nt.scope(() => {
      const bytes = frame('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32bytes(5));
      const sd = nt.io.loadSafetensors(bytes);
      expect(Object.keys(sd)).toEqual(["__proto__"]);
      expect(Object.getPrototypeOf(sd)).toBe(Object.prototype);
      expect(sd["__proto__"].item()).toBe(5);
    });
  });

  it("saving bad input is a clear error", () => {
    nt.scope(() => {
      const t = nt.ones([2]);
      const gone = nt.ones([2]);
      gone.dispose();
      expect(() => nt.io.saveSafetensors({ a: [1, 2] as any })).toThrow(/saveSafetensors: tensor 'a' must be a Tensor, got array/);
      expect(() => nt.io.saveSafetensors({ a: gone })).toThrow(/saveSafetensors: tensor 'a' \(shape \[2\]\) was disposed/);
      expect(() => nt.io.saveSafetensors({ __metadata__: t })).toThrow(/"__metadata__" is reserved/);
      expect(() => nt.io.saveSafetensors({ a: t }, { n: 1 as any })).toThrow(/saveSafetensors: metadata 'n' must be a string, got number 1/);
      expect(() => nt.io.saveSafetensors({ ["x\uD800"]: t })).toThrow(/lone UTF-16 surrogate/);
      expect(() => nt.io.saveSafetensors(null as any)).toThrow(/saveSafetensors: stateDict must be/);
      expect(() => nt.io.loadSafetensors("abc" as any)).toThrow(/loadSafetensors: bytes must be a Uint8Array or an ArrayBuffer, got string/);
    });
  });
});

describe("PyTorch fixtures", () => {
  const mlp = json("mlp.json");
  const makeModel = () => new nt.nn.Sequential(new nt.nn.Linear(6, 8), new nt.nn.ReLU(), new nt.nn.Linear(8, 3));

  it("neurite writes PyTorch's F32 file byte for byte", () => {
    nt.scope(() => {
      const bytes = fixture("mlp_f32.safetensors");
      const sd = nt.io.loadSafetensors(bytes);
      expect(Object.keys(sd)).toEqual(["0.bias", "0.weight", "2.bias", "2.weight"]);
      expect(nt.io.saveSafetensors(sd, mlp.metadata)).toEqual(bytes);
    });
  });

  for (const dtype of ["F32", "F64", "F16", "BF16"]) {
    it(`${dtype} weights load into nn.Sequential with PyTorch keys ("0.weight") and give PyTorch's outputs`, () => {
      nt.scope(() => {
        const spec = mlp.dtypes[dtype];
        const header = nt.io.readSafetensorsHeader(fixture(spec.file));
        expect(header.tensors.every((t) => t.dtype === dtype)).toBe(true);
        expect(header.metadata).toEqual({ format: "pt" });
        const sd = nt.io.loadSafetensors(fixture(spec.file));
        // Conversion to float32 is exact to the bit: same values as torch's .float().
        for (const [k, w] of Object.entries(spec.weights) as [string, { shape: number[]; data: number[] }][]) {
          expect(sd[k].shape).toEqual(w.shape);
          expectSameFloats(sd[k].data(), w.data, `${dtype} ${k}`);
        }
        const model = makeModel();
        expect(model.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
        const x = nt.tensor(mlp.input.data, mlp.input.shape);
        const y = model(x).data();
        const expected = spec.output.data as number[];
        // Each output is a dot product of length <= 8 (then ReLU, then another of length 8)
        // in float32: PyTorch and neurite sum in different orders, so results may differ by a
        // few float32 ulps of the terms. |terms| <= ~1 here, so 1e-6 absolute plus 1e-6
        // relative (~8 ulps at 1.0) bounds that with margin and still catches any wrong
        // weight, layout or conversion (those move outputs by 1e-3 or more).
        expect(y.length).toBe(expected.length);
        for (let i = 0; i < y.length; i++) expect(Math.abs(y[i] - expected[i])).toBeLessThanOrEqual(1e-6 + 1e-6 * Math.abs(expected[i]));
        model.dispose();
      });
    });
  }

  it("the F32 file is PyTorch's model, and the F64 file rounds to exactly its weights", () => {
    // mlp.output is PyTorch's original model; the F32 and F64 files give exactly its weights.
    expect(mlp.dtypes.F32.output).toEqual(mlp.output);
    expect(mlp.dtypes.F64.weights).toEqual(mlp.dtypes.F32.weights);
  });

  it("every dtype converts to float32 like torch .float(): F16/BF16 subnormals, inf, NaN, F64 rounding, I64 beyond 2^53, F8", () => {
    nt.scope(() => {
      const special = json("special.json");
      const bytes = fixture("special.safetensors");
      const header = nt.io.readSafetensorsHeader(bytes);
      expect(header.metadata).toEqual(special.metadata);
      const sd = nt.io.loadSafetensors(bytes);
      expect(Object.keys(sd).sort()).toEqual(Object.keys(special.tensors).sort());
      for (const [name, e] of Object.entries(special.tensors) as [string, { dtype: string; shape: number[]; data: (number | string)[] }][]) {
        expect(header.tensors.find((t) => t.name === name)!.dtype).toBe(e.dtype);
        expect(sd[name].shape).toEqual(e.shape);
        expectSameFloats(sd[name].data(), e.data, name);
      }
    });
  });

  it("F16 by hand: subnormals are m·2^-24, exponent 31 is inf/NaN", () => {
    nt.scope(() => {
      // 0x0001 = 1·2^-24; 0x03ff = 1023·2^-24 (largest subnormal); 0x0400 = 2^-14 (smallest
      // normal); 0x3c00 = 1; 0xc000 = -2; 0x7bff = (2 - 2^-10)·2^15 = 65504; 0x7c00 = inf;
      // 0xfc00 = -inf; 0x7e00 = NaN; 0x8001 = -2^-24.
      const bits = [0x0001, 0x03ff, 0x0400, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x8001];
      const data = new Uint8Array(new Uint16Array(bits).buffer);
      const sd = nt.io.loadSafetensors(frame(`{"h":{"dtype":"F16","shape":[${bits.length}],"data_offsets":[0,${data.length}]}}`, data));
      expectSameFloats(sd.h.data(), [2 ** -24, 1023 * 2 ** -24, 2 ** -14, 1, -2, 65504, Infinity, -Infinity, NaN, -(2 ** -24)]);
    });
  });

  it("committed hostile files are refused", () => {
    expectCleanError(() => nt.io.loadSafetensors(fixture("hostile_duplicate.safetensors")), /loadSafetensors: the header repeats the key 'a'/);
    expectCleanError(() => nt.io.loadSafetensors(fixture("hostile_overlap.safetensors")), /loadSafetensors: tensor 'b' data_offsets \[4, 12\] overlap tensor 'a' \[0, 8\]/);
    expectCleanError(() => nt.io.loadSafetensors(fixture("hostile_gap.safetensors")), /loadSafetensors: tensor 'b' data_offsets \[12, 20\] leave a gap of 4 bytes after tensor 'a'/);
  });
});

describe("hostile files: clear errors, nothing allocated", () => {
  const ok = (name = "x") => `"${name}":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`;
  const two = f32bytes(1, 2);
  const cases: [string, Uint8Array, RegExp][] = [
    ["empty file", new Uint8Array(0), /the file is 0 bytes, too short/],
    ["7 bytes", new Uint8Array(7), /the file is 7 bytes, too short/],
    ["header length past the end", (() => { const b = frame(`{${ok()}}`, two); new DataView(b.buffer).setUint32(0, 4000, true); return b; })(),
      /the header length 4000 runs past the end of the file/],
    ["header length over 100 MB", (() => { const b = frame(`{${ok()}}`, two); new DataView(b.buffer).setUint32(0, 100_000_008, true); return b; })(),
      /the header length 100000008 exceeds the 100000000-byte limit/],
    ["header length over 2^32", (() => { const b = frame(`{${ok()}}`, two); new DataView(b.buffer).setUint32(4, 1, true); return b; })(),
      /exceeds the 100000000-byte limit/],
    ["header length 2^64-1", (() => { const b = frame(`{${ok()}}`, two); new DataView(b.buffer).setBigUint64(0, 2n ** 64n - 1n, true); return b; })(),
      /exceeds the 100000000-byte limit/],
    ["header not starting with {", frame(`[{${ok()}}]`, two), /does not start with '\{'/],
    ["zero-length header", frame("", []), /does not start with '\{'/],
    ["invalid UTF-8", frame(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])), /the header is not valid UTF-8/],
    ["invalid JSON", frame(`{${ok()}`, two), /the header is not valid JSON/],
    ["trailing garbage after the JSON", frame(`{${ok()}} x`, two), /the header is not valid JSON/],
    ["entry not an object", frame('{"x":5}'), /tensor 'x' must be described by an object, got number 5/],
    ["missing dtype", frame('{"x":{"shape":[2],"data_offsets":[0,8]}}', two), /tensor 'x' has no "dtype"/],
    ["missing shape", frame('{"x":{"dtype":"F32","data_offsets":[0,8]}}', two), /tensor 'x' has no "shape"/],
    ["missing data_offsets", frame('{"x":{"dtype":"F32","shape":[2]}}', two), /tensor 'x' has no "data_offsets"/],
    ["unknown dtype", frame('{"x":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}}', two), /tensor 'x' has dtype 'F7', which neurite cannot read/],
    ["lowercase dtype", frame('{"x":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}', two), /tensor 'x' has dtype 'f32'/],
    ["dtype not a string", frame('{"x":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}', two), /tensor 'x' has a dtype that is not a string/],
    ["dtype inherited name", frame('{"x":{"dtype":"toString","shape":[2],"data_offsets":[0,8]}}', two), /tensor 'x' has dtype 'toString'/],
    ["negative shape", frame('{"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', two), /tensor 'x' has an invalid shape array \[-2\]/],
    ["fractional shape", frame('{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}', two), /tensor 'x' has an invalid shape array \[1.5\]/],
    ["string shape", frame('{"x":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}', two), /tensor 'x' has an invalid shape/],
    ["shape not an array", frame('{"x":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}', two), /tensor 'x' has a shape that is not an array/],
    ["shape beyond 2^53", frame('{"x":{"dtype":"F32","shape":[1e300],"data_offsets":[0,8]}}', two), /tensor 'x' has an invalid shape/],
    ["huge shape, tiny data", frame('{"x":{"dtype":"F32","shape":[100000,100000],"data_offsets":[0,8]}}', two),
      /tensor 'x': shape \[100000, 100000\] of F32 needs 40000000000 bytes but data_offsets \[0, 8\] hold 8/],
    ["shape overflowing 2^53", frame('{"x":{"dtype":"F64","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}', two),
      /needs more bytes than any file holds/],
    ["shape/size mismatch", frame('{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', two), /tensor 'x': shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] hold 8/],
    ["data_offsets one number", frame('{"x":{"dtype":"F32","shape":[2],"data_offsets":[8]}}', two), /tensor 'x' has invalid data_offsets array \[8\]/],
    ["data_offsets negative", frame('{"x":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}', two), /tensor 'x' has invalid data_offsets array \[-8, 0\]/],
    ["data_offsets fractional", frame('{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,7.5]}}', two), /invalid data_offsets/],
    ["data_offsets reversed", frame('{"x":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}', two), /tensor 'x' has data_offsets \[8, 0\] that end before they begin/],
    ["data_offsets past the data", frame('{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', two), /tensor 'x' has data_offsets \[0, 16\] past the end of the data \(8 bytes/],
    ["overlap", frame(`{${ok("a")},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, two), /tensor 'b' data_offsets \[4, 8\] overlap tensor 'a' \[0, 8\]/],
    ["identical regions", frame(`{${ok("a")},${ok("b")}}`, two), /tensor 'b' data_offsets \[0, 8\] overlap tensor 'a'/],
    ["gap at the start", frame('{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', two), /tensor 'x' data_offsets \[4, 8\] leave a gap of 4 bytes at the start of the data/],
    ["trailing bytes", frame(`{${ok()}}`, f32bytes(1, 2, 3)), /the tensors cover 8 bytes of data but the file holds 12 bytes after the header/],
    ["no tensors but data", frame("{}", two), /the tensors cover 0 bytes of data but the file holds 8/],
    ["duplicate names", frame(`{${ok()},${ok()}}`, two), /the header repeats the key 'x' \(JSON.parse would silently keep the last\)/],
    ["duplicate names, escaped", frame(`{${ok("x")},"\\u0078":{"dtype":"F32","shape":[0],"data_offsets":[8,8]}}`, two), /the header repeats the key 'x'/],
    ["duplicate field inside an entry", frame('{"x":{"dtype":"F16","dtype":"F32","shape":[2],"data_offsets":[0,8]}}', two), /repeats the key 'dtype' inside an entry/],
    ["metadata not an object", frame(`{"__metadata__":[1],${ok()}}`, two), /__metadata__ must be an object of strings, got array/],
    ["metadata value not a string", frame(`{"__metadata__":{"a":1},${ok()}}`, two), /__metadata__ 'a' must be a string, got number 1/],
    ["header is a JSON string", frame('"{}"'), /does not start with '\{'/],
  ];
  for (const [name, bytes, pattern] of cases) {
    it(name, () => {
      const before = nt.memory();
      let err: unknown = null;
      try {
        nt.io.loadSafetensors(bytes);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/^loadSafetensors: /);
      expect((err as Error).message).toMatch(pattern);
      expect(nt.memory()).toEqual(before);
    });
  }

  it("deeply nested JSON is refused without overflowing the stack", () => {
    const deep = frame(`{"x":${"[".repeat(200000)}${"]".repeat(200000)}}`);
    const before = nt.memory();
    expect(() => nt.io.loadSafetensors(deep)).toThrow(/^loadSafetensors: tensor 'x' must be described by an object, got array of 1 items/);
    // The same depth inside a shape or data_offsets.
    const deepShape = frame(`{"x":{"dtype":"F32","shape":[${"[".repeat(200000)}${"]".repeat(200000)}],"data_offsets":[0,0]}}`);
    expect(() => nt.io.loadSafetensors(deepShape)).toThrow(/^loadSafetensors: tensor 'x' has an invalid shape array of 1 items/);
    const deepOffsets = frame(`{"x":{"dtype":"F32","shape":[0],"data_offsets":${"[".repeat(200000)}${"]".repeat(200000)}}}`);
    expect(() => nt.io.loadSafetensors(deepOffsets)).toThrow(/^loadSafetensors: tensor 'x' has invalid data_offsets array of 1 items/);
    expect(nt.memory()).toEqual(before);
  });

  it("if allocation fails midway, the tensors already made are freed and no state dict is returned", () => {
    const bytes = fixture("special.safetensors");
    const engine = getEngine();
    const real = engine.allocFloats.bind(engine);
    let calls = 0;
    const spy = vi.spyOn(engine, "allocFloats").mockImplementation((op: string, n: number) => {
      if (++calls === 5) throw new RangeError(`${op}: out of wasm memory allocating ${n} floats`);
      return real(op, n);
    });
    try {
      expectCleanError(() => nt.io.loadSafetensors(bytes), /loadSafetensors: out of wasm memory/);
      expect(calls).toBe(5);
    } finally {
      spy.mockRestore();
    }
    nt.dispose(nt.io.loadSafetensors(bytes));
  });

  it("every truncation of a valid file is refused", () => {
    const bytes = fixture("special.safetensors");
    const before = nt.memory();
    for (let n = 0; n < bytes.length; n++) {
      expect(() => nt.io.loadSafetensors(bytes.subarray(0, n)), `length ${n}`).toThrow(/^loadSafetensors: /);
    }
    expect(nt.memory()).toEqual(before);
  });

  it("random corruptions of the header either load or fail cleanly, never leak", () => {
    const bytes = fixture("special.safetensors");
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const before = nt.memory();
    let failed = 0;
    for (let trial = 0; trial < 400; trial++) {
      const b = bytes.slice();
      const flips = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * (8 + n))] = Math.floor(rand() * 256);
      try {
        nt.dispose(nt.io.loadSafetensors(b));
      } catch (e) {
        failed++;
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).message).toMatch(/^loadSafetensors: /);
      }
    }
    expect(failed).toBeGreaterThan(0);
    expect(nt.memory()).toEqual(before);
  });
});
