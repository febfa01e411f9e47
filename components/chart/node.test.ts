// The chart sink on the host: points by key, times from `ts` (seconds or milliseconds) or the
// clock, bounded by window and count, for empty, single, many, bad and never-ending input.
import { describe, expect, it } from "vitest";
import { compile } from "../../test/support/catalogue.js";
import { ChartBoard } from "../../runtime/charts.js";
import { ManualClock } from "../../runtime/manual-clock.js";
import { sensorEvent, startFlow } from "../testing.js";

function chartFlow(text: string, clock?: ManualClock) {
  const charts = new ChartBoard();
  const flow = startFlow(text, { charts, ...(clock ? { clock } : {}) });
  return { charts, flow, feed: flow.feed() };
}

describe("chart sink", () => {
  it("makes an empty chart when no event comes", async () => {
    const { charts, flow } = chartFlow('feed -> chart "Light" y "lux"');
    await flow.finish();
    expect(charts.snapshot()).toEqual([{ name: "Light", y: "lux", windowSeconds: 600, maxPoints: 5000, series: [] }]);
  });

  it("draws one event as one point at its ts, on the line of the plotted field", async () => {
    const { charts, flow, feed } = chartFlow('feed -> chart "Light"');
    feed.next(sensorEvent("lux-1", 1_700_000_000.5, 284.1));
    await flow.finish();
    expect(charts.snapshot()[0]!.series).toEqual([{ key: "val", points: [[1_700_000_000.5, 284.1]] }]);
    expect(charts.snapshot()[0]!.y).toBe("val");
  });

  it("draws a line per `by` key, in arrival order, and reads millisecond timestamps as such", async () => {
    const { charts, flow, feed } = chartFlow('feed -> chart "Light" window 1h by sensor_id y "lux"');
    for (let i = 0; i < 100; i++) feed.next(sensorEvent(i % 2 === 0 ? "lux-1" : "lux-2", 1_700_000_000 + i, i));
    feed.next(sensorEvent("lux-3", 1_700_000_200_000, 7));
    await flow.finish();
    const [chart] = charts.snapshot();
    expect(chart!.windowSeconds).toBe(3600);
    expect(chart!.series.map((s) => [s.key, s.points.length])).toEqual([
      ["lux-1", 50],
      ["lux-2", 50],
      ["lux-3", 1],
    ]);
    expect(chart!.series[1]!.points.slice(0, 2)).toEqual([
      [1_700_000_001, 1],
      [1_700_000_003, 3],
    ]);
    expect(chart!.series[2]!.points).toEqual([[1_700_000_200, 7]]);
  });

  it("keeps only the window's time and at most `points` points per line", async () => {
    const { charts, flow, feed } = chartFlow('feed -> chart "Light" window 10s points 20 by sensor_id');
    for (let i = 0; i < 5000; i++) feed.next(sensorEvent("a", 1000 + i / 100, i));
    for (let i = 0; i < 30; i++) feed.next(sensorEvent("b", 1000 + i, i));
    await flow.finish();
    const [a, b] = charts.snapshot()[0]!.series;
    expect(a!.points).toHaveLength(20);
    expect(a!.points.at(-1)).toEqual([1049.99, 4999]);
    expect(b!.points.map(([ts]) => ts)).toEqual([1019, 1020, 1021, 1022, 1023, 1024, 1025, 1026, 1027, 1028, 1029]);
  });

  it("times number streams by the clock, and counts untyped values that are not numbers as dropped", async () => {
    const clock = new ManualClock(5_000);
    const { charts, flow, feed } = chartFlow('feed type json -> chart "Raw" of val', clock);
    feed.next({ val: 2 });
    feed.next({ val: "high" });
    feed.next({ other: 1 });
    await flow.finish();
    expect(charts.snapshot()[0]!.series).toEqual([{ key: "val", points: [[5, 2]] }]);
    expect(flow.stats("chart").dropped).toBe(2);
  });

  it("keeps drawing a never-ending stream without growing, and tells listeners of every point", async () => {
    const { charts, flow, feed } = chartFlow('feed -> chart "Light" points 100');
    let heard = 0;
    charts.onPoint(() => heard++);
    for (let i = 0; i < 200_000; i++) feed.next(sensorEvent("a", i / 1000, i));
    expect(charts.snapshot()[0]!.series[0]!.points).toHaveLength(100);
    expect(heard).toBe(200_000);
    await flow.finish();
  });

  it("lists charts in the file's order, and gives two charts of the same title distinct names", async () => {
    const { charts, flow } = chartFlow(
      'let s = feed\ns -> chart "A"\ns -> map val * 2 -> chart "B"\ns -> chart "T"\ns -> chart "T"',
    );
    await flow.finish();
    expect(charts.snapshot().map((chart) => chart.name)).toEqual(["A", "B", "T", "T (2)"]);
  });

  it("is refused on the device, and for text", () => {
    const device = compile([{ path: "d.flow", text: 'sim every 1s -> chart "Light"' }], { target: "esp8266" });
    expect(device.diagnostics.map((d) => d.code)).toContain("E501");
    const text = compile([{ path: "t.flow", text: 'interval 1s -> map "x" -> chart "Light"' }]);
    expect(text.diagnostics.filter((d) => d.severity === "error")).not.toHaveLength(0);
  });
});
