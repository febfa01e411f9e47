/**
 * Per-stage counters and the `--stats` table. The counters are plain integer fields bumped on the
 * hot path; everything else (rates, formatting) happens when the table is printed.
 */
import { systemClock, unrefTimer, type Clock, type TimerHandle } from "./scheduler.js";

/**
 * What one stage of a flow has seen. `in` and `out` count events entering and leaving; `dropped`
 * counts input the stage discarded as malformed (see {@link ./bad-input.ts}); `errors` counts
 * events whose processing threw. A `filter` passes fewer events than it receives without dropping
 * any: the difference between `in` and `out` is its selectivity, not a fault.
 */
export class NodeStats {
  in = 0;
  out = 0;
  dropped = 0;
  errors = 0;

  constructor(
    /** The IR node id, `n3`. */
    readonly id: string,
    /** How the stage was written, `csv "test.csv"`. */
    readonly label: string,
  ) {}
}

export interface StatsSnapshot {
  readonly timeMs: number;
  readonly counts: readonly {
    readonly in: number;
    readonly out: number;
    readonly dropped: number;
    readonly errors: number;
  }[];
}

/** Copies the counters, to compute rates against later. */
export function snapshotStats(stats: readonly NodeStats[], timeMs: number): StatsSnapshot {
  return { timeMs, counts: stats.map(({ in: input, out, dropped, errors }) => ({ in: input, out, dropped, errors })) };
}

const columns = ["stage", "in", "out", "dropped", "errors", "out/s"] as const;

/**
 * Formats the counters as an aligned table. With a previous snapshot, `out/s` is the rate since.
 *
 * @example
 * formatStatsTable(graph.stats, previous, Date.now());
 * // stage                    in    out  dropped  errors  out/s
 * // n0 mqtt "sensor-data"     0  10000        0       0   2000
 */
export function formatStatsTable(
  stats: readonly NodeStats[],
  previous: StatsSnapshot | undefined,
  timeMs: number,
): string {
  const seconds = previous ? (timeMs - previous.timeMs) / 1000 : 0;
  const rows = stats.map((stage, i) => {
    const before = previous?.counts[i];
    const rate = before && seconds > 0 ? Math.round((stage.out - before.out) / seconds) : undefined;
    return [`${stage.id} ${stage.label}`, stage.in, stage.out, stage.dropped, stage.errors, rate ?? "-"].map(String);
  });
  const widths = columns.map((title, c) => Math.max(title.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(columns), ...rows.map(line)].join("\n") + "\n";
}

export interface StatsPrinterOptions {
  readonly everyMs: number;
  readonly write: (text: string) => void;
  readonly clock?: Clock;
}

/**
 * Prints the table every `everyMs` until stopped; `stop()` prints it a last time.
 *
 * @example
 * const printer = startStatsPrinter(flow.stats, { everyMs: 5000, write: (t) => process.stderr.write(t) });
 * await flow.done;
 * printer.stop();
 */
export function startStatsPrinter(stats: readonly NodeStats[], options: StatsPrinterOptions): { stop(): void } {
  const clock = options.clock ?? systemClock;
  let previous = snapshotStats(stats, clock.now());
  let timer: TimerHandle | undefined;
  const print = () => {
    const now = clock.now();
    options.write(formatStatsTable(stats, previous, now));
    previous = snapshotStats(stats, now);
  };
  const schedule = () => {
    timer = clock.setTimeout(() => {
      print();
      schedule();
    }, options.everyMs);
    unrefTimer(timer);
  };
  schedule();
  return {
    stop() {
      if (timer === undefined) return;
      clock.clearTimeout(timer);
      timer = undefined;
      print();
    },
  };
}
