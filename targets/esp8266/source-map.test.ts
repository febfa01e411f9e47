import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { buildSourceMap, locateBoardLine, renderMappedSpan } from "./source-map.js";

const flow = `device esp8266 {
  wifi "lab", "secret"
  broker "10.0.0.2" port 1883
}
tsl2591 "lux-1" every 5s
  -> filter val > 100
  -> [print, mqtt "sensor-data"]
`;

function mapOf(text: string) {
  const result = compile([{ path: "node.flow", text }], { target: "esp8266" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return buildSourceMap(result.programs[0]!, result.sources);
}

describe("the bundle's source map", () => {
  const map = mapOf(flow);

  it("has a span for every node function and for the device settings that report faults", () => {
    expect(map.nodes.n0).toEqual(["node.flow", 5, 1, 24, 'tsl2591 "lux-1" every 5s']);
    expect(map.nodes.n1?.slice(0, 3)).toEqual(["node.flow", 6, 6]);
    expect(map.nodes.wifi?.slice(0, 2)).toEqual(["node.flow", 2]);
    expect(map.nodes.mqtt?.slice(0, 2)).toEqual(["node.flow", 3]);
    expect(map.faults['tsl2591 "lux-1" every 5s']).toBe("n0");
    expect(map.faults.wifi).toBe("wifi");
  });

  it("finds the source of a fault report, and of its recovery", () => {
    expect(locateBoardLine('flowc: tsl2591 "lux-1" every 5s failed: [Errno 19] ENODEV', map)?.[1]).toBe(5);
    expect(locateBoardLine('flowc: tsl2591 "lux-1" every 5s ok again', map)?.[1]).toBe(5);
    expect(locateBoardLine("flowc: wifi failed: wrong password", map)?.[1]).toBe(2);
  });

  it("finds the source of a traceback frame in a node's function, timers included", () => {
    expect(locateBoardLine('  File "main.py", line 42, in n1', map)?.[1]).toBe(6);
    expect(locateBoardLine('  File "main.py", line 50, in n0_timer', map)?.[1]).toBe(5);
  });

  it("leaves other lines alone", () => {
    expect(locateBoardLine("SensorEvent(sensor_id='lux-1', ts=1, val=284.1)", map)).toBeUndefined();
    expect(locateBoardLine('  File "main.py", line 9, in setup', map)).toBeUndefined();
    expect(locateBoardLine("flowc: mcp9808 failed: [Errno 19] ENODEV", map)).toBeUndefined();
    expect(locateBoardLine("", map)).toBeUndefined();
  });

  it("maps a label two nodes share to the first of them", () => {
    const twin = mapOf(`tsl2591 "a" every 5s -> print\ntsl2591 "a" every 5s -> filter val > 1 -> print\n`);
    expect(Object.keys(twin.faults)).toContain('tsl2591 "a" every 5s');
    expect(locateBoardLine('flowc: tsl2591 "a" every 5s failed: x', twin)?.[1]).toBe(1);
  });

  it("renders the line under a caret like a compile diagnostic", () => {
    expect(renderMappedSpan(map.nodes.n0!)).toBe(
      ["  --> node.flow:5:1", '  5 | tsl2591 "lux-1" every 5s', "    | ^^^^^^^^^^^^^^^^^^^^^^^^"].join("\n"),
    );
  });
});
