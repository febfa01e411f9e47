/**
 * `flowc fmt [--check | --write] FILE...`: formats `.flow` files with the Prettier plugin
 * (`flowc/prettier`), honouring the project's Prettier configuration and .editorconfig for
 * `printWidth`, `tabWidth`, `useTabs` and `endOfLine`, so `flowc fmt` and `prettier` agree.
 */
import { readFile, writeFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import { resolveConfig } from "prettier";
import { renderDiagnostic } from "../../compiler/diagnostics.js";
import { formatFlow, type FlowFormatOptions } from "../../compiler/prettier/format.js";
import { FlowcSyntaxError } from "../../compiler/prettier/parse.js";

export interface FmtCommandOptions {
  /** Change nothing; list the files that are not formatted and exit 1 if there are any. */
  readonly check?: boolean;
  /** Rewrite the files that are not formatted, listing them. */
  readonly write?: boolean;
}

/** Where the command writes; the process's streams unless a test or an embedder says otherwise. */
export interface FmtStreams {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

/** Exit codes, as Prettier's: 1 means "would change" under `--check`, 2 means a file could not be formatted. */
const exitCodes = { ok: 0, unformatted: 1, failed: 2 } as const;

/**
 * Runs `flowc fmt` and returns the exit code. Without `--check` or `--write` the formatted text
 * of each file goes to standard output. A file that cannot be read or does not parse is reported
 * (with the compiler's diagnostics) and skipped; the others are still formatted.
 *
 * @example
 * process.exitCode = await fmtCommand(["examples/tutorial/server.flow"], { check: true });
 */
export async function fmtCommand(
  files: readonly string[],
  options: FmtCommandOptions = {},
  streams: FmtStreams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let exitCode: number = exitCodes.ok;
  for (const path of files) {
    let text: string;
    let formatted: string;
    try {
      text = await readFile(path, "utf8");
      formatted = await formatFlow(text, await layoutOptionsFor(path));
    } catch (error) {
      reportFailure(path, error, streams);
      exitCode = exitCodes.failed;
      continue;
    }
    if (!options.check && !options.write) {
      streams.stdout.write(formatted);
    } else if (formatted !== text) {
      if (options.write) await writeFile(path, formatted);
      else exitCode = Math.max(exitCode, exitCodes.unformatted);
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

function reportFailure(path: string, error: unknown, streams: FmtStreams): void {
  if (error instanceof FlowcSyntaxError) {
    const files = new Map([[error.source.path, error.source]]);
    const color = streams.stderr.isTTY === true;
    for (const diagnostic of error.diagnostics) {
      streams.stderr.write(`${renderDiagnostic(diagnostic, files, { color })}\n\n`);
    }
    streams.stderr.write(`flowc fmt: ${path} has syntax errors; not formatted\n`);
    return;
  }
  streams.stderr.write(`flowc fmt: cannot format ${path}: ${(error as Error).message}\n`);
}

/**
 * Adds `fmt` to the `flowc` command line.
 *
 * @example
 * const program = new Command("flowc");
 * registerFmtCommand(program);
 * await program.parseAsync(process.argv);
 */
export function registerFmtCommand(program: Command): Command {
  return program
    .command("fmt")
    .summary("format .flow files")
    .description(
      "Format .flow files canonically (the same output as `prettier --plugin flowc/prettier`). " +
        "Prints the formatted text unless --check or --write is given.",
    )
    .argument("<files...>", ".flow files to format")
    .addOption(new Option("--check", "list files that are not formatted; exit 1 if any").conflicts("write"))
    .addOption(new Option("--write", "rewrite files that are not formatted, listing them"))
    .action(async (files: string[], options: FmtCommandOptions) => {
      process.exitCode = await fmtCommand(files, options);
    });
}
