/**
 * Values kept out of source: `secret("key")` and `env("NAME", default)`. On the host they are
 * resolved once, at start-up, so a missing secret stops the flow before it touches the network,
 * with a message that says how to provide it.
 */
import { readFileSync } from "node:fs";
import type { ParamValue } from "../compiler/registry.js";

export type ConfigValue = string | number | boolean;

/** The environment variable that provides secret `key`: `mqtt-password` → `FLOWC_SECRET_MQTT_PASSWORD`. */
export function secretVariable(key: string): string {
  return `FLOWC_SECRET_${key.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/** A secret or environment variable the flow needs but nobody provided. */
export class MissingConfigError extends Error {
  override readonly name = "MissingConfigError";
}

export interface ConfigSources {
  /** Secrets by key, from `--secrets FILE` or an embedder. */
  readonly secrets?: Readonly<Record<string, ConfigValue>>;
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Resolves `secret` and `env` references. `FLOWC_SECRET_<KEY>` environment variables take
 * precedence over the secrets object, so a deployment can override one value of a shared file.
 *
 * @example
 * const config = new ConfigResolver({ secrets: loadSecretsFile("secrets.json") });
 * config.secret("mqtt_password");
 * config.env("SITE", "lab"); // "lab" unless $SITE is set
 */
export class ConfigResolver {
  private readonly secrets: Readonly<Record<string, ConfigValue>>;
  private readonly variables: Readonly<Record<string, string | undefined>>;

  constructor(sources: ConfigSources = {}) {
    this.secrets = sources.secrets ?? {};
    this.variables = sources.env ?? process.env;
  }

  secret(key: string): ConfigValue {
    const variable = secretVariable(key);
    const fromEnv = this.variables[variable];
    if (fromEnv !== undefined) return fromEnv;
    if (Object.hasOwn(this.secrets, key)) return this.secrets[key]!;
    throw new MissingConfigError(
      `secret "${key}" is not set: export ${variable}=... or pass --secrets FILE with a "${key}" entry`,
    );
  }

  /** The variable's value, converted to the type of `fallback` when there is one. */
  env(name: string, fallback?: ConfigValue): ConfigValue {
    const raw = this.variables[name];
    if (raw === undefined) {
      if (fallback === undefined)
        throw new MissingConfigError(`environment variable ${name} is not set (and env("${name}") has no default)`);
      return fallback;
    }
    if (typeof fallback === "number") {
      const value = raw.trim() === "" ? NaN : Number(raw);
      if (Number.isNaN(value))
        throw new MissingConfigError(`environment variable ${name} must be a number, but is "${raw}"`);
      return value;
    }
    if (typeof fallback === "boolean") {
      const value = booleanWords.get(raw.trim().toLowerCase());
      if (value === undefined)
        throw new MissingConfigError(`environment variable ${name} must be true or false, but is "${raw}"`);
      return value;
    }
    return raw;
  }

  /** A reference as the checker wrote it into an expression. */
  reference(source: "secret" | "env", key: string, fallback?: ConfigValue): ConfigValue {
    return source === "secret" ? this.secret(key) : this.env(key, fallback);
  }

  /** Replaces a `secret`/`env` parameter value by the plain value it names; other values pass through. */
  param(value: ParamValue): ParamValue {
    if (value.kind !== "secret" && value.kind !== "env") return value;
    const resolved = value.kind === "secret" ? this.secret(value.key) : this.env(value.name, value.fallback);
    switch (typeof resolved) {
      case "string":
        return { kind: "string", value: resolved };
      case "number":
        return { kind: "number", value: resolved };
      case "boolean":
        return { kind: "bool", value: resolved };
    }
  }
}

/**
 * What is missing among the `secret(...)` and `env(...)` references found anywhere in `values`
 * (IR nodes, settings blocks, typed expressions): one message per key, so a user fixes them all
 * at once instead of one per run.
 *
 * @example
 * const problems = missingConfig(program.nodes, new ConfigResolver({ secrets }));
 * if (problems.length > 0) throw new MissingConfigError(problems.join("\n"));
 */
export function missingConfig(values: unknown, config: ConfigResolver): string[] {
  const problems = new Map<string, string>();
  const visit = (value: unknown): void => {
    if (typeof value !== "object" || value === null) return;
    if (Array.isArray(value)) return value.forEach(visit);
    if (value instanceof Map) return value.forEach(visit);
    const record = value as Record<string, unknown>;
    const reference = configReference(record);
    if (reference) {
      const id = `${reference.source}:${reference.key}`;
      if (problems.has(id)) return;
      try {
        config.reference(reference.source, reference.key, reference.fallback);
      } catch (error) {
        if (!(error instanceof MissingConfigError)) throw error;
        problems.set(id, error.message);
      }
      return;
    }
    for (const key in record) visit(record[key]);
  };
  visit(values);
  return [...problems.values()];
}

/** A `secret`/`env` parameter value or typed expression, in one shape. */
function configReference(
  value: Record<string, unknown>,
): { source: "secret" | "env"; key: string; fallback?: ConfigValue } | undefined {
  const fallback = value.fallback as ConfigValue | undefined;
  if (value.kind === "secret" && typeof value.key === "string") return { source: "secret", key: value.key };
  if (value.kind === "env" && typeof value.name === "string") return { source: "env", key: value.name, fallback };
  if (value.kind === "config" && (value.source === "secret" || value.source === "env") && typeof value.key === "string")
    return { source: value.source, key: value.key, fallback };
  return undefined;
}

const booleanWords = new Map([
  ["true", true],
  ["1", true],
  ["yes", true],
  ["on", true],
  ["false", false],
  ["0", false],
  ["no", false],
  ["off", false],
]);

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

/**
 * Reads a secrets file: a JSON object (`{"mqtt_password": "..."}`) or `key=value` lines (blank
 * lines and `#` comments ignored).
 *
 * @example
 * new ConfigResolver({ secrets: loadSecretsFile("secrets.json") });
 */
export function loadSecretsFile(path: string): Record<string, ConfigValue> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    throw new Error(`cannot read secrets file ${path}: ${reason}`);
  }
  if (text.trimStart().startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      // JSON.parse's message may quote the text around the mistake, which is a secret: give only where it is.
      const position = /at position (\d+)/.exec((error as Error).message)?.[1];
      const where = position === undefined ? "" : ` (${lineAndColumn(text, Number(position))})`;
      throw new Error(`secrets file ${path} is not valid JSON${where}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new Error(`secrets file ${path} must hold a JSON object`);
    const secrets: Record<string, ConfigValue> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        throw new Error(`secrets file ${path}: "${key}" must be a string, number or boolean`);
      }
      secrets[key] = value;
    }
    return secrets;
  }
  const secrets: Record<string, ConfigValue> = {};
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const equals = trimmed.indexOf("=");
    if (equals <= 0) throw new Error(`secrets file ${path}:${index + 1}: expected key=value`);
    secrets[trimmed.slice(0, equals).trim()] = trimmed.slice(equals + 1).trim();
  });
  return secrets;
}
