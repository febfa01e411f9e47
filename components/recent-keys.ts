/**
 * A map that remembers only the most recently added keys, for operators that keep per-key state
 * over endless streams (`dedupe`, `delta by`): memory stays bounded however many distinct keys
 * go by.
 */

/**
 * The last `capacity` keys added, first in, first out, each with a value. A Map answers lookups;
 * a ring of the same keys in the order they were added says which one to forget when a new key
 * arrives and the ring is full, without allocating. Updating a key already present does not
 * make it more recent: `capacity` counts distinct arrivals.
 *
 * @example
 * const recent = new RecentKeys<number>(2);
 * recent.set("a", 1);
 * recent.set("b", 2);
 * recent.set("c", 3); // "a" is forgotten
 * recent.get("a"); // undefined
 * recent.size; // 2
 */
export class RecentKeys<V> {
  private readonly values = new Map<unknown, V>();
  /** Grows to `capacity`, then each new key overwrites the oldest. */
  private readonly ring: unknown[] = [];
  private oldest = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`the capacity must be a whole number of at least 1, got ${capacity}`);
  }

  /** How many keys are remembered: at most `capacity`. */
  get size(): number {
    return this.values.size;
  }

  has(key: unknown): boolean {
    return this.values.has(key);
  }

  get(key: unknown): V | undefined {
    return this.values.get(key);
  }

  /**
   * Sets the value of `key`; a new key may push the oldest out. Pass `isNew` when the caller has
   * just looked the key up, to save a second lookup.
   */
  set(key: unknown, value: V, isNew = !this.values.has(key)): void {
    if (isNew) {
      if (this.ring.length < this.capacity) this.ring.push(key);
      else {
        this.values.delete(this.ring[this.oldest]);
        this.ring[this.oldest] = key;
        if (++this.oldest === this.capacity) this.oldest = 0;
      }
    }
    this.values.set(key, value);
  }
}
