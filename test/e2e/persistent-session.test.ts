// A server with a persistent session (fixed client id, clean false, QoS 1) killed with SIGKILL in
// the middle of a stream and started again: on aedes and on mosquitto, every message ends up as a
// row. A message is acknowledged only once its row is on disk, so the broker keeps (and delivers
// again) whatever the killed process had not written; what it had written but not yet
// acknowledged comes again too, so the only repeats are rows from just before the kill.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { brokerKinds, csvRows, runFlowc, startBroker, stopProcesses, waitFor, type TestBroker } from "./support.js";

const messages = 6000;

const serverFlow =
  // The address comes from --broker; the session settings from the file.
  'broker "localhost" client_id "e2e-persistent-writer" clean false\n' +
  'mqtt "sensor-data" qos 1 -> json as SensorEvent -> csv "rows.csv"\n';

describe.each(brokerKinds)("a persistent session on $kind", ({ kind, available }) => {
  let broker: TestBroker;
  let folder: string;
  beforeAll(async () => {
    // An unlimited queue for the offline session, so the broker keeps the whole backlog.
    if (available) broker = await startBroker(kind, { extraConfig: ["max_queued_messages 0"] });
  });
  afterAll(() => broker?.dispose());
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "flowc-e2e-session-"));
    await writeFile(join(folder, "server.flow"), serverFlow);
  });
  afterEach(async () => {
    await stopProcesses();
    await rm(folder, { recursive: true, force: true });
  });

  it.skipIf(!available)("ends with every row written after a SIGKILL mid-stream and a restart", async () => {
    const rowsFile = join(folder, "rows.csv");
    const start = async () => {
      const server = runFlowc(["run", "server.flow", "--broker", broker.url], { cwd: folder });
      await server.live();
      return server;
    };
    const first = await start();

    // A steady stream, still running when the server dies and after it comes back.
    const publisher = await mqtt.connectAsync(broker.url);
    let sent = 0;
    const publishing = (async () => {
      while (sent < messages) {
        const batch = Array.from({ length: 500 }, (_, j) => sent + j);
        sent += batch.length;
        await Promise.all(
          batch.map((i) => publisher.publishAsync("sensor-data", JSON.stringify([`s-${i}`, i, i / 4]), { qos: 1 })),
        );
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    })();

    await waitFor(
      async () => ((await csvRows(rowsFile)).length >= messages / 4 ? true : undefined),
      () => "a quarter of the rows",
    );
    first.child.kill("SIGKILL");
    expect(await first.finished).toEqual({ code: null, signal: "SIGKILL" });
    const beforeKill = await csvRows(rowsFile);
    expect(beforeKill.length).toBeLessThan(messages);

    const second = await start();
    await publishing;
    await publisher.endAsync();
    await waitFor(
      async () => (new Set((await csvRows(rowsFile)).map(([, , id]) => id)).size >= messages ? true : undefined),
      () => `all ${messages} messages written`,
    );
    second.child.kill("SIGTERM");
    expect(await second.finished).toEqual({ code: 0, signal: null });

    // Whole lines only: the kill never leaves half a row.
    const text = await readFile(rowsFile, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("timestamp,datetime,sensor_id,value");
    for (const line of lines.slice(1)) expect(line).toMatch(/^\d+(\.\d+)?,[\dT:.-]+,s-\d+,[\d.]+$/);

    const ids = lines.slice(1).map((line) => Number(line.split(",")[2]!.slice(2)));
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: messages }, (_, i) => i)));
    // Repeats are rows the first process had written when it was killed, nothing later.
    const writtenBeforeKill = new Set(beforeKill.map(([, , id]) => Number(id!.slice(2))));
    const seen = new Set<number>();
    for (const id of ids) {
      if (seen.has(id)) expect(writtenBeforeKill.has(id)).toBe(true);
      seen.add(id);
    }
  });
  // A device that is not sure its messages got through sends them again (umqtt's queue after a
  // reconnect, a node that replays after a reboot). Only dedupe's file remembers what the killed
  // process had written, and it counts a key only if its row reached the CSV.
  it.skipIf(!available)(
    "with `dedupe state`, writes every message once though the server is killed and everything is sent again",
    async () => {
      await writeFile(
        join(folder, "server.flow"),
        'broker "localhost" client_id "e2e-dedupe-writer" clean false\n' +
          'mqtt "sensor-data" qos 1 -> json as SensorEvent -> dedupe by sensor_id within 20000 state "seen.keys" -> csv "rows.csv"\n',
      );
      const rowsFile = join(folder, "rows.csv");
      const start = async () => {
        const server = runFlowc(["run", "server.flow", "--broker", broker.url], { cwd: folder });
        await server.live();
        return server;
      };
      const publisher = await mqtt.connectAsync(broker.url);
      const publish = async (ids: number[]) => {
        for (let from = 0; from < ids.length; from += 500) {
          await Promise.all(
            ids
              .slice(from, from + 500)
              .map((i) => publisher.publishAsync("sensor-data", JSON.stringify([`s-${i}`, i, i / 4]), { qos: 1 })),
          );
        }
      };
      const all = Array.from({ length: messages }, (_, i) => i);

      const first = await start();
      const publishing = publish(all);
      await waitFor(
        async () => ((await csvRows(rowsFile)).length >= messages / 4 ? true : undefined),
        () => "a quarter of the rows",
      );
      first.child.kill("SIGKILL");
      expect(await first.finished).toEqual({ code: null, signal: "SIGKILL" });
      expect((await csvRows(rowsFile)).length).toBeLessThan(messages);

      await start();
      await publishing;
      // Everything again, then one message more: once its row is written, the replay has been read.
      await publish([...all, messages]);
      await publisher.endAsync();
      await waitFor(
        async () => ((await csvRows(rowsFile)).some(([, , id]) => id === `s-${messages}`) ? true : undefined),
        () => "the message after the replay",
      );

      const ids = (await csvRows(rowsFile)).map(([, , id]) => Number(id!.slice(2)));
      expect(ids).toHaveLength(messages + 1);
      expect(new Set(ids)).toEqual(new Set([...all, messages]));
    },
  );

  // A relay's output is a publish, not a file: a message is acknowledged only once the broker has
  // confirmed what it became, so a relay killed in between gets it again from its session.
  it.skipIf(!available)("relays every message to its output topic though the relay is killed mid-stream", async () => {
    await writeFile(
      join(folder, "relay.flow"),
      'broker "localhost" client_id "e2e-persistent-relay" clean false\n' +
        'mqtt "readings" qos 1 -> json as SensorEvent -> filter val >= 0 -> mqtt "relayed" qos 1\n',
    );
    const start = async () => {
      const relay = runFlowc(["run", "relay.flow", "--broker", broker.url], { cwd: folder });
      await relay.live();
      return relay;
    };
    const collector = await mqtt.connectAsync(broker.url);
    const relayed = new Set<string>();
    collector.on("message", (_topic, payload) => relayed.add((JSON.parse(payload.toString()) as string[])[0]!));
    await collector.subscribeAsync("relayed", { qos: 1 });

    const first = await start();
    const publisher = await mqtt.connectAsync(broker.url);
    const publishing = (async () => {
      for (let from = 0; from < messages; from += 500) {
        await Promise.all(
          Array.from({ length: 500 }, (_, j) =>
            publisher.publishAsync("readings", JSON.stringify([`s-${from + j}`, from + j, 1]), { qos: 1 }),
          ),
        );
      }
    })();
    await waitFor(
      () => (relayed.size >= messages / 4 ? true : undefined),
      () => `a quarter of the messages relayed (${relayed.size})`,
    );
    first.child.kill("SIGKILL");
    expect(await first.finished).toEqual({ code: null, signal: "SIGKILL" });
    expect(relayed.size).toBeLessThan(messages);

    const second = await start();
    await publishing;
    await publisher.endAsync();
    await waitFor(
      () => (relayed.size >= messages ? true : undefined),
      () => `all ${messages} messages relayed (${relayed.size})`,
    );
    second.child.kill("SIGTERM");
    expect(await second.finished).toEqual({ code: 0, signal: null });
    await collector.endAsync();
    expect(relayed).toEqual(new Set(Array.from({ length: messages }, (_, i) => `s-${i}`)));
  });
});
