// Validation helpers for module configs read from files (which may be hostile): each checks
// one key's type and range and throws a message that loadModel prefixes with the module path.
import { what } from "./safetensors";
import type { ModuleConfig, JsonValue } from "./registry";

export function keys(config: ModuleConfig, allowed: string[]): void {
  for (const k of Object.keys(config)) {
    if (!allowed.includes(k)) {
      throw new Error(`config has an unknown key ${JSON.stringify(k)} (expected ${allowed.length ? allowed.join(", ") : "none"})`);
    }
  }
}

export function get(config: ModuleConfig, key: string): JsonValue | undefined {
  return Object.prototype.hasOwnProperty.call(config, key) ? config[key] : undefined;
}

export function int(config: ModuleConfig, key: string, def: number | undefined, min: number, max: number): number {
  const v = get(config, key) ?? def;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`config.${key} must be an integer in [${min}, ${max}], got ${what(v)}`);
  }
  return v;
}

export function num(config: ModuleConfig, key: string, def: number, check: (v: number) => boolean = () => true, range = "a finite number"): number {
  const v = get(config, key) ?? def;
  if (typeof v !== "number" || !Number.isFinite(v) || !check(v)) throw new RangeError(`config.${key} must be ${range}, got ${what(v)}`);
  return v;
}

export function bool(config: ModuleConfig, key: string, def: boolean): boolean {
  const v = get(config, key) ?? def;
  if (typeof v !== "boolean") throw new TypeError(`config.${key} must be a boolean, got ${what(v)}`);
  return v;
}

export function oneOf<T extends string>(config: ModuleConfig, key: string, def: T, options: readonly T[]): T {
  const v = get(config, key) ?? def;
  if (typeof v !== "string" || !options.includes(v as T)) {
    throw new RangeError(`config.${key} must be one of ${options.map((o) => JSON.stringify(o)).join(", ")}, got ${what(v)}`);
  }
  return v as T;
}

/** Largest Linear side: any bigger and in·out floats could not fit in 32-bit wasm memory anyway. */
export const MAX_FEATURES = 2 ** 29;
/** Dims are small signed integers. */
export const MAX_DIM = 64;

