/**
 * `flowc fmt [--check | --write] FILE...`: formats `.flow` files with the Prettier plugin
 * (`flowc/prettier`), honouring the project's Prettier configuration and .editorconfig for
 * `printWidth`, `tabWidth`, `useTabs` and `endOfLine`, so `flowc fmt` and `prettier` agree.
 */
import { writeFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import { resolveConfig } from "prettier";
import { renderDiagnostic } from "../../compiler/diagnostics.js";
import { sourceOf } from "../../compiler/input.js";
import { formatFlow, type FlowFormatOptions } from "../../compiler/prettier/format.js";
import { FlowcSyntaxError } from "../../compiler/prettier/parse.js";
import { ExitCode, processStreams, readSourceFiles, useColor, type CommandStreams } from "../io.js";

export interface FmtCommandOptions {
  /** Change nothing; list the files that are not formatted and exit 1 if there are any. */
  readonly check?: boolean;
  /** Rewrite the files that are not formatted, listing them. */
  readonly write?: boolean;
  /** `false` turns colour off (`--no-color`); otherwise colour is used on a terminal only. */
  readonly color?: boolean;
}

/**
 * Runs `flowc fmt` and returns the exit code. Without `--check` or `--write` the formatted text
 * of each file goes to standard output. A file with syntax errors is reported (with the
 * compiler's diagnostics, on stderr) and left alone; the others are still formatted.
 *
 * Exit codes: 0 done; 1 a file has syntax errors, or `--check` found files to format;
 * 2 a file cannot be read.
 *
 * @example
 * process.exitCode = await fmtCommand(["examples/tutorial/server.flow"], { check: true });
 */
export async function fmtCommand(
  files: readonly string[],
  options: FmtCommandOptions = {},
  streams: CommandStreams = processStreams,
): Promise<ExitCode> {
  const inputs = await readSourceFiles(files, "fmt", streams);
  if (!inputs) return ExitCode.Usage;
  let exitCode: ExitCode = ExitCode.Ok;
  for (const input of inputs) {
    const { source, diagnostics: encoding } = sourceOf(input);
    const { path, text } = source;
    if (encoding.length > 0) {
      // Formatting would write the undecodable bytes back as U+FFFD: the file is left alone.
      reportSyntaxErrors(new FlowcSyntaxError(encoding, source), streams, options);
      exitCode = ExitCode.Failure;
      continue;
    }
    let formatted: string;
    try {
      formatted = await formatFlow(text, await layoutOptionsFor(path));
    } catch (error) {
      if (!(error instanceof FlowcSyntaxError)) throw error;
      reportSyntaxErrors(error, streams, options);
      exitCode = ExitCode.Failure;
      continue;
    }
    if (!options.check && !options.write) {
      streams.stdout.write(formatted);
    } else if (formatted !== text) {
      if (options.write) await writeFile(path, formatted);
      else exitCode = ExitCode.Failure;
      streams.stdout.write(`${path}\n`);
    }
  }
  return exitCode;
}

/** The layout options Prettier's configuration gives `path`; plugins and parser are flowc's own. */
async function layoutOptionsFor(path: string): Promise<FlowFormatOptions> {
  const config = (await resolveConfig(path, { editorconfig: true })) ?? {};
  const { printWidth, tabWidth, useTabs, endOfLine } = config;
  return { filepath: path, printWidth, tabWidth, useTabs, endOfLine };
}

function reportSyntaxErrors(error: FlowcSyntaxError, streams: CommandStreams, options: FmtCommandOptions): void {
  const files = new Map([[error.source.path, error.source]]);
  const color = useColor(streams.stderr, { flag: options.color });
  for (const diagnostic of error.diagnostics) {
    streams.stderr.write(`${renderDiagnostic(diagnostic, files, { color })}\n\n`);
  }
  const what = error.diagnostics.some((d) => d.code === "E105") ? "is not UTF-8" : "has syntax errors";
  streams.stderr.write(`flowc fmt: ${error.source.path} ${what}; not formatted\n`);
}

/**
 * Adds `fmt` to the `flowc` command line.
 *
 * @example
 * const program = new Command("flowc");
 * registerFmtCommand(program);
 * await program.parseAsync(["fmt", "--check", "server.flow"], { from: "user" });
 */
export function registerFmtCommand(program: Command, streams: CommandStreams = processStreams): Command {
  return program
    .command("fmt")
    .summary("format .flow files")
    .description(
      "Format .flow files canonically: the same output as `prettier --plugin flowc`, with the " +
        "project's Prettier configuration. Prints the formatted text unless --check or --write is given.",
    )
    .argument("<files...>", ".flow files to format")
    .addOption(new Option("--check", "list the files that are not formatted; change nothing").conflicts("write"))
    .option("--write", "rewrite the files that are not formatted, listing them")
    .option("--no-color", "never colour the output (also: NO_COLOR=1)")
    .addHelpText(
      "after",
      "\nExit codes: 0 done, 1 syntax errors or (with --check) files to format, 2 usage error or unreadable file.",
    )
    .action(async (files: string[], options: FmtCommandOptions) => {
      process.exitCode = await fmtCommand(files, options, streams);
    });
}
