// The safetensors format (https://github.com/huggingface/safetensors), read and written
// without any dependency:
//
//   [8 bytes: u64 little-endian N][N bytes: UTF-8 JSON header][data]
//
// The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } (byte
// offsets into the data, which starts right after the header) plus an optional
// "__metadata__" object of string -> string. Like the reference implementation we require
// the data regions to tile the data exactly (sorted by offset, no gaps, no overlaps, ending
// at the end of the file) and cap the header at 100 MB.
//
// Every check runs on the header alone, before a single tensor is allocated, so a hostile
// file costs at most the time to read its header and never allocates more than its size
// implies (at most 4 bytes of float32 per byte of data, for U8/BOOL/I8).
//
// Writing follows the reference writer byte for byte for float32 state dicts: tensors sorted
// by name (UTF-8 byte order), packed back to back, "__metadata__" first, compact JSON, the
// header padded with spaces to a multiple of 8 bytes so the data stays aligned.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { Module, type StateDict } from "../nn/module";
import { fmt } from "../shape";

/** The reference implementation's header limit. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Element sizes in bytes of every dtype neurite reads (each is converted to float32). */
const DTYPE_BYTES: Record<string, number> = {
  F32: 4, F16: 2, BF16: 2, F64: 8,
  I64: 8, I32: 4, I16: 2, I8: 1,
  U64: 8, U32: 4, U16: 2, U8: 1,
  BOOL: 1, F8_E5M2: 1, F8_E4M3: 1,
};

export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** [begin, end) in bytes, relative to the first byte after the header. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** The "__metadata__" map, or null when the file has none. */
  metadata: Record<string, string> | null;
  /** Every tensor, in the order its data appears in the file. */
  tensors: SafetensorsEntry[];
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
}

/** A Uint8Array over whatever bytes the caller gave (Uint8Array, Buffer, ArrayBuffer, DataView...). */
export function asBytes(op: string, bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TypeError(`${op}: bytes must be a Uint8Array or an ArrayBuffer, got ${what(bytes)}`);
}

/**
 * A short description of an untrusted value for an error message: never recursive (a header
 * may hold arrays nested 10^6 deep, which String() or JSON.stringify would overflow on) and
 * never long.
 */
export function what(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "string") return `string ${v.length > 80 ? `${v.slice(0, 77)}...` : v}`;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) {
    const simple = v.length <= 16 && v.every((x) => x === null || typeof x === "number" || typeof x === "boolean");
    return simple ? `array [${v.map(String).join(", ")}]` : `array of ${v.length} items`;
  }
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  if (typeof v === "function") return name && name !== "Function" ? name : "function";
  return name && name !== "Object" ? name : "object";
}

/** Own-property check that ignores the prototype chain ("__proto__", "toString", ...). */
function has(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A name as it appears in messages: quoted, with long or odd names shortened. */
export function q(name: string): string {
  const s = JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name);
  return `'${s.slice(1, -1)}'`;
}

/**
 * Throw if any JSON object in `text` (already known to be valid JSON) repeats a key:
 * JSON.parse silently keeps the last one, which would let two header entries disagree
 * with what another reader sees. Iterative, so nesting depth cannot overflow the stack.
 */
export function checkDuplicateKeys(op: string, what: string, text: string): void {
  // One entry per open container: a Set of keys for objects, null for arrays.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (escaped) escaped = false;
        else if (d === 0x5c /* \ */) escaped = true;
        else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (top && expectKey) {
        const raw = text.slice(start, i + 1);
        const key = raw.indexOf("\\") < 0 ? raw.slice(1, -1) : (JSON.parse(raw) as string);
        if (top.has(key)) {
          const where = stack.length === 1 ? "" : " inside an entry";
          throw new Error(`${op}: ${what} repeats the key ${q(key)}${where} (JSON.parse would silently keep the last)`);
        }
        top.add(key);
        expectKey = false;
      }
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
}

function isSize(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parse and validate the header of a safetensors file without allocating any tensor.
 * Throws an Error naming the problem (and the tensor) for anything the reference reader
 * would refuse.
 */
export function readHeader(op: string, input: unknown): SafetensorsHeader {
  const bytes = asBytes(op, input);
  const fileLen = bytes.byteLength;
  if (fileLen < 8) {
    throw new Error(`${op}: the file is ${fileLen} bytes, too short to hold the 8-byte header length (truncated?)`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  const headerLen = hi * 2 ** 32 + lo;
  if (hi !== 0 || headerLen > MAX_HEADER_BYTES) {
    throw new Error(`${op}: the header length ${hi === 0 ? headerLen : "(over 2^32)"} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file, or corrupt)`);
  }
  if (8 + headerLen > fileLen) {
    throw new Error(`${op}: the header length ${headerLen} runs past the end of the file (${fileLen} bytes; truncated?)`);
  }
  if (headerLen < 2 || bytes[8] !== 0x7b /* { */) {
    throw new Error(`${op}: the header does not start with '{' (not a safetensors file)`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    throw new Error(`${op}: the header is not valid UTF-8`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${op}: the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(parsed)) throw new Error(`${op}: the header must be a JSON object, got ${what(parsed)}`);
  checkDuplicateKeys(op, "the header", text);

  const dataStart = 8 + headerLen;
  const dataLen = fileLen - dataStart;
  let metadata: Record<string, string> | null = null;
  const tensors: SafetensorsEntry[] = [];
  for (const name of Object.keys(parsed)) {
    const info = parsed[name];
    if (name === "__metadata__") {
      if (info === null) continue;
      if (!isPlainObject(info)) throw new Error(`${op}: __metadata__ must be an object of strings, got ${what(info)}`);
      metadata = {};
      for (const k of Object.keys(info)) {
        const v = info[k];
        if (typeof v !== "string") throw new Error(`${op}: __metadata__ ${q(k)} must be a string, got ${what(v)}`);
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const t = `${op}: tensor ${q(name)}`;
    if (!isPlainObject(info)) throw new Error(`${t} must be described by an object, got ${what(info)}`);
    for (const field of ["dtype", "shape", "data_offsets"]) {
      if (!has(info, field)) throw new Error(`${t} has no "${field}"`);
    }
    const dtype = info.dtype;
    if (typeof dtype !== "string") throw new Error(`${t} has a dtype that is not a string: ${what(dtype)}`);
    if (!has(DTYPE_BYTES, dtype)) {
      throw new Error(`${t} has dtype ${q(dtype)}, which neurite cannot read (supported: ${Object.keys(DTYPE_BYTES).join(", ")})`);
    }
    const shape = info.shape;
    if (!Array.isArray(shape)) throw new Error(`${t} has a shape that is not an array: ${what(shape)}`);
    let count = 1;
    for (const d of shape) {
      if (!isSize(d)) throw new Error(`${t} has an invalid shape ${what(shape)} (sizes are integers >= 0)`);
      count *= d;
    }
    if (shape.includes(0)) count = 0;
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !isSize(offsets[0]) || !isSize(offsets[1])) {
      throw new Error(`${t} has invalid data_offsets ${what(offsets)} (expected [begin, end], integers >= 0)`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw new Error(`${t} has data_offsets [${begin}, ${end}] that end before they begin`);
    if (end > dataLen) {
      throw new Error(`${t} has data_offsets [${begin}, ${end}] past the end of the data (${dataLen} bytes after the header; truncated?)`);
    }
    const elem = DTYPE_BYTES[dtype];
    if (count * elem !== end - begin) {
      const expected = Number.isSafeInteger(count * elem) ? `${count * elem} bytes` : "more bytes than any file holds";
      throw new Error(`${t}: shape ${fmt(shape as number[])} of ${dtype} needs ${expected} but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    if (count * 4 >= 2 ** 31) {
      throw new Error(`${t}: shape ${fmt(shape as number[])} has ${count} elements, more than wasm memory can hold as float32`);
    }
    tensors.push({ name, dtype, shape: (shape as number[]).slice(), dataOffsets: [begin, end] });
  }

  // The data regions must tile [0, dataLen) exactly, as the reference reader requires.
  tensors.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let pos = 0;
  let prev: SafetensorsEntry | null = null;
  for (const e of tensors) {
    const [begin, end] = e.dataOffsets;
    if (begin < pos) {
      throw new Error(`${op}: tensor ${q(e.name)} data_offsets [${begin}, ${end}] overlap tensor ${q(prev!.name)} [${prev!.dataOffsets[0]}, ${prev!.dataOffsets[1]}]`);
    }
    if (begin > pos) {
      throw new Error(`${op}: tensor ${q(e.name)} data_offsets [${begin}, ${end}] leave a gap of ${begin - pos} bytes ${prev ? `after tensor ${q(prev.name)}` : "at the start of the data"} (tensors must be packed)`);
    }
    pos = end;
    prev = e;
  }
  if (pos !== dataLen) {
    throw new Error(`${op}: the tensors cover ${pos} bytes of data but the file holds ${dataLen} bytes after the header (truncated, or trailing bytes)`);
  }
  let totalFloats = 0;
  for (const e of tensors) totalFloats += sizeOfShape(e.shape);
  if (totalFloats * 4 >= 2 ** 32) {
    throw new Error(`${op}: the tensors hold ${totalFloats} elements in all, more than wasm memory can hold as float32`);
  }
  return { metadata, tensors, dataStart };
}

function sizeOfShape(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Convert the data of `e` to float32 and write it at byte address `ptr` of wasm memory.
 * Allocates nothing in wasm memory (the views are made here and dropped before returning).
 */
export function decodeInto(bytes: Uint8Array, dataStart: number, e: SafetensorsEntry, ptr: number): void {
  const n = sizeOfShape(e.shape);
  if (n === 0) return;
  const begin = bytes.byteOffset + dataStart + e.dataOffsets[0];
  const nbytes = e.dataOffsets[1] - e.dataOffsets[0];
  const buffer = getEngine("loadSafetensors").core.memory.buffer;
  if (e.dtype === "F32" && LITTLE_ENDIAN) {
    new Uint8Array(buffer, ptr, nbytes).set(new Uint8Array(bytes.buffer, begin, nbytes));
    return;
  }
  const src = new DataView(bytes.buffer, begin, nbytes);
  const out = new Float32Array(buffer, ptr, n);
  const bits = new Uint32Array(buffer, ptr, n);
  switch (e.dtype) {
    case "F32":
      for (let i = 0; i < n; i++) out[i] = src.getFloat32(4 * i, true);
      break;
    case "F64":
      for (let i = 0; i < n; i++) out[i] = src.getFloat64(8 * i, true);
      break;
    case "F16":
      for (let i = 0; i < n; i++) bits[i] = f16BitsToF32Bits(src.getUint16(2 * i, true));
      break;
    case "BF16":
      // bfloat16 is the top half of a float32: exact.
      for (let i = 0; i < n; i++) bits[i] = src.getUint16(2 * i, true) << 16;
      break;
    case "F8_E5M2":
      // float8 e5m2 is the top byte of a float16: exact.
      for (let i = 0; i < n; i++) bits[i] = f16BitsToF32Bits(src.getUint8(i) << 8);
      break;
    case "F8_E4M3":
      for (let i = 0; i < n; i++) out[i] = f8e4m3ToF32(src.getUint8(i));
      break;
    case "I64":
      for (let i = 0; i < n; i++) out[i] = i64ToF32(src.getInt32(8 * i + 4, true), src.getUint32(8 * i, true));
      break;
    case "U64":
      for (let i = 0; i < n; i++) out[i] = u64ToF32(src.getUint32(8 * i + 4, true), src.getUint32(8 * i, true));
      break;
    case "I32":
      for (let i = 0; i < n; i++) out[i] = src.getInt32(4 * i, true);
      break;
    case "U32":
      for (let i = 0; i < n; i++) out[i] = src.getUint32(4 * i, true);
      break;
    case "I16":
      for (let i = 0; i < n; i++) out[i] = src.getInt16(2 * i, true);
      break;
    case "U16":
      for (let i = 0; i < n; i++) out[i] = src.getUint16(2 * i, true);
      break;
    case "I8":
      for (let i = 0; i < n; i++) out[i] = src.getInt8(i);
      break;
    case "U8":
      for (let i = 0; i < n; i++) out[i] = src.getUint8(i);
      break;
    case "BOOL":
      for (let i = 0; i < n; i++) out[i] = src.getUint8(i) !== 0 ? 1 : 0;
      break;
    default:
      // readHeader admits only the dtypes above.
      throw new Error(`loadSafetensors: tensor ${q(e.name)} has dtype ${q(e.dtype)}, which neurite cannot read`);
  }
}

/** IEEE half -> single, exactly: subnormals are renormalized, inf and NaN (with payload) kept. */
function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return sign | 0x7f800000 | (mant << 13);
  if (exp !== 0) return sign | ((exp + 112) << 23) | (mant << 13);
  if (mant === 0) return sign;
  // Subnormal half: mant · 2^-24. Shift the leading one up to bit 10 to renormalize.
  let e = 113;
  let m = mant;
  while ((m & 0x400) === 0) {
    m <<= 1;
    e--;
  }
  return sign | (e << 23) | ((m & 0x3ff) << 13);
}

/**
 * An unsigned 64-bit integer (hi, lo as uint32) as a double that rounds to float32 exactly as
 * the integer itself would (one correct rounding, like torch's int64 -> float32 cast). Below
 * 2^53 the double is exact. Above, float32's rounding bit is at bit 29 or higher, so bits
 * 0..28 only matter as a sticky bit: folding them into bit 28 leaves at most 36 significant
 * bits (exact in a double) without double rounding.
 */
function u64ToF32(hi: number, lo: number): number {
  if (hi < 2 ** 21) return hi * 4294967296 + lo;
  return hi * 4294967296 + ((lo & 0xe0000000) >>> 0) + ((lo & 0x1fffffff) !== 0 ? 0x10000000 : 0);
}

/** A signed 64-bit integer (hi as int32, lo as uint32), rounded like u64ToF32 (on the magnitude). */
function i64ToF32(hi: number, lo: number): number {
  if (hi >= 0) return u64ToF32(hi, lo);
  // Two's complement negation of (hi, lo); -2^63 gives hi = 2^31 as an unsigned value.
  const mlo = (~lo + 1) >>> 0;
  const mhi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  return -u64ToF32(mhi, mlo);
}

/** float8 e4m3fn (torch.float8_e4m3fn): bias 7, no infinities, S.1111.111 is NaN. */
function f8e4m3ToF32(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >>> 3) & 0xf;
  const mant = b & 7;
  if (exp === 0xf && mant === 7) return NaN;
  if (exp === 0) return sign * mant * 2 ** -9;
  return sign * (1 + mant / 8) * 2 ** (exp - 7);
}

/** Parse a safetensors file into tensors, validating everything before allocating anything. */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): StateDict {
  const op = "loadSafetensors";
  const data = asBytes(op, bytes);
  const header = readHeader(op, data);
  const out: StateDict = {};
  const made: Tensor[] = [];
  try {
    for (const e of header.tensors) {
      const t = Tensor.empty(op, e.shape.slice());
      made.push(t);
      decodeInto(data, header.dataStart, e, t.ptr);
      // defineProperty, so a tensor named "__proto__" is an ordinary key.
      Object.defineProperty(out, e.name, { value: t, enumerable: true, writable: true, configurable: true });
    }
  } catch (err) {
    for (const t of made) t.dispose();
    throw err;
  }
  return out;
}

/** Compare strings by their UTF-8 bytes (Rust's str ordering), not by UTF-16 code units. */
function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order matches code-point order except surrogates (U+10000..) against U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Throw if `s` holds a lone UTF-16 surrogate (TextEncoder would silently write U+FFFD). */
function checkText(op: string, what: string, s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = s.charCodeAt(i + 1);
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    throw new Error(`${op}: ${what} contains a lone UTF-16 surrogate and cannot be written as UTF-8`);
  }
}

/**
 * Write float32 tensors as a safetensors file. Accepts a state dict (plain object or Map) or
 * a Module (its stateDict()). `metadata` becomes "__metadata__" (string values only).
 */
export function saveSafetensors(
  stateDict: StateDict | Map<string, Tensor> | Module,
  metadata?: Record<string, string>,
): Uint8Array {
  const op = "saveSafetensors";
  let entries: [string, Tensor][];
  if (stateDict instanceof Module) entries = Object.entries(stateDict.stateDict());
  else if (stateDict instanceof Map) entries = [...stateDict.entries()];
  else if (isPlainObject(stateDict)) entries = Object.entries(stateDict);
  else throw new TypeError(`${op}: stateDict must be an object of tensors, a Map or a Module, got ${what(stateDict)}`);

  for (const [name, t] of entries) {
    if (typeof name !== "string") throw new TypeError(`${op}: tensor names must be strings, got ${what(name)}`);
    if (name === "__metadata__") throw new Error(`${op}: the name "__metadata__" is reserved for metadata`);
    checkTensor(op, `tensor ${q(name)}`, t);
    checkText(op, `tensor name ${q(name)}`, name);
  }
  let metaJson = "";
  if (metadata !== undefined && metadata !== null) {
    if (!isPlainObject(metadata)) throw new TypeError(`${op}: metadata must be an object of strings, got ${what(metadata)}`);
    const parts: string[] = [];
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new TypeError(`${op}: metadata ${q(k)} must be a string, got ${what(v)}`);
      checkText(op, `metadata key ${q(k)}`, k);
      checkText(op, `metadata ${q(k)}`, v);
      parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    metaJson = `"__metadata__":{${parts.join(",")}}`;
  }

  entries.sort((a, b) => compareUtf8(a[0], b[0]));
  const parts: string[] = metaJson ? [metaJson] : [];
  let offset = 0;
  for (const [name, t] of entries) {
    const nbytes = t.size * 4;
    parts.push(`${JSON.stringify(name)}:{"dtype":"F32","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${offset + nbytes}]}`);
    offset += nbytes;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const pad = (8 - (json.length % 8)) % 8;
  const headerLen = json.length + pad;
  const out = new Uint8Array(8 + headerLen + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, headerLen % 2 ** 32, true);
  dv.setUint32(4, Math.floor(headerLen / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);

  // No wasm allocation happens below, so fresh views over wasm memory stay valid.
  const buffer = getEngine(op).core.memory.buffer;
  let pos = 8 + headerLen;
  for (const [, t] of entries) {
    const nbytes = t.size * 4;
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(buffer, t.ptr, nbytes), pos);
    } else {
      const src = new Float32Array(buffer, t.ptr, t.size);
      for (let i = 0; i < t.size; i++) dv.setFloat32(pos + 4 * i, src[i], true);
    }
    pos += nbytes;
  }
  return out;
}

/** The header of a safetensors file (metadata, names, dtypes, shapes), validated, without loading any tensor. */
export function readSafetensorsHeader(bytes: Uint8Array | ArrayBuffer): SafetensorsHeader {
  return readHeader("readSafetensorsHeader", bytes);
}
