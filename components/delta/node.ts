/**
 * `delta threshold [of field] [by field]`: report on change. An event passes when its value has
 * moved by at least `threshold` (and at all) since the last event that passed; the first always
 * passes. With `by`, each key (a sensor id, say) has its own last value, kept in a bounded map.
 */
import { componentKey, type NodeImplementation, type Observer } from "../../runtime/component.js";
import { keyReader, numberSlot } from "../event-fields.js";

/**
 * How many keys `delta by` tracks at most. A stream with more distinct keys than this (ids that
 * never repeat) would otherwise grow without end; past it, the longest-tracked key is forgotten,
 * which costs at most one extra event when that key shows up again.
 */
export const maxTrackedKeys = 10_000;

/**
 * The last passed value of each key, forgetting the oldest key when full.
 *
 * @example
 * const last = new LastValues(2);
 * last.set("a", 1); last.set("b", 2); last.set("c", 3);
 * last.get("a"); // undefined: forgotten
 * last.size; // 2
 */
export class LastValues {
  private readonly values = new Map<unknown, number>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.values.size;
  }

  get(key: unknown): number | undefined {
    return this.values.get(key);
  }

  /** Records the value of `key`; `isNew` saves a lookup when the caller knows the key is new. */
  set(key: unknown, value: number, isNew = !this.values.has(key)): void {
    // Map iteration follows insertion order: the first key is the one tracked longest.
    if (isNew && this.values.size >= this.capacity) this.values.delete(this.values.keys().next().value);
    this.values.set(key, value);
  }
}

/** True when `value` moved by at least `threshold`, and moved at all (`delta 0` means any change). */
function moved(value: number, last: number, threshold: number): boolean {
  const change = Math.abs(value - last);
  return change > 0 && change >= threshold;
}

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "delta"),
    operator(node, ctx, out): Observer {
      const threshold = ctx.params.number("threshold");
      const slot = numberSlot(node);
      const keyOf = keyReader(node);
      const of = ctx.params.get("of");
      const notANumber = `${of?.kind === "field" ? `\`${of.name}\`` : "the event"} is not a number`;
      /** The event's number; undefined (after reporting the event) when it has none. */
      const valueOf = (event: unknown): number | undefined => {
        const value = slot.read(event);
        if (slot.typed || typeof value === "number") return value as number;
        ctx.badInput.report(event, notANumber);
        return undefined;
      };
      const finish = {
        completed: () => out.completed(),
        error: (error: Error) => out.error(error),
      };
      if (keyOf === undefined) {
        let last: number | undefined;
        return {
          next(event) {
            const value = valueOf(event);
            if (value === undefined) return;
            if (last !== undefined && !moved(value, last, threshold)) return;
            last = value;
            out.next(event);
          },
          ...finish,
        };
      }
      const lastByKey = new LastValues(maxTrackedKeys);
      return {
        next(event) {
          const value = valueOf(event);
          if (value === undefined) return;
          const key = keyOf(event);
          const last = lastByKey.get(key);
          if (last !== undefined && !moved(value, last, threshold)) return;
          lastByKey.set(key, value, last === undefined);
          out.next(event);
        },
        ...finish,
      };
    },
  },
];
