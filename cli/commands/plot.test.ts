// flowc plot: the csv sink's files (and other CSVs) read into lines per key, drawn as SVG by
// cli/line-chart.ts or as PNG, with exit codes for unreadable files, unknown columns and formats.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { xmlWellFormed } from "../../test/support/diagram-fixtures.js";
import { lineChartSvg, niceTicks } from "../line-chart.js";
import { csvSeries, plotCommand, type PlotCommandOptions } from "./plot.js";

const tutorialCsv = [
  "timestamp,datetime,sensor_id,value",
  "1484535480.613611,2017-01-16T02:58:00.613611,lux-1,284.1312",
  "1484535481,2017-01-16T02:58:01,lux-2,90.5",
  "1484535482,2017-01-16T02:58:02,lux-1,290",
  "",
].join("\n");

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-plot-"));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

async function plot(text: string | undefined, options: PlotCommandOptions = {}) {
  const file = join(folder, "test.csv");
  if (text !== undefined) await writeFile(file, text);
  let stdout = "";
  let stderr = "";
  const code = await plotCommand(text === undefined ? join(folder, "missing.csv") : file, options, {
    stdout: { write: (chunk) => (stdout += String(chunk)) },
    stderr: { write: (chunk) => (stderr += String(chunk)) },
  });
  return { code, stdout, stderr };
}

describe("csvSeries", () => {
  it("reads the csv sink's files as a line per sensor_id, timestamp against value", () => {
    expect(csvSeries(tutorialCsv, {})).toEqual({
      y: "value",
      skipped: 0,
      series: [
        {
          key: "lux-1",
          points: [
            [1484535480.613611, 284.1312],
            [1484535482, 290],
          ],
        },
        { key: "lux-2", points: [[1484535481, 90.5]] },
      ],
    });
  });

  it("takes the columns it is told, ISO times and milliseconds, and skips rows it cannot read", () => {
    const text =
      "when,room,celsius,note\n2026-12-03T10:00:00,a,21.5,x\n1796292000000,b,19,y\nlater,a,20,z\n2026-12-03T10:00:02,a,,w\n";
    expect(csvSeries(text, { x: "when", by: "room", y: "celsius" })).toEqual({
      y: "celsius",
      skipped: 2,
      series: [
        { key: "a", points: [[1796292000, 21.5]] },
        { key: "b", points: [[1796292000, 19]] },
      ],
    });
  });

  it("plots one line named after the value column when there is no key column, by row without a time", () => {
    expect(csvSeries("reading\n1\n2\n", {})).toEqual({
      y: "reading",
      skipped: 0,
      series: [
        {
          key: "reading",
          points: [
            [0, 1],
            [1, 2],
          ],
        },
      ],
    });
  });
});

describe("lineChartSvg", () => {
  it("draws well-formed SVG with a line per series, escaped names and round ticks", () => {
    const svg = lineChartSvg(
      [
        {
          key: "<lux-1>",
          points: [
            [0, 1],
            [60, 2],
            [120, 3],
          ],
        },
        { key: "lux-2", points: [] },
      ],
      { title: "a & b", y: "lux" },
    );
    expect(xmlWellFormed(svg)).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain("&#60;lux-1&#62;");
    expect(svg).toContain("a &#38; b");
    expect(svg).toContain(">00:01:00<");
    expect(niceTicks(0.3, 9.2, 5)).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it("thins a long series to what its pixel columns can show, keeping each column's extremes", () => {
    const points = Array.from({ length: 100_000 }, (_, i) => [i, i % 1000 === 500 ? 1000 : Math.sin(i)] as const);
    const svg = lineChartSvg([{ key: "many", points }], { title: "t", y: "v", width: 500 });
    const drawn = /points="([^"]*)"/.exec(svg)![1]!.split(" ");
    expect(drawn.length).toBeLessThan(2500);
    // Every spike of 1000 is still drawn: as the top of the plot.
    const top = Math.min(...drawn.map((pair) => Number(pair.split(",")[1])));
    expect(drawn.filter((pair) => Number(pair.split(",")[1]) === top)).toHaveLength(100);
  });
});

describe("flowc plot", () => {
  it("prints SVG on standard output by default", async () => {
    const { code, stdout, stderr } = await plot(tutorialCsv);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(/^<svg /);
    expect(stdout).toContain(">lux-2<");
  });

  it("writes a PNG for -o plot.png", async () => {
    const output = join(folder, "plot.png");
    expect((await plot(tutorialCsv, { output })).code).toBe(0);
    const png = await readFile(output);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(1800);
  });

  it("exits 2 for a missing file, an unknown column or an output it cannot tell the format of", async () => {
    expect(await plot(undefined)).toMatchObject({ code: 2, stderr: expect.stringContaining("no such file") });
    expect(await plot(tutorialCsv, { by: "room" })).toEqual({
      code: 2,
      stdout: "",
      stderr: 'flowc plot: there is no column "room" for --by (the header has timestamp, datetime, sensor_id, value)\n',
    });
    const output = join(folder, "plot.jpg");
    expect((await plot(tutorialCsv, { output })).code).toBe(2);
    expect(existsSync(output)).toBe(false);
  });

  it("exits 1 when the file has nothing to plot, and says how many rows it skipped", async () => {
    expect(await plot("timestamp,sensor_id,value\n")).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("no rows"),
    });
    expect(await plot("a,b\nx,y\n")).toMatchObject({ code: 1, stderr: expect.stringContaining("--y") });
    expect((await plot(`${tutorialCsv}oops,lux-1,1,2\n`)).stderr).toBe(
      "flowc plot: skipped 1 rows without a time and a number\n",
    );
  });
});
