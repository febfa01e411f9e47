/**
 * Counting and rate-limited reporting of input a stage cannot use (malformed payloads, rows of the
 * wrong shape) and of events whose processing failed. A flood of bad messages costs a counter
 * increment each and at most one log line per interval; it never stops the pipeline.
 */
import type { Logger } from "./log.js";
import { systemClock, unrefTimer, type Clock, type TimerHandle } from "./scheduler.js";

/** How long a sample payload may be in a log line. */
const sampleLength = 120;
/**
 * Causes counted apart in one summary line; further ones are counted together, so reasons that
 * vary per payload (a row number in them) keep the line short and the memory bounded.
 */
const causesPerSummary = 4;

/** Renders a payload for a log line: quoted, escaped and cut short. */
export function describeSample(sample: unknown): string {
  if (sample instanceof Uint8Array) {
    const head = Buffer.from(sample.buffer, sample.byteOffset, Math.min(sample.byteLength, 48)).toString("hex");
    return `<${sample.byteLength} bytes: ${head}${sample.byteLength > 48 ? "…" : ""}>`;
  }
  let text: string;
  try {
    text = typeof sample === "string" ? JSON.stringify(sample) : (JSON.stringify(sample) ?? String(sample));
  } catch {
    text = String(sample);
  }
  return text.length > sampleLength ? `${text.slice(0, sampleLength)}…` : text;
}

export interface ProblemReporterOptions {
  readonly log: Logger;
  /** What is counted, singular with its article and plural: ["a malformed payload", "malformed payloads"]. */
  readonly noun: readonly [string, string];
  /** Called once per problem, on the hot path: bump a counter here. */
  readonly onProblem?: () => void;
  /** Least time between two log lines; default 5 s. */
  readonly intervalMs?: number;
  readonly clock?: Clock;
}

/** Problems of one cause within an interval. */
interface PendingCause {
  count: number;
  /** The first payload of the interval with this cause. */
  readonly sample: unknown;
}

/**
 * Counts problems and logs them at most once per interval: the first at once, later ones as one
 * summary line with the count and, for each cause, its count and first sample of the interval.
 *
 * @example
 * const bad = new ProblemReporter({ log, noun: ["a malformed payload", "malformed payloads"], onProblem: () => stats.dropped++ });
 * bad.report(text, "not JSON");
 * // flowc: [json as SensorEvent] warning: dropped a malformed payload (not JSON): "{oops"
 * // ... 5 s later, if more came:
 * // flowc: [json as SensorEvent] warning: dropped 1200 malformed payloads in the last 5s (not JSON), e.g. "…"
 * // ... or, with several causes:
 * // flowc: [json as SensorEvent] warning: dropped 5 malformed payloads in the last 5s: 3 (not JSON), e.g. "…"; 2 (`val` is missing), e.g. "…"
 */
export class ProblemReporter {
  /** Every problem reported so far. */
  total = 0;
  private readonly intervalMs: number;
  private readonly clock: Clock;
  private pending = 0;
  /** Counts by cause since the last line, in the order the causes first came. */
  private readonly pendingCauses = new Map<string, PendingCause>();
  /** Problems of causes beyond {@link causesPerSummary}. */
  private pendingOther = 0;
  private timer: TimerHandle | undefined;

  constructor(private readonly options: ProblemReporterOptions) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Counts one problem. `sample` is kept by reference (not copied or formatted) unless it is the
   * one that gets logged, so this is cheap enough for every event.
   */
  report(sample: unknown, reason: string): void {
    this.total++;
    this.options.onProblem?.();
    if (this.timer === undefined) {
      this.options.log.warn(`${this.verb(1)} (${reason}): ${describeSample(sample)}`);
      this.openWindow();
      return;
    }
    this.pending++;
    const cause = this.pendingCauses.get(reason);
    if (cause !== undefined) cause.count++;
    else if (this.pendingCauses.size < causesPerSummary) this.pendingCauses.set(reason, { count: 1, sample });
    else this.pendingOther++;
  }

  /** Logs what is pending now and stops the timer; later reports start afresh. */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.logPending();
  }

  private verb(count: number): string {
    const [singular, plural] = this.options.noun;
    return count === 1 ? `dropped ${singular}` : `dropped ${count} ${plural}`;
  }

  private openWindow(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.logPending()) this.openWindow();
    }, this.intervalMs);
    unrefTimer(this.timer);
  }

  private logPending(): boolean {
    if (this.pending === 0) return false;
    const seconds = Math.round(this.intervalMs / 100) / 10;
    const summary = `${this.verb(this.pending)} in the last ${seconds}s`;
    const causes = [...this.pendingCauses];
    if (causes.length === 1) {
      const [reason, { sample }] = causes[0]!;
      this.options.log.warn(`${summary} (${reason}), e.g. ${describeSample(sample)}`);
    } else {
      const parts = causes.map(([reason, { count, sample }]) => `${count} (${reason}), e.g. ${describeSample(sample)}`);
      if (this.pendingOther > 0) parts.push(`${this.pendingOther} (other causes)`);
      this.options.log.warn(`${summary}: ${parts.join("; ")}`);
    }
    this.pending = 0;
    this.pendingCauses.clear();
    this.pendingOther = 0;
    return true;
  }
}

/**
 * The reporter a stage uses for input it cannot use: counted in the stage's `dropped` statistic.
 *
 * @example
 * ctx.badInput.report(payload, "expected 3 values, got 2");
 */
export function badInputReporter(log: Logger, stats: { dropped: number }, clock?: Clock): ProblemReporter {
  return new ProblemReporter({
    log,
    clock,
    noun: ["a malformed payload", "malformed payloads"],
    onProblem: () => {
      stats.dropped++;
    },
  });
}
