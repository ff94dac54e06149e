// Whole models: one safetensors file whose __metadata__ holds
//   { "format": "neurite-model", "version": "1", "architecture": "<JSON>" }
// and whose tensors are the model's state dict. The architecture is the module tree:
//   { "type": "Sequential", "children": [
//       { "type": "Linear", "config": { "inFeatures": 784, "outFeatures": 128, "bias": true } },
//       { "type": "ReLU", "config": {} }, ... ] }
// A node may also carry "name" (when a child's name is not its index, e.g. "encoder") and
// "training" (only where a module's mode differs from its parent's; the root's default is
// true). "config" is left out of containers whose config is empty.
//
// loadModel validates the whole tree (known types, allowed keys, depth, node count, each
// layer's parameter count against the values the file holds) before building any module,
// then checks that the rebuilt model's state dict has exactly the file's names and shapes,
// and only then copies the weights in. On any error everything built so far is disposed.
import { Module } from "../nn/module";
import { Tensor } from "../tensor";
import { fmt, sameShape } from "../shape";
import { entryForModule, entryForType, type ModuleConfig, type ModuleSpec } from "./registry";
import { asBytes, checkDuplicateKeys, decodeInto, isPlainObject, q, readHeader, saveSafetensors, what } from "./safetensors";
import { getRngState, setRngState } from "../ops/creation";

export const MODEL_FORMAT = "neurite-model";
export const MODEL_VERSION = "1";
/** Deepest module nesting saveModel writes and loadModel accepts. */
export const MAX_MODEL_DEPTH = 64;
/** Most modules loadModel builds from one file. */
export const MAX_MODEL_NODES = 100_000;

export interface ArchitectureNode {
  name?: string;
  type: string;
  config?: ModuleConfig;
  training?: boolean;
  children?: ArchitectureNode[];
}

const NODE_KEYS = ["name", "type", "config", "training", "children"];
const RESERVED_META = ["format", "version", "architecture"];

function pathName(path: string): string {
  return path === "" ? "(root)" : q(path);
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

/** Throw unless `v` is plain JSON that survives a round trip (no NaN, Infinity, undefined, functions, classes). */
function checkJson(op: string, where: string, v: unknown, at: string, depth = 0): void {
  if (depth > 32) throw new Error(`${op}: ${where} is nested too deeply at ${at || "the top"}`);
  if (v === null || typeof v === "string" || typeof v === "boolean") return;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`${op}: ${where} holds ${v} at ${at || "the top"}, which JSON cannot represent`);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => checkJson(op, where, x, `${at}[${i}]`, depth + 1));
    return;
  }
  if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) checkJson(op, where, x, at ? `${at}.${k}` : k, depth + 1);
    return;
  }
  throw new Error(`${op}: ${where} holds ${what(v)} at ${at || "the top"}, which is not plain JSON`);
}

/** The architecture JSON of a module tree (what saveModel writes). Throws on unregistered modules. */
export function describeModel(model: Module): ArchitectureNode {
  const op = "saveModel";
  if (!(model instanceof Module)) throw new TypeError(`${op}: model must be an nn.Module, got ${what(model)}`);
  const seen = new Set<Module>();
  const walk = (m: Module, path: string, name: string | null, depth: number, parentTraining: boolean): ArchitectureNode => {
    if (depth > MAX_MODEL_DEPTH) throw new Error(`${op}: module ${pathName(path)} is nested deeper than ${MAX_MODEL_DEPTH} levels`);
    if (seen.has(m)) {
      throw new Error(`${op}: module ${pathName(path)} (${m.typeName}) appears twice in the tree; shared modules cannot be saved (they would load as two copies)`);
    }
    seen.add(m);
    const entry = entryForModule(m);
    if (!entry) {
      throw new Error(
        `${op}: module ${pathName(path)} has type ${m.typeName}, which is not registered; ` +
          `register it with io.registerModule("${m.typeName}", { moduleClass, toConfig, fromConfig })`,
      );
    }
    const config = entry.spec.toConfig(m);
    if (!isPlainObject(config)) throw new Error(`${op}: toConfig of ${entry.typeName} returned ${what(config)} for module ${pathName(path)}, not a plain object`);
    checkJson(op, `the config of module ${pathName(path)} (${entry.typeName})`, config, "");
    const kids = entry.spec.ownsChildren ? [] : m.namedChildren();
    const node: ArchitectureNode = name === null ? { type: entry.typeName } : { name, type: entry.typeName };
    if (kids.length === 0 || Object.keys(config).length > 0) node.config = config;
    if (m.training !== parentTraining) node.training = m.training;
    if (kids.length) {
      node.children = kids.map(([n, c], i) =>
        walk(c, join(path, n), n === String(i) ? null : n, depth + 1, m.training),
      );
    }
    return node;
  };
  return walk(model, "", null, 0, true);
}

/**
 * A whole model (architecture and weights) as one safetensors file. Every module in the tree
 * must be registered (all of nn is; see io.registerModule). `metadata` adds string entries
 * to __metadata__ next to format, version and architecture.
 */
export function saveModel(model: Module, metadata?: Record<string, string>): Uint8Array {
  const op = "saveModel";
  const architecture = JSON.stringify(describeModel(model));
  const meta: Record<string, string> = { format: MODEL_FORMAT, version: MODEL_VERSION, architecture };
  if (metadata !== undefined && metadata !== null) {
    if (!isPlainObject(metadata)) throw new TypeError(`${op}: metadata must be an object of strings, got ${what(metadata)}`);
    for (const [k, v] of Object.entries(metadata)) {
      if (RESERVED_META.includes(k)) throw new Error(`${op}: metadata key ${q(k)} is reserved for the model format`);
      if (typeof v !== "string") throw new TypeError(`${op}: metadata ${q(k)} must be a string, got ${what(v)}`);
      Object.defineProperty(meta, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return saveSafetensors(model.stateDict(), meta);
}

interface Plan {
  path: string;
  typeName: string;
  spec: ModuleSpec<any>;
  config: ModuleConfig;
  training: boolean;
  children: { name: string; plan: Plan }[];
}

/** Prefix an error from user or registry code with where it happened. */
function wrap(op: string, path: string, typeName: string, fn: () => any): any {
  try {
    return fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`${op}: module ${pathName(path)} (${typeName}): ${msg}`);
  }
}

/** Validate an architecture tree against the registry without building anything. */
function plan(op: string, root: unknown, budget: number): Plan {
  let nodes = 0;
  let params = 0;
  const visit = (node: unknown, path: string, depth: number, parentTraining: boolean, isRoot: boolean): Plan => {
    const at = `architecture node ${pathName(path)}`;
    if (depth > MAX_MODEL_DEPTH) throw new Error(`${op}: the architecture is nested deeper than ${MAX_MODEL_DEPTH} levels at ${pathName(path)}`);
    if (++nodes > MAX_MODEL_NODES) throw new Error(`${op}: the architecture has more than ${MAX_MODEL_NODES} modules`);
    if (!isPlainObject(node)) throw new Error(`${op}: ${at} must be an object, got ${what(node)}`);
    for (const k of Object.keys(node)) {
      if (!NODE_KEYS.includes(k)) throw new Error(`${op}: ${at} has an unknown key ${q(k)} (expected ${NODE_KEYS.join(", ")})`);
    }
    if (isRoot && node.name !== undefined) throw new Error(`${op}: the root architecture node cannot have a name`);
    const typeName = node.type;
    if (typeof typeName !== "string") throw new Error(`${op}: ${at} has no "type" string (got ${what(typeName)})`);
    const entry = entryForType(typeName);
    if (!entry) {
      throw new Error(`${op}: ${at} has type ${q(typeName)}, which is not registered; register it with io.registerModule before loading`);
    }
    const config = node.config ?? {};
    if (!isPlainObject(config)) throw new Error(`${op}: ${at} (${typeName}) has a config that is not an object: ${what(config)}`);
    const training = node.training ?? parentTraining;
    if (typeof training !== "boolean") throw new Error(`${op}: ${at} (${typeName}) has "training" ${what(training)}, not a boolean`);
    const kids = node.children ?? [];
    if (!Array.isArray(kids)) throw new Error(`${op}: ${at} (${typeName}) has "children" that is not an array: ${what(kids)}`);
    if (entry.spec.ownsChildren && kids.length) throw new Error(`${op}: ${at} (${typeName}) builds its own children, but the file lists ${kids.length}`);
    if (entry.spec.paramCount) {
      const count = wrap(op, path, typeName, () => entry.spec.paramCount!(config as ModuleConfig));
      if (typeof count !== "number" || !(count >= 0)) throw new Error(`${op}: paramCount of ${typeName} returned ${what(count)}`);
      params += count;
      if (params > budget) {
        throw new Error(
          `${op}: module ${pathName(path)} (${typeName}) needs ${count} parameters, bringing the model to ${params}, ` +
            `more than the ${budget} values the file's tensors hold`,
        );
      }
    }
    const names = new Set<string>();
    const children = kids.map((child, i) => {
      const name = isPlainObject(child) && child.name !== undefined ? child.name : String(i);
      if (typeof name !== "string" || name === "" || name.includes(".") || name.length > 200) {
        throw new Error(`${op}: child ${i} of ${at} has an invalid name ${what(name)} (non-empty, no dots, at most 200 characters)`);
      }
      if (names.has(name)) throw new Error(`${op}: ${at} (${typeName}) has two children named ${q(name)}`);
      names.add(name);
      return { name, plan: visit(child, join(path, name), depth + 1, training, false) };
    });
    return { path, typeName, spec: entry.spec, config: config as ModuleConfig, training, children };
  };
  return visit(root, "", 0, true, true);
}

/** Rebuild a model written by saveModel: its modules from the architecture, then its weights. */
export function loadModel(bytes: Uint8Array | ArrayBuffer): Module {
  const op = "loadModel";
  const data = asBytes(op, bytes);
  const header = readHeader(op, data);
  const meta = header.metadata;
  if (!meta || meta.format !== MODEL_FORMAT) {
    throw new Error(`${op}: not a neurite model file (its __metadata__ has no "format": "${MODEL_FORMAT}"); load a plain state dict with io.loadSafetensors`);
  }
  if (meta.version !== MODEL_VERSION) {
    throw new Error(`${op}: model format version ${q(String(meta.version))} is not supported (this neurite reads version ${MODEL_VERSION})`);
  }
  const text = meta.architecture;
  if (typeof text !== "string") throw new Error(`${op}: the file has no "architecture" in its __metadata__`);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new Error(`${op}: the architecture is not valid JSON (${(e as Error).message})`);
  }
  checkDuplicateKeys(op, "the architecture", text);
  let budget = 0;
  for (const e of header.tensors) budget += e.shape.reduce((a, b) => a * b, 1);
  const tree = plan(op, root, budget);

  const built: Module[] = [];
  const counted = new Set<Tensor>();
  let allocated = 0;
  // Building runs each layer's own initialization, whose draws the file's weights then
  // overwrite: restore the random stream afterwards so loading a model never shifts it.
  const rngState = getRngState();
  try {
    const build = (p: Plan): Module => {
      const kids = p.children.map((c) => build(c.plan));
      const names = p.children.map((c) => c.name);
      const m = wrap(op, p.path, p.typeName, () => p.spec.fromConfig(p.config, kids, names));
      if (!(m instanceof Module)) throw new Error(`${op}: fromConfig of ${p.typeName} returned ${what(m)}, not a Module`);
      built.push(m);
      for (const t of [...m.parameters(), ...m.buffers()]) {
        if (counted.has(t)) continue;
        counted.add(t);
        allocated += t.size;
      }
      if (allocated > budget) {
        throw new Error(`${op}: module ${pathName(p.path)} (${p.typeName}) holds more parameters than the ${budget} values the file's tensors hold`);
      }
      if (!p.spec.ownsChildren) {
        const got = m.namedChildren();
        const same = got.length === kids.length && got.every(([n, c], i) => n === names[i] && c === kids[i]);
        if (!same) {
          throw new Error(
            `${op}: fromConfig of ${p.typeName} at ${pathName(p.path)} did not register the children it was given ` +
              `(expected ${names.join(", ") || "none"}; got ${got.map(([n]) => n).join(", ") || "none"})`,
          );
        }
      }
      return m;
    };
    const model = build(tree);

    // Modes top-down: a parent's train() sets its subtree, then each child applies its own.
    const setModes = (p: Plan, m: Module): void => {
      m.train(p.training);
      const kids = m.children();
      p.children.forEach((c, i) => setModes(c.plan, kids[i]));
    };
    setModes(tree, model);

    const own = model.stateDict();
    const inFile = new Set(header.tensors.map((e) => e.name));
    const missing = Object.keys(own).filter((k) => !inFile.has(k));
    const unexpected = [...inFile].filter((k) => !Object.prototype.hasOwnProperty.call(own, k));
    if (missing.length || unexpected.length) {
      const list = (a: string[]) => a.slice(0, 5).map(q).join(", ") + (a.length > 5 ? ` and ${a.length - 5} more` : "");
      throw new Error(
        `${op}: the weights do not match the architecture: ` +
          [missing.length ? `missing ${list(missing)}` : "", unexpected.length ? `unexpected ${list(unexpected)}` : ""].filter(Boolean).join("; "),
      );
    }
    for (const e of header.tensors) {
      const dst = own[e.name];
      if (!sameShape(dst.shape, e.shape)) {
        throw new Error(`${op}: tensor ${q(e.name)} has shape ${fmt(e.shape)} in the file but ${fmt(dst.shape)} in the rebuilt ${model.typeName}`);
      }
    }
    // Nothing below allocates in wasm memory.
    for (const e of header.tensors) decodeInto(data, header.dataStart, e, own[e.name].ptr);
    return model;
  } catch (err) {
    for (const m of built) m.dispose();
    throw err;
  } finally {
    setRngState(rngState);
  }
}

