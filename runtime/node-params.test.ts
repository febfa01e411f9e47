import { describe, expect, it } from "vitest";
import type { IRNode } from "../compiler/ir.js";
import { SensorEvent } from "../compiler/types.js";
import { ConfigResolver } from "./config.js";
import { NodeParams } from "./node-params.js";

const node: IRNode = {
  id: "n2",
  kind: "sink",
  name: "csv",
  label: 'csv "test.csv"',
  params: {
    file: { kind: "string", value: "test.csv" },
    topic: { kind: "env", name: "TOPIC", fallback: "sensor-data" },
    every: { kind: "duration", ms: 5000 },
    as: { kind: "schema", type: SensorEvent },
    rotate: { kind: "enum", value: "daily" },
    header: { kind: "bool", value: true },
  },
  next: [],
  previous: ["n1"],
  span: { file: "f.flow", start: 0, end: 0 },
};

describe("NodeParams", () => {
  const params = new NodeParams(node, new ConfigResolver({ env: { TOPIC: "lux" } }));

  it("reads values by kind, resolving env and secret", () => {
    expect(params.string("file")).toBe("test.csv");
    expect(params.string("topic")).toBe("lux");
    expect(params.durationMs("every")).toBe(5000);
    expect(params.schema("as")).toBe(SensorEvent);
    expect(params.enumValue("rotate")).toBe("daily");
    expect(params.bool("header")).toBe(true);
    expect(params.optionalNumber("qos")).toBeUndefined();
  });

  it("names the node and parameter when an implementation and a declaration disagree", () => {
    expect(() => params.number("qos")).toThrow('n2 csv "test.csv" has no `qos` parameter');
    expect(() => params.number("file")).toThrow(
      'n2 csv "test.csv": parameter `file` is a string, but the implementation expects a number',
    );
  });
});
