// The command line of an example: node:util parseArgs plus -h/--help and one way to refuse a value.
import { parseArgs } from "node:util";

/**
 * Parse process.argv with `options` (as parseArgs takes them) and -h/--help, which prints `help` and
 * exits 0. Returns the values, `bad(name, v)`, which prints "invalid --name: v" and the help to stderr
 * and exits 2, and `int(name, min)` and `positive(name)`, which read option `name` as an integer >= min
 * or a number > 0 and refuse anything else, quoting the text given.
 */
export function exampleArgs(help, options) {
  const { values: opts } = parseArgs({ options: { ...options, help: { type: "boolean", short: "h", default: false } } });
  if (opts.help) {
    process.stdout.write(help);
    process.exit(0);
  }
  const bad = (name, v) => {
    console.error(`invalid --${name}: ${v}\n\n${help}`);
    process.exit(2);
  };
  const int = (name, min) => {
    const v = Number(opts[name]);
    if (!Number.isInteger(v) || v < min) bad(name, opts[name]);
    return v;
  };
  const positive = (name) => {
    const v = Number(opts[name]);
    if (!(v > 0)) bad(name, opts[name]);
    return v;
  };
  return { opts, bad, int, positive };
}
