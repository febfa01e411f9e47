// The tutorial end to end, on flowc's own broker (aedes, run as `flowc broker`) and on mosquitto:
// the tutorial's own messages sent with mosquitto_pub, the simulated client.flow, and the ESP8266
// firmware flowc emits for client.flow (run in MicroPython by `flowc sim`), all reaching
// examples/tutorial/server.flow and becoming the tutorial's CSV rows.
import { spawnSync } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { ManualClock } from "../../runtime/manual-clock.js";
import { runProgram } from "../../runtime/run.js";
import {
  brokerKinds,
  csvRows,
  flowcBin,
  mosquittoPub,
  mosquittoPubAvailable,
  runFlowc,
  startBroker,
  stopProcesses,
  tutorial,
  waitForRows,
  type TestBroker,
} from "./support.js";

/** What the tutorial shows `mosquitto_sub -t sensor-data` receiving from the board. */
const tutorialMessages = [
  '["lux-1", 624, 284.1312]',
  '["lux-1", 626, 288.2113]',
  '["lux-1", 627, 77.0304]',
  '["lux-1", 629, 35.90401]',
];

describe.each(brokerKinds)("the tutorial on $kind", ({ kind, available }) => {
  let broker: TestBroker;
  let folder: string;
  beforeAll(async () => {
    if (available) broker = await startBroker(kind);
  });
  afterAll(() => broker?.dispose());
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "flowc-e2e-"));
    // Paths in a flow are relative to its file: the server's test.csv goes next to this copy.
    await copyFile(join(tutorial, "server.flow"), join(folder, "server.flow"));
  });
  afterEach(async () => {
    await stopProcesses();
    await rm(folder, { recursive: true, force: true });
  });

  it.skipIf(!available || !mosquittoPubAvailable)(
    "turns the tutorial's mosquitto_pub messages into exactly those CSV rows, stamped with host time",
    async () => {
      const server = await readFile(join(tutorial, "server.flow"), "utf8");
      const { programs, diagnostics } = compile([{ path: join(folder, "server.flow"), text: server }]);
      expect(diagnostics).toEqual([]);
      // The host clock the server stamps rows with: 2017-01-16 02:58:00.613 UTC, then 5 s per message.
      const clock = new ManualClock(1484535480613);
      let printed = "";
      const previousDirectory = process.cwd();
      process.chdir(folder);
      try {
        const flow = await runProgram(programs, {
          broker: broker.url,
          clock,
          stdout: { write: (text) => ((printed += text), true), once: () => undefined },
          stderr: () => {},
        });
        await flow.ready;
        for (const [index, message] of tutorialMessages.entries()) {
          mosquittoPub(broker.port, "sensor-data", [message]);
          await waitForRows(join(folder, "test.csv"), index + 1);
          clock.jump(5000);
        }
        await flow.stop();
        await flow.done;
      } finally {
        process.chdir(previousDirectory);
      }
      expect(await readFile(join(folder, "test.csv"), "utf8")).toBe(
        "timestamp,datetime,sensor_id,value\n" +
          "1484535480.613,2017-01-16T02:58:00.613000,lux-1,284.1312\n" +
          "1484535485.613,2017-01-16T02:58:05.613000,lux-1,288.2113\n" +
          "1484535490.613,2017-01-16T02:58:10.613000,lux-1,77.0304\n" +
          "1484535495.613,2017-01-16T02:58:15.613000,lux-1,35.90401\n",
      );
      expect(printed).toBe(
        "SensorEvent(sensor_id='lux-1', ts=1484535480.613, val=284.1312)\n" +
          "SensorEvent(sensor_id='lux-1', ts=1484535485.613, val=288.2113)\n" +
          "SensorEvent(sensor_id='lux-1', ts=1484535490.613, val=77.0304)\n" +
          "SensorEvent(sensor_id='lux-1', ts=1484535495.613, val=35.90401)\n",
      );
    },
  );

  it.skipIf(!available || !mosquittoPubAvailable)(
    "runs `flowc run server.flow`: one row per message, host time in increasing order, bad input skipped",
    async () => {
      const server = runFlowc(["run", "server.flow", "--broker", broker.url], { cwd: folder });
      await server.live();
      const before = Date.now() / 1000;
      // The tutorial's first test message is not a sensor event: counted and skipped.
      mosquittoPub(broker.port, "sensor-data", ["hi, there", ...tutorialMessages]);
      const rows = await waitForRows(join(folder, "test.csv"), tutorialMessages.length);
      server.child.kill("SIGINT");
      expect(await server.finished).toEqual({ code: 0, signal: null });
      const after = Date.now() / 1000;

      expect(rows.map(([, , id, value]) => [id, value])).toEqual(
        tutorialMessages.map((message) => {
          const [id, , value] = JSON.parse(message) as [string, number, number];
          return [id, String(value)];
        }),
      );
      let previous = 0;
      for (const [unix, human] of rows) {
        const seconds = Number(unix);
        expect(seconds).toBeGreaterThanOrEqual(previous);
        expect(seconds).toBeGreaterThanOrEqual(Math.floor(before));
        expect(seconds).toBeLessThanOrEqual(after);
        expect(human).toBe(new Date(seconds * 1000).toISOString().slice(0, 23) + "000");
        previous = seconds;
      }
      expect(server.stdout().trimEnd().split("\n")).toHaveLength(tutorialMessages.length);
      expect(server.stdout()).toMatch(/^SensorEvent\(sensor_id='lux-1', ts=\d+(\.\d+)?, val=284\.1312\)$/m);
      expect(server.stderr()).toMatch(/dropped a malformed payload .*"hi, there"/);
    },
  );

  it.skipIf(!available)(
    "carries client.flow's simulated readings through the broker into server.flow's CSV",
    async () => {
      const server = runFlowc(["run", "server.flow", "--broker", broker.url], { cwd: folder });
      await server.live();
      const client = runFlowc(
        [
          "run",
          join(tutorial, "client.flow"),
          "--broker",
          broker.url,
          "--seed",
          "7",
          "--secrets",
          join(tutorial, "secrets.example.json"),
        ],
        { cwd: folder },
      );
      // client.flow samples every 5 s, the first at once: two rows take one period.
      await waitForRows(join(folder, "test.csv"), 2);
      client.child.kill("SIGTERM");
      expect(await client.finished).toEqual({ code: 0, signal: null });
      const sent = [...client.stdout().matchAll(/^SensorEvent\(sensor_id='(lux-1)', ts=[\d.]+, val=([\d.]+)\)$/gm)];
      // Every reading the client printed (and so published) before it stopped becomes a row, in order.
      await waitForRows(join(folder, "test.csv"), sent.length);
      server.child.kill("SIGTERM");
      expect(await server.finished).toEqual({ code: 0, signal: null });
      const written = (await csvRows(join(folder, "test.csv"))).map(([, , id, value]) => [id, value]);
      expect(written).toEqual(sent.map(([, id, value]) => [id, value]));
    },
    30_000,
  );

  it.skipIf(!available || kind !== "mosquitto")(
    "carries the emitted ESP8266 firmware's samples, run in MicroPython, into the server's CSV",
    async () => {
      const server = runFlowc(["run", "server.flow", "--broker", broker.url], { cwd: folder });
      await server.live();
      const sim = spawnSync(
        process.execPath,
        [
          flowcBin,
          "sim",
          join(tutorial, "client.flow"),
          "--broker",
          broker.url,
          "--samples",
          "4",
          "--fast",
          "--secrets",
          join(tutorial, "secrets.example.json"),
        ],
        { cwd: folder, encoding: "utf8", timeout: 60_000 },
      );
      expect(sim.stderr).toContain("on a simulated ESP8266");
      expect(sim.status).toBe(0);
      const printed = sim.stdout.split("\n").filter((line) => line.startsWith("SensorEvent("));
      expect(printed).toHaveLength(4);
      const rows = await waitForRows(join(folder, "test.csv"), 4);
      server.child.kill("SIGTERM");
      expect((await server.finished).code).toBe(0);
      // Each printed device value arrives, in order, under the device's sensor id.
      expect(rows.map((row) => row.slice(2).join(","))).toEqual(
        printed.map((line) => {
          const [, id, value] = /sensor_id='([^']+)', ts=\d+, val=([\d.]+)/.exec(line)!;
          return `${id},${Number(value)}`;
        }),
      );
    },
    60_000,
  );
});
