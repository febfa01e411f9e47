// The baseline flowc's server is measured against: what a careful developer writes by hand with
// mqtt.js and csv-stringify for the tutorial's server.py — subscribe, parse the JSON array,
// stamp host time, append the tutorial's four CSV columns. No validation beyond JSON.parse.
// Reads MQTT_PORT, TOPIC and OUT from the environment (as ../shared/bench/e2e.sh sets them).
import { createWriteStream } from "node:fs";
import { stringify } from "csv-stringify";
import mqtt from "mqtt";

const out = createWriteStream(process.env.OUT ?? "out.csv");
const csv = stringify({ header: true, columns: ["timestamp", "datetime", "sensor_id", "value"] });
csv.pipe(out);

const client = mqtt.connect(`mqtt://127.0.0.1:${process.env.MQTT_PORT ?? 1883}`);
client.on("connect", () => client.subscribe(process.env.TOPIC ?? "sensor-data"));
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
process.on("SIGTERM", () => csv.end(() => process.exit(0)));
