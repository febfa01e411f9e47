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
  const keysIn = async (path: string) =>
    (await readFile(path, "utf8"))
      .trimEnd()
      .split("\n")
      .map((line) => (JSON.parse(line) as [unknown, unknown])[0]);

  it("remembers across a restart the keys the last run let through", async () => {
    const state = join(folder, "seen.keys");
    const flow = `feed -> dedupe by sensor_id state ${JSON.stringify(state)} -> capture`;
    const first = [sensorEvent("a", 1, 2), sensorEvent("b", 1, 2)];
    expect(await runOperator(flow, first)).toEqual(first);
    expect(await keysIn(state)).toEqual(["a", "b"]);
    const replayed = [sensorEvent("b", 2, 2), sensorEvent("c", 2, 2), sensorEvent("a", 3, 2)];
    expect(await runOperator(flow, replayed)).toEqual([replayed[1]]);
    expect(await keysIn(state)).toEqual(["a", "b", "c"]);
  });

  it("starts empty without a file, and keys whole events by their encoding", async () => {
    const state = join(folder, "whole.keys");
    const events = [sensorEvent("a", 1, 2), sensorEvent("a", 1, 2), sensorEvent("a", 1, 3)];
    const flow = `feed -> dedupe state ${JSON.stringify(state)} -> capture`;
    expect(await runOperator(flow, events)).toEqual([events[0], events[2]]);
    expect(await runOperator(flow, events)).toEqual([]);
  });

  // What a kill -9 leaves: keys on file whose rows never reached the CSV. Those must not count.
  it("counts a key only if the rows its event became reached the file", async () => {
    const state = join(folder, "seen.keys");
    const csv = join(folder, "rows.csv");
    const flow = `feed -> dedupe by sensor_id state ${JSON.stringify(state)} -> csv ${JSON.stringify(csv)}`;
    const events = ["a", "b", "c", "d"].map((id, i) => sensorEvent(id, i, 1));
    const run = async (feed: unknown[]) => {
      const running = startFlow(flow);
      for (const event of feed) running.feed().next(event);
      await running.finish();
    };
    await run(events.slice(0, 2));
    await run(events.slice(2));
    const rows = (await readFile(csv, "utf8")).split("\n");
    expect(rows.filter((row) => row !== "")).toHaveLength(5);
    // The second run's rows never made it to the disk.
    await writeFile(csv, rows.slice(0, 3).join("\n") + "\n");
    await run(events);
    const ids = (await readFile(csv, "utf8"))
      .trimEnd()
      .split("\n")
      .slice(1)
      .map((row) => row.split(",")[2]);
    expect(ids).toEqual(["a", "b", "c", "d"]);
  });

  it("keeps the file to the latest `within` keys over a stream that never ends", async () => {
    const state = join(folder, "bounded.keys");
    const values = Array.from({ length: 10_000 }, (_, i) => i);
    const flow = `feed type int -> dedupe within 100 state ${JSON.stringify(state)} -> capture`;
    expect(await runOperator(flow, values)).toHaveLength(10_000);
    const keys = await keysIn(state);
    expect(keys.length).toBeLessThanOrEqual(200);
    expect(keys.slice(-100)).toEqual(values.slice(-100));
    // The next run drops the latest 100 and lets the older ones through again.
    expect(await runOperator(flow, [9_999, 9_900, 9_899])).toEqual([9_899]);
  });

  it("stops the flow with the file named when the state cannot be read", async () => {
    const flow = startFlow(`feed -> dedupe state ${JSON.stringify(folder)} -> capture`);
    await expect(flow.finish()).rejects.toThrow(`cannot read ${folder}: it is a directory`);
  });
});

describe("KeyJournal", () => {
  const quietLog = (lines: string[] = []) => createLogger({ write: (line) => lines.push(line) });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "flowc-journal-"));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  /** A file output whose watermark the test sets. */
  function fileOutput(pressure: Backpressure, path: string) {
    let size = 0;
    pressure.track({ idle: true, flush: () => Promise.resolve(), watermark: () => [path, size] });
    return { accept: (bytes: number) => void (size += bytes) };
  }

  it("writes each key before any file writes its rows, with the size the file will have", async () => {
    const path = join(folder, "seen.keys");
    const pressure = new Backpressure();
    const rows = fileOutput(pressure, "rows.csv");
    const journal = new KeyJournal({ path, capacity: 10, pressure, log: quietLog() });
    const entry = journal.add("a");
    rows.accept(12);
    journal.handedOver(entry);
    const second = journal.add(7);
    rows.accept(5);
    // A file about to write seals what is pending, the event still being handed on included.
    pressure.beforeWrite();
    journal.handedOver(second);
    expect(await readFile(path, "utf8")).toBe('["a",[["rows.csv",12]]]\n[7,[["rows.csv",17]]]\n');
  });

  it("loads only the keys whose files reached their sizes", async () => {
    const path = join(folder, "seen.keys");
    const csv = join(folder, "rows.csv");
    await writeFile(csv, "0123456789");
    const entries = [
      ["on disk", [[csv, 10]]],
      ["not written", [[csv, 11]]],
      ["no file", [[join(folder, "gone.csv"), 1]]],
      ["no file output", []],
    ];
    await writeFile(path, entries.map((entry) => JSON.stringify(entry)).join("\n") + '\n["cut sh');
    const journal = new KeyJournal({ path, capacity: 10, pressure: new Backpressure(), log: quietLog() });
    expect(journal.load()).toEqual(["on disk", "no file output"]);
  });

  it("warns once while the file cannot be written, and says when it can again", async () => {
    const path = join(folder, "later", "seen.keys");
    const lines: string[] = [];
    const journal = new KeyJournal({ path, capacity: 10, pressure: new Backpressure(), log: quietLog(lines) });
    journal.handedOver(journal.add("a"));
    await settle();
    journal.handedOver(journal.add("b"));
    await settle();
    expect(lines).toEqual([
      `flowc: warning: cannot write to ${path}: no such file or directory (ENOENT); repeats arriving after a restart may get through\n`,
    ]);
    await mkdir(join(folder, "later"));
    journal.handedOver(journal.add("c"));
    await settle();
    expect(lines.at(-1)).toBe(`flowc: writing dedupe state to ${path} again\n`);
    expect(new KeyJournal({ path, capacity: 10, pressure: new Backpressure(), log: quietLog() }).load()).toEqual(["c"]);
  });
});
