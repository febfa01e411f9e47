// The baseline the influx and postgres sinks are measured against: what a careful developer
// writes by hand with mqtt.js and the usual client library, for the tutorial's "MQTT to InfluxDB"
// script. Subscribe, parse the JSON array, gather rows and write them in batches (1000 rows or
// 100 ms, one write at a time): a multi-row INSERT ... ON CONFLICT DO NOTHING with `pg`, or
// `writePoints` with `influx` (node-influx). No validation beyond JSON.parse.
//
// Environment: MQTT_URL, TOPIC, CLIENT_ID (a persistent QoS 1 session), and either PG_URL and
// TABLE, or INFLUX_URL, INFLUX_DB, INFLUX_USER, INFLUX_PASSWORD.
import { InfluxDB } from "influx";
import mqtt from "mqtt";
import pg from "pg";

const batchRows = 1000;
const batchMs = 100;

let write;
if (process.env.PG_URL) {
  const client = new pg.Client({ connectionString: process.env.PG_URL });
  await client.connect();
  const table = process.env.TABLE ?? "readings";
  write = async (rows) => {
    const values = [];
    const tuples = rows.map(([sensorId, ts, val], i) => {
      values.push(sensorId, ts, val);
      return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`;
    });
    await client.query(
      `INSERT INTO ${table} (sensor_id, ts, val) VALUES ${tuples.join(", ")} ON CONFLICT DO NOTHING`,
      values,
    );
  };
} else {
  const url = new URL(process.env.INFLUX_URL ?? "http://127.0.0.1:8086");
  const influx = new InfluxDB({
    host: url.hostname,
    port: Number(url.port),
    database: process.env.INFLUX_DB ?? "sensors",
    username: process.env.INFLUX_USER,
    password: process.env.INFLUX_PASSWORD,
  });
  write = (rows) =>
    influx.writePoints(
      rows.map(([sensorId, ts, val]) => ({
        measurement: "lux",
        tags: { sensor_id: sensorId },
        fields: { val, ts },
        timestamp: Math.round(ts * 1e6),
      })),
      { precision: "u" },
    );
}

let pending = [];
let writing = false;
let timer;
async function flush() {
  clearTimeout(timer);
  timer = undefined;
  if (writing || pending.length === 0) return;
  writing = true;
  const rows = pending.splice(0, batchRows);
  try {
    await write(rows);
  } catch (error) {
    console.error(error.message);
  }
  writing = false;
  if (pending.length >= batchRows) void flush();
  else if (pending.length > 0) timer ??= setTimeout(flush, batchMs);
}

const client = mqtt.connect(process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883", {
  clientId: process.env.CLIENT_ID,
  clean: false,
});
client.on("connect", () => client.subscribe(process.env.TOPIC ?? "sensor-data", { qos: 1 }));
client.on("message", (_topic, payload) => {
  let event;
  try {
    event = JSON.parse(payload.toString("utf8"));
  } catch {
    return;
  }
  pending.push(event);
  if (pending.length >= batchRows) void flush();
  else timer ??= setTimeout(flush, batchMs);
});
process.on("SIGTERM", () => client.end(() => process.exit(0)));
