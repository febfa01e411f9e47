/**
 * `dedupe [by field] [within n]`: drops events whose key was seen among the last n distinct keys
 * (QoS 1 redeliveries, a device that replays after a restart). The key is the `by` field, or the
 * whole event (records by their wire encoding). Memory is bounded by `within` keys.
 */
import { componentKey, type NodeImplementation, type Observer } from "../../runtime/component.js";
import { keyReader, wholeEventKey } from "../event-fields.js";

/**
 * The last `capacity` distinct keys, first in, first out: a set for lookups and a ring of the
 * same keys in arrival order, to know which one to forget when a new key arrives and the ring is
 * full. A key seen again does not become more recent: `within` counts distinct arrivals.
 *
 * @example
 * const recent = new RecentKeys(2);
 * recent.remember("a"); // true: new
 * recent.remember("a"); // false: seen
 * recent.remember("b"); recent.remember("c"); // "a" is forgotten
 * recent.remember("a"); // true
 */
export class RecentKeys {
  private readonly known = new Set<unknown>();
  /** Grows to `capacity`, then each new key overwrites the oldest. */
  private readonly ring: unknown[] = [];
  private oldest = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`dedupe needs to remember at least 1 key, got ${capacity}`);
  }

  /** How many keys are remembered: at most `capacity`. */
  get size(): number {
    return this.known.size;
  }

  /** Remembers `key`; returns false when it was already remembered. */
  remember(key: unknown): boolean {
    if (this.known.has(key)) return false;
    if (this.ring.length < this.capacity) this.ring.push(key);
    else {
      this.known.delete(this.ring[this.oldest]);
      this.ring[this.oldest] = key;
      if (++this.oldest === this.capacity) this.oldest = 0;
    }
    this.known.add(key);
    return true;
  }
}

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "dedupe"),
    operator(node, ctx, out): Observer {
      const recent = new RecentKeys(ctx.params.number("within"));
      const keyOf = keyReader(node) ?? wholeEventKey(node.input);
      return {
        next(event) {
          if (recent.remember(keyOf(event))) out.next(event);
        },
        completed: () => out.completed(),
        error: (error) => out.error(error),
      };
    },
  },
];
