// How fast a server catches up after being away: a persistent MQTT session (fixed client id,
// clean false, QoS 1) collects a backlog of N messages on mosquitto while the server is stopped;
// the server then starts and writes every one as a CSV row. Measured for `flowc run` and, in the
// same run and on the same backlog, for the hand-written mqtt.js + csv-stringify server.
// Target: flowc drains at least 50,000 rows/s and loses nothing.
//
//   node bench/backlog-drain.mjs [N=100000]     (needs mosquitto and mosquitto_pub)
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { ensureBuilt, root } from "./bench-support.mjs";

const n = Number(process.argv[2] ?? 100_000);
const target = 50_000;
const topic = "sensor-data";
const clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));

await ensureBuilt();
const dir = mkdtempSync(join(tmpdir(), "flowc-backlog-"));
const port = await freePort();
const broker = startMosquitto();
try {
  await waitFor(() => spawnSync("mosquitto_sub", ["-p", port, "-t", "probe", "-E"]).status === 0, "mosquitto");

  const servers = [
    {
      name: "flowc run (persistent session)",
      csv: join(dir, "flowc", "backlog.csv"),
      cwd: join(dir, "flowc"),
      command: ["node", join(root, "bin", "flowc.js"), "run", "server.flow"],
      env: {},
    },
    {
      name: "hand-written mqtt.js+csv-stringify",
      csv: join(dir, "handwritten", "backlog.csv"),
      cwd: join(dir, "handwritten"),
      command: ["node", join(root, "bench", "handwritten-server.mjs")],
      env: { CLIENT_ID: "handwritten-backlog-bench", QOS: "1" },
    },
  ];
  for (const server of servers) mkdirSync(server.cwd);
  writeFileSync(
    join(servers[0].cwd, "server.flow"),
    `broker "127.0.0.1" port ${port} client_id "flowc-backlog-bench" clean false\n` +
      `mqtt "${topic}" qos 1 -> json as SensorEvent -> set ts = now() -> csv "backlog.csv"\n`,
  );

  // Each server subscribes once (its session starts), proves it with one message, and stops.
  for (const server of servers) {
    const child = start(server);
    await waitFor(() => {
      spawnSync("mosquitto_pub", ["-p", port, "-t", topic, "-q", "1", "-m", JSON.stringify(["warm-up", 0, 0])]);
      return existsSync(server.csv) && readFileSync(server.csv, "latin1").includes("warm-up");
    }, `${server.name} to subscribe`);
    await stop(child);
  }

  // The backlog: both sessions queue every message.
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify([`lux-${i % 10}`, i, 284.1312 + (i % 100)]));
  // mqtt.js rather than `mosquitto_pub -l -q 1`, which (2.0.11) exits before sending most of a long input.
  const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
  // A window of unacknowledged messages, well inside the 65,535 packet ids a client has.
  for (let i = 0; i < lines.length; i += 1000)
    await Promise.all(lines.slice(i, i + 1000).map((line) => publisher.publishAsync(topic, line, { qos: 1 })));
  await publisher.endAsync();
  console.log(
    `backlog drain: ${n.toLocaleString("en")} QoS 1 messages queued for a persistent session, node ${process.version}`,
  );
  const results = [];
  for (const server of servers) {
    const started = performance.now();
    const child = start(server);
    const counter = rowCounter(server.csv);
    let firstRowAt;
    let rows = 0;
    let lastChange = performance.now();
    for (;;) {
      await sleep(20);
      const now = performance.now();
      const counted = counter();
      if (counted > 0 && firstRowAt === undefined) firstRowAt = now;
      if (counted !== rows) lastChange = now;
      rows = counted;
      if (rows >= n || now - lastChange > 5000) break;
    }
    const finished = performance.now();
    const cpuSeconds = cpuTicks(child.pid) / clockTicks;
    await stop(child);
    const drainSeconds = (finished - (firstRowAt ?? finished)) / 1000;
    const result = {
      name: server.name,
      rows,
      // Negative when messages came twice.
      lost: n - rows,
      totalSeconds: (finished - started) / 1000,
      drainRate: rows / Math.max(drainSeconds, 1e-3),
      cpuMicrosPerRow: (1e6 * cpuSeconds) / Math.max(rows, 1),
    };
    results.push(result);
    console.log(
      `  ${result.name.padEnd(36)} rows=${rows} lost=${result.lost} start-to-last-row=${result.totalSeconds.toFixed(2)}s ` +
        `drain=${Math.round(result.drainRate)} rows/s cpu=${result.cpuMicrosPerRow.toFixed(1)} µs/row`,
    );
  }
  const flowc = results[0];
  console.log(
    `flowc drains ${Math.round(flowc.drainRate).toLocaleString("en")} rows/s ` +
      `(target >= ${target.toLocaleString("en")}: ${flowc.drainRate >= target && flowc.lost === 0 ? "met" : "not met"}); ` +
      `${(flowc.drainRate / results[1].drainRate).toFixed(2)}x the hand-written server's rate`,
  );
} finally {
  broker.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}

function startMosquitto() {
  const config = join(dir, "mosquitto.conf");
  // An unlimited queue, so the whole backlog waits for the session; otherwise mosquitto's defaults
  // (20 QoS 1 messages in flight per client).
  const lines = [`listener ${port} 127.0.0.1`, "allow_anonymous true", "max_queued_messages 0", "persistence false"];
  if (process.getuid?.() === 0) lines.push("user root");
  writeFileSync(config, `${lines.join("\n")}\n`);
  return spawn("mosquitto", ["-c", config], { stdio: "ignore" });
}

function start(server) {
  return spawn(server.command[0], server.command.slice(1), {
    cwd: server.cwd,
    env: { ...process.env, ...server.env, MQTT_PORT: String(port), TOPIC: topic, OUT: server.csv },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/**
 * Counts the backlog's rows in `path` (sensor ids `lux-N`, not the warm-up ones), reading only
 * what was added since the last call.
 */
function rowCounter(path) {
  let offset = 0;
  let rows = 0;
  let rest = "";
  const buffer = Buffer.allocUnsafe(1 << 20);
  return () => {
    let size;
    try {
      size = statSync(path).size;
    } catch {
      return 0;
    }
    if (size > offset) {
      const fd = openSync(path, "r");
      while (offset < size) {
        const read = readSync(fd, buffer, 0, Math.min(buffer.length, size - offset), offset);
        const lines = (rest + buffer.toString("latin1", 0, read)).split("\n");
        rest = lines.pop();
        for (const line of lines) if (line.includes(",lux-")) rows++;
        offset += read;
      }
      closeSync(fd);
    }
    return rows;
  };
}

/** CPU time (user + system, in clock ticks) of a process and its descendants. */
function cpuTicks(pid) {
  let ticks = 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
  const children = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
    .stdout.split("\n")
    .filter(Boolean);
  for (const child of children) ticks += cpuTicks(Number(child));
  return ticks;
}

async function waitFor(condition, what, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return String(port);
}
