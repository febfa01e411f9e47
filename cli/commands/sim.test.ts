// `flowc sim` runs a device flow's bundle on a board as strict as the ESP8266: deep sleep resets
// it, its sensors sit where the flow says, and the flow gets the heap a board leaves it.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { simCommand, type SimCommandOptions } from "./sim.js";

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-sim-"));
});
afterEach(() => rm(folder, { recursive: true, force: true }));

async function sim(text: string, options: SimCommandOptions) {
  const file = join(folder, "node.flow");
  await writeFile(file, text);
  let stdout = "";
  let stderr = "";
  const code = await simCommand(
    file,
    { fast: true, ...options },
    {
      stdout: { write: (chunk: string) => ((stdout += chunk), true) },
      stderr: { write: (chunk: string) => ((stderr += chunk), true) },
    },
  );
  return { code, lines: stdout.split("\n").filter(Boolean), stderr };
}

describe("flowc sim", () => {
  it("resets the board at every deep sleep; scan's state comes back from RTC memory", async () => {
    const { code, lines, stderr } = await sim(
      'device esp8266 {\n  wifi "lab", "pw"\n  deep_sleep\n}\nsim "s" every 10s shape constant value 1 -> scan n = 0, n + 1 -> [print, mqtt "count"]\n',
      { samples: 3 },
    );
    expect(code).toBe(0);
    expect(lines.filter((line) => /^\d+$/.test(line))).toEqual(["1", "2", "3"]);
    // main.py ran again after each sleep: WiFi joined at the first boot and at every wake-up.
    expect(lines.filter((line) => line.startsWith("flowc: wifi connected"))).toHaveLength(4);
    expect(stderr.match(/deep sleep for \d+ ms: the board resets/g)).toHaveLength(3);
  });

  it("has each I2C sensor at the address the flow gives it, on the flow's pins", async () => {
    const { code, lines } = await sim(
      'device esp8266 {\n  i2c scl 14 sda 12\n}\nmcp9808 "t" every 1s address 0x19 -> print\nmcp9808 "u" every 1s -> print\n',
      { samples: 2 },
    );
    expect(code).toBe(0);
    expect(lines.filter((line) => line.includes("fail"))).toEqual([]);
    expect(lines.filter((line) => line.startsWith("SensorEvent(sensor_id='t'"))).toHaveLength(2);
    expect(lines.filter((line) => line.startsWith("SensorEvent(sensor_id='u'"))).toHaveLength(2);
  });

  it("runs the precompiled bundle a build ships, or .py with --py", async () => {
    const flow = 'sim "s" every 1s shape constant value 2 -> print\n';
    for (const py of [false, true]) {
      const { code, lines, stderr } = await sim(flow, { samples: 2, py });
      expect(code).toBe(0);
      expect(lines.filter((line) => line.startsWith("SensorEvent("))).toHaveLength(2);
      expect(stderr).toContain(py ? "bytes of Python" : "bytes of bytecode and Python");
    }
  });
});
