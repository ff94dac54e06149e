// `npm test`: build, run every vitest suite, then print the plain closing line CI reads:
// "N passed, N failed". Extra arguments go to vitest (e.g. a file filter).
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const results = join(root, ".vitest-results.json");
const env = { ...process.env, NO_COLOR: "1" };

const build = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit", env });
if (build.status !== 0) {
  console.log("build failed");
  console.log("0 passed, 1 failed");
  process.exit(1);
}

rmSync(results, { force: true });
const vitest = spawnSync(
  process.execPath,
  ["--import", join(root, "scripts", "node20-polyfills.mjs"), join(root, "node_modules", "vitest", "vitest.mjs"), "run", "--reporter=default", "--reporter=json",
    `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { cwd: root, stdio: "inherit", env },
);

let passed = 0;
let failed = 0;
if (existsSync(results)) {
  const report = JSON.parse(readFileSync(results, "utf8"));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  // A file that failed to load has no test results of its own: count it as one failure.
  for (const file of report.testResults ?? []) {
    if (file.status === "failed" && (file.assertionResults ?? []).length === 0) failed++;
  }
} else {
  failed = 1;
}
if (vitest.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
