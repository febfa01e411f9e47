/**
 * `flowc graph FILE... [--format mermaid|dot|svg] [-o FILE] [--no-color]`: draws the dataflow of
 * one or more `.flow` files. Several files are drawn as one system, publishers and subscribers
 * joined through their MQTT topics.
 */
import { writeFile } from "node:fs/promises";
import { extname } from "node:path";
import { Option, type Command } from "commander";
import { graphFormats, renderGraph, type GraphFormat } from "../../compiler/diagram/index.js";
import { compile, renderDiagnostic } from "../../compiler/index.js";
import { registry } from "../../components/declarations.js";
import { countOf, ExitCode, processStreams, readSourceFiles, useColor, type CommandStreams } from "../io.js";
import { loadUsedFile } from "../../shared/used-files.js";

/** What `graph` draws: the compiler's text formats, and PNG rasterised from the SVG. */
export type PictureFormat = GraphFormat | "png";
const pictureFormats: readonly PictureFormat[] = [...graphFormats, "png"];

export interface GraphCommandOptions {
  /**
   * Default: from the extension of `output` (`.svg`, `.png`, `.dot`/`.gv`, `.mmd`), Mermaid on
   * standard output. Another extension without `format` is refused rather than guessed.
   */
  readonly format?: PictureFormat;
  /** Write the picture here instead of standard output. */
  readonly output?: string;
  /** `false` turns colour off in diagnostics (`--no-color`); otherwise colour on a terminal only. */
  readonly color?: boolean;
}

const formatsByExtension: ReadonlyMap<string, PictureFormat> = new Map([
  [".svg", "svg"],
  [".png", "png"],
  [".dot", "dot"],
  [".gv", "dot"],
  [".mmd", "mermaid"],
  [".mermaid", "mermaid"],
]);

/**
 * Runs `flowc graph` and returns the exit code: 0 when the picture was written, 1 when the sources
 * have errors (rendered as `flowc check` renders them, on stderr, since stdout carries the
 * picture), 2 when a file cannot be read or the format cannot be told from `-o`'s extension.
 * Warnings are shown too but do not stop the picture.
 *
 * @example
 * process.exitCode = await graphCommand(["client.flow", "server.flow"], { output: "system.svg" });
 */
export async function graphCommand(
  files: readonly string[],
  options: GraphCommandOptions = {},
  streams: CommandStreams = processStreams,
): Promise<ExitCode> {
  const format = options.format ?? formatOfFile(options.output);
  if (format === undefined) {
    streams.stderr.write(
      `flowc graph: cannot tell the picture format from "${options.output}": name it .svg, .png, .dot, .gv or .mmd, or give --format\n`,
    );
    return ExitCode.Usage;
  }
  if (format === "png" && options.output === undefined && streams.stdout.isTTY) {
    streams.stderr.write("flowc graph: a PNG is not for the terminal: write it with -o flow.png\n");
    return ExitCode.Usage;
  }
  const inputs = await readSourceFiles(files, "graph", streams);
  if (!inputs) return ExitCode.Usage;
  const result = compile(inputs, { registry: registry(), load: loadUsedFile });
  const color = useColor(streams.stderr, { flag: options.color });
  for (const diagnostic of result.diagnostics) {
    streams.stderr.write(`${renderDiagnostic(diagnostic, result.sources, { color })}\n\n`);
  }
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  if (errors > 0) {
    streams.stderr.write(`${countOf(errors, "error")}: nothing drawn\n`);
    return ExitCode.Failure;
  }

  const picture =
    format === "png"
      ? await (await import("../png.js")).svgToPng(await renderGraph(result.programs, "svg"))
      : await renderGraph(result.programs, format);
  if (options.output === undefined) streams.stdout.write(picture);
  else await writeFile(options.output, picture);
  return ExitCode.Ok;
}

/** The format `-o`'s extension names; Mermaid when there is no `-o`, undefined for an unknown extension. */
function formatOfFile(path: string | undefined): PictureFormat | undefined {
  return path === undefined ? "mermaid" : formatsByExtension.get(extname(path).toLowerCase());
}

/**
 * Adds `graph` to the `flowc` command line.
 *
 * @example
 * const program = new Command("flowc");
 * registerGraphCommand(program);
 * await program.parseAsync(["graph", "client.flow", "server.flow", "-o", "system.svg"], { from: "user" });
 */
export function registerGraphCommand(program: Command, streams: CommandStreams = processStreams): Command {
  return program
    .command("graph")
    .summary("draw the dataflow as Mermaid, Graphviz DOT, SVG or PNG")
    .description(
      "Draw the dataflow of .flow files: a box per file, a node per source, operator and sink, and a node " +
        "per MQTT topic joining publishers to the subscribers whose filters match. Secrets are never shown.",
    )
    .argument("<files...>", ".flow files to draw together")
    .addOption(
      new Option("--format <format>", "picture format (default: from the -o extension, else mermaid)").choices(
        pictureFormats,
      ),
    )
    .option("-o, --output <file>", "write the picture to a file instead of standard output")
    .option("--no-color", "never colour diagnostics (also: NO_COLOR=1)")
    .addHelpText(
      "after",
      "\nExit codes: 0 drawn (warnings allowed), 1 errors in the sources, 2 usage error or unreadable file.",
    )
    .action(async (files: string[], options: GraphCommandOptions) => {
      process.exitCode = await graphCommand(files, options, streams);
    });
}
