import type { ComponentContext, ComponentDeclaration } from "../../compiler/registry.js";
import { DiagnosticCodes } from "../../compiler/diagnostics.js";
import { formatType } from "../../compiler/types.js";
import { checkFieldList } from "../field-list.js";

const v2Only = ["org", "bucket", "token"];
const v1Only = ["database", "username", "password"];

/** One of `database` (InfluxDB 1.x) and `bucket` (2.x, 3.x), with the credentials of the same API. */
function checkApi(ctx: ComponentContext): void {
  const given = (names: readonly string[]) => names.filter((name) => ctx.params.has(name));
  const v1 = given(v1Only);
  const v2 = given(v2Only);
  if (!ctx.params.has("database") && !ctx.params.has("bucket")) {
    ctx.report(
      DiagnosticCodes.MissingParameter,
      ctx.span(),
      "`influx` needs `database` (InfluxDB 1.x) or `bucket` (InfluxDB 2.x and 3.x)",
      'as in `influx "http://127.0.0.1:8086" database "sensors" measurement "lux"`',
    );
  } else if (v1.length > 0 && v2.length > 0) {
    ctx.report(
      DiagnosticCodes.InvalidValue,
      ctx.span(v2[0]),
      `\`${v2[0]}\` is for InfluxDB 2.x and 3.x, \`${v1[0]}\` for 1.x: give one API's options`,
      "InfluxDB 1.x: database, username, password; 2.x and 3.x: bucket, org, token",
    );
  }
  if (ctx.params.has("bucket") && !ctx.params.has("org") && !ctx.params.has("token"))
    ctx.report(
      DiagnosticCodes.MissingParameter,
      ctx.span("bucket"),
      "`bucket` needs `token` (and `org` for InfluxDB 2.x)",
      'as in `bucket "sensors" org "home" token secret("influx_token")`',
    );
}

/** InfluxDB measurements on the host. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "sink",
    name: "influx",
    summary:
      "Writes each event as a point of an InfluxDB measurement (line protocol over HTTP, in batches): `sensor_id` and the `tags` become tags, the other fields fields, `ts` the time.",
    params: [
      {
        name: "url",
        type: { kind: "string" },
        positional: true,
        required: true,
        doc: "The server's HTTP address, `http://127.0.0.1:8086` (`https://` for TLS).",
      },
      { name: "database", type: { kind: "string" }, doc: "The database (InfluxDB 1.x); it must exist." },
      {
        name: "bucket",
        type: { kind: "string" },
        doc: "The bucket (InfluxDB 2.x and 3.x, or `database/retention` on 1.8+).",
      },
      { name: "org", type: { kind: "string" }, doc: "The organisation (InfluxDB 2.x)." },
      { name: "token", type: { kind: "string" }, doc: 'The API token (2.x, 3.x): `token secret("influx_token")`.' },
      { name: "username", type: { kind: "string" }, doc: "The user (InfluxDB 1.x with authentication)." },
      { name: "password", type: { kind: "string" }, doc: 'The password (1.x): `password secret("influx_password")`.' },
      {
        name: "measurement",
        type: { kind: "string" },
        doc: "The measurement's name; default: the schema's name (`SensorEvent`), or `value` for numbers.",
      },
      {
        name: "tags",
        type: { kind: "string" },
        doc: 'The fields written as tags (indexed, grouped by), as `"sensor_id, room"`; default `sensor_id` when there is one.',
      },
      {
        name: "fields",
        type: { kind: "string" },
        doc: "The fields written as fields; default every field that is not a tag.",
      },
      {
        name: "time",
        type: { kind: "field", numeric: true },
        doc: "The field with each point's time in unix seconds; default `ts` when there is one, else the time of writing.",
      },
      {
        name: "batch",
        type: { kind: "number", integer: true, min: 1, max: 100_000 },
        default: { kind: "number", value: 5000 },
        doc: "Most points per write.",
      },
      {
        name: "linger",
        type: { kind: "duration" },
        default: { kind: "duration", ms: 200 },
        doc: "Longest a point waits for others to join its write (a QoS 1 message's point is written without waiting).",
      },
    ],
    targets: ["node"],
    unsupportedHint: { esp8266: "the device does not talk to databases: publish with `mqtt` and write on the host" },
    accepts: (input) =>
      input.kind === "record" || (input.kind === "scalar" && input.name !== "string")
        ? undefined
        : `writes records or numbers, not ${formatType(input)}`,
    check: (ctx) => {
      checkApi(ctx);
      const tags = checkFieldList(ctx, "tags");
      const fields = checkFieldList(ctx, "fields");
      const both = tags.find((name) => fields.includes(name));
      if (both)
        ctx.report(
          DiagnosticCodes.InvalidValue,
          ctx.span("fields"),
          `\`${both}\` is in both \`tags\` and \`fields\``,
          "a field is written as a tag or as a field, not both",
        );
    },
    example:
      'mqtt "sensor-data" qos 1 -> json as SensorEvent -> influx "http://127.0.0.1:8086" database "sensors" measurement "lux"',
  },
];
