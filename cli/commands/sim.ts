/**
 * `flowc sim FILE [--broker URL|embedded] [--samples N] [--secrets FILE] [--fast] [--py]`: builds
 * the ESP8266 bundle and runs it in real MicroPython (the WebAssembly port) on a simulated board —
 * sensors on I2C where the flow says they are, WiFi, `umqtt.simple` forwarding to a real broker —
 * so a device flow can be tried on the host, with the exact code that will be flashed, before any
 * hardware is wired. The board is as strict as a real one: the program gets the heap an ESP8266
 * leaves it, and a deep sleep resets it (main.py starts again, only RTC memory kept).
 */
import { Option, type Command } from "commander";
import type { IRProgram } from "../../compiler/ir.js";
import { compile, renderDiagnostic, type Diagnostic } from "../../compiler/index.js";
import type { ParamValue } from "../../compiler/registry.js";
import type { BoardPart, Halt, I2cTarget, SensorOptions } from "../../targets/esp8266/simulator/board.js";
import { secretsFile, wholeNumber } from "../options.js";
import { registry } from "../../components/declarations.js";
import { ExitCode, processStreams, readSourceFiles, useColor, type CommandStreams } from "../io.js";
import { loadUsedFile } from "../../shared/used-files.js";

export interface SimCommandOptions {
  /** Where the simulated board's MQTT goes: a broker URL, or `embedded` for one in this process. */
  readonly broker?: string;
  /** Stop after this many scheduler wake-ups; default: run until SIGINT. */
  readonly samples?: number;
  readonly secrets?: string;
  /** Do not wait in real time between wake-ups (the board's clock is virtual either way). */
  readonly fast?: boolean;
  /** Run the flow from .py source instead of the precompiled .mpy a build ships. */
  readonly py?: boolean;
  readonly color?: boolean;
}

/**
 * Runs `flowc sim` and resolves with the exit code: 0 after `--samples` wake-ups or a signal, 1
 * when the flow has errors for esp8266 or the firmware raised, 2 for an unreadable file.
 *
 * @example
 * process.exitCode = await simCommand("client.flow", { broker: "embedded", samples: 10, secrets: "secrets.json" });
 */
export async function simCommand(
  file: string,
  options: SimCommandOptions = {},
  streams: CommandStreams = processStreams,
): Promise<ExitCode> {
  const inputs = await readSourceFiles([file], "sim", streams);
  if (!inputs) return ExitCode.Usage;
  const result = compile(inputs, { registry: registry(), load: loadUsedFile, target: "esp8266" });
  const color = useColor(streams.stderr, { flag: options.color });
  const report = (diagnostics: readonly Diagnostic[]) => {
    for (const d of diagnostics) streams.stderr.write(`${renderDiagnostic(d, result.sources, { color })}\n\n`);
    return diagnostics.some((d) => d.severity === "error");
  };
  if (report(result.diagnostics)) return ExitCode.Failure;

  const [
    { buildBundle },
    { precompileBundle, isBoardFile },
    { micropythonImplementations },
    { boardParts },
    { ConfigResolver, loadSecretsFile },
    board,
  ] = await Promise.all([
    import("../../targets/esp8266/bundle.js"),
    import("../../targets/esp8266/precompile.js"),
    import("../../components/micropython.js"),
    import("../../components/board.js"),
    import("../../shared/config.js"),
    import("../../targets/esp8266/simulator/board.js"),
  ]);
  const program = result.programs[0]!;
  let secrets;
  try {
    secrets = options.secrets ? loadSecretsFile(options.secrets) : {};
  } catch (error) {
    streams.stderr.write(`flowc sim: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  const source = buildBundle(program, { implementations: micropythonImplementations, config: { secrets } });
  if (report(source.diagnostics)) return ExitCode.Failure;
  const bundle = options.py ? source : await precompileBundle(source);

  // The simulated access point takes the credentials the firmware was built with.
  const resolver = new ConfigResolver({ secrets });
  const wifiSettings = program.device?.nested.wifi?.values;
  const plainValue = (value: ParamValue | undefined) => {
    const plain = value ? resolver.param(value) : undefined;
    return plain && "value" in plain ? plain.value : undefined;
  };
  const credential = (name: "ssid" | "password") => String(plainValue(wifiSettings?.[name]) ?? "");
  const i2cSettings = program.device?.nested.i2c?.values;
  const pin = (name: "scl" | "sda", fallback: number) => Number(plainValue(i2cSettings?.[name]) ?? fallback);

  let embedded: { url: string; close(): Promise<void> } | undefined;
  if (options.broker === "embedded") {
    const { startEmbeddedBroker } = await import("../../runtime/broker.js");
    embedded = await startEmbeddedBroker({ host: "127.0.0.1", port: 0 });
    streams.stderr.write(`flowc sim: embedded MQTT broker on ${embedded.url}\n`);
  }
  const forwardTo = embedded?.url ?? options.broker;
  const files = Object.fromEntries(
    bundle.files.filter((f) => isBoardFile(f.path)).map((f) => [f.path, f.contents] as const),
  );
  // The models read the board's clock, which exists once the board does.
  let now = () => 0;
  const [sensors, extraTargets] = wiredSensors(program, boardParts, () => now());
  const device = await board.MicroPythonDevice.create({
    files,
    parts: boardParts,
    sensors,
    i2c: { scl: pin("scl", 5), sda: pin("sda", 4), targets: extraTargets },
    wifi: { ssid: credential("ssid"), password: credential("password") },
    ...(forwardTo ? { mqtt: { forwardTo } } : {}),
    onOutput: (line) => void streams.stdout.write(`${line}\n`),
  });
  now = () => device.clock.nowUs / 1000;
  const bytes = bundle.manifest.files.reduce((sum, f) => sum + f.bytes, 0);
  streams.stderr.write(
    `flowc sim: ${file} on a simulated ESP8266 (MicroPython), ${bytes} bytes of ${options.py ? "Python" : "bytecode and Python"}` +
      `${forwardTo ? `, MQTT to ${forwardTo}` : ", MQTT recorded only"}\n`,
  );

  let stopped = false;
  const stop = () => (stopped = true);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await device.setup();
    for (let wakeUp = 0; !stopped && (options.samples === undefined || wakeUp < options.samples); wakeUp++) {
      const outcome = await device.step();
      if (outcome.kind === "halted") {
        streams.stderr.write(`flowc sim: ${haltMessage(outcome.halt)}\n`);
        await device.reboot();
        await device.setup();
        continue;
      }
      const waitMs = outcome.kind === "returned" && typeof outcome.value === "number" ? outcome.value : 1000;
      // Readings drift a little, so a flow's filters and windows have something to do.
      const minutes = device.clock.uptimeMs / 60_000;
      for (const part of boardParts) {
        const sensor = device.sensors[part.name];
        if (sensor) part.drift?.(sensor, minutes);
      }
      if (!options.fast) await new Promise((resolve) => setTimeout(resolve, waitMs));
      await device.mqtt.settle();
      // As run() on the board: idle() sleeps, or deep-sleeps and the board starts main.py again.
      const idle = await device.run(`import main\nmain.idle(${waitMs})`);
      if (idle.kind === "halted") {
        streams.stderr.write(`flowc sim: ${haltMessage(idle.halt)}\n`);
        await device.reboot();
        await device.setup();
      }
    }
    // A clean MQTT disconnect sends what the socket still holds; closing the device would not.
    if (!device.halt) await device.run("import main\nmain.stop()");
    await device.mqtt.settle();
    return ExitCode.Ok;
  } catch (error) {
    streams.stderr.write(`flowc sim: the firmware stopped: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await device.close();
    await embedded?.close();
  }
}

/**
 * The catalogue's I2C sensors the flow samples, each at the address its source names (`address
 * 0x19`) with its part's demo reading: the first of each model as the board's
 * `sensors`, more of the same model as extra targets on the bus. The ADC is always there.
 */
function wiredSensors(
  program: IRProgram,
  parts: readonly BoardPart[],
  now: () => number,
): [SensorOptions, I2cTarget[]] {
  const sensors: Record<string, unknown> = { adc: { raw: 512 } };
  const extra: I2cTarget[] = [];
  const wired = new Set<string>();
  for (const node of program.nodes) {
    const part = node.kind === "source" ? parts.find((candidate) => candidate.name === node.name) : undefined;
    if (!part) continue;
    const param = node.params.address;
    const address = param?.kind === "number" ? param.value : undefined;
    const key = `${part.name}@${address}`;
    if (wired.has(key)) continue;
    wired.add(key);
    const settings = { ...part.demo, ...(address === undefined ? {} : { address }) } as typeof part.demo;
    if (sensors[part.name] === undefined) sensors[part.name] = settings;
    else extra.push(part.create(now, settings));
  }
  return [sensors as SensorOptions, extra];
}

/** Why the simulated board stopped, as its console would show it coming back. */
function haltMessage(halt: Halt): string {
  if (halt.reason === "deepsleep")
    return `deep sleep for ${halt.sleepMs} ms: the board resets and main.py starts again (RTC memory kept)`;
  return halt.reason === "watchdog" ? "the watchdog reset the board" : "the board reset itself (machine.reset())";
}

/**
 * Adds `sim` to the `flowc` command line.
 *
 * @example
 * registerSimCommand(new Command("flowc"));
 */
export function registerSimCommand(program: Command, streams: CommandStreams = processStreams): Command {
  return program
    .command("sim")
    .summary("run a device flow's MicroPython firmware on a simulated ESP8266")
    .description(
      "Build the ESP8266 bundle of a .flow file and run it in real MicroPython on a simulated board " +
        "(every sensor flowc models, on I2C and the ADC, with drifting readings; WiFi; umqtt.simple), publishing to " +
        "a real broker: the firmware you would flash, tried on this machine.",
    )
    .argument("<file>", "the device's .flow file")
    .option("--broker <url>", "broker the simulated board publishes to (mqtt://host:port), or `embedded`")
    .addOption(
      new Option("--samples <n>", "stop after n scheduler wake-ups (default: until Ctrl-C)").argParser(wholeNumber(0)),
    )
    .addOption(
      new Option("--secrets <file>", "secrets for config.py: a JSON object or key=value lines").argParser(secretsFile),
    )
    .option("--fast", "do not wait in real time between wake-ups")
    .option("--py", "run the flow from .py source instead of the precompiled .mpy a build ships")
    .option("--no-color", "never colour diagnostics (also: NO_COLOR=1)")
    .action(async (file: string, options: SimCommandOptions) => {
      process.exitCode = await simCommand(file, options, streams);
    });
}
