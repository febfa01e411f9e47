import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BoolType, IntType, NumberType, SensorEvent, StringType, type RecordType } from "../../compiler/types.js";
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { nodeImplementations } from "../node.js";
import { testRegistry } from "../testing.js";
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

  it("reads formula-safe text back as it was written, or raw with `formulas raw`", async () => {
    const schema = "schema Note { who: string, text: string }\n";
    const content = `who,text\n"'=cmd",'-5\n'plain,x\n`;
    expect((await replay(`${schema}csv "IN" as Note`, content)).events).toEqual([
      { who: "=cmd", text: "-5" },
      { who: "'plain", text: "x" },
    ]);
    expect((await replay(`${schema}csv "IN" as Note formulas raw`, content)).events).toEqual([
      { who: "'=cmd", text: "'-5" },
      { who: "'plain", text: "x" },
    ]);
  });

  it("replays 100 minutes into 100 one-minute averages per sensor with `on ts`, however fast", async () => {
    const start = 1_700_000_040; // a whole minute
    const rows = Array.from({ length: 100 * 6 }, (_, i) =>
      ["lux-1", "lux-2"].map((id, k) => `${start + i * 10},x,${id},${k * 1000 + (i % 6)}`).join("\n"),
    );
    const content = `timestamp,datetime,sensor_id,value\n${rows.join("\n")}\n`;
    const { events } = await replay('csv "IN" -> avg over 1min on ts', content);
    expect(events).toHaveLength(200);
    expect(events.slice(0, 2)).toEqual([
      { sensor_id: "lux-1", ts: start + 50, val: 2.5 },
      { sensor_id: "lux-2", ts: start + 50, val: 1002.5 },
    ]);
  });

  it("fails the stream when the header lacks a column", async () => {
    const { outcome } = await replay('csv "IN"', "sensor_id,value\nlux-1,1\n");
    expect(outcome).toMatch(/cannot be read as SensorEvent: its header \(sensor_id,value\) has no column for `ts`/);
  });
});

describe("one CSV file, one shape", () => {
  const dir = mkdtempSync(join(tmpdir(), "flowc-csv-shape-"));
  const alert = "schema Alert { d: string, level: string }\n";

  it("refuses two pipelines writing one file in different shapes, naming both (E411)", () => {
    const text = `${alert}feed -> csv "same.csv"\nfeed as Alert -> csv "./same.csv"\n`;
    const { diagnostics } = compile([{ path: "two.flow", text }], { registry: testRegistry });
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        "E411",
        "`csv same.csv` is written with columns `d,level` here but `timestamp,datetime,sensor_id,value` by another pipeline",
      ],
    ]);
    const [conflict] = diagnostics;
    expect(text.slice(conflict!.span.start, conflict!.span.end)).toBe('csv "./same.csv"');
    expect(conflict!.hint).toMatch(/file of its own/);
    const first = conflict!.related![0]!;
    expect(text.slice(first.span.start, first.span.end)).toBe('csv "same.csv"');
  });

  it("lets pipelines of one shape share a file, and different shapes write different files", () => {
    const text = `${alert}feed -> csv "a.csv"\nfeed "b" -> csv "a.csv"\nfeed as Alert -> csv "a.csv" rotate daily\n`;
    const { diagnostics } = compile([{ path: "ok.flow", text }], { registry: testRegistry });
    expect(diagnostics).toEqual([]);
  });

  it("refuses files compiled together that write one file in different shapes, resolving each path from its file's folder", () => {
    const first = 'feed -> csv "logs/same.csv"\n';
    const second = `${alert}feed as Alert -> csv "../logs/same.csv"\n`;
    const { diagnostics, programs } = compile(
      [
        { path: "flows/one.flow", text: first },
        { path: "flows/sub/two.flow", text: second },
      ],
      { registry: testRegistry },
    );
    expect(diagnostics.map((d) => [d.code, d.span.file, d.message])).toEqual([
      [
        "E411",
        "flows/sub/two.flow",
        "`csv ../logs/same.csv` is written with columns `d,level` here but `timestamp,datetime,sensor_id,value` in flows/one.flow",
      ],
    ]);
    const [conflict] = diagnostics;
    expect(second.slice(conflict!.span.start, conflict!.span.end)).toBe('csv "../logs/same.csv"');
    expect(conflict!.related![0]!.span.file).toBe("flows/one.flow");
    expect(first.slice(conflict!.related![0]!.span.start, conflict!.related![0]!.span.end)).toBe('csv "logs/same.csv"');
    // The file with the conflict is not run; the other one is.
    expect(programs.map((program) => program.file)).toEqual(["flows/one.flow"]);
  });

  it("lets files in different folders write files of one name, and files compiled together share a file in one shape", () => {
    const writes = (path: string, text: string) => ({ path, text });
    const apart = compile(
      [writes("a/x.flow", 'feed -> csv "out.csv"\n'), writes("b/x.flow", `${alert}feed as Alert -> csv "out.csv"\n`)],
      {
        registry: testRegistry,
      },
    );
    expect(apart.diagnostics).toEqual([]);
    const shared = compile(
      [writes("a/x.flow", 'feed -> csv "out.csv"\n'), writes("a/y.flow", 'feed "b" -> csv "./out.csv"\n')],
      {
        registry: testRegistry,
      },
    );
    expect(shared.diagnostics).toEqual([]);
    expect(shared.programs).toHaveLength(2);
  });

  const run = async (text: string) => {
    const { programs, diagnostics } = compile([{ path: "w.flow", text }]);
    if (programs.length === 0) throw new Error(diagnostics.map((d) => d.message).join("\n"));
    const lines: string[] = [];
    const failure = await runProgram(programs, { stderr: (line) => lines.push(line) }).then(
      (flow) => flow.done.then(() => undefined),
      (error: Error) => error.message,
    );
    return { failure, lines };
  };
  const alertFlow = (file: string, options = "") =>
    `${alert}csv "${join(dir, "alerts.csv")}" as Alert -> csv "${file}"${options}\n`;

  it("refuses at start to append to a file whose header is another shape's", async () => {
    writeFileSync(join(dir, "alerts.csv"), "d,level\nhi,=1+2\n");
    const tutorial = join(dir, "tutorial.csv");
    const before = "timestamp,datetime,sensor_id,value\n611,1970-01-01T00:10:11,lux-1,284.1\n";
    writeFileSync(tutorial, before);
    const { failure } = await run(alertFlow(tutorial));
    expect(failure).toBe(
      `cannot append to ${tutorial}: its header is \`timestamp,datetime,sensor_id,value\`, but this flow writes \`d,level\`; move the file away, or let the flow rename it aside (csv's \`header_mismatch rotate\`)`,
    );
    expect(readFileSync(tutorial, "utf8")).toBe(before);
  });

  it("renames the file aside and starts a new one with `header_mismatch rotate`", async () => {
    const sub = mkdtempSync(join(dir, "rotate-"));
    const out = join(sub, "out.csv");
    writeFileSync(out, "a,b\n1,2\n");
    const { failure, lines } = await run(alertFlow(out, " header_mismatch rotate"));
    expect(failure).toBeUndefined();
    expect(readFileSync(out, "utf8")).toBe('d,level\nhi,"\'=1+2"\n');
    const aside = readdirSync(sub).filter((name) => name !== "out.csv");
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatch(/^out\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.csv$/);
    expect(readFileSync(join(sub, aside[0]!), "utf8")).toBe("a,b\n1,2\n");
    expect(lines.join("")).toContain(`moved it to ${join(sub, aside[0]!)}`);
  });

  it("appends to a file with the same header", async () => {
    const out = join(dir, "same-header.csv");
    writeFileSync(out, "\uFEFFd,level\r\nold,x\r\n");
    expect((await run(alertFlow(out))).failure).toBeUndefined();
    expect(readFileSync(out, "utf8")).toBe('\uFEFFd,level\r\nold,x\r\nhi,"\'=1+2"\n');
  });
});

describe("formula-safe text (OWASP CSV injection)", () => {
  it("writes text starting with = + - @ tab or CR with a ' in front, quoted; numbers as they are", () => {
    const format = csvFormat(reading);
    expect(
      ["=SUM(A1)", "+1", "-x", "@cmd", "\tx", "\rx", "a=b"].map((station) =>
        format.row({ station, count: -3, ok: true, level: -1.5 }),
      ),
    ).toEqual([
      `"'=SUM(A1)",-3,true,-1.5`,
      `"'+1",-3,true,-1.5`,
      `"'-x",-3,true,-1.5`,
      `"'@cmd",-3,true,-1.5`,
      `"'\tx",-3,true,-1.5`,
      `"'\rx",-3,true,-1.5`,
      `a=b,-3,true,-1.5`,
    ]);
    expect(csvFormat(SensorEvent).row({ sensor_id: '=HYPERLINK("x")', ts: 1, val: 2 })).toBe(
      `1,1970-01-01T00:00:01,"'=HYPERLINK(""x"")",2`,
    );
    expect(csvFormat(StringType).row("@x")).toBe(`"'@x"`);
  });

  it("writes text raw with `formulas raw`", () => {
    expect(csvFormat(reading, "raw").row({ station: "=1", count: 1, ok: false, level: 0 })).toBe("=1,1,false,0");
  });
});
