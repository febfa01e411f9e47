/**
 * `flowc run FILE... [--broker URL|embedded] [--seed N] [--stats] [--secrets FILE] [--dashboard
 * [HOST:]PORT]`: compiles the files together and runs them in this process until their sources
 * end or a signal stops them. Events printed by `print` go to stdout; logs, diagnostics and
 * statistics go to stderr; `--dashboard` serves the flow's charts, picture and counters live.
 */
import { basename } from "node:path";
import { Option, type Command } from "commander";
import { compile, renderDiagnostic } from "../../compiler/index.js";
import { registry } from "../../components/declarations.js";
import type { IRProgram } from "../../compiler/ir.js";
import type { RunningFlow } from "../../runtime/run.js";
import { ExitCode, processStreams, readSourceFiles, useColor, type CommandStreams } from "../io.js";
import { loadUsedFile } from "../../shared/used-files.js";
import { listenAddress, portNumber, secretsFile, wholeNumber } from "../options.js";

export interface RunCommandOptions {
  /** A broker URL replacing every file's broker, or `embedded` for one in this process. */
  readonly broker?: string;
  /** Where `--broker embedded` listens: 1883 by default, 0 for any free port. */
  readonly port?: number;
  /** Makes simulated sensors reproducible. */
  readonly seed?: number;
  /** Print per-stage counters on stderr every `statsEvery` seconds and at the end. */
  readonly stats?: boolean;
  readonly statsEvery?: number;
  /** A secrets file: a JSON object or `key=value` lines. */
  readonly secrets?: string;
  /** `false` turns colour off in diagnostics (`--no-color`). */
  readonly color?: boolean;
  /** `false` (`--no-retry`): exit at once when the broker cannot be reached at start. */
  readonly retry?: boolean;
  /** Serve the live dashboard here (`--dashboard 8080`: 127.0.0.1:8080). */
  readonly dashboard?: { readonly host: string; readonly port: number };
}

/**
 * Runs `flowc run` and resolves with the exit code once the flow has finished: 0 when it ended
 * (its sources ran out or SIGINT/SIGTERM stopped it and every file was flushed), 1 when the files
 * have errors or the flow failed (broker unreachable, missing secret, unwritable file), 2 when a
 * file cannot be read.
 *
 * @example
 * process.exitCode = await runCommand(["client.flow", "server.flow"], { broker: "embedded", seed: 1 });
 */
export async function runCommand(
  files: readonly string[],
  options: RunCommandOptions = {},
  streams: CommandStreams = processStreams,
): Promise<ExitCode> {
  const inputs = await readSourceFiles(files, "run", streams);
  if (!inputs) return ExitCode.Usage;
  // Device flows run here too, on simulated sensors: the host supports every component.
  const result = compile(inputs, { registry: registry(), load: loadUsedFile, target: "node" });
  const color = useColor(streams.stderr, { flag: options.color });
  for (const diagnostic of result.diagnostics) {
    streams.stderr.write(`${renderDiagnostic(diagnostic, result.sources, { color })}\n\n`);
  }
  if (result.diagnostics.some((d) => d.severity === "error")) return ExitCode.Failure;

  // The runtime (MQTT client, broker, file writers) loads only once there is something to run.
  const [{ handleSignals, loadSecretsFile, runProgram, ChartBoard }, { nodeImplementations }] = await Promise.all([
    import("../../runtime/index.js"),
    import("../../components/node.js"),
  ]);
  const charts = new ChartBoard();
  let flow;
  try {
    flow = await runProgram(result.programs, {
      implementations: nodeImplementations,
      charts,
      ...(options.broker ? { broker: options.broker } : {}),
      ...(options.broker === "embedded" ? { embeddedBroker: { host: "127.0.0.1", port: options.port ?? 1883 } } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.secrets ? { secrets: loadSecretsFile(options.secrets) } : {}),
      ...(options.stats ? { statsEveryMs: (options.statsEvery ?? 10) * 1000 } : {}),
      ...(options.retry === false ? { retry: false } : {}),
      stderr: (line) => void streams.stderr.write(line),
    });
  } catch (error) {
    streams.stderr.write(`flowc run: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  const removeSignalHandlers = handleSignals(flow);
  let dashboard: { close(): Promise<void> } | undefined;
  try {
    if (options.dashboard) dashboard = await serveDashboard(options.dashboard, result.programs, files, flow, streams);
    await flow.ready;
    streams.stderr.write(`flowc run: ${readiness(result.programs)}; Ctrl-C stops\n`);
    await flow.done;
    return ExitCode.Ok;
  } catch (error) {
    await flow.stop();
    streams.stderr.write(`flowc run: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  } finally {
    removeSignalHandlers();
    await dashboard?.close();
  }
}

/** Starts the dashboard of a running flow and says where it is (and, off this machine, that it is open). */
async function serveDashboard(
  address: { readonly host: string; readonly port: number },
  programs: readonly IRProgram[],
  files: readonly string[],
  flow: RunningFlow,
  streams: CommandStreams,
) {
  const [{ startDashboard }, { renderGraph }, { isLoopback }] = await Promise.all([
    import("../../runtime/dashboard/server.js"),
    import("../../compiler/diagram/index.js"),
    import("../../runtime/net.js"),
  ]);
  const dashboard = await startDashboard({
    ...address,
    charts: flow.charts,
    stats: flow.stats,
    diagram: await renderGraph(programs, "svg"),
    title: files.map((file) => basename(file)).join(", "),
  });
  streams.stderr.write(`flowc run: dashboard on ${dashboard.url}\n`);
  if (!isLoopback(address.host))
    streams.stderr.write(
      `flowc run: warning: the dashboard on ${address.host} is open to the network: anyone who reaches it sees the flow's data (it has no password)\n`,
    );
  return dashboard;
}

/**
 * The line saying the flow is live: once it is printed every subscription has been granted, so
 * messages published from then on reach the flow (scripts and tests wait for it).
 */
function readiness(programs: readonly IRProgram[]): string {
  const topics = [
    ...new Set(
      programs.flatMap((program) =>
        program.topics.filter((use) => use.direction === "subscribe").map((use) => use.topic),
      ),
    ),
  ];
  return topics.length === 0
    ? "running"
    : `running, subscribed to ${topics.map((topic) => JSON.stringify(topic)).join(", ")}`;
}

/**
 * Adds `run` to the `flowc` command line.
 *
 * @example
 * const program = new Command("flowc");
 * registerRunCommand(program);
 * await program.parseAsync(["run", "server.flow", "--broker", "embedded"], { from: "user" });
 */
export function registerRunCommand(program: Command, streams: CommandStreams = processStreams): Command {
  return program
    .command("run")
    .summary("run .flow files on this machine")
    .description(
      "Compile .flow files together and run them in this process: sensors are simulated, MQTT goes " +
        "to the files' broker (or --broker), files are written as the flow says. Ctrl-C (SIGINT) or " +
        "SIGTERM stops the sources, flushes every file and disconnects.",
    )
    .argument("<files...>", ".flow files to run together")
    .option("--broker <url>", "MQTT broker for every file (mqtt://host:port, mqtts://...), or `embedded`")
    .addOption(
      new Option("--port <port>", "port of the embedded broker (0: any free port)").argParser(portNumber).default(1883),
    )
    .addOption(new Option("--seed <n>", "seed for simulated sensors (reproducible runs)").argParser(wholeNumber()))
    .addOption(
      new Option(
        "--secrets <file>",
        "secrets as a JSON object or key=value lines (FLOWC_SECRET_<KEY> also works)",
      ).argParser(secretsFile),
    )
    .option("--stats", "print per-stage counters (in, out, dropped, errors, rate) on stderr")
    .addOption(
      new Option("--stats-every <seconds>", "how often --stats prints").argParser(wholeNumber(1, 86400)).default(10),
    )
    .addOption(
      new Option(
        "--dashboard <[host:]port>",
        "serve a live dashboard (charts, flow picture, counters) on 127.0.0.1:port, or host:port",
      ).argParser((text) => listenAddress(text)),
    )
    .option("--no-retry", "exit when the broker cannot be reached at start, instead of retrying with backoff")
    .option("--no-color", "never colour diagnostics (also: NO_COLOR=1)")
    .addHelpText(
      "after",
      "\nExit codes: 0 the flow ended or was stopped cleanly, 1 errors in the files or the flow failed, " +
        "2 usage error or unreadable file.",
    )
    .action(async (files: string[], options: RunCommandOptions) => {
      process.exitCode = await runCommand(files, options, streams);
    });
}
