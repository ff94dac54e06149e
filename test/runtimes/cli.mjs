// Node and Deno: load the built package as a user would (a bare ready() finds neurite.wasm beside
// the bundle), train the shared MLP with the readable and with the minified bundle (two separate
// module graphs, each with its own core), and print one line of JSON.
import * as nt from "../../dist/neurite.js";
import * as ntMin from "../../dist/neurite.min.js";
import { trainMlp } from "./train.mjs";

const runtime = typeof Deno !== "undefined" ? `deno ${Deno.version.deno}` : `node ${process.versions.node}`;
await nt.ready();
const bundle = await trainMlp(nt);
await ntMin.ready();
const min = await trainMlp(ntMin);
console.log(JSON.stringify({ runtime, bundle, min }));
