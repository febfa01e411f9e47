/**
 * Markdown for hovers and completion details, rendered from the same declarations the checker
 * uses, so the editor documents exactly what the compiler accepts. Values are never echoed from
 * the user's source (a hover shows types and declared defaults only), so a password written in a
 * file cannot leak into a tooltip or a log.
 */
import type { ComponentDeclaration, ParamSpec, ParamType, ParamValue } from "../../compiler/registry.js";
import type { SettingDeclaration } from "../../compiler/settings.js";
import type { StdlibFunction } from "../../compiler/stdlib.js";
import { formatType, type FlowType } from "../../compiler/types.js";

/** How a parameter's type reads in a hover: `duration`, `int (0–2)`, `low | medium | high`. */
export function paramTypeText(type: ParamType): string {
  switch (type.kind) {
    case "number": {
      const range = type.min !== undefined || type.max !== undefined ? ` (${type.min ?? "…"}–${type.max ?? "…"})` : "";
      return `${type.integer ? "int" : "number"}${range}`;
    }
    case "enum":
      return type.values.join(" | ");
    case "count-or-duration":
      return "count or duration";
    case "topic":
      return type.wildcards ? "topic filter" : "topic";
    case "expression":
      return type.result ? `expression (${formatType(type.result)})` : "expression";
    case "assignment":
      return "field = value, …";
    case "binding":
      return "name = constant";
    case "stream":
      return "stream name";
    case "field":
      return type.numeric ? "numeric field" : "field";
    default:
      return type.kind;
  }
}

/** A declared default as it would be written in a `.flow` file: `100ms`, `"localhost"`, `medium`. */
export function defaultText(spec: ParamSpec): string | undefined {
  if (spec.defaultField) return spec.defaultField;
  const value: ParamValue | undefined = spec.default;
  if (!value) return undefined;
  switch (value.kind) {
    case "duration":
      return durationText(value.ms);
    case "string":
      return JSON.stringify(value.value);
    case "number":
    case "bool":
    case "enum":
      return String(value.value);
    case "schema":
      return value.type.name;
    default:
      return undefined;
  }
}

function durationText(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** One line per parameter: `` `every` duration, required — How often to sample. `` */
export function paramLine(spec: ParamSpec): string {
  const facts = [paramTypeText(spec.type)];
  if (spec.positional) facts.push(spec.variadic ? "positional, repeatable" : "positional");
  if (spec.flag) facts.push("flag");
  const fallback = defaultText(spec);
  if (spec.required) facts.push("required");
  else if (fallback !== undefined) facts.push(`default \`${fallback}\``);
  return `\`${spec.name}\` ${facts.join(", ")} — ${spec.doc}`;
}

/** The hover of a single parameter, for an option name under the cursor. */
export function paramMarkdown(spec: ParamSpec, owner: string): string {
  return [`**${owner}** option`, "", paramLine(spec)].join("\n");
}

function paramList(params: readonly ParamSpec[]): string[] {
  return params.length === 0 ? ["No parameters."] : params.map((spec) => `- ${paramLine(spec)}`);
}

/** A fenced `flow` example. */
const example = (code: string) => ["```flow", code, "```"];

/**
 * The hover of a component: kind, the event type it emits (or receives, for a sink), summary,
 * parameters, targets and example.
 *
 * @example
 * componentMarkdown(registry().get("operator", "json")!, SensorEvent);
 */
export function componentMarkdown(declaration: ComponentDeclaration, eventType?: FlowType): string {
  const flow =
    eventType === undefined
      ? ""
      : declaration.kind === "sink"
        ? ` — receives \`${formatType(eventType)}\``
        : ` — emits \`${formatType(eventType)}\``;
  return [
    `**${declaration.name}** (${declaration.kind})${flow}`,
    "",
    declaration.summary,
    ...(eventType ? ["", ...typeBlock(eventType)] : []),
    "",
    ...paramList(declaration.params),
    "",
    `Targets: ${declaration.targets.join(", ")}`,
    "",
    ...example(declaration.example),
  ].join("\n");
}

/** The hover of `broker`, `device` or a setting inside a `device` block. */
export function settingMarkdown(setting: SettingDeclaration): string {
  return [
    `**${setting.name}** (setting)`,
    "",
    setting.summary,
    "",
    ...paramList(setting.params),
    ...(setting.block ? ["", `Settings inside \`{ }\`: ${setting.block.map((s) => `\`${s.name}\``).join(", ")}`] : []),
    "",
    ...example(setting.example),
  ].join("\n");
}

export function functionMarkdown(fn: StdlibFunction): string {
  return ["```flow", fn.signature, "```", "", fn.summary].join("\n");
}

/** A record type with its fields, or a scalar type, as a `flow` code block. */
export function typeBlock(type: FlowType): string[] {
  if (type.kind !== "record") return ["```flow", formatType(type), "```"];
  const fields = type.fields.map((field) => `  ${field.name}: ${formatType(field.type)}`);
  return ["```flow", `${type.name ?? ""}${type.name ? " " : ""}{`, ...fields, "}", "```"];
}

/** The hover of a typed name: a stream, constant, field or schema. */
export function typedNameMarkdown(description: string, type: FlowType): string {
  return [
    `**${description}**: \`${formatType(type)}\``,
    ...(type.kind === "record" ? ["", ...typeBlock(type)] : []),
  ].join("\n");
}
