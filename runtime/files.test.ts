import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { describe, expect, it } from "vitest";
import { csvField, dailyFileName, FileError, LineWriter } from "./files.js";
import { createLogger } from "./log.js";
import { ManualClock } from "./manual-clock.js";
import { Backpressure } from "./pressure.js";

const directory = () => mkdtempSync(join(tmpdir(), "flowc-files-"));

/** Waits for the file system's callbacks (a failed write and its truncation) to have run. */
async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; !condition(); attempt++) {
    if (attempt > 500) throw new Error("timed out waiting for the writer");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ write: (line) => lines.push(line) }) };
}

describe("csvField", () => {
  it.each(["lux-1", "", "a b", 'say "hi"', "a,b", "two\nlines", "cr\r", "ünïcödé"])(
    "quotes %j exactly as csv-stringify does",
    (text) => {
      expect(csvField(text)).toBe(stringify([[text]]).slice(0, -1));
    },
  );
});

describe("LineWriter and Backpressure.whenWritten", () => {
  it("has unwritten lines from writeLine until they are on disk, and none once closed", async () => {
    const path = join(directory(), "rows.csv");
    const pressure = new Backpressure();
    const writer = new LineWriter({ path, log: capture().log, pressure });
    expect(pressure.whenWritten()).toBeUndefined();
    writer.writeLine("a,1");
    expect(writer.idle).toBe(false);
    const written = pressure.whenWritten();
    expect(written).toBeDefined();
    await written;
    // When it resolves, the line is in the file: a crash from here on cannot lose it.
    expect(readFileSync(path, "utf8")).toBe("a,1\n");
    expect(pressure.whenWritten()).toBeUndefined();
    writer.writeLine("b,2");
    await writer.close();
    expect(pressure.whenWritten()).toBeUndefined();
  });
});

describe("dailyFileName", () => {
  it("puts the local date before the extension", () => {
    const noon = new Date(2026, 10, 25, 12).getTime();
    expect(dailyFileName("test.csv", noon)).toBe("test-2026-11-25.csv");
    expect(dailyFileName("logs/events.jsonl", noon)).toBe(join("logs", "events-2026-11-25.jsonl"));
    expect(dailyFileName("noextension", noon)).toBe("noextension-2026-11-25");
  });
});

describe("LineWriter", () => {
  it("writes the header to a new file only, then whole lines", async () => {
    const path = join(directory(), "out", "test.csv");
    const { log } = capture();
    const first = new LineWriter({ path, header: "a,b", log });
    first.writeLine("1,2");
    first.writeLine("3,4");
    await first.close();
    const second = new LineWriter({ path, header: "a,b", log });
    second.writeLine("5,6");
    await second.close();
    expect(readFileSync(path, "utf8")).toBe("a,b\n1,2\n3,4\n5,6\n");
  });

  it("gathers lines and writes them in chunks", async () => {
    const path = join(directory(), "big.txt");
    const writer = new LineWriter({ path, log: capture().log, chunkSize: 1000 });
    const line = "x".repeat(99);
    for (let i = 0; i < 1000; i++) writer.writeLine(line);
    await writer.flush();
    expect(readFileSync(path, "utf8")).toBe(`${line}\n`.repeat(1000));
    writer.writeLine("last");
    await writer.close();
    expect(readFileSync(path, "utf8").endsWith("x\nlast\n")).toBe(true);
  });

  it("blocks backpressure while too much is waiting, and releases it when written", async () => {
    const pressure = new Backpressure();
    const writer = new LineWriter({
      path: join(directory(), "p.txt"),
      log: capture().log,
      pressure,
      highWaterMark: 100,
      chunkSize: 50,
    });
    for (let i = 0; i < 20; i++) writer.writeLine("0123456789");
    expect(pressure.blocked).toBe(true);
    await pressure.whenClear();
    await writer.close();
    expect(pressure.blocked).toBe(false);
  });

  it("rolls over to a new file each day, each with its header", async () => {
    const dir = directory();
    const clock = new ManualClock(new Date(2026, 10, 25, 23, 59, 58).getTime());
    const writer = new LineWriter({
      path: join(dir, "test.csv"),
      rotate: "daily",
      header: "n",
      log: capture().log,
      clock,
    });
    writer.writeLine("1");
    clock.advance(1000);
    writer.writeLine("2");
    clock.advance(2000);
    writer.writeLine("3");
    expect(writer.path).toBe(join(dir, "test-2026-11-26.csv"));
    await writer.close();
    expect(readFileSync(join(dir, "test-2026-11-25.csv"), "utf8")).toBe("n\n1\n2\n");
    expect(readFileSync(join(dir, "test-2026-11-26.csv"), "utf8")).toBe("n\n3\n");
  });

  it("names the file when it cannot be opened", () => {
    const dir = directory();
    mkdirSync(join(dir, "taken.csv"));
    const open = () => new LineWriter({ path: join(dir, "taken.csv"), log: capture().log });
    expect(open).toThrow(FileError);
    expect(open).toThrow(`cannot open ${join(dir, "taken.csv")}: it is a directory (EISDIR)`);
  });

  it.runIf(existsSync("/dev/full"))(
    "keeps rows in memory while the disk is full, retries with backoff, and on close says how many it could not write",
    async () => {
      const { lines, log } = capture();
      const clock = new ManualClock(0);
      const pressure = new Backpressure();
      let dropped = 0;
      const writer = new LineWriter({ path: "/dev/full", log, clock, pressure, onDropped: (n) => (dropped += n) });
      writer.writeLine("a");
      writer.writeLine("b");
      await until(() => lines.length === 1);
      expect(lines).toEqual([
        "flowc: error: cannot write to /dev/full: no space left on the device (ENOSPC); keeping 2 row(s) in memory and trying again in 1s\n",
      ]);
      // Sources that can wait do, until the rows are written.
      expect(pressure.blocked).toBe(true);
      writer.writeLine("c");
      expect(dropped).toBe(0);
      clock.advance(1000);
      await until(() => lines.length === 2);
      expect(lines[1]).toBe(
        "flowc: error: still cannot write to /dev/full: no space left on the device (ENOSPC); 3 row(s) waiting, trying again in 2s\n",
      );
      const closing = writer.close();
      await expect(closing).rejects.toThrow(FileError);
      await expect(closing).rejects.toThrow(
        "cannot write to /dev/full: no space left on the device (ENOSPC); 3 row(s) could not be written",
      );
      expect(dropped).toBe(3);
      expect(pressure.blocked).toBe(false);
    },
  );

  it.runIf(existsSync("/dev/full"))("drops and counts rows beyond its memory limit while writes fail", async () => {
    const { lines, log } = capture();
    let dropped = 0;
    const writer = new LineWriter({
      path: "/dev/full",
      log,
      clock: new ManualClock(0),
      failureBufferLimit: 10,
      onDropped: (n) => (dropped += n),
    });
    writer.writeLine("1234");
    await until(() => lines.length === 1);
    writer.writeLine("5678");
    writer.writeLine("too much");
    expect(dropped).toBe(1);
    await expect(writer.close()).rejects.toThrow(/; 3 row\(s\) could not be written$/);
    expect(dropped).toBe(3);
  });

  it("appends to what a file holds and refuses lines after close", async () => {
    const dir = directory();
    const path = join(dir, "whole.txt");
    writeFileSync(path, "kept\n");
    const writer = new LineWriter({ path, log: capture().log });
    writer.writeLine("more");
    await writer.close();
    expect(readFileSync(path, "utf8")).toBe("kept\nmore\n");
    expect(() => writer.writeLine("late")).toThrow(/closed/);
  });
});
