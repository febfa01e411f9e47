// Two `flowc run` processes on one shared subscription (`$share/writers/sensor-data`) split the
// stream between them: every message is written by exactly one of the two. On mosquitto; aedes
// 1.x (flowc's embedded broker) has no shared subscriptions, so there each would see nothing.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mosquittoAvailable } from "../support/mosquitto.js";
import { csvRows, runFlowc, startBroker, stopProcesses, waitFor, type TestBroker } from "./support.js";

const messages = 3000;

describe.skipIf(!mosquittoAvailable)("a shared subscription on mosquitto", () => {
  let broker: TestBroker;
  let folder: string;
  beforeAll(async () => {
    broker = await startBroker("mosquitto");
  });
  afterAll(() => broker?.dispose());
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "flowc-e2e-shared-"));
  });
  afterEach(async () => {
    await stopProcesses();
    await rm(folder, { recursive: true, force: true });
  });

  it("lets two flowc run processes write every message exactly once between them", async () => {
    const flow = 'mqtt "$share/writers/sensor-data" qos 1\n' + "  -> json as SensorEvent\n" + '  -> csv "rows.csv"\n';
    const workers = ["a", "b"].map((name) => join(folder, name));
    const servers = [];
    for (const worker of workers) {
      await mkdir(worker);
      await writeFile(join(worker, "server.flow"), flow);
      servers.push(runFlowc(["run", "server.flow", "--broker", broker.url], { cwd: worker }));
    }
    await Promise.all(servers.map((server) => server.live()));

    const publisher = await mqtt.connectAsync(broker.url);
    for (let i = 0; i < messages; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          publisher.publishAsync("sensor-data", JSON.stringify([`lux-${i + j}`, i + j, 1.5]), { qos: 1 }),
        ),
      );
    }
    await publisher.endAsync();

    const written = () => Promise.all(workers.map((worker) => csvRows(join(worker, "rows.csv"))));
    await waitFor(
      async () => ((await written()).flat().length >= messages ? true : undefined),
      () => `${messages} rows between the two workers`,
    );
    for (const server of servers) server.child.kill("SIGTERM");
    for (const server of servers) expect(await server.finished).toEqual({ code: 0, signal: null });

    const [first, second] = await written();
    // Both took part, and neither wrote a message the other did.
    expect(first!.length).toBeGreaterThan(0);
    expect(second!.length).toBeGreaterThan(0);
    const ids = [...first!, ...second!].map(([, , id]) => id!);
    expect(ids).toHaveLength(messages);
    expect(new Set(ids).size).toBe(messages);
    expect([...ids].sort()).toEqual(Array.from({ length: messages }, (_, i) => `lux-${i}`).sort());
  });
});
