import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { AccelEvent, AnyType, NumberType, SensorEvent, StringType, type RecordType } from "../../compiler/types.js";
import { ManualClock } from "../../runtime/manual-clock.js";
import { printFormat, pythonRepr } from "./node.js";
import { compile, runProgram } from "../../test/support/catalogue.js";

describe("printFormat", () => {
  it("prints SensorEvents as the tutorial's server does", () => {
    expect(printFormat(SensorEvent)({ sensor_id: "lux-1", ts: 1484535480.613611, val: 371.6063 })).toBe(
      "SensorEvent(sensor_id='lux-1', ts=1484535480.613611, val=371.6063)",
    );
    expect(printFormat(AccelEvent)({ sensor_id: "a", ts: 1, x: 0, y: -0.5, z: 9.80665 })).toBe(
      "AccelEvent(sensor_id='a', ts=1, x=0, y=-0.5, z=9.80665)",
    );
  });

  it("nests named records and shows decoded JSON as Python would", () => {
    const located: RecordType = {
      kind: "record",
      name: "Located",
      fields: [
        { name: "event", type: SensorEvent },
        { name: "extra", type: AnyType },
      ],
    };
    expect(
      printFormat(located)({ event: { sensor_id: "x", ts: 1, val: 2 }, extra: { ok: true, list: [null, "it's"] } }),
    ).toBe(`Located(event=SensorEvent(sensor_id='x', ts=1, val=2), extra={'ok': True, 'list': [None, "it's"]})`);
  });

  it("prints text as is and everything else as JSON", () => {
    expect(printFormat(StringType)('["lux-1", 611, 284.1312]')).toBe('["lux-1", 611, 284.1312]');
    expect(printFormat(NumberType)(2.5)).toBe("2.5");
    const anonymous: RecordType = { kind: "record", fields: [{ name: "a", type: NumberType }] };
    expect(printFormat(anonymous)({ a: 1 })).toBe('{"a":1}');
    expect(printFormat(AnyType)(undefined)).toBe("null");
  });

  it("pythonRepr covers every JSON value", () => {
    expect([pythonRepr(1e-7), pythonRepr(false), pythonRepr(null), pythonRepr(undefined)]).toEqual([
      "1e-07",
      "False",
      "None",
      "None",
    ]);
  });
});

describe("print sink", () => {
  it("prefixes the label, and waits for a full stdout to drain before the flow is done", async () => {
    const { programs } = compile([{ path: "p.flow", text: 'interval 1s -> print "n"' }]);
    const written: string[] = [];
    let drain: (() => void) | undefined;
    const stdout = {
      write: (text: string) => {
        written.push(text);
        return false; // always "full"
      },
      once: (event: "drain" | "close", listener: () => void) => {
        if (event === "drain") drain = listener;
      },
    };
    const clock = new ManualClock(0);
    const flow = await runProgram(programs, { stdout, clock, stderr: () => {} });
    clock.advance(1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual(["n: 0\nn: 1\n"]);
    let stopped = false;
    const stopping = flow.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    drain?.();
    await stopping;
    expect(stopped).toBe(true);
  });

  it("stops waiting for an output that closes while full, as a pipe whose reader went away, and drops what follows", async () => {
    const { programs } = compile([{ path: "p.flow", text: "interval 1s -> print" }]);
    const output = new EventEmitter();
    let writes = 0;
    const stdout = Object.assign(output, {
      destroyed: false,
      write: () => {
        writes++;
        return false;
      },
    });
    const clock = new ManualClock(0);
    const flow = await runProgram(programs, { stdout, clock, stderr: () => {} });
    clock.advance(1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toBe(1);
    stdout.destroyed = true;
    output.emit("close");
    clock.advance(5000);
    await new Promise((resolve) => setImmediate(resolve));
    await flow.stop();
    expect(writes).toBe(1);
  });
});
