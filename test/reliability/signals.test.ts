// SIGTERM and SIGINT in the middle of a stream: `flowc run` stops its sources, writes out what it
// holds, exits 0, and leaves files of whole lines. With a persistent session the messages it did
// not take stay at the broker, so a restarted server writes them: across the two runs, every
// message is exactly one row.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../runtime/log.js";
import { MqttConnection } from "../../runtime/mqtt.js";
import { Backpressure } from "../../runtime/pressure.js";
import { mosquittoAvailable, mosquittoMissing, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { fileLines, killStartedProcesses, startFlowc, temporaryFolder, until } from "./support.js";

const messages = 20_000;
const firstTs = 1_700_000_000;
const csvRow = /^\d+,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,s-1,\d+$/;

describe.skipIf(!mosquittoAvailable)("stopping flowc run with a signal mid-stream", () => {
  let folder: ReturnType<typeof temporaryFolder>;
  let broker: Mosquitto;

  beforeAll(async () => {
    folder = temporaryFolder();
    // No queue limit: the backlog of a stopped server must be kept whole for its restart.
    broker = await startMosquitto({ extraConfig: ["max_queued_messages 0"] });
  });
  afterAll(async () => {
    await broker?.dispose();
    folder?.dispose();
  });
  afterEach(killStartedProcesses);

  const connection = (options: { clientId?: string; clean?: boolean } = {}) =>
    new MqttConnection(
      { host: "127.0.0.1", port: broker.port, tls: false, keepaliveSeconds: 60, clean: true, ...options },
      { log: createLogger({ level: "silent" }), pressure: new Backpressure(), onFatal: () => {} },
    );

  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s: exits 0 with whole lines in every file, and a restart writes the rest: no row lost or doubled",
    async (signal) => {
      const clientId = `signals-server-${signal}`;
      const csv = join(folder.path, `${signal}.csv`);
      const jsonl = join(folder.path, `${signal}.jsonl`);
      const topic = `signals/${signal}`;
      writeFileSync(
        join(folder.path, `${signal}.flow`),
        `broker "127.0.0.1" port ${broker.port} client_id "${clientId}" clean false\n` +
          `mqtt "${topic}" qos 1 -> json as SensorEvent -> [csv "${csv}", jsonl "${jsonl}"]\n`,
      );
      // The server's persistent session exists before anything is published, so the broker keeps
      // every message for it from the first on.
      const session = connection({ clientId, clean: false });
      await session.subscribe(topic, 1, () => {}).ready;
      await session.close();

      const first = startFlowc(["run", `${signal}.flow`], { cwd: folder.path });
      const publisher = connection();
      await publisher.connected;
      const publish = (from: number, to: number) => {
        for (let i = from; i < to; i++) publisher.publish(topic, JSON.stringify(["s-1", firstTs + i, i]), 1, false);
      };
      // Half while the server runs, a quarter while it stops, a quarter while it is down.
      publish(0, messages / 2);
      await until(() => fileLines(csv).length > messages / 20, "the first rows");
      first.child.kill(signal);
      publish(messages / 2, (messages * 3) / 4);
      const stopped = await first.finished;
      publish((messages * 3) / 4, messages);
      expect(stopped.stderr).toContain(`${signal}: stopping`);
      expect(stopped.code).toBe(0);
      expect(fileLines(csv).length - 1).toBeLessThan(messages);
      expectWholeLines(csv, jsonl);

      const second = startFlowc(["run", `${signal}.flow`], { cwd: folder.path });
      await publisher.flush();
      await publisher.close();
      await until(() => fileLines(csv).length - 1 >= messages, "every row after the restart", 60_000);
      second.child.kill(signal);
      expect((await second.finished).code).toBe(0);

      expectWholeLines(csv, jsonl);
      const [header, ...rows] = fileLines(csv);
      expect(header).toBe("timestamp,datetime,sensor_id,value");
      const values = rows.map((row) => Number(row.split(",")[3]));
      expect(values).toHaveLength(messages);
      expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: messages }, (_, i) => i));
      expect(fileLines(jsonl)).toHaveLength(messages);
    },
    90_000,
  );
});

/** Each file ends with a newline and every line of it is a whole row. */
function expectWholeLines(csv: string, jsonl: string): void {
  const [header, ...rows] = fileLines(csv);
  expect(header).toBe("timestamp,datetime,sensor_id,value");
  for (const row of rows) expect(row).toMatch(csvRow);
  for (const line of fileLines(jsonl)) {
    expect(JSON.parse(line)).toEqual({ sensor_id: "s-1", ts: expect.any(Number), val: expect.any(Number) });
  }
}

if (!mosquittoAvailable) console.warn(mosquittoMissing);
