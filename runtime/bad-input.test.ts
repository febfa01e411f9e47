import { describe, expect, it } from "vitest";
import { badInputReporter, describeSample, ProblemReporter } from "./bad-input.js";
import { createLogger } from "./log.js";
import { ManualClock } from "./manual-clock.js";

function setup() {
  const lines: string[] = [];
  const clock = new ManualClock(0);
  const log = createLogger({ write: (line) => lines.push(line) }).child("json as SensorEvent");
  const stats = { dropped: 0 };
  const reporter = badInputReporter(log, stats, clock);
  return { lines, clock, stats, reporter };
}

describe("ProblemReporter", () => {
  it("logs the first problem at once, then at most one summary per interval", () => {
    const { lines, clock, stats, reporter } = setup();
    reporter.report("{oops", "not JSON");
    expect(lines).toEqual(['flowc: [json as SensorEvent] warning: dropped a malformed payload (not JSON): "{oops"\n']);
    for (let i = 0; i < 1000; i++) reporter.report(`bad ${i}`, "`val` must be a number");
    expect(lines).toHaveLength(1);
    clock.advance(5000);
    expect(lines[1]).toBe(
      'flowc: [json as SensorEvent] warning: dropped 1000 malformed payloads in the last 5s (`val` must be a number), e.g. "bad 0"\n',
    );
    expect(stats.dropped).toBe(1001);
    expect(reporter.total).toBe(1001);
  });

  it("counts a mixed batch by cause", () => {
    const { lines, clock, reporter } = setup();
    reporter.report("first", "not JSON");
    reporter.report("{oops", "not JSON");
    reporter.report('{"ts":1}', "`val` is missing");
    reporter.report("{no", "not JSON");
    reporter.report('{"ts":2}', "`val` is missing");
    reporter.report('{"val":"x"}', "`val` must be a number");
    clock.advance(5000);
    expect(lines[1]).toBe(
      'flowc: [json as SensorEvent] warning: dropped 5 malformed payloads in the last 5s: 2 (not JSON), e.g. "{oops"; 2 (`val` is missing), e.g. "{\\"ts\\":1}"; 1 (`val` must be a number), e.g. "{\\"val\\":\\"x\\"}"\n',
    );
  });

  it("counts causes beyond the first few together, so a line stays short", () => {
    const { lines, clock, reporter } = setup();
    reporter.report("x", "first");
    for (let row = 1; row <= 10; row++) reporter.report(`r${row}`, `row ${row}: \`val\` must be a number`);
    clock.advance(5000);
    expect(lines[1]).toMatch(
      /^flowc: .* dropped 10 malformed payloads in the last 5s: 1 \(row 1: .*; 1 \(row 4: .*, e\.g\. "r4"; 6 \(other causes\)\n$/,
    );
  });

  it("goes quiet when the problems stop, and reports the next one at once", () => {
    const { lines, clock, reporter } = setup();
    reporter.report("a", "r");
    clock.advance(5000);
    clock.advance(5000);
    expect(lines).toHaveLength(1);
    expect(clock.pending).toBe(0);
    reporter.report("b", "r");
    expect(lines).toHaveLength(2);
  });

  it("flushes what is pending", () => {
    const { lines, reporter } = setup();
    reporter.report("a", "r");
    reporter.report("b", "r");
    reporter.report("c", "r");
    reporter.flush();
    expect(lines[1]).toMatch(/dropped 2 malformed payloads .* e\.g\. "b"/);
    reporter.flush();
    expect(lines).toHaveLength(2);
  });

  it("uses the noun it is given", () => {
    const lines: string[] = [];
    const reporter = new ProblemReporter({
      log: createLogger({ write: (line) => lines.push(line) }),
      noun: ["an event that failed", "events that failed"],
      clock: new ManualClock(),
    });
    reporter.report({ val: 1 }, "TypeError: x is not a function");
    expect(lines[0]).toBe('flowc: warning: dropped an event that failed (TypeError: x is not a function): {"val":1}\n');
  });
});

describe("describeSample", () => {
  it("quotes, escapes and shortens", () => {
    expect(describeSample("a\nb")).toBe('"a\\nb"');
    expect(describeSample("x".repeat(500))).toHaveLength(121);
    expect(describeSample(Buffer.from([0xff, 0x00]))).toBe("<2 bytes: ff00>");
    expect(describeSample(undefined)).toBe("undefined");
  });
});
