// Generated device flows (test/support/arbitrary-program.ts, every component that runs on the
// board) build into bundles that compile and run in real MicroPython on the simulated board: no
// exception escapes setup or the main loop, and no step reports a fault. FUZZ_RUNS scales it.
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { IRProgram } from "../../compiler/ir.js";
import { arbitraryProgram } from "../../test/support/arbitrary-program.js";
import { MicroPythonDevice } from "./simulator/board.js";
import { loadBundleIntoDevice } from "./testing.js";
import { buildEsp8266Bundle, compile, registry } from "../../test/support/catalogue.js";
import { boardParts } from "../../components/board.js";

/** A case costs a board boot and a few steps: a fifth of the other properties' runs. */
const runs = Math.max(10, Math.round(Number(process.env["FUZZ_RUNS"] ?? 500) / 5));

// One board for the whole file (the harness runs one per process), rebooted into each bundle.
let device: MicroPythonDevice;
beforeAll(async () => {
  device = await MicroPythonDevice.create({
    parts: boardParts,
    wifi: {},
    sensors: { tsl2591: { lux: 284.13 }, mcp9808: { celsius: 21.5 }, adxl345: {}, adc: { raw: 512 } },
  });
});
afterAll(() => device.close());

/**
 * Labels of the program's sensors: one read on pins or at an address where nothing answers
 * fails, as on a board.
 */
function sensorLabels(program: IRProgram): string[] {
  return program.nodes
    .filter((node) => node.kind === "source" && registry().get("source", node.name)?.periodic)
    .map((node) => node.label);
}

it("builds every generated device flow into a bundle that compiles and runs in MicroPython", async () => {
  await fc.assert(
    fc.asyncProperty(arbitraryProgram({ target: "esp8266" }), async (program) => {
      const result = compile([{ path: "fuzz.flow", text: program.text }], { target: "esp8266" });
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const ir = result.programs[0]!;
      const bundle = buildEsp8266Bundle(ir, { secrets: program.secrets, env: {}, sources: result.sources });
      // Deep sleep keeps state in RTC memory's 492 bytes: a flow keeping more is refused (E504), and
      // one whose heap would pass what the board leaves a program (E503), rightly.
      fc.pre(!bundle.diagnostics.some((d) => d.code === "E504" || d.code === "E503"));
      expect(bundle.diagnostics.filter((d) => d.severity === "error")).toEqual([]);

      await loadBundleIntoDevice(bundle.files, device);
      device.takeOutput();
      for (const file of bundle.files.filter((f) => f.path.endsWith(".py")))
        await device.run(`compile(open(${JSON.stringify(file.path)}).read(), ${JSON.stringify(file.path)}, "exec")`);
      let outcome = await device.setup({ forMs: 30_000 });
      for (const topic of ir.topics.filter((t) => t.direction === "subscribe")) {
        const concrete = topic.topic
          .replace(/\$share\/[^/]+\//, "")
          .replace(/\+/g, "x")
          .replace(/#$/, "y");
        device.mqtt.deliver(concrete, '["lux-1", 611, 284.13]');
        device.mqtt.deliver(concrete, '{"val": 3, "sensor_id": "s", "ts": 1}');
        device.mqtt.deliver(concrete, "not json");
      }
      for (let i = 0; i < 8 && outcome.kind !== "halted"; i++) {
        device.advance(1_500);
        outcome = await device.step({ forMs: 30_000 });
      }
      const sensors = sensorLabels(ir);
      const faults = device
        .takeOutput()
        .filter((line) => /^flowc: .* failed: /.test(line))
        .filter((line) => !/^flowc: (wifi|mqtt|ntp) failed/.test(line))
        .filter((line) => !sensors.some((label) => line.startsWith(`flowc: ${label} failed`)))
        // `json` reports the payloads it rejects, and an event-time window the late events it
        // drops (docs/reliability.md), as they should: the data, not the flow, is at fault.
        .filter((line) => !/^flowc: json\b.* failed/.test(line))
        .filter((line) => !/ failed: dropped a late event: its window had closed$/.test(line));
      // `json` without `as` passes on payloads of any shape, which a later step may not take: the
      // board reports that under the step's name and goes on, as the host does. Typed flows must
      // never fault.
      const untypedSteps = ir.nodes.filter((node) => node.input?.kind === "any").map((node) => node.label);
      expect(
        faults.filter((line) => !untypedSteps.some((label) => line.startsWith(`flowc: ${label} failed: `))),
      ).toEqual([]);
    }),
    { numRuns: runs },
  );
}, 300_000);
