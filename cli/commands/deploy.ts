/**
 * `flowc deploy FILE... --port DEVICE | --webrepl URL [--baud N] [--secrets F] [--no-reset]
 * [--romfs | --no-romfs] [--monitor] [--format text|json]`: builds a device flow's ESP8266 bundle and puts it on the board
 * (targets/esp8266/deploy/), writing only what changed, then soft-resets it into the new program.
 */
import { Option, type Command } from "commander";
import { compile, renderDiagnostic, type Diagnostic } from "../../compiler/index.js";
import { registry } from "../../components/declarations.js";
import { ExitCode, processStreams, readSourceFiles, useColor, type CommandStreams } from "../io.js";
import { addBoardAddressOptions, boardAddress, type BoardAddressOptions } from "./board-options.js";

export interface DeployCommandOptions extends BoardAddressOptions {
  readonly secrets?: string;
  /** False with --no-reset. */
  readonly reset?: boolean;
  /** True with --romfs (replace what the partition holds), false with --no-romfs; else automatic. */
  readonly romfs?: boolean;
  /** Keep streaming the board's output after the reset, until Ctrl-C or `signal`. */
  readonly monitor?: boolean;
  readonly format?: "text" | "json";
  readonly color?: boolean;
  /** Ends --monitor (tests; the command itself listens for SIGINT). */
  readonly signal?: AbortSignal;
}

/**
 * Runs `flowc deploy` and returns the exit code: 0 deployed, 1 when the flow has errors or the
 * board could not be reached or updated (nothing half-done), 2 for an unreadable file.
 *
 * @example
 * process.exitCode = await deployCommand(["client.flow"], { port: "/dev/ttyUSB0", secrets: "secrets.json" });
 */
export async function deployCommand(
  files: readonly string[],
  options: DeployCommandOptions,
  streams: CommandStreams = processStreams,
): Promise<ExitCode> {
  const fail = (message: string) => {
    streams.stderr.write(`flowc deploy: ${message}\n`);
    return ExitCode.Failure;
  };
  let address;
  try {
    address = boardAddress(options);
  } catch (error) {
    streams.stderr.write(`flowc deploy: ${(error as Error).message}\n`);
    return ExitCode.Usage;
  }
  const inputs = await readSourceFiles(files, "deploy", streams);
  if (!inputs) return ExitCode.Usage;
  const result = compile(inputs, { registry: registry(), target: "esp8266" });
  const color = useColor(streams.stderr, { flag: options.color });
  const report = (diagnostics: readonly Diagnostic[]) => {
    for (const d of diagnostics) streams.stderr.write(`${renderDiagnostic(d, result.sources, { color })}\n\n`);
    return diagnostics.some((d) => d.severity === "error");
  };
  if (report(result.diagnostics)) return ExitCode.Failure;
  const devicePrograms = result.programs.filter((program) => program.device !== undefined);
  const programs = devicePrograms.length > 0 ? devicePrograms : result.programs;
  if (programs.length !== 1)
    return fail(
      `a board runs one flow, and ${programs.map((p) => p.file).join(", ")} are ${programs.length}: deploy one of them`,
    );
  const program = programs[0]!;

  const [{ buildEsp8266 }, { micropythonImplementations }, deploy, { monitorBoard }] = await Promise.all([
    import("../../targets/esp8266/build.js"),
    import("../../components/micropython.js"),
    import("../../targets/esp8266/deploy/deploy.js"),
    import("../../targets/esp8266/deploy/monitor.js"),
  ]);
  let build;
  try {
    build = await buildEsp8266([program], {
      implementations: micropythonImplementations,
      secretsFile: options.secrets,
      sources: result.sources,
    });
  } catch (error) {
    return fail((error as Error).message);
  }
  if (report(build.diagnostics)) return ExitCode.Failure;

  let link;
  try {
    link = await deploy.openBoard(address);
  } catch (error) {
    return fail((error as Error).message);
  }
  try {
    const text = options.format !== "json";
    const outcome = await deploy.deployBundle(link, build.files, {
      flow: program.file,
      reset: options.reset !== false,
      romfs: options.romfs === undefined ? "auto" : options.romfs ? "always" : "never",
      ...(text ? { onFile: (path, bytes) => streams.stderr.write(`  wrote ${path} (${bytes} bytes)\n`) } : {}),
    });
    if (text) {
      const removed = outcome.removed.map((path) => `  removed ${path}\n`).join("");
      const skipped = outcome.romfsSkipped ? `  ROMFS not used: ${outcome.romfsSkipped}\n` : "";
      const romfs = outcome.romfs
        ? `; bytecode in ROMFS (${outcome.romfs.bytes} of ${outcome.romfs.partitionBytes} bytes${outcome.romfs.written ? "" : ", unchanged"})`
        : "";
      streams.stderr.write(
        `${removed}${skipped}flowc deploy: ${program.file} on ${outcome.port} (MicroPython ${outcome.micropython}): ` +
          `${outcome.written.length} written, ${outcome.unchanged.length} unchanged, ${outcome.removed.length} removed${romfs}; ` +
          `${outcome.bytes} bytes in ${outcome.seconds.toFixed(1)} s${outcome.reset ? "; reset" : ""}\n`,
      );
    } else {
      const { port, written, unchanged, removed, bytes, seconds, romfs, romfsSkipped } = outcome;
      const report = {
        port,
        written,
        unchanged,
        removed,
        romfs,
        ...(romfsSkipped ? { romfsSkipped } : {}),
        bytes,
        seconds,
      };
      streams.stdout.write(`${JSON.stringify(report)}\n`);
    }
    if (options.monitor) {
      const map = build.files.find((file) => file.path === "flowmap.json");
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      options.signal?.addEventListener("abort", stop, { once: true });
      try {
        await monitorBoard(link, {
          ...(map ? { map: JSON.parse(Buffer.from(map.contents).toString("utf8")) } : {}),
          write: (chunk) => streams.stdout.write(chunk),
          color: useColor(streams.stdout, { flag: options.color }),
          signal: controller.signal,
        });
      } finally {
        process.off("SIGINT", stop);
      }
    }
    return ExitCode.Ok;
  } catch (error) {
    const problem = error as Error;
    // Cut off mid-way: what the board has is still whole (see file-sync.ts), so say what to do.
    const cut = problem.name === "LinkClosedError" || problem.name === "BoardTimeoutError";
    return fail(
      cut
        ? `${problem.message}\n  the board still boots (its previous files, or all the new ones); deploy again to finish`
        : problem.message,
    );
  } finally {
    await link.close();
  }
}

/**
 * Adds `deploy` to the `flowc` command line.
 *
 * @example
 * registerDeployCommand(new Command("flowc"));
 */
export function registerDeployCommand(program: Command, streams: CommandStreams = processStreams): Command {
  const command = program
    .command("deploy")
    .summary("build a device flow and put it on an ESP8266 over USB serial or WebREPL")
    .description(
      "Build the ESP8266 bundle of a device flow and write it to a board running MicroPython: over USB " +
        "serial (--port) or WiFi (--webrepl). Only files whose size or SHA-256 differ are written, each " +
        "to a temporary name that is verified and then renamed, so a cut cable never leaves a half-written " +
        "main.py; files an earlier deploy wrote and the bundle dropped are removed. On firmware with a ROMFS " +
        "partition (MicroPython 1.25+, ESP8266_GENERIC FLASH_2M_ROMFS) the bytecode goes there and runs from " +
        "flash instead of the heap. Then the board is " +
        "soft-reset (unless --no-reset), and with --monitor its output is streamed until Ctrl-C.",
    )
    .argument("<files...>", "the device's .flow file");
  return addBoardAddressOptions(command)
    .option("--secrets <file>", "secrets for config.py: a JSON object or key=value lines")
    .option("--no-reset", "leave the board at its REPL instead of restarting it into the new program")
    .option(
      "--romfs",
      "put the bytecode in the board's ROMFS partition even when it holds other files (by default it is used when empty or flowc's)",
    )
    .option("--no-romfs", "keep the bytecode on the file system of a board with a ROMFS partition")
    .option("--monitor", "stream the board's output after the reset (faults mapped to the .flow source)")
    .addOption(
      new Option("--format <format>", "report as text or one JSON object").choices(["text", "json"]).default("text"),
    )
    .option("--no-color", "never colour diagnostics (also: NO_COLOR=1)")
    .addHelpText(
      "after",
      "\nExit codes: 0 deployed, 1 errors in the flow or the board could not be updated, 2 usage error.",
    )
    .action(async (files: string[], options: DeployCommandOptions) => {
      process.exitCode = await deployCommand(files, options, streams);
    });
}
