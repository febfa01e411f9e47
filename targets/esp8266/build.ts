/**
 * What `flowc build --target esp8266` calls: checked programs → bundle files, secrets read from
 * `--secrets` and `FLOWC_SECRET_<KEY>` variables. Several files build into one folder each
 * (`<name>/main.py`), since a board runs one flow.
 */
import type { Diagnostic } from "../../compiler/diagnostics.js";
import type { IRProgram } from "../../compiler/ir.js";
import type { SourceFile } from "../../compiler/source.js";
import { micropythonImplementations } from "../../components/micropython.js";
import { loadSecretsFile } from "../../runtime/config.js";
import packageJson from "../../package.json" with { type: "json" };
import { buildBundle, type BundleFile } from "./bundle.js";

export interface Esp8266BuildOptions {
  /** A secrets file: a JSON object or `key=value` lines. */
  readonly secretsFile?: string | undefined;
  readonly sources?: ReadonlyMap<string, SourceFile>;
  /** Default process.env (for `FLOWC_SECRET_<KEY>`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Builds every program; with one program the files sit at the top of the output folder.
 *
 * @example
 * const { files, diagnostics } = await buildEsp8266(programs, { secretsFile: "secrets.json" });
 */
export async function buildEsp8266(
  programs: readonly IRProgram[],
  options: Esp8266BuildOptions = {},
): Promise<{ files: BundleFile[]; diagnostics: Diagnostic[] }> {
  const secrets = options.secretsFile ? loadSecretsFile(options.secretsFile) : {};
  const files: BundleFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const program of programs) {
    const bundle = buildBundle(program, {
      implementations: micropythonImplementations,
      config: { secrets, ...(options.env ? { env: options.env } : {}) },
      ...(options.sources ? { sources: options.sources } : {}),
      flowcVersion: packageJson.version,
    });
    const folder = programs.length === 1 ? "" : `${program.file.replace(/^.*[\\/]/, "").replace(/\.flow$/, "")}/`;
    files.push(...bundle.files.map((file) => ({ path: folder + file.path, contents: file.contents })));
    diagnostics.push(...bundle.diagnostics);
  }
  return { files, diagnostics };
}
