import type { ComponentDeclaration } from "../../compiler/registry.js";
import { formatType, SensorEvent } from "../../compiler/types.js";

const onHost =
  "there is no file system worth writing to on the device: publish with `mqtt` and write the CSV on the host";

/** CSV files: replay one as a source, append rows as a sink. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "source",
    name: "csv",
    summary: "Replays the rows of a CSV file (with a header row) as events of a schema.",
    params: [
      { name: "file", type: { kind: "string" }, positional: true, required: true, doc: "The file to read." },
      {
        name: "as",
        type: { kind: "schema" },
        default: { kind: "schema", type: SensorEvent },
        doc: "The schema of each row.",
      },
      {
        name: "every",
        type: { kind: "duration" },
        doc: "Pace of the replay; as fast as downstream takes them when absent.",
      },
    ],
    targets: ["node"],
    unsupportedHint: { esp8266: onHost },
    output: (ctx) => {
      const schema = ctx.params.get("as");
      return schema?.kind === "schema" ? schema.type : SensorEvent;
    },
    example: 'csv "test.csv" as SensorEvent -> print',
  },
  {
    kind: "sink",
    name: "csv",
    summary:
      "Appends rows to a CSV file with a header. SensorEvent rows are the tutorial's four columns: unix time, human-readable time, sensor id, value.",
    params: [
      { name: "file", type: { kind: "string" }, positional: true, required: true, doc: "The file to append to." },
      {
        name: "rotate",
        type: { kind: "enum", values: ["none", "daily"] },
        default: { kind: "enum", value: "none" },
        doc: "`daily` starts a new file each day: test-2026-11-25.csv.",
      },
      {
        name: "header",
        type: { kind: "bool" },
        default: { kind: "bool", value: true },
        doc: "Write a header row to new files.",
      },
    ],
    targets: ["node"],
    unsupportedHint: { esp8266: onHost },
    accepts: (input) =>
      input.kind === "record" || input.kind === "scalar"
        ? undefined
        : `writes records or numbers, not ${formatType(input)}`,
    example: 'mqtt "sensor-data" -> json as SensorEvent -> csv "test.csv"',
  },
];
