import type { ComponentContext, ComponentDeclaration, ParamSpec } from "../../compiler/registry.js";
import { formatType, SensorEvent, type FlowType } from "../../compiler/types.js";

/**
 * The header row of a CSV file of events of `type`: SensorEvents as the tutorial's four columns,
 * other records one column per field (names are identifiers, so none needs quoting), anything
 * else one `value` column.
 *
 * @example
 * csvHeader(SensorEvent); // "timestamp,datetime,sensor_id,value"
 */
export function csvHeader(type: FlowType | undefined): string {
  if (type?.kind === "record" && type.name === "SensorEvent") return "timestamp,datetime,sensor_id,value";
  if (type?.kind === "record") return type.fields.map((field) => field.name).join(",");
  return "value";
}

/** A CSV file written, for the one-shape-per-file check: daily files are their own resource. */
function writtenFile(ctx: ComponentContext) {
  const file = ctx.params.get("file");
  if (file?.kind !== "string") return undefined;
  const rotate = ctx.params.get("rotate");
  const path = file.value.replace(/^(\.\/)+/, "");
  return {
    resource: rotate?.kind === "enum" && rotate.value === "daily" ? `${path} (daily)` : path,
    shape: csvHeader(ctx.input),
  };
}

/**
 * Text a spreadsheet would run as a formula (OWASP's CSV injection rule: a cell starting with
 * `=`, `+`, `-`, `@`, tab or carriage return) is written with a `'` in front, and read back
 * without it; `formulas raw` writes and reads text as it is.
 */
const formulasParam = (doc: string): ParamSpec => ({
  name: "formulas",
  type: { kind: "enum", values: ["escape", "raw"] },
  default: { kind: "enum", value: "escape" },
  doc,
});

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
      formulasParam(
        "`escape` (default) reads a text cell written formula-safe (`'=1+2`) back as it was (`=1+2`); `raw` keeps the `'`.",
      ),
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
      {
        name: "header_mismatch",
        type: { kind: "enum", values: ["refuse", "rotate"] },
        default: { kind: "enum", value: "refuse" },
        doc: "An existing file whose header is not this flow's: `refuse` (default) stops the flow at start; `rotate` renames it aside (`test.2026-11-25T10-00-00.csv`) and starts a new one.",
      },
      formulasParam(
        "`escape` (default) writes text starting with `=`, `+`, `-`, `@`, tab or CR with a `'` in front, so a spreadsheet shows it rather than running it; `raw` writes it as it is.",
      ),
    ],
    targets: ["node"],
    unsupportedHint: { esp8266: onHost },
    accepts: (input) =>
      input.kind === "record" || input.kind === "scalar"
        ? undefined
        : `writes records or numbers, not ${formatType(input)}`,
    writes: writtenFile,
    example: 'mqtt "sensor-data" -> json as SensorEvent -> csv "test.csv"',
  },
];
