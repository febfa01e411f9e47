/**
 * `delta threshold [of field] [by field]`: report on change. An event passes when its value has
 * moved by at least `threshold` (and at all) since the last event that passed; the first always
 * passes. With `by`, each key (a sensor id, say) has its own last value, kept in a bounded map.
 */
import { componentKey, type NodeImplementation, type Observer } from "../../runtime/component.js";
import { keyReader, numberSlot } from "../event-fields.js";
import { RecentKeys } from "../recent-keys.js";

/**
 * How many keys `delta by` tracks at most. A stream with more distinct keys than this (ids that
 * never repeat) would otherwise grow without end; past it, the key first tracked longest ago is
 * forgotten, which costs at most one extra event when that key shows up again.
 */
export const maxTrackedKeys = 10_000;

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
      /** The event's number; undefined (after reporting the event) when it has none. */
      const valueOf = (event: unknown): number | undefined => {
        const value = slot.read(event);
        if (slot.typed || typeof value === "number") return value as number;
        ctx.badInput.report(event, slot.notANumber);
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
      const lastByKey = new RecentKeys<number>(maxTrackedKeys);
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
