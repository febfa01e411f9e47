/**
 * The `flowc` command line around its commands: the commander program, which command modules to
 * load for a command line, running it and turning failures into exit codes. cli/main.ts runs it
 * with every command; cli/check-main.ts with `check` alone, for the script bin/flowc.js starts
 * fastest.
 */
import { Command, CommanderError } from "commander";
import packageJson from "../package.json" with { type: "json" };
import { ExitCode, processStreams, type CommandStreams } from "./io.js";

/**
 * Adds one command, with its options and action, to the program; returns the new command. The
 * command writes to `streams`: the process's own unless a test or an embedder passes others.
 */
export type RegisterCommand = (program: Command, streams?: CommandStreams) => Command;

/** Commands by name, each loading its module only when asked. */
export type CommandModules = Readonly<Record<string, () => Promise<RegisterCommand>>>;

/**
 * Runs `flowc` with the given arguments (without `node` and the script) and `commands`, and
 * returns the exit code.
 * Commands report their own outcome through `process.exitCode`; command-line mistakes exit with
 * {@link ExitCode.Usage}; anything a command throws is reported in one line and exits with
 * {@link ExitCode.Failure} (`FLOWC_DEBUG=1` adds the stack).
 *
 * @example
 * process.exitCode = await runProgram(process.argv.slice(2), commands);
 */
export async function runProgram(
  args: readonly string[],
  commands: CommandModules,
  streams: CommandStreams = processStreams,
): Promise<number> {
  const program = createProgram(streams);
  for (const register of await Promise.all(commandModulesFor(args, commands).map((load) => load()))) {
    register(program, streams);
  }
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    // `--help` and `--version` end here too, with exit code 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    const problem = error instanceof Error ? error : new Error(String(error));
    streams.stderr.write(`flowc: ${process.env.FLOWC_DEBUG ? problem.stack : problem.message}\n`);
    return ExitCode.Failure;
  }
  return Number(process.exitCode ?? ExitCode.Ok);
}

/**
 * The `flowc` program without its commands. Settings made here are copied into every command
 * added afterwards, so subcommands also throw instead of exiting and write to `streams`.
 *
 * @example
 * const program = createProgram();
 * for (const load of Object.values(commands)) (await load())(program);
 */
export function createProgram(streams: CommandStreams = processStreams): Command {
  return new Command("flowc")
    .description("Compile, check and run .flow dataflow pipelines for sensors, MQTT and storage.")
    .version(packageJson.version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .helpCommand("help [command]", "show help for a command")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
    })
    .addHelpText(
      "after",
      "\nExit codes: 0 ok, 1 errors in the sources or the command failed, 2 usage error.\n" +
        "Language reference: docs/language.md",
    );
}

/**
 * The modules to load for `args`: only the named command's when the first word is a command (the
 * fast path for `flowc check ...`), none for a bare `--version`, all of them otherwise, so
 * `flowc --help` lists every command and a mistyped name gets a "did you mean" from commander.
 * `flowc` has no global options that take a value, so the first word that is not an option is
 * the command.
 */
function commandModulesFor(args: readonly string[], commands: CommandModules): Array<() => Promise<RegisterCommand>> {
  const name = args.find((arg) => !arg.startsWith("-"));
  if (name !== undefined && Object.hasOwn(commands, name)) return [commands[name]!];
  const versionOnly = name === undefined && args.some((arg) => arg === "-V" || arg === "--version");
  const wantsHelp = args.some((arg) => arg === "-h" || arg === "--help");
  return versionOnly && !wantsHelp ? [] : Object.values(commands);
}
