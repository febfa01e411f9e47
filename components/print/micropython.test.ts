// `print` on the board writes what `print` on the host writes for the same events: named records
// as Python would (non-ASCII as characters, not `\xe9`), other records as compact JSON.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEsp8266Bundle, compile } from "../../test/support/catalogue.js";
import { MicroPythonDevice } from "../../targets/esp8266/simulator/board.js";
import { loadBundleIntoDevice } from "../../targets/esp8266/testing.js";
import { printFormat } from "./node.js";

let device: MicroPythonDevice;
beforeAll(async () => {
  device = await MicroPythonDevice.create({ wifi: {} });
});
afterAll(() => device.close());

/** What one sample of the flow prints on the board, and how the host prints `print`'s input. */
async function printed(text: string) {
  const { programs, diagnostics } = compile([{ path: "p.flow", text }], { target: "esp8266" });
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  await loadBundleIntoDevice(buildEsp8266Bundle(programs[0]!, { env: {} }).files, device);
  device.takeOutput();
  await device.setup();
  await device.step();
  const input = programs[0]!.nodes.find((node) => node.name === "print")!.input;
  return { board: device.takeOutput()[0]!, host: printFormat(input) };
}

describe("print on the board", () => {
  it("prints a named record's non-ASCII id as characters, as the host does", async () => {
    const { board, host } = await printed('sim "température" every 1s shape constant value 2 -> print\n');
    const ts = Number(/ts=(\d+)/.exec(board)![1]);
    expect(board).toBe(host({ sensor_id: "température", ts, val: 2 }));
    expect(board).toBe(`SensorEvent(sensor_id='température', ts=${ts}, val=2)`);
  });

  it("prints quotes and control characters in a named record as Python's repr does", async () => {
    const { board } = await printed('sim "it\'s\\té" every 1s shape constant value 1 -> print\n');
    expect(board).toMatch(/^SensorEvent\(sensor_id="it's\\té", ts=\d+, val=1\)$/);
  });

  it("escapes backslashes, both quotes and control characters beside non-ASCII text as the host does", async () => {
    const { board, host } = await printed('sim "a\\\\b\'\\"é\\n\\0" every 1s shape constant value 1 -> print\n');
    const ts = Number(/ts=(\d+)/.exec(board)![1]);
    expect(board).toBe(host({ sensor_id: "a\\b'\"é\n\0", ts, val: 1 }));
    expect(board).toBe(`SensorEvent(sensor_id='a\\\\b\\'"é\\n\\x00', ts=${ts}, val=1)`);
  });

  it("prints an anonymous record as the host's compact JSON, not Record(...)", async () => {
    const flow = 'sim "é" every 1s shape constant value 2 -> map { id: sensor_id, n: val, ok: true } -> print\n';
    const { board, host } = await printed(flow);
    expect(board).toBe('{"id":"é","n":2,"ok":true}');
    expect(board).toBe(host({ id: "é", n: 2, ok: true }));
  });

  it("prints a bool as JSON and text as is", async () => {
    const bool = await printed("sim every 1s shape constant value 2 -> map val > 1 -> print\n");
    expect(bool.board).toBe(bool.host(true));
    expect((await printed('sim "a" every 1s -> map sensor_id -> print\n')).board).toBe("a");
  });
});
