// saveModel/loadModel entries for the graph layers (see registry.ts for the spec format).
import type { Module } from "../nn/module";
import type { ModuleSpec } from "./registry";

export function installGraphModules(_reg: <M extends Module>(name: string, spec: ModuleSpec<M>) => void): void {}
