// examples/windowed-averages says "one-minute averages and maxima of every lux sensor": run it on
// an embedded broker with two lux sensors publishing, and check that each sensor gets its own
// rows, never a mix of the two.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { runProgram } from "../../runtime/run.js";
import { root, waitFor } from "./support.js";

it("examples/windowed-averages averages and maxes every lux sensor on its own", async () => {
  const folder = await mkdtemp(join(tmpdir(), "flowc-windows-"));
  const server = await readFile(join(root, "examples", "windowed-averages", "server.flow"), "utf8");
  const { programs, diagnostics } = compile([{ path: join(folder, "server.flow"), text: server }]);
  expect(diagnostics).toEqual([]);
  const previousDirectory = process.cwd();
  process.chdir(folder);
  try {
    let printed = "";
    const flow = await runProgram(programs, {
      broker: "embedded",
      embeddedBroker: { port: 0, host: "127.0.0.1" },
      stdout: { write: (text) => ((printed += text), true), once: () => undefined },
      stderr: () => {},
    });
    await flow.ready;
    const client = await mqtt.connectAsync(flow.brokerUrl!);
    for (const message of ['["lux-1", 1, 10]', '["lux-2", 2, 1000]', '["lux-1", 3, 20]', '["lux-2", 4, 2000]'])
      await client.publishAsync("sensor-data", message, { qos: 1 });
    await client.endAsync();
    const json = programs[0]!.nodes.findIndex((node) => node.name === "json");
    await waitFor(
      () => (flow.stats[json]!.in === 4 ? true : undefined),
      () => "the four readings",
    );
    // Stopping ends the windows in progress, so they are written now rather than at the minute.
    await flow.stop();
    await flow.done;
    const rows = (text: string) =>
      text
        .trim()
        .split("\n")
        .slice(1)
        .map((line) => [line.split(",")[2], Number(line.split(",")[3])]);
    expect(rows(await readFile("lux-avg.csv", "utf8"))).toEqual([
      ["lux-1", 15],
      ["lux-2", 1500],
    ]);
    expect(rows(await readFile("lux-max.csv", "utf8"))).toEqual([
      ["lux-1", 20],
      ["lux-2", 2000],
    ]);
    expect(printed).toMatch(/lux-1.*15/);
  } finally {
    process.chdir(previousDirectory);
    await rm(folder, { recursive: true, force: true });
  }
});
