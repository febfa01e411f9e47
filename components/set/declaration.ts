import type { ComponentDeclaration } from "../../compiler/registry.js";
import { DiagnosticCodes } from "../../compiler/diagnostics.js";
import { ErrorType, formatType, isAssignable, type RecordField, type RecordType } from "../../compiler/types.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "set",
    summary: "Replaces (or adds) fields of each record: `set ts = now()`. Adding a field makes an anonymous record.",
    params: [
      {
        name: "fields",
        type: { kind: "assignment" },
        positional: true,
        variadic: true,
        required: true,
        doc: "`field = value`, comma separated.",
      },
    ],
    targets: ["node", "esp8266"],
    accepts: (input) =>
      input.kind === "record" ? undefined : `sets fields of records, but its input is ${formatType(input)}`,
    check: (ctx) => {
      const fields = ctx.params.get("fields");
      const input = ctx.input;
      if (fields?.kind !== "assignments" || input?.kind !== "record") return;
      for (const { field, expr } of fields.items) {
        const existing = input.fields.find((f) => f.name === field);
        if (existing && expr.type.kind !== "error" && !isAssignable(expr.type, existing.type)) {
          ctx.report(
            DiagnosticCodes.TypeMismatch,
            ctx.span("fields"),
            `field \`${field}\` of ${formatType(input)} is ${formatType(existing.type)}, but the new value is ${formatType(expr.type)}`,
            "convert it, as in `float(...)` or `str(...)`",
          );
        }
      }
    },
    output: (ctx) => {
      const fields = ctx.params.get("fields");
      const input = ctx.input;
      if (fields?.kind !== "assignments" || input?.kind !== "record") return input ?? ErrorType;
      const added: RecordField[] = fields.items
        .filter((item) => !input.fields.some((f) => f.name === item.field))
        .map((item) => ({ name: item.field, type: item.expr.type }));
      if (added.length === 0) return input;
      const record: RecordType = { kind: "record", fields: [...input.fields, ...added] };
      return record;
    },
    example: 'mqtt "sensor-data" -> json as SensorEvent -> set ts = now() -> print',
  },
];
