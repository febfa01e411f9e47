/**
 * The `flowc` command line. bin/flowc.js calls {@link main} from the esbuild bundle dist/cli.js
 * (or from this file through tsx in a checkout that has not been built).
 */
import { processStreams, type CommandStreams } from "./io.js";
import { runProgram, type CommandModules } from "./program.js";

export { createProgram, type RegisterCommand } from "./program.js";

/**
 * Every `flowc` command, in the order `flowc --help` lists them. Each entry loads its module only
 * when needed, so `flowc check` never evaluates what `run` needs (MQTT client, embedded broker) or
 * what `graph` needs (Graphviz).
 *
 * To add a command `NAME`: write cli/commands/NAME.ts exporting a {@link RegisterCommand} that calls
 * `program.command("NAME")` (see check.ts; its action sets `process.exitCode` to an `ExitCode` of io.ts),
 * then add one line here:
 *
 *     NAME: () => import("./commands/NAME.js").then((m) => m.registerNameCommand),
 *
 * The key must be the command's name: it is how {@link main} finds the one module to load.
 */
export const commands: CommandModules = {
  check: () => import("./commands/check.js").then((m) => m.registerCheckCommand),
  run: () => import("./commands/run.js").then((m) => m.registerRunCommand),
  build: () => import("./commands/build.js").then((m) => m.registerBuildCommand),
  sim: () => import("./commands/sim.js").then((m) => m.registerSimCommand),
  deploy: () => import("./commands/deploy.js").then((m) => m.registerDeployCommand),
  monitor: () => import("./commands/monitor.js").then((m) => m.registerMonitorCommand),
  boards: () => import("./commands/boards.js").then((m) => m.registerBoardsCommand),
  broker: () => import("./commands/broker.js").then((m) => m.registerBrokerCommand),
  graph: () => import("./commands/graph.js").then((m) => m.registerGraphCommand),
  fmt: () => import("./commands/fmt.js").then((m) => m.registerFmtCommand),
  lsp: () => import("./commands/lsp.js").then((m) => m.registerLspCommand),
};

/**
 * Runs `flowc` with the given arguments (without `node` and the script) and returns the exit code;
 * see {@link runProgram}.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export function main(args: readonly string[], streams: CommandStreams = processStreams): Promise<number> {
  return runProgram(args, commands, streams);
}
