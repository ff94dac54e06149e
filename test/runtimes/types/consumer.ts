// Type-checked by test/package.test.ts under each export condition: every entry of the package's
// exports map must resolve to types (the package imports itself by name).
import { ready, tensor, nn, type ReadyOptions } from "neurite";
import wasm from "neurite/neurite.wasm";
import * as min from "neurite/min";

const module: WebAssembly.Module = wasm;
const options: ReadyOptions = { module };
await ready(options);
const total: number = tensor([1, 2]).sum().item();
const layer: nn.Linear = new nn.Linear(2, 1);
await min.ready({ bytes: new Uint8Array(8) });
// @ts-expect-error ready takes an options object, not a string
await ready("neurite.wasm");
export { total, layer };
