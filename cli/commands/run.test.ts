// `flowc run` and `flowc broker` as users run them: the real executable in a child process, an
// embedded broker on a free loopback port, files written in a temporary folder.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../test/support/mosquitto.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const flowc = join(root, "bin", "flowc.js");
const tutorial = join(root, "examples", "tutorial");

let folder: string;
const children: ChildProcessWithoutNullStreams[] = [];
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-run-"));
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await rm(folder, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `flowc ARGS` in the test's folder; `output()` has what it printed so far. */
function start(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [flowc, ...args], { cwd: folder, env: { ...process.env, ...env } });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<Finished>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, finished, output: () => ({ stdout, stderr }) };
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const readText = (name: string) => readFile(join(folder, name), "utf8").catch(() => "");

describe("flowc run", () => {
  it("runs a publisher and a subscriber through the embedded broker until their sources end", async () => {
    await writeFile(join(folder, "pub.flow"), 'sim "s-1" every 50ms value 5 -> take 5 -> mqtt "t"\n');
    await writeFile(join(folder, "sub.flow"), 'mqtt "t" -> json as SensorEvent -> take 5 -> csv "out.csv"\n');
    const { code, stderr } = await start(["run", "sub.flow", "pub.flow", "--broker", "embedded", "--port", "0"])
      .finished;
    expect(stderr).toMatch(/embedded MQTT broker listening on 127\.0\.0\.1:\d+/);
    expect(code).toBe(0);
    const rows = (await readText("out.csv")).split("\n");
    expect(rows[0]).toBe("timestamp,datetime,sensor_id,value");
    expect(rows.slice(1, -1)).toHaveLength(5);
    for (const row of rows.slice(1, -1)) expect(row).toMatch(/^\d+(\.\d+)?,\d{4}-\d\d-\d\dT[\d:.]+,s-1,[\d.]+$/);
    expect(rows.at(-1)).toBe("");
  });

  it("runs the tutorial's two files and stops cleanly on SIGTERM with every CSV line whole", async () => {
    // Paths in a flow are relative to its file: the server's test.csv goes next to this copy.
    await copyFile(join(tutorial, "server.flow"), join(folder, "server.flow"));
    const run = start([
      "run",
      join(tutorial, "client.flow"),
      "server.flow",
      "--broker",
      "embedded",
      "--port",
      "0",
      "--seed",
      "3",
      "--secrets",
      join(tutorial, "secrets.example.json"),
    ]);
    await waitFor(async () => ((await readText("test.csv")).split("\n").length > 2 ? true : undefined), "a CSV row");
    run.child.kill("SIGTERM");
    const { code, stdout, stderr } = await run.finished;
    expect(stderr).toContain("SIGTERM: stopping");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^SensorEvent\(sensor_id='lux-1', ts=\d+(\.\d+)?, val=[\d.]+\)$/m);
    const csv = await readText("test.csv");
    expect(csv.endsWith("\n")).toBe(true);
    for (const row of csv.trimEnd().split("\n").slice(1)) expect(row).toMatch(/^[\d.]+,[^,]+,lux-1,[\d.]+$/);
  });

  it("reports the files' errors with their location and runs nothing", async () => {
    await writeFile(join(folder, "bad.flow"), 'tsl2591 every 2 -> mqtt "x"\n');
    const { code, stderr } = await start(["run", "bad.flow", "--broker", "embedded", "--port", "0"]).finished;
    expect(code).toBe(1);
    expect(stderr).toContain("bad.flow:1:15: error[E402]");
    expect(stderr).not.toContain("embedded MQTT broker");
  });

  it("names every missing secret and exits 1", async () => {
    await writeFile(
      join(folder, "sub.flow"),
      'broker secret("mqtt_host") port 1883 username secret("mqtt_user") password secret("mqtt_password")\n' +
        'mqtt "t" -> print\n',
    );
    await writeFile(join(folder, "secrets.json"), '{ "mqtt_host": "127.0.0.1" }\n');
    const { code, stderr } = await start(["run", "sub.flow", "--secrets", "secrets.json"]).finished;
    expect(code).toBe(1);
    expect(stderr).toContain("mqtt_user");
    expect(stderr).toContain("mqtt_password");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("uses the device's broker secret on the host unless --broker replaces it", async () => {
    // client.flow's wifi settings mean nothing on the host; its broker comes from --broker.
    const run = start(["run", join(tutorial, "client.flow"), "--broker", "embedded", "--port", "0", "--seed", "1"]);
    await waitFor(() => (run.output().stdout.includes("SensorEvent(") ? true : undefined), "a printed event");
    run.child.kill("SIGINT");
    expect((await run.finished).code).toBe(0);
  });

  it("with --no-retry, exits 1 with one clear line when the broker cannot be reached", async () => {
    await writeFile(join(folder, "sub.flow"), 'mqtt "t" -> print\n');
    const { code, stderr } = await start(["run", "sub.flow", "--broker", "mqtt://127.0.0.1:1", "--no-retry"]).finished;
    expect(code).toBe(1);
    expect(stderr).toBe(
      "flowc run: cannot reach the broker at mqtt://127.0.0.1:1: connection refused; is the broker running? " +
        "(`flowc broker` starts one, or run with --broker embedded)\n",
    );
  }, 30_000);

  it("retries a broker that is down at start, says so once, and runs once it is up", async () => {
    await writeFile(join(folder, "sub.flow"), 'mqtt "t" -> print\n');
    const port = await freePort();
    const run = start(["run", "sub.flow", "--broker", `mqtt://127.0.0.1:${port}`]);
    await waitFor(() => (run.output().stderr.includes("retrying") ? true : undefined), "the warning");
    expect(run.output().stderr).toBe(
      `flowc: [mqtt://127.0.0.1:${port}] warning: cannot reach the broker at mqtt://127.0.0.1:${port}: connection refused; ` +
        "is the broker running? (`flowc broker` starts one, or run with --broker embedded); " +
        "retrying with backoff up to every 30s (--no-retry to fail instead)\n",
    );
    const broker = start(["broker", "--port", String(port), "--host", "127.0.0.1"]);
    await waitFor(() => (run.output().stderr.includes("flowc run: running") ? true : undefined), "the flow to run");
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
    await client.publishAsync("t", "hello");
    await waitFor(() => (run.output().stdout === "hello\n" ? true : undefined), "the message");
    await client.endAsync();
    run.child.kill("SIGINT");
    expect((await run.finished).code).toBe(0);
    broker.child.kill("SIGINT");
    await broker.finished;
  }, 30_000);

  it("stops at Ctrl-C while its broker is away, and exits 1 counting what it could not publish", async () => {
    await writeFile(join(folder, "pub.flow"), 'interval 100ms -> mqtt "t" qos 1\n');
    const run = start(["run", "pub.flow", "--broker", "mqtt://127.0.0.1:1"]);
    await waitFor(() => (run.output().stderr.includes("cannot reach the broker") ? true : undefined), "the warning");
    await new Promise((resolve) => setTimeout(resolve, 300));
    run.child.kill("SIGINT");
    const { code, stderr } = await run.finished;
    expect(code).toBe(1);
    const lost = Number(
      /^flowc run: (\d+) message\(s\) could not be published to mqtt:\/\/127\.0\.0\.1:1: the broker could not be reached\n$/m.exec(
        stderr,
      )?.[1],
    );
    expect(lost).toBeGreaterThan(0);
  }, 30_000);

  it("names a secrets file it cannot read", async () => {
    const { code, stderr } = await start(["run", join(tutorial, "client.flow"), "--secrets", "missing.json"]).finished;
    expect(code).toBe(1);
    expect(stderr).toBe("flowc run: cannot read secrets file missing.json: no such file\n");
  });

  it("names an output file it cannot create, and the reason", async () => {
    await writeFile(join(folder, "sub.flow"), 'mqtt "t" -> csv "sub.flow/rows.csv"\n');
    const { code, stderr } = await start(["run", "sub.flow", "--broker", "embedded", "--port", "0"]).finished;
    expect(code).toBe(1);
    expect(stderr).toContain(
      "flowc run: cannot open sub.flow/rows.csv: a part of the path is not a directory (ENOTDIR)\n",
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("prints live per-stage counters with --stats while the flow runs", async () => {
    await writeFile(join(folder, "tick.flow"), 'sim "s-1" every 20ms -> filter val > -1000 -> csv "ticks.csv"\n');
    const run = start(["run", "tick.flow", "--stats", "--stats-every", "1"]);
    // A table while running, before any signal: rates over the last second.
    const table = await waitFor(
      () => /^stage +in +out +dropped +errors +out\/s\n(?:.*\n){3}/m.exec(run.output().stderr)?.[0],
      "a stats table",
    );
    expect(table).toMatch(/^n0 sim "s-1" every 20ms +0 +\d+ +0 +0 +\d+$/m);
    expect(table).toMatch(/^n1 filter val > -1000 +\d+ +\d+ +0 +0 +\d+$/m);
    expect(table).toMatch(/^n2 csv "ticks\.csv" +\d+ +0 +0 +0 +0$/m);
    run.child.kill("SIGINT");
    const { code, stderr } = await run.finished;
    expect(code).toBe(0);
    // And a last one at the end, counting every row written.
    const rows = (await readText("ticks.csv")).trimEnd().split("\n").length - 1;
    const last = stderr.split(/^stage .*$/m).at(-1)!;
    expect(last).toMatch(new RegExp(`^n2 csv "ticks\\.csv" +${rows} +0 +0 +0`, "m"));
  });

  it("says when it is live, naming what it subscribed to", async () => {
    await writeFile(join(folder, "sub.flow"), 'mqtt "a/+" -> print\nmqtt "b/#" -> print\n');
    const run = start(["run", "sub.flow", "--broker", "embedded", "--port", "0"]);
    const port = await waitFor(
      () => /--broker mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(run.output().stderr)?.[1],
      "the broker",
    );
    await waitFor(() => (run.output().stderr.includes("flowc run: running") ? true : undefined), "readiness");
    expect(run.output().stderr).toContain('flowc run: running, subscribed to "a/+", "b/#"; Ctrl-C stops\n');
    // Ready means subscribed: a message published now is printed.
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
    await client.publishAsync("a/x", "hello");
    await client.endAsync();
    await waitFor(() => (run.output().stdout === "hello\n" ? true : undefined), "the message");
    run.child.kill("SIGINT");
    expect((await run.finished).code).toBe(0);
  });
});

describe("flowc broker", () => {
  it("serves MQTT clients until SIGINT", async () => {
    const broker = start(["broker", "--port", "0", "--host", "127.0.0.1"]);
    const port = await waitFor(() => /listening on 127\.0\.0\.1:(\d+)/.exec(broker.output().stderr)?.[1], "listening");
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
    const received = new Promise<string>((resolve) => client.on("message", (_topic, payload) => resolve(`${payload}`)));
    await client.subscribeAsync("hello");
    await client.publishAsync("hello", "world");
    expect(await received).toBe("world");
    await client.endAsync();
    broker.child.kill("SIGINT");
    const { code, stderr } = await broker.finished;
    expect(code).toBe(0);
    expect(stderr).toContain("stopped");
  });

  it("exits 1 when the port is taken", async () => {
    const first = start(["broker", "--port", "0", "--host", "127.0.0.1"]);
    const port = await waitFor(() => /listening on 127\.0\.0\.1:(\d+)/.exec(first.output().stderr)?.[1], "listening");
    const { code, stderr } = await start(["broker", "--port", port, "--host", "127.0.0.1"]).finished;
    expect(code).toBe(1);
    expect(stderr).toContain("in use");
  });
});
