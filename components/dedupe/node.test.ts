import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../runtime/log.js";
import { Backpressure } from "../../runtime/pressure.js";
import { runOperator, runUntilUpstreamError, sensorEvent, startFlow } from "../testing.js";
import { KeyJournal } from "./journal.js";

describe("dedupe", () => {
  it("completes without emitting when its input is empty", async () => {
    expect(await runOperator("feed -> dedupe -> capture", [])).toEqual([]);
  });

  it("passes a single event", async () => {
    const event = sensorEvent("a", 1, 2);
    expect(await runOperator("feed -> dedupe -> capture", [event])).toEqual([event]);
  });

  it("drops redeliveries of whole events, equal by value", async () => {
    const events = [
      sensorEvent("a", 1, 2),
      sensorEvent("a", 1, 2),
      sensorEvent("a", 2, 2),
      sensorEvent("b", 1, 2),
      sensorEvent("a", 1, 2),
    ];
    expect(await runOperator("feed -> dedupe -> capture", events)).toEqual([events[0], events[2], events[3]]);
    expect(await runOperator("feed type json -> dedupe -> capture", [1, "1", 1, { a: [1] }, { a: [1] }])).toEqual([
      1,
      "1",
      { a: [1] },
    ]);
  });

  it("compares one field with `by`", async () => {
    const events = [sensorEvent("a", 1, 2), sensorEvent("a", 1, 3), sensorEvent("b", 1, 2)];
    expect(await runOperator("feed -> dedupe by ts -> capture", events)).toEqual([events[0]]);
    expect(await runOperator("feed -> dedupe by sensor_id -> capture", events)).toEqual([events[0], events[2]]);
  });

  it("forgets keys older than the last `within`", async () => {
    expect(await runOperator("feed type int -> dedupe within 2 -> capture", [1, 2, 1, 3, 1, 2])).toEqual([
      1, 2, 3, 1, 2,
    ]);
  });

  it("passes an upstream error on", async () => {
    const error = new Error("subscription lost");
    const { capture, failure } = await runUntilUpstreamError(
      "feed -> dedupe -> capture",
      [sensorEvent("a", 1, 2)],
      error,
    );
    expect(capture.events).toEqual([sensorEvent("a", 1, 2)]);
    expect(capture.error).toBe(error);
    expect(failure).toBe(error);
  });

  it("remembers at most `within` keys over a long stream", async () => {
    const values = Array.from({ length: 100_000 }, (_, i) => i % 1000);
    // Within 1000 every repeat is caught; within 999 the key 1000 events back is always forgotten.
    expect(await runOperator("feed type int -> dedupe within 1000 -> capture", values)).toHaveLength(1000);
    expect(await runOperator("feed type int -> dedupe within 999 -> capture", values)).toHaveLength(100_000);
  });
});

describe("dedupe with `state`", () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "flowc-dedupe-"));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("remembers across a restart the keys the last run let through", async () => {
    const state = join(folder, "seen.keys");
    const flow = `feed -> dedupe by sensor_id state ${JSON.stringify(state)} -> capture`;
    const first = [sensorEvent("a", 1, 2), sensorEvent("b", 1, 2)];
    expect(await runOperator(flow, first)).toEqual(first);
    expect(await readFile(state, "utf8")).toBe('"a"\n"b"\n');
    const replayed = [sensorEvent("b", 2, 2), sensorEvent("c", 2, 2), sensorEvent("a", 3, 2)];
    expect(await runOperator(flow, replayed)).toEqual([replayed[1]]);
    expect(await readFile(state, "utf8")).toBe('"a"\n"b"\n"c"\n');
  });

  it("starts empty without a file, and keys whole events by their encoding", async () => {
    const state = join(folder, "whole.keys");
    const events = [sensorEvent("a", 1, 2), sensorEvent("a", 1, 2), sensorEvent("a", 1, 3)];
    const flow = `feed -> dedupe state ${JSON.stringify(state)} -> capture`;
    expect(await runOperator(flow, events)).toEqual([events[0], events[2]]);
    expect(await runOperator(flow, events)).toEqual([]);
  });

  it("keeps the file to the latest `within` keys over a stream that never ends", async () => {
    const state = join(folder, "bounded.keys");
    const values = Array.from({ length: 10_000 }, (_, i) => i);
    const flow = `feed type int -> dedupe within 100 state ${JSON.stringify(state)} -> capture`;
    expect(await runOperator(flow, values)).toHaveLength(10_000);
    const lines = (await readFile(state, "utf8")).trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(200);
    expect(lines.slice(-100)).toEqual(values.slice(-100).map(String));
    // The next run drops the latest 100 and lets the older ones through again.
    expect(await runOperator(flow, [9_999, 9_900, 9_899])).toEqual([9_899]);
  });

  it("stops the flow with the file named when the state cannot be read", async () => {
    const flow = startFlow(`feed -> dedupe state ${JSON.stringify(folder)} -> capture`);
    await expect(flow.finish()).rejects.toThrow(`cannot read ${folder}: it is a directory`);
  });
});

describe("KeyJournal", () => {
  /** A sink's pending output the test finishes writing by hand. */
  function pendingOutput(pressure: Backpressure) {
    let idle = true;
    let finish: (() => void) | undefined;
    pressure.track({
      get idle() {
        return idle;
      },
      flush: () => (idle ? Promise.resolve() : new Promise<void>((resolve) => (finish = resolve))),
    });
    return {
      accept: () => void (idle = false),
      written: async () => {
        idle = true;
        finish?.();
        await new Promise((resolve) => setImmediate(resolve));
      },
    };
  }
  const quietLog = (lines: string[] = []) => createLogger({ write: (line) => lines.push(line) });
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it("writes a key only once the output handed over before it is written", async () => {
    const path = join(tmpdir(), `flowc-journal-${process.pid}-${Date.now()}.keys`);
    const pressure = new Backpressure();
    const rows = pendingOutput(pressure);
    const journal = new KeyJournal({ path, capacity: 10, pressure, log: quietLog() });
    try {
      rows.accept();
      journal.record("a");
      journal.record(7);
      await settle();
      await expect(readFile(path, "utf8")).rejects.toThrow(/ENOENT/);
      await rows.written();
      expect(await readFile(path, "utf8")).toBe('"a"\n7\n');
    } finally {
      await rm(path, { force: true });
    }
  });

  it("skips a line cut short, warns once while the file cannot be written, and says when it can again", async () => {
    const folder = await mkdtemp(join(tmpdir(), "flowc-journal-"));
    try {
      const path = join(folder, "later", "seen.keys");
      const lines: string[] = [];
      const journal = new KeyJournal({ path, capacity: 10, pressure: new Backpressure(), log: quietLog(lines) });
      journal.record("a");
      await settle();
      journal.record("b");
      await settle();
      expect(lines).toEqual([
        `flowc: warning: cannot write to ${path}: no such file or directory (ENOENT); repeats arriving after a restart may get through\n`,
      ]);
      await mkdir(join(folder, "later"));
      await writeFile(path, '"x"\n"y\n');
      journal.record("c");
      await settle();
      expect(lines.at(-1)).toBe(`flowc: writing dedupe state to ${path} again\n`);
      expect(new KeyJournal({ path, capacity: 10, pressure: new Backpressure(), log: quietLog() }).load()).toEqual([
        "x",
        "c",
      ]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
