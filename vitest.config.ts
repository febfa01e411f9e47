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
    // The dashboard's stylesheet is imported as text (`?raw`); vitest empties CSS it does not process.
    css: { include: [/runtime\/dashboard\/page\/.*\.css/] },
    // Rebuilds dist/ when stale, so tests that spawn bin/flowc.js run the current sources.
    globalSetup: ["./scripts/vitest-global-setup.mjs"],
    setupFiles: ["./test/support/fast-check-seed.ts"],
  },
});
