import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { topicMatches } from "./topic-filter.js";
import { topicCases } from "../test/support/topic-cases.js";
import { compile } from "../test/support/catalogue.js";

describe("topicMatches", () => {
  it.each(topicCases)("%s matches %s: %s", (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe("cross-file topic checks", () => {
  const read = (path: string) => ({ path, text: readFileSync(path, "utf8") });

  it("finds the tutorial's client and server consistent", () => {
    const result = compile([read("examples/tutorial/client.flow"), read("examples/tutorial/server.flow")]);
    expect(result.diagnostics).toEqual([]);
  });

  it("errors when a subscriber decodes a schema the publisher does not send", () => {
    const result = compile([
      { path: "client.flow", text: 'adxl345 "a" every 1s -> mqtt "sensors/accel"' },
      { path: "server.flow", text: 'mqtt "sensors/+" -> json as SensorEvent -> print' },
    ]);
    expect(result.diagnostics.map((d) => [d.code, d.message, d.related?.[0]?.span.file])).toEqual([
      [
        "E601",
        'this decodes "sensors/+" as SensorEvent, but client.flow publishes AccelEvent there: `val` is read here but never sent',
        "client.flow",
      ],
    ]);
  });

  it("warns when nobody publishes a subscribed topic, suggesting a near miss", () => {
    const result = compile([
      { path: "client.flow", text: 'sim every 1s -> mqtt "sensor-data"' },
      { path: "server.flow", text: 'mqtt "sensor_data" -> print' },
    ]);
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.hint])).toEqual([
      ["W604", "warning", 'did you mean "sensor_data"? topics are case- and punctuation-sensitive'],
      ["W602", "warning", 'did you mean "sensor-data"? topics are case- and punctuation-sensitive'],
    ]);
  });

  it("errors when an aggregate has widened a schema's int field: its events are no longer that schema's", () => {
    const reading = "schema Reading { sensor_id: string, ts: number, val: int }\n";
    const server = `${reading}mqtt "averages" -> json as Reading -> print\n`;
    const result = compile([
      {
        path: "node.flow",
        text: `${reading}mqtt "raw" -> json as Reading -> avg over 3 -> mqtt "averages"\nsim every 1s -> mqtt "raw"`,
      },
      { path: "server.flow", text: server },
    ]);
    expect(result.diagnostics.map((d) => [d.code, d.message, d.span.file, d.span.start])).toEqual([
      [
        "E601",
        'this decodes "averages" as Reading, but node.flow publishes { sensor_id: string, ts: number, val: number } there: `val` is number in what is sent, int here',
        "server.flow",
        server.indexOf('mqtt "averages"'),
      ],
    ]);
  });

  it("accepts records of the same shape under another schema name", () => {
    const result = compile([
      { path: "a.flow", text: 'sim every 1s -> mqtt "x"' },
      {
        path: "b.flow",
        text: 'schema Reading { sensor_id: string, ts: number, val: number }\nmqtt "x" -> json as Reading -> print',
      },
    ]);
    expect(result.diagnostics).toEqual([]);
  });

  it("checks the pull example's request and response topics both ways", () => {
    const result = compile([read("examples/pull/device.flow"), read("examples/pull/server.flow")]);
    expect(result.diagnostics).toEqual([]);
  });
});
