import { describe, expect, it } from "vitest";
import { RecentKeys } from "./recent-keys.js";

describe("RecentKeys", () => {
  it("holds at most its capacity of keys over a long run of new ones", () => {
    const recent = new RecentKeys<number>(100);
    for (let i = 0; i < 100_000; i++) recent.set(i, i);
    expect(recent.size).toBe(100);
    expect(recent.has(99_899)).toBe(false);
    expect(recent.get(99_900)).toBe(99_900);
    expect(recent.get(99_999)).toBe(99_999);
  });

  it("forgets in the order keys arrived, not the order they were updated", () => {
    const recent = new RecentKeys<number>(2);
    recent.set("a", 1);
    recent.set("b", 2);
    recent.set("a", 3);
    expect(recent.get("a")).toBe(3);
    recent.set("c", 4);
    expect(recent.has("a")).toBe(false);
    expect([recent.get("b"), recent.get("c"), recent.size]).toEqual([2, 4, 2]);
  });

  it("refuses a capacity below 1", () => {
    expect(() => new RecentKeys(0)).toThrow(RangeError);
  });
});
