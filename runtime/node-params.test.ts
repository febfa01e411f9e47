import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { IRNode } from "../compiler/ir.js";
import { SensorEvent } from "../compiler/types.js";
import { ConfigResolver } from "./config.js";
import { NodeParams, resolveFlowPath } from "./node-params.js";

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

describe("paths in a flow", () => {
  it("resolve from the flow file's folder, shown relative to the working directory when below it", () => {
    const params = new NodeParams(node, new ConfigResolver({ env: {} }), "flows/greenhouse");
    expect(params.path("file")).toBe(join("flows", "greenhouse", "test.csv"));
    expect(new NodeParams(node, new ConfigResolver({ env: {} })).path("file")).toBe("test.csv");
    expect(resolveFlowPath("/etc/flowc", "test.csv")).toBe("/etc/flowc/test.csv");
    expect(resolveFlowPath("flows", "/var/log/lux.csv")).toBe("/var/log/lux.csv");
    expect(resolveFlowPath("flows", "../up.csv")).toBe("up.csv");
    expect(resolveFlowPath(".", "../outside.csv")).toBe(join(process.cwd(), "..", "outside.csv"));
  });
});
