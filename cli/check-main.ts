/**
 * `flowc check` on its own: the command line with the one command, which scripts/build.mjs
 * bundles into the single script dist/check.cjs. bin/flowc.js runs that script for `flowc check`
 * with a V8 code cache, which an ES module cannot have in Node 20, and without the module loader
 * resolving a dozen chunks: together about a third of the command's start-up.
 */
import { registerCheckCommand } from "./commands/check.js";
import { descriptorStreams, type CommandStreams } from "./io.js";
import { runProgram } from "./program.js";

/**
 * Runs `flowc check ...`: `args` must name `check` as the command (as bin/flowc.js makes sure).
 *
 * @example
 * process.exitCode = await main(["check", "server.flow"]);
 */
export function main(args: readonly string[], streams: CommandStreams = descriptorStreams()): Promise<number> {
  return runProgram(args, { check: () => Promise.resolve(registerCheckCommand) }, streams);
}
