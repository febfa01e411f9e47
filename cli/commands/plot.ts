/**
 * `flowc plot FILE.csv [-o plot.svg|png] [--by COLUMN] [--x COLUMN] [--y COLUMN]`: the tutorial's
 * "graph the CSV" step without Jupyter. Reads a CSV with a header row (the `csv` sink's
 * `timestamp,datetime,sensor_id,value`, or any other) and draws a line per `--by` value over time.
 */
import { readFile, writeFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { Option, type Command } from "commander";
import { parse } from "csv-parse/sync";
import { ExitCode, processStreams, type CommandStreams } from "../io.js";
import { lineChartSvg, type LineSeries, type TimedPoint } from "../line-chart.js";

export interface PlotCommandOptions {
  /** `.svg` or `.png`; SVG on standard output when absent. */
  readonly output?: string;
  /** A line per value of this column; default `sensor_id` when the file has it. */
  readonly by?: string;
  /** The time column; default the first of `timestamp`, `ts`, `time`, `datetime`. */
  readonly x?: string;
  /** The value column; default `value` or `val`, else the last column holding numbers. */
  readonly y?: string;
}

/** Usage mistakes (exit 2) and problems of the file's contents (exit 1), each one line. */
class PlotError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

const timeColumns = ["timestamp", "ts", "time", "datetime"];
const valueColumns = ["value", "val"];
/** Unix times past this are in milliseconds (as seconds they would be after the year 5000). */
const millisecondsFrom = 1e11;

/**
 * Reads CSV text into a line per `by` value. Rows whose time or value cannot be read are skipped
 * and counted.
 *
 * @example
 * csvSeries("timestamp,datetime,sensor_id,value\n1484535480,2017-01-16T02:58:00,lux-1,284.1\n", {});
 * // { series: [{ key: "lux-1", points: [[1484535480, 284.1]] }], y: "value", skipped: 0 }
 */
export function csvSeries(
  text: string,
  options: Pick<PlotCommandOptions, "by" | "x" | "y">,
): { series: LineSeries[]; y: string; skipped: number } {
  const rows = parse(text, { skip_empty_lines: true, relax_column_count: true }) as string[][];
  const header = (rows.shift() ?? []).map((cell) => cell.trim());
  const column = (name: string, flag: string) => {
    const index = header.findIndex((cell) => cell.toLowerCase() === name.toLowerCase());
    if (index === -1)
      throw new PlotError(
        `there is no column "${name}" for ${flag} (the header has ${header.join(", ")})`,
        ExitCode.Usage,
      );
    return index;
  };
  const find = (names: readonly string[]) =>
    names.map((name) => header.findIndex((cell) => cell.toLowerCase() === name)).find((index) => index !== -1);

  const timeIndex = options.x !== undefined ? column(options.x, "--x") : find(timeColumns);
  const byIndex = options.by !== undefined ? column(options.by, "--by") : find(["sensor_id"]);
  const numeric = (index: number) =>
    rows.some((row) => row[index] !== undefined && Number.isFinite(Number(row[index])));
  const valueIndex =
    options.y !== undefined
      ? column(options.y, "--y")
      : (find(valueColumns) ??
        header.findLastIndex((_, index) => index !== timeIndex && index !== byIndex && numeric(index)));
  if (valueIndex === undefined || valueIndex === -1)
    throw new PlotError("no column holds numbers to plot: name one with --y", ExitCode.Failure);

  const byKey = new Map<string, TimedPoint[]>();
  let skipped = 0;
  rows.forEach((row, rowIndex) => {
    const ts = timeIndex === undefined ? rowIndex : timeOf(row[timeIndex]);
    const value = Number(row[valueIndex]);
    if (
      ts === undefined ||
      row[valueIndex] === undefined ||
      row[valueIndex]!.trim() === "" ||
      !Number.isFinite(value)
    ) {
      skipped++;
      return;
    }
    const key = byIndex === undefined ? header[valueIndex]! : (row[byIndex] ?? "");
    let points = byKey.get(key);
    if (points === undefined) byKey.set(key, (points = []));
    points.push([ts, value]);
  });
  const series = [...byKey].map(([key, points]) => ({ key, points: points.sort((a, b) => a[0] - b[0]) }));
  return { series, y: header[valueIndex]!, skipped };
}

/** Unix seconds (or milliseconds, told by size), or an ISO 8601 date-time (UTC unless it says). */
function timeOf(cell: string | undefined): number | undefined {
  if (cell === undefined || cell.trim() === "") return undefined;
  const number = Number(cell);
  if (Number.isFinite(number)) return number > millisecondsFrom ? number / 1000 : number;
  const iso = /(Z|[+-]\d\d:?\d\d)$/.test(cell.trim()) ? cell.trim() : `${cell.trim()}Z`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/**
 * Runs `flowc plot` and returns the exit code: 0 when the picture was written, 1 when the file
 * has nothing to plot, 2 for an unreadable file, an unknown column or an output format it cannot
 * tell from the extension.
 *
 * @example
 * process.exitCode = await plotCommand("test.csv", { output: "light.png" });
 */
export async function plotCommand(
  file: string,
  options: PlotCommandOptions = {},
  streams: CommandStreams = processStreams,
): Promise<ExitCode> {
  const fail = (message: string, code: ExitCode) => {
    streams.stderr.write(`flowc plot: ${message}\n`);
    return code;
  };
  const format = options.output === undefined ? "svg" : extname(options.output).toLowerCase().slice(1);
  if (format !== "svg" && format !== "png")
    return fail(`cannot tell the picture format from "${options.output}": name it .svg or .png`, ExitCode.Usage);

  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      `cannot read ${file}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`,
      ExitCode.Usage,
    );
  }
  let plotted;
  try {
    plotted = csvSeries(text, options);
  } catch (error) {
    if (error instanceof PlotError) return fail(error.message, error.exitCode);
    return fail(`${file} is not CSV: ${(error as Error).message}`, ExitCode.Failure);
  }
  if (plotted.series.length === 0) return fail(`${file} has no rows to plot`, ExitCode.Failure);
  if (plotted.skipped > 0)
    streams.stderr.write(`flowc plot: skipped ${plotted.skipped} rows without a time and a number\n`);

  const svg = lineChartSvg(plotted.series, { title: basename(file), y: plotted.y });
  const picture = format === "png" ? await (await import("../png.js")).svgToPng(svg) : svg;
  if (options.output === undefined) streams.stdout.write(picture);
  else await writeFile(options.output, picture);
  return ExitCode.Ok;
}

/**
 * Adds `plot` to the `flowc` command line.
 *
 * @example
 * registerPlotCommand(new Command("flowc"));
 */
export function registerPlotCommand(program: Command, streams: CommandStreams = processStreams): Command {
  return program
    .command("plot")
    .summary("draw a CSV file's readings over time as SVG or PNG")
    .description(
      "Draw the rows of a CSV file with a header (as the csv sink writes them) as lines over time: a line per " +
        "--by value (sensor_id by default), time from the timestamp column, values from the value column.",
    )
    .argument("<file>", "the CSV file")
    .option("-o, --output <file>", "write the picture here: .svg or .png (default: SVG on standard output)")
    .addOption(new Option("--by <column>", "a line per value of this column (default: sensor_id, if there is one)"))
    .option("--x <column>", "the time column: unix seconds or ISO 8601 (default: timestamp, ts, time or datetime)")
    .option("--y <column>", "the value column (default: value or val, else the last column of numbers)")
    .addHelpText("after", "\nExit codes: 0 drawn, 1 nothing to plot, 2 usage error or unreadable file.")
    .action(async (file: string, options: PlotCommandOptions) => {
      process.exitCode = await plotCommand(file, options, streams);
    });
}
