// Argument checks shared by layers and ops (internal: not part of the public API). Each throws
// an error that names the op and the argument.
import { describe } from "./shape";

/** A positive integer (sizes, feature counts). */
export function positiveInt(op: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new RangeError(`${op}: ${arg} must be a positive integer, got ${describe(v)}`);
  return v;
}

/** An optional boolean with a default. */
export function flag(op: string, arg: string, v: unknown, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v !== "boolean") throw new TypeError(`${op}: ${arg} must be a boolean, got ${describe(v)}`);
  return v;
}

/** An integer >= min, or n of them (kernel sizes, strides, paddings): always returned as n values. */
export function sizeArg(op: string, arg: string, v: unknown, n: number, min: number): number[] {
  const ok = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x) && x >= min && x <= 2 ** 24;
  if (Array.isArray(v) ? v.length === n && v.every(ok) : ok(v)) return Array.isArray(v) ? v.slice() : new Array<number>(n).fill(v as number);
  throw new RangeError(`${op}: ${arg} must be an integer >= ${min} or ${n} of them, got ${describe(v)}`);
}
