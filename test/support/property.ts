/**
 * Running a long property test without starving the test runner.
 *
 * Vitest's worker answers its runner over a channel whose calls time out after a fixed 60 s; a
 * property that checks thousands of cases (and, when one fails, shrinks it hundreds of times)
 * without giving the event loop a turn can hold the worker that long on a loaded machine, and the
 * run then fails with "Timeout calling onTaskUpdate" although every test passed.
 */
import fc from "fast-check";

let lastTurn = performance.now();

/** Gives the event loop a turn when the test has held it for a quarter of a second. */
async function breathe(): Promise<void> {
  if (performance.now() - lastTurn < 250) return;
  await new Promise((resolve) => setImmediate(resolve));
  lastTurn = performance.now();
}

/**
 * A fast-check plugin that gives the event loop a turn before a case (while shrinking too) when
 * the last turn was a while ago. Only for async properties: fast-check refuses an asynchronous
 * hook around a synchronous one.
 *
 * @example
 * await fc.assert(fc.asyncProperty(programs, async (program) => check(program)), { numRuns: 500, plugins: [breathing] });
 */
export const breathing = fc.beforeEach(breathe);

/**
 * A test timeout for a property of `runs` cases that take up to `msPerCase` each on a quiet
 * machine, with room for one twenty-five times slower (a loaded CI runner, a niced soak run):
 * `FUZZ_RUNS` scales the cases, so it scales this too.
 *
 * @example
 * it("checks generated programs", { timeout: propertyTimeout(runs, 5) }, async () => { ... });
 */
export function propertyTimeout(runs: number, msPerCase: number): number {
  return Math.max(30_000, runs * msPerCase * 25);
}
