/**
 * The tumbling-window aggregates `avg`, `min`, `max`, `sum`, `count` and `median`, one
 * implementation parameterised by the aggregate. `over 10` closes a window every 10 events;
 * `over 5s` closes one on each of the scheduler's aligned 5 s deadlines, whether or not an event
 * arrives then (an empty window emits nothing). A window emits its last event with the value
 * replaced by the aggregate, or the bare number for number streams. When the input ends, the
 * window in progress is emitted too, so no event is silently lost.
 *
 * Per event the work is a few arithmetic operations on fields of one object; only `median` keeps
 * the window's values, in a typed array reused from window to window.
 */
import type { IRNode } from "../../compiler/ir.js";
import { componentKey, type NodeImplementation, type Observer, type RuntimeContext } from "../../runtime/component.js";
import type { PeriodicTask } from "../../runtime/scheduler.js";
import { numberSlot, type NumberSlot } from "../event-fields.js";
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

/** How a window closes: after a number of events, or on the scheduler's aligned deadlines. */
type WindowSize =
  { readonly kind: "count"; readonly value: number } | { readonly kind: "duration"; readonly ms: number };

/** A tumbling window over a node's input. */
class TumblingWindow implements Observer {
  private readonly accumulator: WindowAccumulator;
  /** Events per window; Infinity for time windows, which the scheduler closes. */
  private readonly maxCount: number;
  private readonly task: PeriodicTask | undefined;
  /** `count` counts events whatever their value, so it never refuses one. */
  private readonly needsValue: boolean;
  private last: unknown;

  constructor(
    aggregate: Aggregate,
    size: WindowSize,
    private readonly slot: NumberSlot,
    private readonly ctx: RuntimeContext,
    private readonly out: Observer,
  ) {
    this.needsValue = aggregate !== "count";
    if (size.kind === "count") {
      this.accumulator = new WindowAccumulator(aggregate, size.value);
      this.maxCount = size.value;
    } else {
      this.accumulator = new WindowAccumulator(aggregate);
      this.maxCount = Infinity;
      this.task = ctx.scheduler.schedulePeriodic(size.ms, () => this.close());
    }
  }

  next(event: unknown): void {
    if (this.needsValue) {
      const value = this.slot.read(event);
      if (!this.slot.typed && typeof value !== "number") {
        this.ctx.badInput.report(event, this.slot.notANumber);
        return;
      }
      this.accumulator.add(value as number);
    } else this.accumulator.add(0);
    this.last = event;
    if (this.accumulator.count >= this.maxCount) this.close();
  }

  /** Emits the window's aggregate, if it has any event, and starts the next window. */
  close(): void {
    if (this.accumulator.count === 0) return;
    const last = this.last;
    const result = this.accumulator.result();
    this.accumulator.reset();
    this.last = undefined;
    this.out.next(this.slot.replace(last, result));
  }

  completed(): void {
    this.task?.cancel();
    this.close();
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
    return new TumblingWindow(aggregate, over, numberSlot(node), ctx, out);
  };
}

export const nodeImplementations: NodeImplementation[] = aggregates.map((aggregate) => ({
  key: componentKey("operator", aggregate),
  operator: windowOperator(aggregate),
}));
