/**
 * Parameters that name several fields of the input record as one string (`key "sensor_id, ts"`,
 * `tags "sensor_id, room"`): parsed the same way by the checker and the runtime, and checked
 * against the schema so that a misspelt field is a compile-time error at the parameter.
 */
import type { ComponentContext } from "../compiler/registry.js";
import { DiagnosticCodes, didYouMean } from "../compiler/diagnostics.js";

/**
 * The names in a field list: separated by commas or spaces, empty entries ignored.
 *
 * @example
 * fieldNames("sensor_id, ts"); // ["sensor_id", "ts"]
 */
export function fieldNames(list: string): string[] {
  return list.split(/[\s,]+/).filter((name) => name !== "");
}

/**
 * Reports (E302, at the parameter) each name in the string parameter `param` that is not a field
 * of the input record, and (E405) a list naming no field or one field twice. Returns the names.
 */
export function checkFieldList(ctx: ComponentContext, param: string): string[] {
  const value = ctx.params.get(param);
  if (value?.kind !== "string" || ctx.input?.kind !== "record") return [];
  const fields = ctx.input.fields.map((field) => field.name);
  const names = fieldNames(value.value);
  if (names.length === 0)
    ctx.report(
      DiagnosticCodes.InvalidValue,
      ctx.span(param),
      `\`${param}\` names no field`,
      `as in \`${param} "${fields.slice(0, 2).join(", ")}"\``,
    );
  const seen = new Set<string>();
  for (const name of names) {
    if (!fields.includes(name)) {
      const schema = ctx.input.name ? `\`${ctx.input.name}\`` : "the input record";
      ctx.report(
        DiagnosticCodes.UnknownField,
        ctx.span(param),
        `\`${param}\` names \`${name}\`, which is not a field of ${schema}`,
        didYouMean(name, fields) ?? `its fields are ${fields.map((field) => `\`${field}\``).join(", ")}`,
      );
    } else if (seen.has(name)) {
      ctx.report(
        DiagnosticCodes.InvalidValue,
        ctx.span(param),
        `\`${param}\` names \`${name}\` twice`,
        "name each field once",
      );
    }
    seen.add(name);
  }
  return names;
}
