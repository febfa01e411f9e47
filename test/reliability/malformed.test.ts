// Malformed payloads at volume: of 100,000 messages one in ten is bad (not JSON, the wrong shape,
// or not UTF-8). Each is counted, the log stays a few lines long however many there are, every
// good message becomes a row, and the ones `json` rejects arrive, unchanged, on its errors topic.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../runtime/log.js";
import { MqttConnection } from "../../runtime/mqtt.js";
import { Backpressure } from "../../runtime/pressure.js";
import { runProgram } from "../../runtime/run.js";
import { mosquittoAvailable, mosquittoMissing, startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { capturedOutput, compileFlows, fileLines, temporaryFolder, until } from "./support.js";

const messages = 100_000;
/** How often the bad-input reporters may log a summary (runtime/bad-input.ts). */
const reportIntervalMs = 5000;

type Payload = { readonly kind: "good" | "not JSON" | "wrong shape" | "not UTF-8"; readonly bytes: string | Buffer };

/** Message i: every tenth is bad, the bad ones taking turns at each way of being bad. */
function payload(i: number): Payload {
  if (i % 10 !== 0) return { kind: "good", bytes: JSON.stringify(["s-1", 1_700_000_000 + i, i]) };
  switch ((i / 10) % 3) {
    case 0:
      return { kind: "not JSON", bytes: `{"sensor_id": "s-1", "ts": ${i}` };
    case 1:
      return { kind: "wrong shape", bytes: JSON.stringify(["s-1", i]) };
    default:
      return { kind: "not UTF-8", bytes: Buffer.from([0x5b, 0xff, 0xfe, 0x5d]) };
  }
}

describe.skipIf(!mosquittoAvailable)("malformed payloads at volume", () => {
  let folder: ReturnType<typeof temporaryFolder>;
  let broker: Mosquitto;

  beforeAll(async () => {
    folder = temporaryFolder();
    broker = await startMosquitto({ extraConfig: ["max_queued_messages 0"] });
  });
  afterAll(async () => {
    await broker?.dispose();
    folder?.dispose();
  });

  it("counts and reports them in a few lines, keeps every good row, and routes the rejected to the errors topic", async () => {
    const good = join(folder.path, "good.csv");
    const rejected = join(folder.path, "rejected.jsonl");
    const io = capturedOutput();
    const started = Date.now();
    const flow = await runProgram(
      compileFlows(
        `broker "127.0.0.1" port ${broker.port}\n` +
          `mqtt "volume/in" qos 1 -> json as SensorEvent errors "volume/rejected" -> csv "${good}"\n` +
          `mqtt "volume/rejected" qos 1 -> jsonl "${rejected}"\n`,
      ),
      io.options,
    );
    await flow.ready;

    const publisher = new MqttConnection(
      { host: "127.0.0.1", port: broker.port, tls: false, keepaliveSeconds: 60, clean: true },
      { log: createLogger({ level: "silent" }), pressure: new Backpressure(), onFatal: () => {} },
    );
    const sent = Array.from({ length: messages }, (_, i) => payload(i));
    // As a device fleet would, over time: each burst waits for the broker to confirm the last.
    for (let i = 0; i < messages; i++) {
      publisher.publish("volume/in", sent[i]!.bytes, 1, false);
      if (i % 10_000 === 9_999) await publisher.flush();
    }
    await publisher.flush();
    await publisher.close();

    const expectedGood = sent.flatMap((p, i) => (p.kind === "good" ? [i] : []));
    const expectedRejected = sent.filter((p) => p.kind === "not JSON" || p.kind === "wrong shape");
    await until(
      () =>
        fileLines(good).length === expectedGood.length + 1 && fileLines(rejected).length === expectedRejected.length,
      "every good row and every rejected payload",
      60_000,
    );
    await flow.stop();
    await flow.done;
    const elapsedMs = Date.now() - started;

    const [header, ...rows] = fileLines(good);
    expect(header).toBe("timestamp,datetime,sensor_id,value");
    expect(rows.map((row) => Number(row.split(",")[3]))).toEqual(expectedGood);
    expect(fileLines(rejected).map((line) => JSON.parse(line) as unknown)).toEqual(
      expectedRejected.map((p) => p.bytes),
    );

    const stage = (prefix: string) => flow.stats.find((s) => s.label.startsWith(prefix))!;
    const notUtf8 = sent.filter((p) => p.kind === "not UTF-8").length;
    expect(stage('mqtt "volume/in"')).toMatchObject({ out: messages - notUtf8, dropped: notUtf8 });
    expect(stage("json")).toMatchObject({ out: expectedGood.length, dropped: expectedRejected.length });

    // Two reporters (the source for bytes that are not UTF-8, json for the rest), each logging its
    // first problem at once and then at most one summary per interval: a handful of lines for
    // 10,000 bad payloads.
    const warnings = io.stderr.filter((line) => line.includes("warning: dropped"));
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings.length).toBeLessThanOrEqual(2 * (2 + Math.ceil(elapsedMs / reportIntervalMs)));
    expect(io.stderr.length).toBeLessThanOrEqual(warnings.length + 2);
    expect(warnings[0]).toMatch(
      /^flowc: \[mqtt "volume\/in" qos 1\] warning: dropped a malformed payload \(not UTF-8\)|^flowc: \[json/,
    );
    // A summary names each cause with its count when the interval mixed several.
    expect(warnings.join("")).toMatch(
      /dropped \d+ malformed payloads in the last 5s(: \d+)? \((not JSON|expected .*)\), e\.g\. /,
    );
  }, 90_000);
});

if (!mosquittoAvailable) console.warn(mosquittoMissing);
