/**
 * The generated `config.py`: the flow's network settings and every `secret`/`env` value it uses.
 * It is the only file of a bundle that holds secrets, so it can be kept out of version control
 * and replaced on the device without rebuilding. Values are resolved at build time from
 * `--secrets` and `FLOWC_SECRET_<KEY>` variables (see shared/config.ts); a missing one becomes
 * an E502 diagnostic pointing at the `secret("key")` that names it.
 */
import { diagnostic, DiagnosticCodes, type Diagnostic } from "../../compiler/diagnostics.js";
import type { ParamValue } from "../../compiler/registry.js";
import type { SourceFile, Span } from "../../compiler/source.js";
import {
  ConfigResolver,
  MissingConfigError,
  secretVariable,
  type ConfigSources,
  type ConfigValue,
} from "../../shared/config.js";
import { pythonLiteral, type ConfigReference } from "./python.js";

/** A value kept out of source, as the IR writes it in parameters and settings. */
type ConfigParam = Extract<ParamValue, { kind: "secret" | "env" }>;

/** The module name main.py imports the settings from. */
export const configModule = "config";

/**
 * Collects the entries of config.py while main.py is generated, resolving secrets as they are
 * first used.
 *
 * @example
 * const config = new ConfigFile({ secrets: { wifi_password: "pw" } }, "client.flow", sources, diagnostics);
 * config.setting("WIFI_PASSWORD", { kind: "secret", key: "wifi_password" }, span); // "config.WIFI_PASSWORD"
 * config.text(); // '# Settings and secrets ...\nWIFI_PASSWORD = "pw"\n'
 */
export class ConfigFile {
  private readonly entries = new Map<string, ConfigValue | null>();
  private readonly resolver: ConfigResolver;
  private readonly reported = new Set<string>();
  private readonly names = new Map<string, string>();

  constructor(
    sources: ConfigSources,
    private readonly flow: string,
    private readonly files: ReadonlyMap<string, SourceFile> | undefined,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.resolver = new ConfigResolver(sources);
  }

  /**
   * Writes a setting under a fixed name (`WIFI_ESSID`) and returns Python reading it. Literal
   * values are written as they are; secrets and environment variables resolved.
   */
  setting(name: string, value: ParamValue | ConfigValue | null, span: Span): string {
    if (value !== null && typeof value === "object") {
      if (value.kind === "secret" || value.kind === "env") value = this.resolve(value, span);
      else value = plainValue(value);
    }
    this.entries.set(name, value);
    return `${configModule}.${name}`;
  }

  /** Python reading a `secret`/`env` parameter, resolved into config.py under a derived name. */
  param(value: ConfigParam, span: Span): string {
    const [source, key] = value.kind === "secret" ? (["secret", value.key] as const) : (["env", value.name] as const);
    return this.named(source, key, () => this.resolve(value, span));
  }

  /** Python reading a `secret`/`env` reference inside an expression. */
  reference(reference: ConfigReference, span: Span): string {
    const value: ConfigParam =
      reference.source === "secret"
        ? { kind: "secret", key: reference.key }
        : {
            kind: "env",
            name: reference.key,
            ...(reference.fallback !== undefined ? { fallback: reference.fallback } : {}),
          };
    return this.param(value, span);
  }

  /** The text of config.py. */
  text(): string {
    const lines = [
      `# Settings and secrets of ${oneLine(this.flow)}, written by flowc build --target esp8266.`,
      "# The only file of the bundle that holds secrets: keep it out of version control.",
    ];
    for (const [name, value] of this.entries) lines.push(`${name} = ${pythonLiteral(value)}`);
    return `${lines.join("\n")}\n`;
  }

  /** Every entry's name, in the order written. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  private named(source: "secret" | "env", key: string, resolve: () => ConfigValue | null): string {
    const id = `${source}:${key}`;
    let name = this.names.get(id);
    if (name === undefined) {
      const base = `${source === "secret" ? "SECRET" : "ENV"}_${key.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
      name = base;
      for (let n = 2; [...this.names.values()].includes(name) || this.entries.has(name); n++) name = `${base}_${n}`;
      this.names.set(id, name);
      this.entries.set(name, resolve());
    }
    return `${configModule}.${name}`;
  }

  private resolve(value: ConfigParam, span: Span): ConfigValue | null {
    try {
      return value.kind === "secret" ? this.resolver.secret(value.key) : this.resolver.env(value.name, value.fallback);
    } catch (error) {
      if (!(error instanceof MissingConfigError)) throw error;
      this.reportMissing(value, span, error.message);
      return null;
    }
  }

  private reportMissing(value: ConfigParam, span: Span, message: string): void {
    const where = this.callSpan(value, span);
    const id = `${value.kind}:${value.kind === "secret" ? value.key : value.name}@${where.file}:${where.start}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    const hint =
      value.kind === "secret"
        ? `pass --secrets FILE with a "${value.key}" entry, or set ${secretVariable(value.key)}; the value goes into config.py only`
        : `set ${value.name} when building, or give env("${value.name}", default) a default`;
    this.diagnostics.push(diagnostic(DiagnosticCodes.MissingSecret, where, message.replace(/:.*$/, ""), hint));
  }

  /**
   * Where `secret("key")` (or `env("NAME"...)`) is written inside `span`, when the source text is
   * at hand; the IR keeps only the enclosing node's or setting's span.
   */
  private callSpan(value: ConfigParam, span: Span): Span {
    const text = this.files?.get(span.file)?.text;
    if (text === undefined) return span;
    const [fn, key] = value.kind === "secret" ? ["secret", value.key] : ["env", value.name];
    const quoted = JSON.stringify(key).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const call = new RegExp(`\\b${fn}\\s*\\(\\s*${quoted}[^)]*\\)`, "g");
    call.lastIndex = span.start;
    const match = call.exec(text);
    if (!match || match.index + match[0].length > span.end) return span;
    return { file: span.file, start: match.index, end: match.index + match[0].length };
  }
}

/** A plain parameter value as the value config.py stores. */
function plainValue(value: ParamValue): ConfigValue {
  switch (value.kind) {
    case "string":
    case "enum":
    case "number":
    case "bool":
    case "count":
      return value.value;
    case "duration":
      return value.ms;
    default:
      throw new Error(`a ${value.kind} value cannot be written to config.py`);
  }
}

/** Text made safe for a one-line comment. */
export function oneLine(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}
