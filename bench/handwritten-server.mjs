// The baseline flowc's server is measured against: what a careful developer writes by hand with
// mqtt.js and csv-stringify for the tutorial's server.py — subscribe, parse the JSON array,
// stamp host time, append the tutorial's four CSV columns. No validation beyond JSON.parse.
// Reads MQTT_PORT, TOPIC and OUT from the environment (as ../shared/bench/e2e.sh sets them);
// CLIENT_ID (with QOS=1) makes it a persistent session, for the backlog benchmark.
import { createWriteStream, existsSync, statSync } from "node:fs";
import { stringify } from "csv-stringify";
import mqtt from "mqtt";

const path = process.env.OUT ?? "out.csv";
const isNew = !existsSync(path) || statSync(path).size === 0;
const out = createWriteStream(path, { flags: "a" });
const csv = stringify({ header: isNew, columns: ["timestamp", "datetime", "sensor_id", "value"] });
csv.pipe(out);

const persistent = process.env.CLIENT_ID !== undefined;
const client = mqtt.connect(`mqtt://127.0.0.1:${process.env.MQTT_PORT ?? 1883}`, {
  ...(persistent ? { clientId: process.env.CLIENT_ID, clean: false } : {}),
});
client.on("connect", () => client.subscribe(process.env.TOPIC ?? "sensor-data", { qos: Number(process.env.QOS ?? 0) }));
client.on("message", (_topic, payload) => {
  let event;
  try {
    event = JSON.parse(payload.toString("utf8"));
  } catch {
    return;
  }
  const ts = Date.now() / 1000;
  csv.write([ts, new Date(ts * 1000).toISOString(), event[0], event[2]]);
});
out.on("close", () => process.exit(0));
process.on("SIGTERM", () => client.end(() => csv.end()));
