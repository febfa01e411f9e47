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
export async function breathe(): Promise<void> {
  if (performance.now() - lastTurn < 250) return;
  await new Promise((resolve) => setImmediate(resolve));
  lastTurn = performance.now();
}

/**
 * Asserts `predicate` for `numRuns` values of `arbitrary` (fast-check's `assert` of an async
 * property), letting the event loop turn between cases, during shrinking too.
 *
 * @example
 * await assertBreathing(programs, (program) => expect(errorsOf(program)).toEqual([]), { numRuns: 500 });
 */
export async function assertBreathing<T>(
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => void | Promise<void>,
  parameters: fc.Parameters<[T]> = {},
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      await breathe();
      await predicate(value);
    }),
    parameters,
  );
}

/**
 * A test timeout for a property of `runs` cases that take up to `msPerCase` each on a quiet
 * machine, with room for one twenty-five times slower (a loaded CI runner, a niced soak run):
 * `FUZZ_RUNS` scales the cases, so it scales this too.
 */
export function propertyTimeout(runs: number, msPerCase: number): number {
  return Math.max(30_000, runs * msPerCase * 25);
}
