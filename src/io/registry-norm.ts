// saveModel/loadModel entries for the norm layers (see registry.ts for the spec format).
import type { Module } from "../nn/module";
import type { ModuleSpec } from "./registry";

export function installNormModules(_reg: <M extends Module>(name: string, spec: ModuleSpec<M>) => void): void {}
