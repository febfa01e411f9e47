// The jsonl sink on the host: one JSON document per line, records with their fields in schema
// order, for empty, single, many, unwritable and never-ending input.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../runtime/manual-clock.js";
import { compile, runProgram } from "../../test/support/catalogue.js";

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "flowc-jsonl-"));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

/** Runs `text` with `{out}` replaced by a file in the test's folder; resolves when it is done. */
async function run(text: string, { clock, untilMs }: { clock?: ManualClock; untilMs?: number } = {}) {
  const out = join(folder, "out.jsonl");
  const { programs, diagnostics } = compile([{ path: "jsonl.flow", text: text.replace("{out}", JSON.stringify(out)) }]);
  if (programs.length === 0) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  const log: string[] = [];
  const flow = await runProgram(programs, {
    ...(clock ? { clock } : {}),
    stdout: { write: () => true, once: () => undefined },
    stderr: (line) => void log.push(line),
  });
  if (clock && untilMs !== undefined) {
    clock.advance(untilMs);
    await flow.stop();
  }
  const failure = await flow.done.then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  const lines = existsSync(out) ? readFileSync(out, "utf8").split("\n") : undefined;
  return { lines, failure, log, flow };
}

describe("jsonl sink", () => {
  it("writes an empty file when its input is empty", async () => {
    const { lines, failure } = await run("interval 1s -> take 0 -> jsonl {out}");
    expect(failure).toBeUndefined();
    expect(lines).toEqual([""]);
  });

  it("writes a SensorEvent as an object with the schema's fields in order", async () => {
    const { lines } = await run(
      'sim "lux-1" every 1s shape constant value 284.1312 -> take 1 -> set ts = 611 -> jsonl {out}',
    );
    expect(lines).toEqual(['{"sensor_id":"lux-1","ts":611,"val":284.1312}', ""]);
  });

  it("writes many events of any type, one line each, in order", async () => {
    const { lines } = await run(
      'interval 10ms -> take 300 -> [map { n: it, label: "tick " + str(it), half: it / 2 } -> jsonl {out}]',
      { clock: new ManualClock(Date.UTC(2026, 11, 2)), untilMs: 3000 },
    );
    expect(lines!.slice(0, -1).map((line) => JSON.parse(line) as unknown)).toEqual(
      Array.from({ length: 300 }, (_, n) => ({ n, label: `tick ${n}`, half: n / 2 })),
    );
    expect(lines!.at(-1)).toBe("");
  });

  it("stops the run at start, naming the file, when it cannot be created", async () => {
    writeFileSync(join(folder, "blocker"), "");
    const blocked = join(folder, "blocker", "out.jsonl");
    await expect(run(`interval 1s -> jsonl ${JSON.stringify(blocked)}`)).rejects.toThrow(
      `cannot open ${blocked}: a part of the path is not a directory (ENOTDIR)`,
    );
  });

  it("writes a never-ending input until stopped, every line whole", async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 2));
    const { lines, flow } = await run("interval 1s -> jsonl {out}", { clock, untilMs: 10_000 });
    expect(lines).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", ""]);
    expect(flow.stats.find((s) => s.label.startsWith("jsonl"))).toMatchObject({ in: 11, dropped: 0 });
  });
});
