/**
 * `flowc check FILE... [--format text|json] [--target node|esp8266] [--no-color]`: parses and
 * checks `.flow` files together (so the cross-file topic checks run) and reports every
 * diagnostic, without running or emitting anything.
 */
import { Option, type Command } from "commander";
import {
  compile,
  diagnosticToJson,
  renderDiagnostic,
  sortDiagnostics,
  type CompileResult,
  type Diagnostic,
  type DiagnosticJson,
} from "../../compiler/index.js";
import { allTargets, type Target } from "../../compiler/registry.js";
import { registry } from "../../components/declarations.js";
import { countOf, ExitCode, processStreams, readSourceFiles, useColor, type CommandStreams } from "../io.js";
import { loadUsedFile } from "../../shared/used-files.js";

export type CheckFormat = "text" | "json";
export const checkFormats: readonly CheckFormat[] = ["text", "json"];

export interface CheckCommandOptions {
  /** `text` (default): rendered diagnostics and a summary line; `json`: one {@link CheckReport}. */
  readonly format?: CheckFormat;
  /** Check every file against this target; default: a file's `device` block decides. */
  readonly target?: Target;
  /** `false` turns colour off (`--no-color`); otherwise colour is used on a terminal only. */
  readonly color?: boolean;
}

/** What `flowc check --format json` prints: one JSON document on standard output. */
export interface CheckReport {
  /** The files checked, as given on the command line. */
  readonly files: string[];
  readonly errors: number;
  readonly warnings: number;
  /** Sorted by file, then position. */
  readonly diagnostics: DiagnosticJson[];
}

/**
 * Runs `flowc check` and returns the exit code: 0 when no file has errors (warnings are fine),
 * 1 when some do, 2 when a file cannot be read. Diagnostics and the summary go to stdout: they
 * are what the command was asked for.
 *
 * @example
 * process.exitCode = await checkCommand(["client.flow", "server.flow"], { format: "json" });
 */
export async function checkCommand(
  files: readonly string[],
  options: CheckCommandOptions = {},
  streams: CommandStreams = processStreams,
): Promise<ExitCode> {
  const inputs = await readSourceFiles(files, "check", streams);
  if (!inputs) return ExitCode.Usage;
  const result = compile(inputs, {
    registry: registry(),
    ...(options.target ? { target: options.target } : {}),
    load: loadUsedFile,
  });
  const diagnostics = sortDiagnostics([...result.diagnostics, ...(await targetDiagnosticsOf(result))]);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;

  if (options.format === "json") {
    const report: CheckReport = {
      files: [...files],
      errors,
      warnings,
      diagnostics: diagnostics.map((d) => diagnosticToJson(d, result.sources)),
    };
    streams.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const color = diagnostics.length > 0 && useColor(streams.stdout, { flag: options.color });
    for (const diagnostic of diagnostics) {
      streams.stdout.write(`${renderDiagnostic(diagnostic, result.sources, { color })}\n\n`);
    }
    streams.stdout.write(`${summaryLine(files.length, diagnostics)}\n`);
  }
  return errors > 0 ? ExitCode.Failure : ExitCode.Ok;
}

/**
 * What the targets say about the programs, as `flowc build` would; the target code is loaded only
 * when a program has a target, so checking host flows stays as quick to start as it was.
 */
async function targetDiagnosticsOf(result: CompileResult): Promise<Diagnostic[]> {
  if (!result.programs.some((program) => program.target)) return [];
  const [{ targetDiagnostics }, { micropythonImplementations }] = await Promise.all([
    import("../../targets/diagnostics.js"),
    import("../../components/micropython.js"),
  ]);
  return targetDiagnostics(result.programs, result.sources, { micropython: micropythonImplementations });
}

/** `2 errors, 1 warning` when something failed; `ok: 2 files` (and any warnings) otherwise. */
function summaryLine(fileCount: number, diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  if (errors > 0)
    return warnings > 0 ? `${countOf(errors, "error")}, ${countOf(warnings, "warning")}` : countOf(errors, "error");
  const ok = `ok: ${countOf(fileCount, "file")}`;
  return warnings > 0 ? `${ok}, ${countOf(warnings, "warning")}` : ok;
}

/**
 * Adds `check` to the `flowc` command line.
 *
 * @example
 * const program = new Command("flowc");
 * registerCheckCommand(program);
 * await program.parseAsync(["check", "server.flow"], { from: "user" });
 */
export function registerCheckCommand(program: Command, streams: CommandStreams = processStreams): Command {
  return program
    .command("check")
    .summary("parse and check .flow files, report every problem")
    .description(
      "Parse and type-check .flow files together, including the cross-file checks that a topic's " +
        "publishers and subscribers agree on its schema. Nothing is run or written.",
    )
    .argument("<files...>", ".flow files to check together")
    .addOption(new Option("--format <format>", "output format").choices(checkFormats).default("text"))
    .addOption(
      new Option("--target <target>", "check every file for this target (default: a `device` block decides)").choices(
        allTargets,
      ),
    )
    .option("--no-color", "never colour the output (also: NO_COLOR=1)")
    .addHelpText(
      "after",
      "\nExit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage error or unreadable file.",
    )
    .action(async (files: string[], options: CheckCommandOptions) => {
      process.exitCode = await checkCommand(files, options, streams);
    });
}
