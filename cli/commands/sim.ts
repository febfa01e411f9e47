/**
 * `flowc sim FILE [--broker URL|embedded] [--samples N] [--secrets FILE] [--fast]`: builds the
 * ESP8266 bundle and runs it in real MicroPython (the WebAssembly port) on a simulated board —
 * sensors on I2C, WiFi, `umqtt.simple` forwarding to a real broker — so a device flow can be tried
 * on the host, with the exact code that will be flashed, before any hardware is wired.
 */
import { Option, type Command } from "commander";
import { compile, renderDiagnostic, type Diagnostic } from "../../compiler/index.js";
import { ExitCode, processStreams, readSourceFiles, useColor, type CommandStreams } from "../io.js";

export interface SimCommandOptions {
  /** Where the simulated board's MQTT goes: a broker URL, or `embedded` for one in this process. */
  readonly broker?: string;
  /** Stop after this many scheduler wake-ups; default: run until SIGINT. */
  readonly samples?: number;
  readonly secrets?: string;
  /** Do not wait in real time between wake-ups (the board's clock is virtual either way). */
  readonly fast?: boolean;
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
  const result = compile(inputs, { target: "esp8266" });
  const color = useColor(streams.stderr, { flag: options.color });
  const report = (diagnostics: readonly Diagnostic[]) => {
    for (const d of diagnostics) streams.stderr.write(`${renderDiagnostic(d, result.sources, { color })}\n\n`);
    return diagnostics.some((d) => d.severity === "error");
  };
  if (report(result.diagnostics)) return ExitCode.Failure;

  const [{ buildBundle }, { micropythonImplementations }, { ConfigResolver, loadSecretsFile }, { MicroPythonDevice }] =
    await Promise.all([
      import("../../targets/esp8266/bundle.js"),
      import("../../components/micropython.js"),
      import("../../runtime/config.js"),
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
  const bundle = buildBundle(program, { implementations: micropythonImplementations, config: { secrets } });
  if (report(bundle.diagnostics)) return ExitCode.Failure;

  // The simulated access point takes the credentials the firmware was built with.
  const resolver = new ConfigResolver({ secrets });
  const wifiSettings = program.device?.nested.wifi?.values;
  const credential = (name: "ssid" | "password") => {
    const value = wifiSettings?.[name];
    const plain = value ? resolver.param(value) : undefined;
    return plain && "value" in plain ? String(plain.value) : "";
  };

  let embedded: { url: string; close(): Promise<void> } | undefined;
  if (options.broker === "embedded") {
    const { startEmbeddedBroker } = await import("../../runtime/broker.js");
    embedded = await startEmbeddedBroker({ host: "127.0.0.1", port: 0 });
    streams.stderr.write(`flowc sim: embedded MQTT broker on ${embedded.url}\n`);
  }
  const forwardTo = embedded?.url ?? options.broker;
  const files = Object.fromEntries(
    bundle.files.filter((f) => f.path.endsWith(".py")).map((f) => [f.path, f.contents] as const),
  );
  const device = await MicroPythonDevice.create({
    files,
    sensors: {
      tsl2591: { lux: 300 },
      mcp9808: { celsius: 21.5 },
      adxl345: { x: 0.1, y: -0.2, z: 9.81 },
      adc: { raw: 512 },
    },
    wifi: { ssid: credential("ssid"), password: credential("password") },
    ...(forwardTo ? { mqtt: { forwardTo } } : {}),
    onOutput: (line) => void streams.stdout.write(`${line}\n`),
  });
  streams.stderr.write(
    `flowc sim: ${file} on a simulated ESP8266 (MicroPython), ${bundle.manifest.pythonBytes} bytes of Python` +
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
      const waitMs = outcome.kind === "returned" && typeof outcome.value === "number" ? outcome.value : 1000;
      // Light and temperature drift a little, so a flow's filters and windows have something to do.
      const t = device.clock.uptimeMs / 60_000;
      if (device.sensors.tsl2591) device.sensors.tsl2591.lux = 300 + 40 * Math.sin(t);
      if (device.sensors.mcp9808) device.sensors.mcp9808.celsius = 21.5 + Math.sin(t / 7);
      if (!options.fast) await new Promise((resolve) => setTimeout(resolve, waitMs));
      await device.mqtt.settle();
      device.advance(waitMs);
    }
    // A clean MQTT disconnect sends what the socket still holds; closing the device would not.
    await device.run("import main\nmain.stop()");
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

const count = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--samples must be a whole number, not "${value}"`);
  return parsed;
};

/**
 * Adds `sim` to the `flowc` command line.
 *
 * @example
 * registerSimCommand(new Command("flowc"));
 */
export function registerSimCommand(program: Command): Command {
  return program
    .command("sim")
    .summary("run a device flow's MicroPython firmware on a simulated ESP8266")
    .description(
      "Build the ESP8266 bundle of a .flow file and run it in real MicroPython on a simulated board " +
        "(TSL2591, MCP9808, ADXL345 and ADC with drifting readings, WiFi, umqtt.simple), publishing to " +
        "a real broker: the firmware you would flash, tried on this machine.",
    )
    .argument("<file>", "the device's .flow file")
    .option("--broker <url>", "broker the simulated board publishes to (mqtt://host:port), or `embedded`")
    .addOption(new Option("--samples <n>", "stop after n scheduler wake-ups (default: until Ctrl-C)").argParser(count))
    .option("--secrets <file>", "secrets for config.py: a JSON object or key=value lines")
    .option("--fast", "do not wait in real time between wake-ups")
    .option("--no-color", "never colour diagnostics (also: NO_COLOR=1)")
    .action(async (file: string, options: SimCommandOptions) => {
      process.exitCode = await simCommand(file, options);
    });
}
