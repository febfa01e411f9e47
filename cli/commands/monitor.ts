/**
 * `flowc monitor [SOURCE] --port DEVICE | --webrepl URL [--reset]`: streams a board's output until
 * Ctrl-C. Given the flow (a .flow file, or a folder `flowc build` wrote), flowc's fault lines and
 * tracebacks from the bundle are followed by the `.flow` line they come from, with a caret.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { compile } from "../../compiler/index.js";
import { registry } from "../../components/declarations.js";
import type { BundleSourceMap } from "../../targets/esp8266/source-map.js";
import { ExitCode, processStreams, readSourceFiles, useColor, type CommandStreams } from "../io.js";
import { addBoardAddressOptions, boardAddress, type BoardAddressOptions } from "./board-options.js";

export interface MonitorCommandOptions extends BoardAddressOptions {
  /** Soft-reset the board first, to watch it boot. */
  readonly reset?: boolean;
  readonly color?: boolean;
  /** Ends the monitor (tests; the command itself listens for SIGINT). */
  readonly signal?: AbortSignal;
}

/**
 * Runs `flowc monitor` until Ctrl-C or the board goes away: exit 0; 1 when the board cannot be
 * opened; 2 for a usage error.
 *
 * @example
 * process.exitCode = await monitorCommand("client.flow", { port: "/dev/ttyUSB0" });
 */
export async function monitorCommand(
  source: string | undefined,
  options: MonitorCommandOptions,
  streams: CommandStreams = processStreams,
): Promise<ExitCode> {
  let address;
  try {
    address = boardAddress(options);
  } catch (error) {
    streams.stderr.write(`flowc monitor: ${(error as Error).message}\n`);
    return ExitCode.Usage;
  }
  let map: BundleSourceMap | undefined;
  if (source !== undefined) {
    const loaded = await loadSourceMap(source, streams);
    if (loaded === ExitCode.Usage || loaded === ExitCode.Failure) return loaded;
    map = loaded;
  }
  const [{ openBoard }, { monitorBoard }] = await Promise.all([
    import("../../targets/esp8266/deploy/deploy.js"),
    import("../../targets/esp8266/deploy/monitor.js"),
  ]);
  let link;
  try {
    link = await openBoard(address);
  } catch (error) {
    streams.stderr.write(`flowc monitor: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    streams.stderr.write(
      `flowc monitor: ${link.transport.name}${map ? "" : " (no flow given: lines are not mapped)"}; Ctrl-C ends\n`,
    );
    const streaming = monitorBoard(link, {
      ...(map ? { map } : {}),
      write: (chunk) => streams.stdout.write(chunk),
      color: useColor(streams.stdout, { flag: options.color }),
      signal: controller.signal,
    });
    // Ctrl-C interrupts a program stuck in a loop; Ctrl-D at the REPL then reboots into main.py.
    if (options.reset) await link.write("\r\x03\x03\x02\x04");
    await streaming;
    return ExitCode.Ok;
  } finally {
    process.off("SIGINT", stop);
    await link.close();
  }
}

/** The source map of a .flow file (compiled here), of a build folder, or a flowmap.json. */
async function loadSourceMap(
  source: string,
  streams: CommandStreams,
): Promise<BundleSourceMap | typeof ExitCode.Usage | typeof ExitCode.Failure> {
  if (source.endsWith(".flow")) {
    const inputs = await readSourceFiles([source], "monitor", streams);
    if (!inputs) return ExitCode.Usage;
    const result = compile(inputs, { registry: registry(), target: "esp8266" });
    const program = result.programs[0];
    if (!program) {
      streams.stderr.write(`flowc monitor: ${source} has errors; \`flowc check ${source}\` shows them\n`);
      return ExitCode.Failure;
    }
    const { buildSourceMap } = await import("../../targets/esp8266/source-map.js");
    return buildSourceMap(program, result.sources);
  }
  try {
    const path = (await stat(source)).isDirectory() ? join(source, "flowmap.json") : source;
    return JSON.parse(await readFile(path, "utf8")) as BundleSourceMap;
  } catch (error) {
    streams.stderr.write(
      `flowc monitor: ${source} is neither a .flow file nor a bundle folder with flowmap.json (${(error as Error).message})\n`,
    );
    return ExitCode.Usage;
  }
}

/**
 * Adds `monitor` to the `flowc` command line.
 *
 * @example
 * registerMonitorCommand(new Command("flowc"));
 */
export function registerMonitorCommand(program: Command, streams: CommandStreams = processStreams): Command {
  const command = program
    .command("monitor")
    .summary("stream a board's output, with faults mapped back to the .flow source")
    .description(
      "Stream what a board prints until Ctrl-C. Given its flow (the .flow file, or the folder `flowc build` " +
        "wrote), each fault report and traceback line from the bundle is followed by the .flow line it comes " +
        "from, with a caret, like a compile diagnostic.",
    )
    .argument("[source]", "the flow on the board: a .flow file, or a bundle folder with flowmap.json");
  return addBoardAddressOptions(command)
    .option("--reset", "soft-reset the board first, to watch it boot")
    .option("--no-color", "never colour the source lines (also: NO_COLOR=1)")
    .action(async (source: string | undefined, options: MonitorCommandOptions) => {
      process.exitCode = await monitorCommand(source, options, streams);
    });
}
