import { execFileSync } from "node:child_process";
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from "node:fs";
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

/** Whether `promise` has settled once the microtasks queued so far have run (no I/O in between). */
async function settledAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  for (let turn = 0; turn < 5; turn++) await Promise.resolve();
  return settled;
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

describe("LineWriter watermarks", () => {
  it("says what size the file will have, header and multi-byte text included, and announces each write", async () => {
    const folder = directory();
    const path = join(folder, "rows.csv");
    writeFileSync(join(folder, "rows.csv"), "");
    const pressure = new Backpressure();
    const writes: number[] = [];
    pressure.onBeforeWrite(() => writes.push(statSync(path).size));
    const writer = new LineWriter({ path, header: "id,text", log: capture().log, pressure });
    writer.writeLine("1,ünïcödé");
    writer.writeLine("2,😀");
    const [[file, size]] = pressure.watermarks() as [[string, number]];
    expect(file).toBe(path);
    await writer.flush();
    expect(statSync(path).size).toBe(size);
    // Each write was announced while the file was still short of it.
    expect(writes.length).toBeGreaterThan(0);
    for (const before of writes) expect(before).toBeLessThan(size);
    await writer.close();
    const reopened = new LineWriter({ path, header: "id,text", log: capture().log, pressure: new Backpressure() });
    expect(reopened.watermark()).toEqual([path, size]);
    await reopened.close();
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

describe("LineWriter.flush", () => {
  it("resolves once the lines before it are written, while later lines keep arriving and are pending", async () => {
    const path = join(directory(), "steady.txt");
    const writer = new LineWriter({ path, log: capture().log });
    const early = Array.from({ length: 100 }, (_, i) => `early ${i}\n`).join("");
    for (let i = 0; i < 100; i++) writer.writeLine(`early ${i}`);
    const flushed = writer.flush();
    // A steady stream, one line per event-loop turn: the writer is never idle while it lasts.
    let later = 0;
    let streaming = true;
    const stream = () => {
      if (!streaming) return;
      writer.writeLine(`later ${later++}`);
      setImmediate(stream);
    };
    stream();
    await flushed;
    expect(readFileSync(path, "utf8").startsWith(early)).toBe(true);
    expect(later).toBeGreaterThan(0);
    expect(writer.idle).toBe(false);
    streaming = false;
    await writer.close();
    const rest = Array.from({ length: later }, (_, i) => `later ${i}\n`).join("");
    expect(readFileSync(path, "utf8")).toBe(early + rest);
  });

  it("resolves at once when nothing is pending", async () => {
    const path = join(directory(), "none.txt");
    const writer = new LineWriter({ path, log: capture().log });
    expect(await settledAtOnce(writer.flush())).toBe(true);
    writer.writeLine("a");
    const first = writer.flush();
    expect(await settledAtOnce(first)).toBe(false);
    await first;
    expect(await settledAtOnce(writer.flush())).toBe(true);
    await writer.close();
    expect(readFileSync(path, "utf8")).toBe("a\n");
  });

  it("resolves the waiting flushes in the order they were called", async () => {
    const path = join(directory(), "order.txt");
    const writer = new LineWriter({ path, log: capture().log });
    const resolved: string[] = [];
    const flushes: Promise<void>[] = [];
    const flushAs = (name: string) =>
      flushes.push(writer.flush().then(() => void resolved.push(`${name}: ${readFileSync(path, "utf8")}`)));
    writer.writeLine("a");
    flushAs("first");
    writer.writeLine("b");
    flushAs("second");
    flushAs("second again");
    writer.writeLine("c");
    flushAs("third");
    await Promise.all(flushes);
    expect(resolved.map((entry) => entry.slice(0, entry.indexOf(":")))).toEqual([
      "first",
      "second",
      "second again",
      "third",
    ]);
    // Each saw at least its own lines on disk.
    expect(resolved[0]).toMatch(/^first: a\n/);
    expect(resolved[1]).toMatch(/^second: a\nb\n/);
    expect(resolved[3]).toBe("third: a\nb\nc\n");
    await writer.close();
  });

  // A FIFO whose reader goes away fails writes (EPIPE) until a reader opens it again: a disk that
  // fills up and is cleared, without needing a disk.
  it.runIf(process.platform === "linux" && existsSync("/usr/bin/mkfifo"))(
    "is neither held up nor hurried by lines dropped at the failure buffer limit",
    async () => {
      const path = join(directory(), "pipe");
      execFileSync("mkfifo", [path]);
      const { lines, log } = capture();
      const clock = new ManualClock(0);
      let dropped = 0;
      const firstReader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      const writer = new LineWriter({ path, log, clock, failureBufferLimit: 10, onDropped: (n) => (dropped += n) });
      closeSync(firstReader);
      writer.writeLine("1234");
      await until(() => lines.length === 1);
      expect(lines[0]).toMatch(/keeping 1 row\(s\) in memory and trying again in 1s/);
      writer.writeLine("5678");
      const kept = writer.flush();
      writer.writeLine("too much");
      writer.writeLine("far too much");
      expect(dropped).toBe(2);
      const flushed = writer.flush();
      // Dropped rows are done, but the rows kept before them are not written yet.
      expect(await settledAtOnce(kept)).toBe(false);
      expect(await settledAtOnce(flushed)).toBe(false);
      const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        clock.advance(1000);
        await kept;
        await flushed;
        const buffer = Buffer.alloc(100);
        expect(buffer.toString("utf8", 0, readSync(reader, buffer))).toBe("1234\n5678\n");
        expect(lines[1]).toBe(
          `flowc: warning: writing to ${path} again; 2 row(s) could not be kept in memory and were dropped\n`,
        );
        await writer.close();
      } finally {
        closeSync(reader);
      }
    },
  );
});
