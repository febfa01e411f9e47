/**
 * CSV files on the host. The sink appends rows: SensorEvents as the tutorial's four columns
 * (`timestamp,datetime,sensor_id,value`: unix time, the same time as ISO 8601 UTC as ThingFlow's
 * csv_writer writes it, sensor id, value), other records one column per field, scalars one
 * `value` column. The source replays a file with a header row as events of a schema, reading the
 * tutorial's four-column files as SensorEvents too, as fast as the sinks take them or one row per
 * `every`.
 *
 * Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR)
 * is written as `"'=…"` unless `formulas raw` says otherwise, and the source reads such cells
 * back without the `'`. A file whose header is not the flow's is refused at start, or renamed
 * aside with `header_mismatch rotate`: rows are never appended under another header.
 */
import { createReadStream, openSync } from "node:fs";
import { parse } from "csv-parse";
import type { FlowType, RecordType } from "../../compiler/types.js";
import {
  componentKey,
  type NodeImplementation,
  type Observer,
  type RunningSource,
  type RuntimeContext,
  type Sink,
} from "../../runtime/component.js";
import { csvField, FileError, LineWriter } from "../../runtime/files.js";
import { csvHeader } from "./declaration.js";

/** ThingFlow's column names for SensorEvent fields, where they differ from the field names. */
const tutorialColumns: Readonly<Record<string, string>> = { ts: "timestamp", val: "value" };

const isSensorEvent = (type: FlowType | undefined): boolean => type?.kind === "record" && type.name === "SensorEvent";

/**
 * Unix seconds as ISO 8601 UTC with microseconds, like Python's
 * `datetime.utcfromtimestamp(ts).isoformat()` (`2017-01-16T02:58:00.613611`; no fraction when it
 * is zero). The date-time part is cached per second: consecutive rows mostly share it.
 */
export function isoTimeFormatter(): (seconds: number) => string {
  let cachedSecond = NaN;
  let cachedText = "";
  return (seconds) => {
    if (!Number.isFinite(seconds)) return "";
    let whole = Math.floor(seconds);
    let micros = Math.round((seconds - whole) * 1e6);
    if (micros === 1_000_000) {
      whole += 1;
      micros = 0;
    }
    if (whole !== cachedSecond) {
      cachedSecond = whole;
      cachedText = new Date(whole * 1000).toISOString().slice(0, 19);
    }
    return micros === 0 ? cachedText : `${cachedText}.${String(micros).padStart(6, "0")}`;
  };
}

/** How text cells are written and read: formula-safe (the default) or as they are. */
export type Formulas = "escape" | "raw";

/** Text a spreadsheet would take for a formula: OWASP's CSV injection list of first characters. */
const formulaStart = /^[=+\-@\t\r]/;

/**
 * A text cell: quoted when needed; text starting like a formula gets a `'` in front and quotes
 * around it (OWASP's rule), so a spreadsheet shows it instead of running it.
 *
 * @example
 * textCell("=HYPERLINK(\"http://x\")", "escape"); // "\"'=HYPERLINK(\"\"http://x\"\")\""
 * textCell("-5 dB", "raw"); // "-5 dB"
 */
export function textCell(text: string, formulas: Formulas): string {
  if (formulas === "escape" && formulaStart.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  return csvField(text);
}

/** A text cell as it was before {@link textCell} escaped it. */
function unescapedText(text: string): string {
  return text.length > 1 && text[0] === "'" && formulaStart.test(text.slice(1)) ? text.slice(1) : text;
}

/** A cell for any value: text quoted when needed, numbers and bools plainly, records as JSON, nothing as empty. */
function cell(value: unknown, formulas: Formulas): string {
  switch (typeof value) {
    case "string":
      return textCell(value, formulas);
    case "number":
    case "boolean":
      return String(value);
    case "undefined":
      return "";
    default:
      return value === null ? "" : csvField(JSON.stringify(value));
  }
}

/**
 * The header and row format for events of `type`.
 *
 * @example
 * csvFormat(SensorEvent).row({ sensor_id: "lux-1", ts: 1484535480.613611, val: 371.6063 });
 * // "1484535480.613611,2017-01-16T02:58:00.613611,lux-1,371.6063"
 */
export function csvFormat(
  type: FlowType | undefined,
  formulas: Formulas = "escape",
): { header: string; row: (event: unknown) => string } {
  const header = csvHeader(type);
  if (isSensorEvent(type)) {
    const iso = isoTimeFormatter();
    return {
      header,
      row: (event) => {
        const { sensor_id: sensorId, ts, val } = event as { sensor_id: string; ts: number; val: number };
        return `${ts},${iso(ts)},${textCell(sensorId, formulas)},${val}`;
      },
    };
  }
  if (type?.kind === "record") {
    const names = type.fields.map((field) => field.name);
    return {
      header,
      row: (event) => {
        const record = event as Record<string, unknown>;
        let line = cell(record[names[0]!], formulas);
        for (let i = 1; i < names.length; i++) line += `,${cell(record[names[i]!], formulas)}`;
        return line;
      },
    };
  }
  return { header, row: (event) => cell(event, formulas) };
}

/** Converts a CSV cell to a field's type; undefined when it cannot. */
function cellParser(type: FlowType, formulas: Formulas): (text: string) => unknown {
  if (type.kind === "scalar") {
    switch (type.name) {
      case "string":
        return formulas === "escape" ? unescapedText : (text) => text;
      case "bool":
        return (text) => booleanCells.get(text.trim().toLowerCase());
      case "int":
        return (text) => {
          const value = text.trim() === "" ? NaN : Number(text);
          return Number.isInteger(value) ? value : undefined;
        };
      default:
        return (text) => {
          const value = text.trim() === "" ? NaN : Number(text);
          return Number.isNaN(value) ? undefined : value;
        };
    }
  }
  return (text) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  };
}

const booleanCells = new Map([
  ["true", true],
  ["false", false],
  ["1", true],
  ["0", false],
  ["yes", true],
  ["no", false],
]);

const typeWords: Readonly<Record<string, string>> = {
  int: "an integer",
  number: "a number",
  duration: "a number",
  bool: "true or false",
};

/**
 * Maps header cells to the schema's fields (by name, ignoring case; SensorEvent also by the
 * tutorial's `timestamp`/`value`), returning a row converter or a message naming the missing
 * column.
 */
type RowReader = (row: readonly string[]) => { event?: unknown; problem?: string };

function rowReader(schema: RecordType, header: readonly string[], formulas: Formulas): RowReader | string {
  const columns = header.map((name) => name.trim().toLowerCase());
  const readers = schema.fields.map((field) => {
    let index = columns.indexOf(field.name.toLowerCase());
    const alias = isSensorEvent(schema) ? tutorialColumns[field.name] : undefined;
    if (index < 0 && alias) index = columns.indexOf(alias);
    return { field, index, parse: cellParser(field.type, formulas) };
  });
  const missing = readers.filter((reader) => reader.index < 0).map((reader) => `\`${reader.field.name}\``);
  if (missing.length > 0) return `its header (${header.join(",")}) has no column for ${missing.join(", ")}`;
  return (row) => {
    const event: Record<string, unknown> = {};
    for (const { field, index, parse } of readers) {
      const text = row[index];
      const value = text === undefined ? undefined : parse(text);
      if (value === undefined) {
        const expected = field.type.kind === "scalar" ? (typeWords[field.type.name] ?? "text") : "JSON";
        return {
          problem:
            text === undefined ? `no \`${field.name}\` column in this row` : `\`${field.name}\` must be ${expected}`,
        };
      }
      event[field.name] = value;
    }
    return { event };
  };
}

/** Replays the rows of a file; see the module comment. */
function replay(ctx: RuntimeContext, out: Observer): RunningSource {
  const path = ctx.params.path("file");
  const schema = ctx.params.schema("as");
  const everyMs = ctx.params.optionalDurationMs("every");
  const formulas = ctx.params.enumValue<Formulas>("formulas");
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new FileError(path, (error as NodeJS.ErrnoException).code, "read", error);
  }
  const parser = createReadStream("", { fd }).pipe(
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true }),
  );
  let stopped = false;
  // Resolves on stop, so a replay waiting for the sinks (which may wait for a disk that is full,
  // or a broker that is away) stops at once.
  let stopWaiting!: () => void;
  const stopRequested = new Promise<void>((resolve) => (stopWaiting = resolve));
  let ticks = 0;
  let wakeTick: (() => void) | undefined;
  const task =
    everyMs === undefined
      ? undefined
      : ctx.scheduler.schedulePeriodic(everyMs, () => {
          // At most one tick is kept: a paused replay resumes at the pace, not in a burst.
          ticks = 1;
          wakeTick?.();
        });
  const nextTick = () =>
    new Promise<void>((resolve) => {
      wakeTick = resolve;
    });

  const run = async () => {
    let read: RowReader | undefined;
    let rowNumber = 0;
    for await (const row of parser as AsyncIterable<string[]>) {
      rowNumber++;
      if (stopped) return;
      if (read === undefined) {
        const reader = rowReader(schema, row, formulas);
        if (typeof reader === "string")
          throw new Error(`${path} cannot be read as ${schema.name ?? "records"}: ${reader}`);
        read = reader;
        continue;
      }
      if (task) {
        while (ticks === 0 && !stopped) await nextTick();
        ticks = 0;
      } else if (ctx.pressure.blocked) {
        await Promise.race([ctx.pressure.whenClear(), stopRequested]);
      }
      if (stopped) return;
      const { event, problem } = read(row);
      if (problem !== undefined) ctx.badInput.report(row.join(","), `${path} row ${rowNumber}: ${problem}`);
      else out.next(event);
    }
  };
  const finished = run().then(
    () => {
      task?.cancel();
      if (!stopped) out.completed();
    },
    (error: unknown) => {
      task?.cancel();
      const message = error instanceof Error ? error.message : String(error);
      if (!stopped) out.error(new Error(message.startsWith(path) ? message : `${path}: ${message}`, { cause: error }));
    },
  );
  return {
    stop: async () => {
      stopped = true;
      task?.cancel();
      wakeTick?.();
      stopWaiting();
      parser.destroy();
      await finished;
    },
  };
}

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("source", "csv"),
    source: (_node, ctx, out) => replay(ctx, out),
  },
  {
    key: componentKey("sink", "csv"),
    sink(node, ctx): Sink {
      const format = csvFormat(node.input, ctx.params.enumValue<Formulas>("formulas"));
      const writer = new LineWriter({
        path: ctx.params.path("file"),
        rotate: ctx.params.enumValue<"none" | "daily">("rotate"),
        ...(ctx.params.bool("header") ? { header: format.header } : {}),
        headerMismatch: ctx.params.enumValue<"refuse" | "rotate">("header_mismatch"),
        log: ctx.log,
        clock: ctx.clock,
        pressure: ctx.pressure,
        onDropped: (lines) => {
          ctx.stats.dropped += lines;
        },
      });
      const row = format.row;
      return {
        next: (event) => writer.writeLine(row(event)),
        completed() {},
        error() {},
        close: () => writer.close(),
      };
    },
  },
];
