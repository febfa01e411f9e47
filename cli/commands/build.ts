/**
 * `flowc build FILE... --target node|esp8266 -o DIR [--secrets FILE] [--py]`: compiles .flow files
 * for a target and writes what deploys them: a Node module, or a MicroPython bundle for the board.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Option, type Command } from "commander";
import packageJson from "../../package.json" with { type: "json" };
import { compile, renderDiagnostic, type Diagnostic } from "../../compiler/index.js";
import { registry } from "../../components/declarations.js";
import type { IRProgram } from "../../compiler/ir.js";
import { allTargets, type Target } from "../../compiler/registry.js";
import type { SourceFile } from "../../compiler/source.js";
import { secretsFile } from "../options.js";
import { countOf, ExitCode, processStreams, readSourceFiles, useColor, type CommandStreams } from "../io.js";
import { loadUsedFile } from "../../shared/used-files.js";

export interface BuildCommandOptions {
  readonly target: Target;
  /** The folder to write into; created when missing. */
  readonly out: string;
  /** Secrets for a device bundle's config.py: a JSON object or `key=value` lines. */
  readonly secrets?: string;
  /** A device bundle ships its flow as Python source instead of precompiled .mpy. */
  readonly py?: boolean;
  readonly color?: boolean;
}

/** A file of a build, relative to the output folder: text, or bytes (.mpy bytecode). */
export interface BuiltFile {
  readonly path: string;
  readonly contents: string | Uint8Array;
}

/** What a target makes of checked programs: files to write, and anything to say about them. */
export interface TargetBuild {
  readonly files: readonly BuiltFile[];
  readonly diagnostics: readonly Diagnostic[];
}

type BuildTarget = (
  programs: readonly IRProgram[],
  options: BuildCommandOptions,
  sources: ReadonlyMap<string, SourceFile>,
) => Promise<TargetBuild>;

/** Each target's builder, loaded only when asked for. */
const builders: Readonly<Record<Target, BuildTarget>> = {
  node: async (programs) => {
    const [{ emitNodeModule }, { bundleNodeModule }] = await Promise.all([
      import("../../targets/node/emit.js"),
      import("../../targets/node/bundle.js"),
    ]);
    const files = await bundleNodeModule(emitNodeModule(programs, { flowcVersion: packageJson.version }));
    return { files, diagnostics: [] };
  },
  esp8266: async (programs, options, sources) => {
    const [{ buildEsp8266 }, { micropythonImplementations }] = await Promise.all([
      import("../../targets/esp8266/build.js"),
      import("../../components/micropython.js"),
    ]);
    return buildEsp8266(programs, {
      implementations: micropythonImplementations,
      secretsFile: options.secrets,
      sources,
      py: options.py ?? false,
    });
  },
};

/**
 * Runs `flowc build` and returns the exit code: 0 when the files were written (warnings allowed),
 * 1 when the flow has errors for the target (nothing is written), 2 for an unreadable input.
 *
 * @example
 * process.exitCode = await buildCommand(["client.flow"], { target: "esp8266", out: "build/", secrets: "secrets.json" });
 */
export async function buildCommand(
  files: readonly string[],
  options: BuildCommandOptions,
  streams: CommandStreams = processStreams,
): Promise<ExitCode> {
  const inputs = await readSourceFiles(files, "build", streams);
  if (!inputs) return ExitCode.Usage;
  const result = compile(inputs, { registry: registry(), load: loadUsedFile, target: options.target });
  const color = useColor(streams.stderr, { flag: options.color });
  const report = (diagnostics: readonly Diagnostic[]) => {
    for (const diagnostic of diagnostics)
      streams.stderr.write(`${renderDiagnostic(diagnostic, result.sources, { color })}\n\n`);
    return diagnostics.some((d) => d.severity === "error");
  };
  if (report(result.diagnostics)) return ExitCode.Failure;

  let build: TargetBuild;
  try {
    build = await builders[options.target](result.programs, options, result.sources);
  } catch (error) {
    streams.stderr.write(`flowc build: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  if (report(build.diagnostics)) return ExitCode.Failure;

  if (options.target === "esp8266" && (await isCommittable(options.out)))
    streams.stderr.write(
      `flowc build: warning: ${options.out} is inside a git work tree and not ignored, and config.py holds ` +
        `the WiFi password and every secret: add ${options.out} to .gitignore\n`,
    );
  for (const file of build.files) {
    const path = join(options.out, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.contents);
  }
  const bytes = build.files.reduce((sum, file) => sum + Buffer.byteLength(file.contents), 0);
  streams.stderr.write(
    `flowc build: ${countOf(build.files.length, "file")}, ${bytes} bytes in ${options.out} (${options.target})\n`,
  );
  for (const file of build.files)
    streams.stderr.write(`  ${file.path.padEnd(24)} ${String(Buffer.byteLength(file.contents)).padStart(7)}\n`);
  return ExitCode.Ok;
}

/**
 * Whether files written into `folder` could be committed by mistake: it is inside a git work tree
 * and `git check-ignore` does not ignore it. Without git, or outside a work tree, nothing to say.
 */
function isCommittable(folder: string): Promise<boolean> {
  const target = resolve(folder, "config.py");
  // git runs in the folder, or its nearest existing parent, so it finds the work tree around it.
  let cwd = dirname(target);
  while (!existsSync(cwd) && dirname(cwd) !== cwd) cwd = dirname(cwd);
  return new Promise((resolveCheck) => {
    // check-ignore exits 0 for an ignored path, 1 for one that is not, 128 outside a work tree;
    // --no-index judges by the ignore rules alone, even where files are tracked already.
    execFile("git", ["check-ignore", "-q", "--no-index", target], { cwd }, (error) =>
      resolveCheck((error as { code?: unknown } | null)?.code === 1),
    );
  });
}

/**
 * Adds `build` to the `flowc` command line.
 *
 * @example
 * registerBuildCommand(new Command("flowc"));
 */
export function registerBuildCommand(program: Command, streams: CommandStreams = processStreams): Command {
  return program
    .command("build")
    .summary("compile .flow files into a Node module or an ESP8266 MicroPython bundle")
    .description(
      "Compile .flow files for a target and write the result into a folder. `--target node`: flow.mjs, " +
        "the flow with flowc's runtime bundled in (it needs Node alone), and a package.json to `npm start` it. `--target esp8266`: main.py, " +
        "the flow and the sensor drivers it uses precompiled to .mpy (MicroPython 1.19 or later; .py with --py), " +
        "config.py (settings and secrets), manifest.json and README.txt.",
    )
    .argument("<files...>", ".flow files to build")
    .addOption(new Option("--target <target>", "what to build for").choices(allTargets).makeOptionMandatory())
    .requiredOption("-o, --out <dir>", "folder to write into (created if missing)")
    .addOption(
      new Option(
        "--secrets <file>",
        "secrets for config.py: a JSON object or key=value lines (FLOWC_SECRET_<KEY> also works)",
      ).argParser(secretsFile),
    )
    .option("--py", "esp8266: ship the flow and drivers as readable .py instead of precompiled .mpy")
    .option("--no-color", "never colour diagnostics (also: NO_COLOR=1)")
    .addHelpText("after", "\nExit codes: 0 written, 1 errors in the files (nothing written), 2 usage error.")
    .action(async (files: string[], options: BuildCommandOptions) => {
      process.exitCode = await buildCommand(files, options, streams);
    });
}
