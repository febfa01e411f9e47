// Soak: N events (default 1,000,000) through `flowc run` as users run it, to show that a long run
// neither grows in memory nor loses rows. A broker (`flowc broker`, in its own process) carries
// QoS 1 messages from a publisher in this process to a server flow with a persistent session:
//
//   mqtt "soak" qos 1 -> json as SensorEvent errors "soak/rejected" -> set ts = now() -> csv "rows.csv"
//   mqtt "soak/rejected" qos 1 -> jsonl "rejected.jsonl"
//
// One payload in ten (--malformed) is not JSON, so the bad-input path soaks too. The server's
// resident memory is sampled from /proc throughout; the figures printed are RSS at start (ready,
// before any event), after warm-up (10%), at the middle and at the end, growth from warm-up to
// the end (target < 10%), rows lost (target 0), duplicates, and server CPU per event. Printed
// figures, not a test: nothing here fails on speed.
//
//   npm run bench:soak [-- --events 1000000 --malformed 0.1 --window 2000]
import { spawn } from "node:child_process";
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { ensureBuilt, root } from "./bench-support.mjs";

const { values: flags } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    malformed: { type: "string", default: "0.1" },
    window: { type: "string", default: "2000" },
    keep: { type: "boolean", default: false },
  },
});
const events = Number(flags.events);
const malformedEvery = Number(flags.malformed) > 0 ? Math.round(1 / Number(flags.malformed)) : 0;
/** Messages published but not yet acknowledged by the broker, at most. */
const window = Number(flags.window);
const isMalformed = (i) => malformedEvery > 0 && i % malformedEvery === malformedEvery - 1;
const goodEvents = events - (malformedEvery > 0 ? Math.floor(events / malformedEvery) : 0);

await ensureBuilt();
const folder = mkdtempSync(join(tmpdir(), "flowc-soak-"));
const flowc = join(root, "bin", "flowc.js");
const clientId = "flowc-soak-server";

const port = await freePort();
const broker = startProcess([flowc, "broker", "--host", "127.0.0.1", "--port", String(port)]);
await broker.waitFor(/listening on/);
const url = `mqtt://127.0.0.1:${port}`;

// The server's session exists before anything is published, so every message waits for it.
await createSession(url, clientId, ["soak", "soak/rejected"]);
writeFileSync(
  join(folder, "server.flow"),
  `broker "127.0.0.1" port ${port} client_id "${clientId}" clean false\n` +
    'mqtt "soak" qos 1 -> json as SensorEvent errors "soak/rejected" -> set ts = now() -> csv "rows.csv"\n' +
    'mqtt "soak/rejected" qos 1 -> jsonl "rejected.jsonl"\n',
);
const server = startProcess([flowc, "run", "server.flow", "--stats", "--stats-every", "1"], folder);
await server.waitFor(/\] connected/);

const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))?.[1] ?? NaN);
const cpuSeconds = () => {
  const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
};
const samples = [];
let published = 0;
const sampler = setInterval(() => samples.push({ published, rssKb: rss() }), 250);
const startRss = rss();
const startCpu = cpuSeconds();
const started = performance.now();

await publish(url, events);
const publishedAt = performance.now();
console.error(`published ${events.toLocaleString("en")} in ${((publishedAt - started) / 1000).toFixed(1)} s`);

// Every good event reaches the CSV sink and every malformed one, through the errors topic, the
// JSONL sink: their `in` counters in the stats table say so.
await server.waitFor(new RegExp(`^n\\d+ csv "rows\\.csv"\\s+${goodEvents}\\s`, "m"));
if (goodEvents < events) {
  await server.waitFor(new RegExp(`^n\\d+ jsonl "rejected\\.jsonl"\\s+${events - goodEvents}\\s`, "m"));
}
const drainedAt = performance.now();
const endRss = rss();
const endCpu = cpuSeconds();
clearInterval(sampler);
server.child.kill("SIGINT");
const exitCode = await server.exited;
broker.child.kill("SIGINT");
await broker.exited;

const { rows, unique, duplicates } = await countRows(join(folder, "rows.csv"));
const rejected = readFileSync(join(folder, "rejected.jsonl"), "utf8").split("\n").filter(Boolean).length;
const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`;
const at = (fraction) => samples.find((sample) => sample.published >= events * fraction)?.rssKb ?? NaN;
const warmRss = at(0.1);
const midRss = at(0.5);
const quarters = [0.25, 0.5, 0.75].map((fraction) => mb(at(fraction))).join(", ");
const maxRss = Math.max(...samples.map((sample) => sample.rssKb));
const percent = (from, to) => `${(((to - from) / from) * 100).toFixed(1)}%`;
const warnings = server
  .stderr()
  .split("\n")
  .filter((line) => line.includes("warning: dropped")).length;

console.log(
  `soak: ${events.toLocaleString("en")} events through flowc run (${malformedEvery ? `1 in ${malformedEvery} malformed` : "all valid"}), QoS 1, node ${process.version}`,
);
console.log(
  `  RSS of flowc run: start ${mb(startRss)} (idle), after warm-up (10%) ${mb(warmRss)}, middle ${mb(midRss)}, end ${mb(endRss)}, max ${mb(maxRss)}`,
);
console.log(`  RSS at 25%, 50%, 75% of the events: ${quarters}`);
console.log(
  `  RSS growth from warm-up to end: ${percent(warmRss, endRss)} (target < 10%); from start: ${percent(startRss, endRss)}`,
);
console.log(
  `  rows: ${rows.toLocaleString("en")} written of ${goodEvents.toLocaleString("en")} valid; lost ${goodEvents - unique} (target 0); duplicates ${duplicates}`,
);
console.log(
  `  malformed: ${rejected.toLocaleString("en")} on the errors topic of ${(events - goodEvents).toLocaleString("en")}; ${warnings} log lines about them`,
);
console.log(
  `  time: ${((drainedAt - started) / 1000).toFixed(1)} s (${Math.round(events / ((drainedAt - started) / 1000)).toLocaleString("en")} events/s); server CPU ${(((endCpu - startCpu) * 1e6) / events).toFixed(1)} µs/event; exit code ${exitCode}`,
);

if (flags.keep) console.log(`  files kept in ${folder}`);
else rmSync(folder, { recursive: true, force: true });

/** A child process whose output is kept; `waitFor` resolves when its stderr matches. */
function startProcess(args, cwd = root) {
  const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const waiters = [];
  child.stderr.on("data", (chunk) => {
    stderr += chunk.toString();
    for (const waiter of [...waiters]) if (waiter.pattern.test(stderr)) waiter.resolve();
  });
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  void exited.then((code) => {
    for (const waiter of waiters) waiter.reject(new Error(`${args.join(" ")} exited with ${code}:\n${stderr}`));
  });
  return {
    child,
    pid: child.pid,
    exited,
    stderr: () => stderr,
    /** Resolves when what it printed (a few kilobytes of logs and tables) matches `pattern`. */
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: () => {
            waiters.splice(waiters.indexOf(waiter), 1);
            resolve();
          },
          reject,
        };
        waiters.push(waiter);
        if (pattern.test(stderr)) waiter.resolve();
      });
    },
  };
}

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function createSession(brokerUrl, id, topics) {
  const client = await mqtt.connectAsync(brokerUrl, { clientId: id, clean: false });
  await client.subscribeAsync(topics, { qos: 1 });
  await client.endAsync();
}

/** Publishes message 0..count-1 at QoS 1, keeping at most `window` unacknowledged. */
async function publish(brokerUrl, count) {
  const client = await mqtt.connectAsync(brokerUrl, { clientId: "flowc-soak-publisher", clean: true });
  let next = 0;
  let acknowledged = 0;
  await new Promise((resolve, reject) => {
    const sendMore = () => {
      while (next < count && next - acknowledged < window) {
        const i = next++;
        const payload = isMalformed(i) ? `["s-1", ${i}, ` : `["s-1", ${1_700_000_000 + i}, ${i}]`;
        client.publish("soak", payload, { qos: 1 }, (error) => {
          if (error) return reject(error);
          acknowledged++;
          published = acknowledged;
          if (acknowledged === count) resolve();
          else if (next - acknowledged <= window / 2) sendMore();
        });
      }
    };
    sendMore();
  });
  await client.endAsync();
}

/** Rows in the CSV (header excluded), distinct values and repeated values. */
async function countRows(path) {
  const seen = new Uint8Array(events);
  let rows = 0;
  let unique = 0;
  let duplicates = 0;
  let header = true;
  for await (const line of createInterface({ input: createReadStream(path) })) {
    if (header) {
      header = false;
      continue;
    }
    rows++;
    const value = Number(line.slice(line.lastIndexOf(",") + 1));
    if (seen[value]) duplicates++;
    else {
      seen[value] = 1;
      unique++;
    }
  }
  return { rows, unique, duplicates };
}
