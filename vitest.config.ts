// Node 20 lacks Map.groupBy, which vitest 5 uses when printing failures.
import "./scripts/node20-polyfills.mjs";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    pool: "forks",
  },
});
