import { defineConfig } from "vitest/config";
import { catalogueVitePlugin } from "./scripts/catalogue.mjs";

export default defineConfig({
  // `flowc-catalogue:<facet>` imports: the component folders, discovered (scripts/catalogue.mjs).
  plugins: [catalogueVitePlugin],
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
