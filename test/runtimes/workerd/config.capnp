# workerd config for the runtime test (test/runtimes.test.ts). Two module workers, each on its own
# socket; the test overrides both addresses with 127.0.0.1:0 and reads the ports workerd picked
# from --control-fd. Paths are relative to this file; `npm run build` must have made dist/.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "explicit", worker = .explicitWorker),
    (name = "conditional", worker = .conditionalWorker),
  ],
  sockets = [
    (name = "explicit", address = "127.0.0.1:0", http = (), service = "explicit"),
    (name = "conditional", address = "127.0.0.1:0", http = (), service = "conditional"),
  ],
);

# The documented way: import the .wasm as a module and pass it to ready({ module }).
const explicitWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "explicit.mjs"),
    (name = "probe.mjs", esModule = embed "probe.mjs"),
    (name = "train.mjs", esModule = embed "../train.mjs"),
    (name = "neurite.js", esModule = embed "../../../dist/neurite.js"),
    (name = "neurite.wasm", wasm = embed "../../../dist/neurite.wasm"),
  ],
  compatibilityDate = "2026-10-01",
);

# The package's "workerd" export condition: dist/neurite.workerd.js imports ./neurite.wasm itself,
# so a bare ready() works.
const conditionalWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "conditional.mjs"),
    (name = "probe.mjs", esModule = embed "probe.mjs"),
    (name = "train.mjs", esModule = embed "../train.mjs"),
    (name = "neurite.workerd.js", esModule = embed "../../../dist/neurite.workerd.js"),
    (name = "neurite.js", esModule = embed "../../../dist/neurite.js"),
    (name = "neurite.wasm", wasm = embed "../../../dist/neurite.wasm"),
  ],
  compatibilityDate = "2026-10-01",
);
