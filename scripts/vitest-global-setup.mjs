// vitest's global setup: rebuilds dist/ before the tests when a source changed since the last
// build, so tests that run bin/flowc.js (cli/cli.test.ts, end-to-end tests) never run a stale
// bundle. `npm ci` has just built it in CI, so there this does nothing.
import { build, isStale } from "./build.mjs";

export default async function setup() {
  if (isStale()) await build({ log: (line) => process.stderr.write(`${line}\n`) });
}
