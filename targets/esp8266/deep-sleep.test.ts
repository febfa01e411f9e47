// Deep sleep resets the ESP8266 at every wake-up: each source keeps its own period, and the
// nodes' state goes on where it was, through RTC memory (firmware/deep-sleep.ts), in real
// MicroPython on the simulated board, rebooted after each sleep as the board is.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MicroPythonDevice, ResetCause } from "./simulator/board.js";
import type { Bundle } from "./bundle.js";
import { buildEsp8266Bundle, compile } from "../../test/support/catalogue.js";
import { longestDeepSleepMs } from "./firmware/deep-sleep.js";
import { loadBundleIntoDevice } from "./testing.js";

const device = (text: string) => `device esp8266 {\n  wifi "lab", "pw"\n  deep_sleep\n}\n${text}`;

function bundleOf(text: string): Bundle {
  const result = compile([{ path: "flow.flow", text }], { target: "esp8266" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return buildEsp8266Bundle(result.programs[0]!, { env: {} });
}

let board: MicroPythonDevice;
beforeAll(async () => {
  board = await MicroPythonDevice.create({ wifi: {} });
});
afterAll(() => board.close());

/** Runs main.py as the board does, through deep sleeps, until `ms` of virtual time have passed. */
async function runFor(bundle: Bundle, ms: number): Promise<number[]> {
  // Woken up first, so loading the bundle resets it by hand (a deep-sleep reset would restore state).
  if (board.halt) await board.reboot();
  await loadBundleIntoDevice(bundle.files, board);
  board.mqtt.published.length = 0;
  board.takeOutput();
  const end = board.clock.nowUs + ms * 1000;
  const sleeps: number[] = [];
  while (board.clock.nowUs < end) {
    const outcome = await board.run("import main\nmain.run()", { forMs: (end - board.clock.nowUs) / 1000 });
    if (outcome.kind !== "halted") break;
    if (outcome.halt.reason !== "deepsleep") throw new Error(`the board halted: ${outcome.halt.reason}`);
    const sleepMs = outcome.halt.sleepMs!;
    sleeps.push(sleepMs);
    if (board.clock.nowUs + sleepMs * 1000 >= end) break;
    await board.reboot();
    expect(board.resetCause).toBe(ResetCause.DEEPSLEEP_RESET);
  }
  return sleeps;
}

describe("deep sleep keeps each source's period", () => {
  it("publishes a source every 10min once in ten wake-ups of one every 1min", async () => {
    const sleeps = await runFor(
      bundleOf(
        device(
          'sim "fast" every 1min shape constant value 1 -> mqtt "t"\nsim "slow" every 10min shape constant value 2 -> mqtt "t"\n',
        ),
      ),
      20 * 60_000 - 1,
    );
    const sources = board.mqtt.published.map((message) => (JSON.parse(message.text) as [string])[0]);
    expect(sources.filter((id) => id === "fast")).toHaveLength(20);
    expect(sources.filter((id) => id === "slow")).toHaveLength(2);
    // It sleeps the whole minute (less what waking up took), not 30 s at a time.
    expect(Math.min(...sleeps)).toBeGreaterThan(55_000);
  });

  it("sleeps until a source every 6h is due, in sleeps no longer than the ESP8266 can do", async () => {
    const sleeps = await runFor(
      bundleOf(device('sim "s" every 6h shape constant value 1 -> mqtt "t"\n')),
      12 * 3600_000 + 60_000,
    );
    expect(board.mqtt.published).toHaveLength(3);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(longestDeepSleepMs);
    expect(sleeps.length).toBeLessThanOrEqual(7);
  });
});

describe("deep sleep keeps the nodes' state in RTC memory", () => {
  it("counts on across resets with scan", async () => {
    await runFor(bundleOf(device('sim "s" every 10s shape constant value 1 -> scan n = 0, n + 1 -> print\n')), 45_000);
    expect(board.output.filter((line) => /^\d+$/.test(line))).toEqual(["1", "2", "3", "4", "5"]);
  });

  it("starts afresh after a power cycle, and ignores RTC memory another bundle left", async () => {
    const counting = (start: number) =>
      bundleOf(device(`sim "s" every 10s shape constant value 1 -> scan n = ${start}, n + 1 -> print\n`));
    const counted = () => board.takeOutput().filter((line) => /^\d+$/.test(line));
    await runFor(counting(0), 25_000);
    expect(counted()).toEqual(["1", "2", "3"]);
    await board.reboot(); // the alarm wakes it
    await board.reboot(); // the reset button: RAM and the schedule start over
    expect(board.resetCause).toBe(ResetCause.HARD_RESET);
    await board.run("import main\nmain.run()", { forMs: 1_000 });
    expect(counted()).toEqual(["1"]);
    // Asleep with the first bundle's state in RTC memory, the board gets another bundle.
    expect(board.halt?.reason).toBe("deepsleep");
    for (const file of counting(100).files) if (file.path.endsWith(".py")) board.writeFile(file.path, file.contents);
    await board.reboot();
    expect(board.resetCause).toBe(ResetCause.DEEPSLEEP_RESET);
    await board.run("import main\nmain.run()", { forMs: 1_000 });
    expect(counted()).toEqual(["101"]);
  });

  it("refuses state that cannot fit in RTC memory, at the node that keeps it", () => {
    const text = device('sim "s" every 10s -> moving_avg 100 -> print\n');
    const result = compile([{ path: "flow.flow", text }], { target: "esp8266" });
    const bundle = buildEsp8266Bundle(result.programs[0]!, { env: {} });
    const error = bundle.diagnostics.find((d) => d.code === "E504");
    expect(error).toMatchObject({
      severity: "error",
      message: expect.stringMatching(
        /^`moving_avg 100` keeps about \d+ bytes of state \(the flow \d+\), more than the \d+ bytes of RTC memory that survive deep sleep$/,
      ),
      span: { start: text.indexOf("moving_avg") },
    });
    expect(error?.related?.[0]?.span.start).toBe(text.indexOf("deep_sleep"));
  });
});
