import { describe, expect, it } from "vitest";
import { ManualClock } from "./manual-clock.js";
import { formatStatsTable, NodeStats, snapshotStats, startStatsPrinter } from "./stats.js";

function stages() {
  const source = new NodeStats("n0", 'mqtt "sensor-data"');
  const json = new NodeStats("n1", "json as SensorEvent");
  return { source, json, all: [source, json] };
}

describe("formatStatsTable", () => {
  it("aligns the counters, with rates against a snapshot", () => {
    const { source, json, all } = stages();
    const before = snapshotStats(all, 0);
    source.out = 10_000;
    json.in = 10_000;
    json.out = 9_990;
    json.dropped = 10;
    expect(formatStatsTable(all, before, 5000)).toBe(
      [
        "stage                      in    out  dropped  errors  out/s",
        'n0 mqtt "sensor-data"       0  10000        0       0   2000',
        "n1 json as SensorEvent  10000   9990       10       0   1998",
        "",
      ].join("\n"),
    );
  });

  it("shows no rate without a snapshot", () => {
    expect(formatStatsTable(stages().all, undefined, 0)).toMatch(/n0 mqtt "sensor-data"\s+0\s+0\s+0\s+0\s+-\n/);
  });
});

describe("startStatsPrinter", () => {
  it("prints every period and once more when stopped", () => {
    const { source, all } = stages();
    const clock = new ManualClock(0);
    const printed: string[] = [];
    const printer = startStatsPrinter(all, { everyMs: 1000, write: (text) => printed.push(text), clock });
    source.out = 5;
    clock.advance(1000);
    source.out = 15;
    clock.advance(1000);
    expect(printed).toHaveLength(2);
    expect(printed[1]).toMatch(/n0 mqtt "sensor-data"\s+0\s+15\s+0\s+0\s+10\n/);
    printer.stop();
    printer.stop();
    expect(printed).toHaveLength(3);
    expect(clock.pending).toBe(0);
  });
});
