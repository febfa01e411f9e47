/**
 * The tumbling-window aggregates `avg`, `min`, `max`, `sum`, `count` and `median`, one
 * implementation parameterised by the aggregate. Every key (`by`; `sensor_id` by default where
 * the events have one) has windows of its own, closed in one of three ways:
 *
 * - `over 10`: after the key's 10th event;
 * - `over 5s`: on each of the scheduler's aligned 5 s deadlines (processing time), whether or
 *   not an event arrives then;
 * - `over 5s on ts`: by the events' own time. Windows are aligned to multiples of the size in
 *   unix seconds; the newest event time seen (of any key) is the watermark, and a window closes
 *   when the watermark reaches its end plus `lateness`. An event whose window has closed is late:
 *   it is dropped and counted. Replaying an hour of recorded data gives 60 one-minute windows,
 *   however fast it is replayed.
 *
 * A window emits the key's last event with the value replaced by the aggregate (the bare number
 * for number streams); an empty window emits nothing. When the input ends, the windows in
 * progress are emitted too, so no event is silently lost. Keys are capped at
 * {@link maxKeysPerWindow} per window: past it, the window of the key opened longest ago is closed
 * early (emitted as it stands), so memory stays bounded and no event is lost.
 *
 * Per event the work is a few arithmetic operations and a map lookup; only `median` keeps the
 * window's values, in a typed array.
 */
import type { IRNode } from "../../compiler/ir.js";
import { componentKey, type NodeImplementation, type Observer, type RuntimeContext } from "../../runtime/component.js";
import type { PeriodicTask } from "../../runtime/scheduler.js";
import { keyReader, numberSlot, type NumberSlot } from "../event-fields.js";
import { aggregates, type Aggregate } from "./declaration.js";

/**
 * The running state of one window: values go in, the aggregate comes out, and `reset` starts
 * the next window without allocating.
 *
 * @example
 * const window = new WindowAccumulator("median", 4);
 * for (const value of [3, 1, 4, 1]) window.add(value);
 * window.result(); // 2
 * window.reset();
 */
export class WindowAccumulator {
  /** Values added since the last reset. */
  count = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  /** `median` only: the window's values; grows by doubling for time windows, then is reused. */
  private values: Float64Array | undefined;

  constructor(
    readonly aggregate: Aggregate,
    /** How many values a window is expected to hold: the size of count windows. */
    capacity = 16,
  ) {
    // Capped so that `median over 1000000` does not reserve 8 MB before its first event.
    if (aggregate === "median") this.values = new Float64Array(Math.min(Math.max(1, capacity), 1024));
  }

  add(value: number): void {
    const index = this.count++;
    switch (this.aggregate) {
      case "avg":
      case "sum":
        this.sum += value;
        break;
      case "min":
        if (value < this.min) this.min = value;
        break;
      case "max":
        if (value > this.max) this.max = value;
        break;
      case "median": {
        let values = this.values!;
        if (index === values.length) {
          const grown = new Float64Array(values.length * 2);
          grown.set(values);
          this.values = values = grown;
        }
        values[index] = value;
        break;
      }
      case "count":
        break;
    }
  }

  /** The aggregate of the values added since the last reset; meaningless when there are none. */
  result(): number {
    switch (this.aggregate) {
      case "avg":
        return this.sum / this.count;
      case "sum":
        return this.sum;
      case "min":
        return this.min;
      case "max":
        return this.max;
      case "count":
        return this.count;
      case "median": {
        // Typed arrays sort numerically in place; the order is of no use after the window closes.
        const sorted = this.values!.subarray(0, this.count).sort();
        const middle = this.count >> 1;
        return this.count % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
      }
    }
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}

/**
 * How many keys may have a window open at once (per window, for event time). A stream of
 * ever-new ids would otherwise grow without end; past it, the window of the key opened longest
 * ago is closed early.
 */
export const maxKeysPerWindow = 10_000;

/** How a window closes: after a number of events, or on the scheduler's aligned deadlines. */
type WindowSize =
  { readonly kind: "count"; readonly value: number } | { readonly kind: "duration"; readonly ms: number };

/** One key's window: its running aggregate and the last event, whose other fields go out. */
interface OpenWindow {
  readonly accumulator: WindowAccumulator;
  last: unknown;
}

/**
 * The open windows of one period (or of count windows), one per key, in the order they opened:
 * that is the order they are emitted in, and the oldest is the one closed early at the cap.
 */
class KeyedWindows {
  private readonly open = new Map<unknown, OpenWindow>();

  constructor(
    private readonly aggregate: Aggregate,
    private readonly capacity: number,
    private readonly emit: (window: OpenWindow) => void,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** The key's window, opened (closing the oldest one at the cap) when it has none. */
  windowOf(key: unknown): OpenWindow {
    let window = this.open.get(key);
    if (window === undefined) {
      if (this.open.size >= maxKeysPerWindow) {
        const [oldest] = this.open.keys();
        this.close(oldest);
      }
      window = { accumulator: new WindowAccumulator(this.aggregate, this.capacity), last: undefined };
      this.open.set(key, window);
    }
    return window;
  }

  close(key: unknown): void {
    const window = this.open.get(key);
    if (window === undefined) return;
    this.open.delete(key);
    this.emit(window);
  }

  closeAll(): void {
    for (const window of this.open.values()) this.emit(window);
    this.open.clear();
  }
}

/** Python's `%`: the remainder with the divisor's sign, so window starts floor negative times too. */
function floorMod(value: number, divisor: number): number {
  const remainder = value % divisor;
  return remainder < 0 ? remainder + divisor : remainder;
}

/** Tumbling windows over a node's input, per key. */
class TumblingWindows implements Observer {
  /** Count and processing-time windows: the one set of open windows. */
  private readonly current: KeyedWindows | undefined;
  /** Event-time windows by their start (unix seconds), oldest first. */
  private readonly byStart: { start: number; windows: KeyedWindows }[] = [];
  private watermark = -Infinity;
  private readonly task: PeriodicTask | undefined;
  /** Events per window; Infinity for time windows. */
  private readonly maxCount: number;
  /** `count` counts events whatever their value, so it never refuses one. */
  private readonly needsValue: boolean;
  private readonly emitWindow: (window: OpenWindow) => void;

  constructor(
    private readonly aggregate: Aggregate,
    size: WindowSize,
    private readonly slot: NumberSlot | undefined,
    private readonly keyOf: ((event: unknown) => unknown) | undefined,
    /** Event time: the events' time field, with the window size and lateness in seconds. */
    private readonly eventTime:
      { readonly slot: NumberSlot; readonly seconds: number; readonly lateness: number } | undefined,
    private readonly ctx: RuntimeContext,
    private readonly out: Observer,
  ) {
    this.needsValue = aggregate !== "count";
    this.maxCount = size.kind === "count" ? size.value : Infinity;
    const capacity = size.kind === "count" ? size.value : 16;
    const slotOf = slot;
    this.emitWindow = (window) => {
      const result = window.accumulator.result();
      this.out.next(slotOf ? slotOf.replace(window.last, result) : result);
    };
    if (eventTime === undefined) this.current = new KeyedWindows(aggregate, capacity, this.emitWindow);
    if (size.kind === "duration" && eventTime === undefined)
      this.task = ctx.scheduler.schedulePeriodic(size.ms, () => this.current!.closeAll());
  }

  next(event: unknown): void {
    let value = 0;
    if (this.needsValue) {
      const slot = this.slot!;
      const read = slot.read(event);
      if (!slot.typed && typeof read !== "number") {
        this.ctx.badInput.report(event, slot.notANumber);
        return;
      }
      value = read as number;
    }
    const key = this.keyOf?.(event);
    if (this.eventTime !== undefined) {
      this.nextInTime(event, key, value, this.eventTime);
      return;
    }
    const windows = this.current!;
    const window = windows.windowOf(key);
    window.accumulator.add(value);
    window.last = event;
    if (window.accumulator.count >= this.maxCount) windows.close(key);
  }

  private nextInTime(
    event: unknown,
    key: unknown,
    value: number,
    { slot, seconds, lateness }: { slot: NumberSlot; seconds: number; lateness: number },
  ): void {
    const time = slot.read(event);
    if (typeof time !== "number" || !Number.isFinite(time)) {
      this.ctx.badInput.report(event, slot.notANumber);
      return;
    }
    const start = time - floorMod(time, seconds);
    if (start + seconds + lateness <= this.watermark) {
      this.ctx.badInput.report(
        event,
        `late: its window (from ${start}) closed when an event of time ${this.watermark} arrived`,
      );
      return;
    }
    const window = this.windowsFrom(start).windowOf(key);
    window.accumulator.add(value);
    window.last = event;
    if (time > this.watermark) {
      this.watermark = time;
      const byStart = this.byStart;
      let closing = 0;
      while (closing < byStart.length && byStart[closing]!.start + seconds + lateness <= time) closing++;
      if (closing > 0) for (const { windows } of byStart.splice(0, closing)) windows.closeAll();
    }
  }

  /** The event-time windows starting at `start`, created in order when there are none yet. */
  private windowsFrom(start: number): KeyedWindows {
    const byStart = this.byStart;
    let at = byStart.length;
    while (at > 0 && byStart[at - 1]!.start > start) at--;
    if (at > 0 && byStart[at - 1]!.start === start) return byStart[at - 1]!.windows;
    const windows = new KeyedWindows(this.aggregate, 16, this.emitWindow);
    byStart.splice(at, 0, { start, windows });
    return windows;
  }

  completed(): void {
    this.task?.cancel();
    this.current?.closeAll();
    for (const { windows } of this.byStart.splice(0)) windows.closeAll();
    this.out.completed();
  }

  error(error: Error): void {
    this.task?.cancel();
    this.out.error(error);
  }
}

function windowOperator(aggregate: Aggregate) {
  return (node: IRNode, ctx: RuntimeContext, out: Observer): Observer => {
    const over = ctx.params.get("over");
    if (over?.kind !== "count" && over?.kind !== "duration")
      throw new Error(
        `${node.id} ${node.label}: \`over\` must be a count or a duration, not ${over?.kind ?? "absent"}`,
      );
    // `count` without a number field emits the count itself.
    const slot = node.params.of === undefined && aggregate === "count" ? undefined : numberSlot(node);
    const eventTime =
      node.params.on === undefined || over.kind !== "duration"
        ? undefined
        : {
            slot: numberSlot(node, "on"),
            seconds: over.ms / 1000,
            lateness: (ctx.params.optionalDurationMs("lateness") ?? 0) / 1000,
          };
    return new TumblingWindows(aggregate, over, slot, keyReader(node), eventTime, ctx, out);
  };
}

export const nodeImplementations: NodeImplementation[] = aggregates.map((aggregate) => ({
  key: componentKey("operator", aggregate),
  operator: windowOperator(aggregate),
}));
