/**
 * Property tests draw a new random seed on every run, so each `npm test` (and CI's gate) searches
 * cases no run has tried before; fast-check prints the seed and path of a failure. To reproduce
 * one, or to repeat a search, fix the seed: `FUZZ_SEED=123 FUZZ_RUNS=5000 npx vitest run
 * compiler/fuzz-mutations.test.ts`.
 */
import fc from "fast-check";

const chosen = process.env["FUZZ_SEED"];
if (chosen !== undefined && chosen !== "random") {
  const seed = Number(chosen);
  if (!Number.isInteger(seed))
    throw new Error(`FUZZ_SEED must be an integer or "random", not ${JSON.stringify(chosen)}`);
  fc.configureGlobal({ seed });
}
