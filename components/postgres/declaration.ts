import type { ComponentDeclaration } from "../../compiler/registry.js";
import { formatType } from "../../compiler/types.js";
import { checkFieldList } from "../field-list.js";

/** PostgreSQL tables on the host: one row per event, written in batches. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "sink",
    name: "postgres",
    summary:
      "Inserts each record as a row of a PostgreSQL table, in batches, one column per field; with `key`, a message delivered twice adds one row.",
    params: [
      {
        name: "url",
        type: { kind: "string" },
        positional: true,
        required: true,
        doc: 'The connection URL, `postgres://user:password@host:5432/database`; keep it out of the file with `secret("pg_url")`.',
      },
      {
        name: "table",
        type: { kind: "string" },
        required: true,
        doc: "The table, optionally with its schema: `readings`, `iot.readings`.",
      },
      {
        name: "key",
        type: { kind: "string" },
        doc: 'Fields that identify a row, as `"sensor_id, ts"`: a row whose key is already in the table is skipped (`ON CONFLICT DO NOTHING`), so redelivered messages add nothing. The table needs a unique index on them (`create` makes it the primary key).',
      },
      {
        name: "create",
        type: { kind: "bool" },
        flag: true,
        default: { kind: "bool", value: false },
        doc: "Create the table when it does not exist, with a column per field (and `key` as its primary key).",
      },
      {
        name: "batch",
        type: { kind: "number", integer: true, min: 1, max: 100_000 },
        default: { kind: "number", value: 5000 },
        doc: "Most rows per insert.",
      },
      {
        name: "linger",
        type: { kind: "duration" },
        default: { kind: "duration", ms: 200 },
        doc: "Longest a row waits for others to join its insert (a QoS 1 message's row is inserted without waiting).",
      },
    ],
    targets: ["node"],
    unsupportedHint: { esp8266: "the device does not talk to databases: publish with `mqtt` and insert on the host" },
    accepts: (input) =>
      input.kind === "record" ? undefined : `inserts records (one column per field), not ${formatType(input)}`,
    check: (ctx) => {
      checkFieldList(ctx, "key");
    },
    example:
      'mqtt "sensor-data" qos 1 -> json as SensorEvent -> postgres secret("pg_url") table "readings" key "sensor_id, ts"',
  },
];
