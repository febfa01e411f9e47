/**
 * ThingFlow's scheduler: every task keeps its own due time, advanced by whole periods from one
 * start, so tasks whose periods divide each other wake up together and nothing drifts. A task
 * that fell more than a period behind (the board was busy) skips the missed runs.
 */
import schedulerPy from "./scheduler.py?raw";
import { fillTemplate, pythonSection } from "./template.js";

/**
 * The scheduler; `run_due()` returns at most `longestWaitMs`, the most a board that stays awake
 * waits before looking again (a minute), or the longest deep sleep for a board that sleeps.
 *
 * @example
 * schedulerSection(60_000);
 */
export function schedulerSection(longestWaitMs: number): string {
  return fillTemplate(pythonSection(schedulerPy), { LONGEST_WAIT_MS: longestWaitMs });
}
