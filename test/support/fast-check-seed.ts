/**
 * Which seed the property tests start from.
 *
 * - `FUZZ_SEED=123` fixes it, to reproduce a failure fast-check printed or to repeat a search:
 *   `FUZZ_SEED=123 FUZZ_RUNS=5000 npx vitest run compiler/fuzz-mutations.test.ts`.
 * - `FUZZ_SEED=random`, and any run outside CI, draws a new one, so each local `npm test` searches
 *   cases no run has tried before.
 * - Under CI (`CI` set) the seed is drawn from the commit being tested: every commit searches new
 *   cases, and a fresh clone of one commit repeats its CI run exactly, so a gate that failed can be
 *   replayed and a gate that passed stays passed.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fc from "fast-check";

function commitSeed(): number | undefined {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return createHash("sha256").update(commit.trim()).digest().readInt32LE(0);
  } catch {
    return undefined;
  }
}

function chosenSeed(): number | undefined {
  const chosen = process.env["FUZZ_SEED"];
  if (chosen === "random") return undefined;
  if (chosen === undefined) return process.env["CI"] ? commitSeed() : undefined;
  const seed = Number(chosen);
  if (!Number.isInteger(seed))
    throw new Error(`FUZZ_SEED must be an integer or "random", not ${JSON.stringify(chosen)}`);
  return seed;
}

const seed = chosenSeed();
if (seed !== undefined) fc.configureGlobal({ seed });
