// The broker going away mid-stream loses nothing: mosquitto with persistence is restarted while a
// publisher sends QoS 1 messages and a server with a persistent session (fixed client id,
// `clean false`) writes them to CSV. Both reconnect with backoff, the server resubscribes, every
// message becomes exactly one row, and `dedupe` removes the copies QoS 1 may deliver twice.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../runtime/log.js";
import { MqttConnection } from "../../runtime/mqtt.js";
import { Backpressure } from "../../runtime/pressure.js";
import { mosquittoAvailable, mosquittoMissing, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { capturedOutput, compileFlows, fileLines, temporaryFolder, until } from "./support.js";
import { runProgram } from "../support/catalogue.js";

const messages = 3000;
const firstTs = 1_700_000_000;

/** The tutorial's payload for message i: a unique timestamp and value. */
const payload = (i: number) => JSON.stringify(["s-1", firstTs + i, i]);

describe.skipIf(!mosquittoAvailable)("a broker restart in the middle of a QoS 1 stream", () => {
  let folder: ReturnType<typeof temporaryFolder>;
  let broker: Mosquitto;

  beforeAll(async () => {
    folder = temporaryFolder();
    broker = await startMosquitto({ persistence: true });
  });
  afterAll(async () => {
    await broker?.dispose();
    folder?.dispose();
  });

  it("loses no row and writes none twice", async () => {
    const input = join(folder.path, "in.csv");
    const output = join(folder.path, "out.csv");
    writeFileSync(
      input,
      "sensor_id,ts,val\n" + Array.from({ length: messages }, (_, i) => `s-1,${firstTs + i},${i}\n`).join(""),
    );
    const brokerSetting = (clientId: string) =>
      `broker "127.0.0.1" port ${broker.port} client_id "${clientId}" clean false\n`;
    const server = capturedOutput();
    const serverFlow = await runProgram(
      compileFlows(
        brokerSetting("restart-server") +
          `mqtt "restart/data" qos 1 -> json as SensorEvent -> dedupe within 10000 -> csv "${output}"\n`,
      ),
      server.options,
    );
    await serverFlow.ready;

    // The publisher replays a file at a steady pace, so the restart falls in the middle.
    const publisher = capturedOutput();
    const publisherFlow = await runProgram(
      compileFlows(
        brokerSetting("restart-publisher") + `csv "${input}" as SensorEvent every 2ms -> mqtt "restart/data" qos 1\n`,
      ),
      publisher.options,
    );
    await until(() => fileLines(output).length > messages / 4, "a quarter of the rows");
    await broker.restart();
    const rowsAtRestart = fileLines(output).length - 1;

    // What QoS 1 allows after a lost acknowledgement: the first messages delivered once more.
    const retransmitter = new MqttConnection(
      { host: "127.0.0.1", port: broker.port, tls: false, keepaliveSeconds: 60, clean: true },
      { log: createLogger({ level: "silent" }), pressure: new Backpressure(), onFatal: () => {} },
    );
    const redelivered = 200;
    for (let i = 0; i < redelivered; i++) retransmitter.publish("restart/data", payload(i), 1, false);
    await retransmitter.flush();
    await retransmitter.close();

    await publisherFlow.done;
    await until(() => fileLines(output).length === messages + 1, "every row", 60_000);
    await serverFlow.stop();
    await serverFlow.done;

    expect(rowsAtRestart).toBeLessThan(messages);
    const [header, ...rows] = fileLines(output);
    expect(header).toBe("timestamp,datetime,sensor_id,value");
    expect(rows).toHaveLength(messages);
    const values = rows.map((row) => Number(row.split(",")[3]));
    expect(new Set(values).size).toBe(messages);
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: messages }, (_, i) => i));
    for (const row of rows) expect(row).toMatch(/^\d+,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,s-1,\d+$/);

    // The server saw the copies and dropped them at `dedupe`.
    const dedupe = serverFlow.stats.find((stage) => stage.label.startsWith("dedupe"))!;
    expect(dedupe.in - dedupe.out).toBeGreaterThanOrEqual(redelivered);
    expect(dedupe.out).toBe(messages);
    for (const log of [server.stderr.join(""), publisher.stderr.join("")]) {
      expect(log).toMatch(
        /lost the connection to the broker; reconnecting|cannot reach the broker \(.*\); retrying with backoff/,
      );
      expect(log).toMatch(/\] reconnected/);
    }
  }, 90_000);
});

if (!mosquittoAvailable) console.warn(mosquittoMissing);
