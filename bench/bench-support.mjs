// What the start-up and large-file benchmarks share: a fresh bundle, timing child processes, medians.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build, isStale } from "../scripts/build.mjs";

export const root = fileURLToPath(new URL("..", import.meta.url));

/** Rebuilds dist/ when a source changed since the last build: the figures are for the bundle. */
export async function ensureBuilt() {
  if (isStale()) await build({ log: (line) => process.stderr.write(`${line}\n`) });
}

/** Runs a command to completion, in the repository, and returns its wall time in ms. */
export function timeRun([command, ...args]) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${[command, ...args].join(" ")} exited with ${result.status}: ${result.stderr}`);
  }
  return elapsed;
}

/**
 * Times each command `runs` times after `warmup` untimed runs, taking turns, so a burst of load on
 * the machine slows all of them alike. Returns the times per command, in ms.
 */
export function timeInTurns(commands, { runs, warmup }) {
  const times = commands.map(() => []);
  for (let round = 0; round < warmup + runs; round++) {
    commands.forEach((command, index) => {
      const elapsed = timeRun(command);
      if (round >= warmup) times[index].push(elapsed);
    });
  }
  return times;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function ms(value) {
  return `${value.toFixed(1)} ms`;
}
