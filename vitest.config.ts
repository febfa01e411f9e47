import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "compiler/**/*.test.ts",
      "runtime/**/*.test.ts",
      "shared/**/*.test.ts",
      "targets/**/*.test.ts",
      "components/**/*.test.ts",
      "test/**/*.test.ts",
      "cli/**/*.test.ts",
      "editors/**/*.test.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Rebuilds dist/ when stale, so tests that spawn bin/flowc.js run the current sources.
    globalSetup: ["./scripts/vitest-global-setup.mjs"],
    setupFiles: ["./test/support/fast-check-seed.ts"],
  },
});
