/**
 * What the deploy tests share: the tutorial client and a second flow to switch to, `flowc deploy`
 * run in-process with its output captured, the bundles it builds, and links that misbehave.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { expect } from "vitest";
import { deployCommand, type DeployCommandOptions } from "../../../cli/commands/deploy.js";
import { buildEsp8266 as buildEsp8266With } from "../../../targets/esp8266/build.js";
import { Connection, type ByteTransport } from "../../../targets/esp8266/deploy/connection.js";
import { deployableFiles, deployBundle, openBoard } from "../../../targets/esp8266/deploy/deploy.js";
import { sha256 } from "../../../targets/esp8266/deploy/file-sync.js";
import { RawRepl } from "../../../targets/esp8266/deploy/raw-repl.js";
import { openSerialTransport } from "../../../targets/esp8266/deploy/serial-transport.js";
import { compile, micropythonImplementations } from "../catalogue.js";
import type { SimulatedBoard } from "./simulated-board.js";

export const root = fileURLToPath(new URL("../../../", import.meta.url));
export const client = "examples/tutorial/client.flow";
export const secrets = join(root, "examples/tutorial/secrets.example.json");
export const wifi = { ssid: "my_wifi_sid", password: "my_wifi_password" };
/** The tutorial's client with a temperature sensor instead of the light sensor: other driver, other output. */
export const thermometer = `device esp8266 {
  wifi secret("wifi_essid"), secret("wifi_password")
  broker secret("mqtt_host") port 1883
}
mcp9808 "temp-1" every 5s -> [print, mqtt "sensor-data"]
`;

export function capture() {
  const out = { stdout: "", stderr: "" };
  const streams = {
    stdout: { write: (text: string) => ((out.stdout += text), true) },
    stderr: { write: (text: string) => ((out.stderr += text), true) },
  };
  return { out, streams };
}

export async function deploy(files: string[], options: DeployCommandOptions) {
  const { out, streams } = capture();
  const code = await deployCommand(files, { secrets, format: "json", ...options }, streams);
  const report =
    code === 0 && options.format !== "text"
      ? (JSON.parse(out.stdout) as { written: string[]; unchanged: string[]; removed: string[]; bytes: number })
      : undefined;
  return { code, report, ...out };
}

/** The bundle `flowc build` makes of a flow: precompiled .mpy, or with `py` the `--py` bundle. */
export async function buildBundle(file: string, py = false) {
  const result = compile([{ path: file, text: await readFile(file, "utf8") }], {
    target: "esp8266",
  });
  const { files } = await buildEsp8266With(result.programs, {
    implementations: micropythonImplementations,
    secretsFile: secrets,
    sources: result.sources,
    py,
  });
  return files;
}

/** The bundle's files as deploy writes them (its .py and .mpy modules), with their hashes. */
export async function bundleHashes(file: string, py = false): Promise<Record<string, string>> {
  const files = deployableFiles(await buildBundle(file, py));
  expect(files.some((f) => f.path.endsWith(".mpy"))).toBe(!py);
  return Object.fromEntries(files.map((f) => [f.path, sha256(f.contents)]));
}

/** Deploys a flow's `--py` bundle (Python source, for firmware older than .mpy's 1.19). */
export async function deployPy(file: string, address: Parameters<typeof openBoard>[0]) {
  const files = await buildBundle(file, true);
  const link = await openBoard(address);
  return deployBundle(link, files, { flow: file }).finally(() => link.close());
}

/**
 * Where `count` cable cuts fall, as fractions of a deploy's bytes in [0, 1), uniform and drawn from
 * the suite's seed. (`fc.double` leans to its bounds, which would cut nearly every deploy at its
 * first or last byte.)
 */
export function cutPoints(count: number): number[] {
  return fc.sample(fc.noBias(fc.integer({ min: 0, max: 9999 })), count).map((n) => n / 10_000);
}

/** A link that carries only the first `limit` bytes the host sends, then breaks: a cable pulled. */
export function cutAfter(transport: ByteTransport, limit: number): ByteTransport {
  let sent = 0;
  const closers: ((error?: Error) => void)[] = [];
  return {
    name: transport.name,
    async write(data) {
      if (sent >= limit) throw new Error("cable cut");
      const room = limit - sent;
      sent += data.length;
      await transport.write(data.subarray(0, room));
      if (sent >= limit) {
        for (const close of closers) close(new Error("cable cut"));
        throw new Error("cable cut");
      }
    },
    onData: (listener) => transport.onData(listener),
    onClose: (listener) => {
      closers.push(listener);
      transport.onClose(listener);
    },
    close: () => transport.close(),
  };
}

export async function withRepl<T>(port: string, work: (repl: RawRepl) => Promise<T>): Promise<T> {
  const link = await openBoard({ kind: "serial", port });
  try {
    const repl = new RawRepl(link);
    await repl.enter();
    const result = await work(repl);
    await repl.resetToProgram();
    return result;
  } finally {
    await link.close();
  }
}

/** What a power cycle after a cut deploy shows: the flow that runs, and where the cut fell. */
export interface CutOutcome {
  /** 0 or 1: which of the two flows the board runs now. */
  readonly running: number;
  /** Where the cut fell, for messages. */
  readonly where: string;
}

/**
 * Switches a board between two flows with deploys cut at `cuts` (fractions of a whole deploy's
 * bytes). Before each cut the board runs the other flow; after it, a power cycle must boot one of
 * the two with no traceback, and `check` looks at what the board holds; then a deploy of the cut
 * flow repairs, and `checkRepaired` looks again.
 *
 * @example
 * await switchWithCuts(board, [clientFlow, otherFlow], cutPoints(6), {
 *   check: async ({ running }) => expect(await board.files()).toMatchObject(hashes[running]),
 *   checkRepaired: async (target) => expect(await board.files()).toMatchObject(hashes[target]),
 * });
 */
export async function switchWithCuts(
  board: SimulatedBoard,
  flows: readonly [string, string],
  cuts: readonly number[],
  checks: {
    readonly check: (outcome: CutOutcome) => Promise<void>;
    readonly checkRepaired: (target: number) => Promise<void>;
  },
): Promise<void> {
  const bundles = await Promise.all(flows.map((file) => buildBundle(file)));
  await deploy([flows[0]], { port: board.port });
  let current = 0;
  for (const cut of cuts) {
    const target = 1 - current;
    // How many bytes a whole deploy of the other flow sends: the cut falls anywhere in it.
    const probe = await openBoard({ kind: "serial", port: board.port });
    const full = await deployBundle(probe, bundles[target]!, { flow: flows[target]!, reset: false }).finally(() =>
      probe.close(),
    );
    // Put this flow back, then cut a deploy of the other one.
    await deploy([flows[current]!], { port: board.port, reset: false });
    const limit = Math.floor(cut * full.bytes);
    const transport = await openSerialTransport(board.port);
    await expect(
      deployBundle(new Connection(cutAfter(transport, limit)), bundles[target]!, { flow: flows[target]! }),
    ).rejects.toThrow();
    await transport.close();
    board.clearOutput();
    await board.powerCycle();
    const booted = await board.waitForOutput(/SensorEvent\(sensor_id='(lux-1|temp-1)'/);
    const where = `cut at byte ${limit} of ${full.bytes}`;
    expect(booted, where).not.toContain("Traceback");
    await checks.check({ running: booted.includes("temp-1") ? 1 : 0, where });
    const repaired = await deploy([flows[target]!], { port: board.port });
    expect(repaired.code).toBe(0);
    await checks.checkRepaired(target);
    current = target;
  }
}
