/**
 * Renders docs/components.md from the registry, so the reference cannot drift from what the
 * checker accepts. A test compares the committed file with this output.
 */
import type { ComponentDeclaration, ParamSpec, ParamType, ParamValue, Registry } from "./registry.js";
import { brokerSetting, deviceSetting, type SettingDeclaration } from "./settings.js";

function typeText(type: ParamType): string {
  switch (type.kind) {
    case "enum":
      return type.values.map((v) => `\`${v}\``).join(" \\| ");
    case "number":
      return `${type.integer ? "int" : "number"}${type.min !== undefined || type.max !== undefined ? ` (${type.min ?? "…"}–${type.max ?? "…"}${type.excluded ? `, not ${type.excluded.values.join(", ")}` : ""})` : ""}`;
    case "count-or-duration":
      return "count or duration";
    case "topic":
      return type.wildcards ? "topic filter" : "topic";
    case "expression":
      return type.result ? "expression (bool)" : "expression";
    case "assignment":
      return "`field = value`, …";
    case "binding":
      return "`name = constant`";
    case "stream":
      return "stream name";
    default:
      return type.kind;
  }
}

function valueText(value: ParamValue | undefined, spec: ParamSpec): string {
  if (spec.defaultField)
    return spec.defaultFieldIfPresent ? `\`${spec.defaultField}\`, if the events have it` : `\`${spec.defaultField}\``;
  if (!value) return spec.required ? "required" : "—";
  switch (value.kind) {
    case "duration":
      return value.ms % 60_000 === 0
        ? `\`${value.ms / 60_000}min\``
        : value.ms % 1000 === 0
          ? `\`${value.ms / 1000}s\``
          : `\`${value.ms}ms\``;
    case "schema":
      return `\`${value.type.name}\``;
    case "string":
      return `\`${JSON.stringify(value.value)}\``;
    case "number":
    case "bool":
    case "enum":
      return `\`${value.value}\``;
    default:
      return "—";
  }
}

function paramTable(params: readonly ParamSpec[]): string[] {
  if (params.length === 0) return ["No parameters.", ""];
  return [
    "| parameter | type | default | |",
    "|---|---|---|---|",
    ...params.map(
      (p) =>
        `| ${p.positional ? `\`${p.name}\` (positional${p.variadic ? ", repeatable" : ""})` : `\`${p.name}\``} | ${typeText(p.type)} | ${valueText(p.default, p)} | ${p.doc}${p.targets ? ` Only on ${p.targets.join(", ")}.` : ""} |`,
    ),
    "",
  ];
}

function componentSection(declaration: ComponentDeclaration): string[] {
  return [
    `### \`${declaration.name}\` (${declaration.kind})`,
    "",
    declaration.summary,
    "",
    ...paramTable(declaration.params),
    `Targets: ${declaration.targets.join(", ")}.${declaration.unsupportedHint?.esp8266 ? ` Not on esp8266: ${declaration.unsupportedHint.esp8266}.` : ""}`,
    "",
    "```flow",
    declaration.example,
    "```",
    "",
  ];
}

function settingSection(setting: SettingDeclaration, level = "###"): string[] {
  return [
    `${level} \`${setting.name}\``,
    "",
    setting.summary,
    "",
    ...paramTable(setting.params),
    "```flow",
    setting.example,
    "```",
    "",
    ...(setting.block ?? [])
      .filter((inner) => inner !== brokerSetting)
      .flatMap((inner) => settingSection(inner, "####")),
  ];
}

/**
 * The Markdown reference of every component and setting.
 *
 * @example
 * writeFileSync("docs/components.md", renderComponentDocs(registry()));
 */
export function renderComponentDocs(registry: Registry): string {
  const heading = { source: "Sources", operator: "Operators", sink: "Sinks" } as const;
  const lines = [
    "# Components",
    "",
    "<!-- Generated from the registry by compiler/component-docs.ts; run `UPDATE_GOLDEN=1 npx vitest run compiler/component-docs.test.ts` after changing a declaration. -->",
    "",
    "Every source, operator and sink flowc knows, with its parameters. Positional parameters come first, unnamed; the others are options written `name value`. See [language.md](language.md) for the syntax.",
    "",
  ];
  for (const kind of ["source", "operator", "sink"] as const) {
    lines.push(`## ${heading[kind]}`, "");
    for (const declaration of registry.all(kind)) lines.push(...componentSection(declaration));
  }
  lines.push("## Settings", "", ...settingSection(brokerSetting), ...settingSection(deviceSetting));
  return lines.join("\n");
}
