// The tutorial end to end on a real mosquitto: the tutorial's own messages sent with mosquitto_pub,
// and the ESP8266 firmware flowc emits for client.flow (run in MicroPython by `flowc sim`), both
// reach `flowc run examples/tutorial/server.flow` and become CSV rows.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mosquittoMissing, startMosquitto, type Mosquitto } from "../support/mosquitto.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const flowc = join(root, "bin", "flowc.js");
const tutorial = join(root, "examples", "tutorial");

let broker: Mosquitto;
let folder: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  if (!mosquittoMissing) broker = await startMosquitto();
});
afterAll(() => broker?.dispose());
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-e2e-"));
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await rm(folder, { recursive: true, force: true });
});

/** Starts the tutorial's server on the test broker; resolves once it has subscribed. */
async function startServer() {
  const child = spawn(process.execPath, [flowc, "run", join(tutorial, "server.flow"), "--broker", broker.url], {
    cwd: folder,
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<number | null>((resolve) => child.on("close", resolve));
  await waitFor(
    () => (stderr.includes("connected") ? true : undefined),
    () => `the server to connect: ${stderr}`,
  );
  // A subscription is granted right after the connection; give the broker a moment to record it.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { child, finished, stdout: () => stdout, stderr: () => stderr };
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: () => string): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what()}`);
}

const csvRows = async () =>
  (await readFile(join(folder, "test.csv"), "utf8").catch(() => ""))
    .split("\n")
    .slice(1)
    .filter((row) => row !== "");

describe.skipIf(mosquittoMissing)("the tutorial on mosquitto", () => {
  it("turns the tutorial's mosquitto_pub messages into exactly those CSV rows", async () => {
    const server = await startServer();
    const messages = [
      ["lux-1", 1484535480, 371.6063],
      ["lux-1", 1484535485, 12.5],
      ["lux-2", 1484535490, 0],
    ];
    for (const message of messages) {
      const sent = spawnSync("mosquitto_pub", [
        "-h",
        "127.0.0.1",
        "-p",
        String(broker.port),
        "-t",
        "sensor-data",
        "-m",
        JSON.stringify(message),
      ]);
      expect(sent.status).toBe(0);
    }
    const rows = await waitFor(
      async () => {
        const rows = await csvRows();
        return rows.length >= messages.length ? rows : undefined;
      },
      () => "three CSV rows",
    );
    server.child.kill("SIGINT");
    expect(await server.finished).toBe(0);
    expect(rows).toHaveLength(3);
    rows.forEach((row, i) => {
      const [unix, human, id, value] = row.split(",");
      // The host's clock replaces the device's timestamp, as the tutorial's server does.
      expect(Math.abs(Number(unix) - Date.now() / 1000)).toBeLessThan(60);
      expect(human).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      expect(id).toBe(messages[i]![0]);
      expect(Number(value)).toBe(messages[i]![2]);
    });
    expect(server.stdout()).toContain("SensorEvent(sensor_id='lux-1', ts=");
  }, 60_000);

  it("carries the emitted ESP8266 firmware's samples, run in MicroPython, into the server's CSV", async () => {
    const server = await startServer();
    const sim = spawnSync(
      process.execPath,
      [
        flowc,
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
    const rows = await waitFor(
      async () => {
        const rows = await csvRows();
        return rows.length >= 4 ? rows : undefined;
      },
      () => "four CSV rows",
    );
    server.child.kill("SIGTERM");
    expect(await server.finished).toBe(0);
    // Each printed device value arrives, in order, under the device's sensor id.
    expect(rows.map((row) => row.split(",").slice(2).join(","))).toEqual(
      printed.map((line) => {
        const [, id, value] = /sensor_id='([^']+)', ts=\d+, val=([\d.]+)/.exec(line)!;
        return `${id},${Number(value)}`;
      }),
    );
  }, 90_000);
});
