import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BoolType, IntType, NumberType, SensorEvent, StringType, type RecordType } from "../../compiler/types.js";
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { nodeImplementations } from "../node.js";
import { csvFormat, isoTimeFormatter } from "./node.js";
import { compile, runProgram } from "../../test/support/catalogue.js";

const reading: RecordType = {
  kind: "record",
  name: "Reading",
  fields: [
    { name: "station", type: StringType },
    { name: "count", type: IntType },
    { name: "ok", type: BoolType },
    { name: "level", type: NumberType },
  ],
};

describe("isoTimeFormatter", () => {
  it("writes UTC with microseconds like Python's utcfromtimestamp().isoformat()", () => {
    const iso = isoTimeFormatter();
    expect(iso(1484535480.613611)).toBe("2017-01-16T02:58:00.613611");
    expect(iso(1484535481)).toBe("2017-01-16T02:58:01");
    expect(iso(1.9999996)).toBe("1970-01-01T00:00:02");
    expect(iso(611)).toBe("1970-01-01T00:10:11");
    expect(iso(Number.NaN)).toBe("");
  });
});

describe("csvFormat", () => {
  it("SensorEvent: the tutorial's four columns", () => {
    const format = csvFormat(SensorEvent);
    expect(format.header).toBe("timestamp,datetime,sensor_id,value");
    expect(format.row({ sensor_id: "lux-1", ts: 1484535480.613611, val: 371.6063 })).toBe(
      "1484535480.613611,2017-01-16T02:58:00.613611,lux-1,371.6063",
    );
    expect(format.row({ sensor_id: 'a "b", c', ts: 1, val: 2 })).toBe('1,1970-01-01T00:00:01,"a ""b"", c",2');
  });

  it("other records: one column per field", () => {
    const format = csvFormat(reading);
    expect(format.header).toBe("station,count,ok,level");
    expect(format.row({ station: "north,1", count: 3, ok: true, level: null })).toBe('"north,1",3,true,');
  });

  it("scalars: one value column", () => {
    const format = csvFormat(NumberType);
    expect(format.header).toBe("value");
    expect(format.row(2.5)).toBe("2.5");
    expect(format.row("a\nb")).toBe('"a\nb"');
  });
});

describe("csv source", () => {
  const dir = mkdtempSync(join(tmpdir(), "flowc-csv-"));
  const replay = async (text: string, content: string) => {
    const file = join(dir, `in-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(file, content);
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}.jsonl`);
    const { programs, diagnostics } = compile([
      { path: "r.flow", text: `${text.replace("IN", file)} -> jsonl "${out}"` },
    ]);
    if (programs.length === 0) throw new Error(diagnostics.map((d) => d.message).join("\n"));
    const lines: string[] = [];
    const flow = await runProgram(programs, { stderr: (line) => lines.push(line) });
    const outcome = await flow.done.then(
      () => undefined,
      (error: Error) => error.message,
    );
    const written = readFileSync(out, "utf8").trim();
    return {
      events: written === "" ? [] : written.split("\n").map((line) => JSON.parse(line) as unknown),
      outcome,
      lines,
    };
  };

  it("reads a file the csv sink wrote back as the same SensorEvents", async () => {
    const { events } = await replay(
      'csv "IN"',
      "timestamp,datetime,sensor_id,value\n1484535480.613611,2017-01-16T02:58:00.613611,lux-1,371.6063\n",
    );
    expect(events).toEqual([{ sensor_id: "lux-1", ts: 1484535480.613611, val: 371.6063 }]);
  });

  it("maps columns by name, in any order and case", async () => {
    const schema = "schema Reading { station: string, count: int, ok: bool, level: number }\n";
    const { events, lines } = await replay(
      `${schema}csv "IN" as Reading`,
      "Level,OK,count,station\n1.5,true,3,north\n2,yes,4.5,south\n",
    );
    expect(events).toEqual([{ station: "north", count: 3, ok: true, level: 1.5 }]);
    expect(lines.join("")).toMatch(/row 3: `count` must be an integer/);
  });

  it("stops at once while a sink holds it back (a full disk, an absent broker)", async () => {
    const file = join(dir, "held.csv");
    writeFileSync(file, "sensor_id,ts,val\n" + "s-1,1,2\n".repeat(100));
    const { programs } = compile([{ path: "held.flow", text: `csv "${file}" -> print` }]);
    let received = 0;
    // A sink that never catches up: it blocks backpressure at its first event and keeps it blocked.
    const saturated: NodeImplementation = {
      key: componentKey("sink", "print"),
      sink: (_node, ctx) => ({
        next: () => {
          received++;
          ctx.pressure.block(saturated);
        },
        completed() {},
        error() {},
        close: async () => {},
      }),
    };
    const implementations = [...nodeImplementations.filter((one) => one.key !== saturated.key), saturated];
    const flow = await runProgram(programs, { implementations, stderr: () => {} });
    while (received === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await flow.stop();
    expect(received).toBe(1);
  });

  it("fails the stream when the header lacks a column", async () => {
    const { outcome } = await replay('csv "IN"', "sensor_id,value\nlux-1,1\n");
    expect(outcome).toMatch(/cannot be read as SensorEvent: its header \(sensor_id,value\) has no column for `ts`/);
  });
});
