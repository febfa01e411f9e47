/**
 * What `flowc build --target esp8266` calls: checked programs → bundle files, secrets read from
 * `--secrets` and `FLOWC_SECRET_<KEY>` variables. Several files build into one folder each
 * (`<name>/main.py`), since a board runs one flow.
 */
import type { Diagnostic } from "../../compiler/diagnostics.js";
import type { IRProgram } from "../../compiler/ir.js";
import type { SourceFile } from "../../compiler/source.js";
import { loadSecretsFile, type ConfigValue } from "../../shared/config.js";
import packageJson from "../../package.json" with { type: "json" };
import { buildBundle, type Bundle, type BundleFile, type TextBundleFile } from "./bundle.js";
import type { MicroPythonImplementation } from "./component.js";
import { buildSourceMap, SOURCE_MAP_FILE } from "./source-map.js";

export interface Esp8266BundleOptions {
  /** The components' MicroPython side, looked up by `componentKey` (the CLI passes every one in components/). */
  readonly implementations: Iterable<MicroPythonImplementation>;
  /** Values for `secret("key")`; `FLOWC_SECRET_<KEY>` variables in `env` override them. */
  readonly secrets?: ReadonlyMap<string, ConfigValue> | Readonly<Record<string, ConfigValue>>;
  /** Default process.env (for `FLOWC_SECRET_<KEY>` and `env(...)`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The program's source text, so a missing secret points at its `secret("...")` call. */
  readonly sources?: ReadonlyMap<string, SourceFile>;
  /** Shrink the Python (default true); golden files read it unminified. */
  readonly minify?: boolean;
}

/**
 * One program's bundle: main.py, config.py
 * (the only file with secrets), the drivers it uses, manifest.json and README.txt.
 *
 * @example
 * const { programs } = compile([{ path: "client.flow", text }], { target: "esp8266" });
 * const bundle = buildEsp8266Bundle(programs[0], { implementations, secrets: { wifi_essid: "lab", wifi_password: "pw" } });
 * bundle.diagnostics; // E502 for each secret still missing, W703 past half the heap
 * bundle.manifest.pythonBytes; // 6078
 */
export function buildEsp8266Bundle(program: IRProgram, options: Esp8266BundleOptions): Bundle<TextBundleFile> {
  const secrets = options.secrets instanceof Map ? Object.fromEntries(options.secrets) : options.secrets;
  const bundle = buildBundle(program, {
    implementations: options.implementations,
    config: { secrets: secrets ?? {}, ...(options.env ? { env: options.env } : {}) },
    ...(options.sources ? { sources: options.sources } : {}),
    ...(options.minify !== undefined ? { minify: options.minify } : {}),
    flowcVersion: packageJson.version,
  });
  return options.sources ? withSourceMap(bundle, program, options.sources) : bundle;
}

/** Adds flowmap.json (see source-map.ts), and names it in manifest.json, for `flowc monitor`. */
function withSourceMap(
  bundle: Bundle<TextBundleFile>,
  program: IRProgram,
  sources: ReadonlyMap<string, SourceFile>,
): Bundle<TextBundleFile> {
  const manifest = { ...bundle.manifest, sourceMap: SOURCE_MAP_FILE };
  const files = bundle.files.map((file) =>
    file.path === "manifest.json" ? { path: file.path, contents: `${JSON.stringify(manifest, null, 2)}\n` } : file,
  );
  files.push({ path: SOURCE_MAP_FILE, contents: `${JSON.stringify(buildSourceMap(program, sources))}\n` });
  return { ...bundle, files, manifest };
}

export interface Esp8266BuildOptions {
  readonly implementations: Iterable<MicroPythonImplementation>;
  /** A secrets file: a JSON object or `key=value` lines. */
  readonly secretsFile?: string | undefined;
  readonly sources?: ReadonlyMap<string, SourceFile>;
  /** Default process.env (for `FLOWC_SECRET_<KEY>`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Ship flow.py and the drivers as source instead of precompiled .mpy (`--py`). */
  readonly py?: boolean;
}

/**
 * Builds every program, precompiled to .mpy unless `py`; with one program the files sit at the top
 * of the output folder.
 *
 * @example
 * const { files, diagnostics } = await buildEsp8266(programs, { implementations, secretsFile: "secrets.json" });
 */
export async function buildEsp8266(
  programs: readonly IRProgram[],
  options: Esp8266BuildOptions,
): Promise<{ files: BundleFile[]; diagnostics: Diagnostic[] }> {
  const secrets = options.secretsFile ? loadSecretsFile(options.secretsFile) : {};
  const files: BundleFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const program of programs) {
    const source = buildEsp8266Bundle(program, {
      implementations: options.implementations,
      secrets,
      ...(options.env ? { env: options.env } : {}),
      ...(options.sources ? { sources: options.sources } : {}),
    });
    const failed = source.diagnostics.some((d) => d.severity === "error");
    // Loaded here, not at the top: mpy-cross is WebAssembly that `flowc check` (which builds to
    // learn the board's diagnostics) and `--py` builds never need.
    const bundle = options.py || failed ? source : await (await import("./precompile.js")).precompileBundle(source);
    const folder = programs.length === 1 ? "" : `${program.file.replace(/^.*[\\/]/, "").replace(/\.flow$/, "")}/`;
    files.push(...bundle.files.map((file) => ({ path: folder + file.path, contents: file.contents })));
    diagnostics.push(...bundle.diagnostics);
  }
  return { files, diagnostics };
}
