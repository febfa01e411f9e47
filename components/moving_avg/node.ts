/**
 * `moving_avg n`: each value replaced by the mean of the last n values of its key (`by`,
 * `sensor_id` by default where the events have one), fewer at the start. The values live in a
 * fixed ring buffer with a running sum, so memory is n numbers per key however long the stream,
 * and the only allocation per event is the output event (none for number streams). At most
 * {@link maxAveragedKeys} keys are kept: past it, the key first seen longest ago is forgotten and
 * its mean starts afresh if it comes back.
 */
import { componentKey, type NodeImplementation, type Observer } from "../../runtime/component.js";
import { keyReader, numberSlot } from "../event-fields.js";
import { RecentKeys } from "../recent-keys.js";

/** How many keys `moving_avg` keeps a mean for. */
export const maxAveragedKeys = 10_000;

/**
 * The mean of the last `size` values pushed.
 *
 * The sum is kept incrementally with Neumaier's compensated summation, so a value far larger than
 * the others (a glitch reading of 1e300) does not wipe out the small ones when it leaves the
 * window; and it is recomputed from the buffer each time the ring wraps, so rounding errors of
 * the additions and subtractions cannot build up over an endless stream.
 *
 * @example
 * const mean = new MovingMean(3);
 * mean.push(1); // 1
 * mean.push(2); // 1.5
 * mean.push(3); // 2
 * mean.push(4); // 3
 */
export class MovingMean {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;
  private sum = 0;
  /** The low-order part of the sum that `sum` could not hold. */
  private compensation = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`a moving mean needs a size of at least 1, got ${size}`);
    this.values = new Float64Array(size);
  }

  /** How many values the mean is over now: up to `size`. */
  get count(): number {
    return this.filled;
  }

  /** Adds a value and returns the mean of the last `size` values. */
  push(value: number): number {
    const values = this.values;
    if (this.filled === this.size) this.accumulate(-values[this.next]!);
    else this.filled++;
    values[this.next] = value;
    this.accumulate(value);
    if (++this.next === this.size) {
      this.next = 0;
      this.sum = 0;
      this.compensation = 0;
      for (let i = 0; i < this.filled; i++) this.accumulate(values[i]!);
    }
    return (this.sum + this.compensation) / this.filled;
  }

  private accumulate(x: number): void {
    const sum = this.sum;
    const total = sum + x;
    this.compensation += Math.abs(sum) >= Math.abs(x) ? sum - total + x : x - total + sum;
    this.sum = total;
  }
}

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "moving_avg"),
    operator(node, ctx, out): Observer {
      const size = ctx.params.number("size");
      const slot = numberSlot(node);
      const keyOf = keyReader(node);
      const single = keyOf === undefined ? new MovingMean(size) : undefined;
      const byKey = new RecentKeys<MovingMean>(maxAveragedKeys);
      const meanOf = (event: unknown): MovingMean => {
        if (single) return single;
        const key = keyOf!(event);
        let mean = byKey.get(key);
        if (mean === undefined) byKey.set(key, (mean = new MovingMean(size)), true);
        return mean;
      };
      return {
        next(event) {
          const value = slot.read(event);
          if (!slot.typed && typeof value !== "number") {
            ctx.badInput.report(event, slot.notANumber);
            return;
          }
          out.next(slot.replace(event, meanOf(event).push(value as number)));
        },
        completed: () => out.completed(),
        error: (error) => out.error(error),
      };
    },
  },
];
