import type { ComponentDeclaration } from "../../compiler/registry.js";
import { DiagnosticCodes } from "../../compiler/diagnostics.js";
import { ErrorType, formatType, isAssignable, isNumeric, NumberType } from "../../compiler/types.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "scan",
    summary: "Folds the stream into a running value and emits it after each event: `scan total = 0, total + val`.",
    params: [
      {
        name: "init",
        type: { kind: "binding" },
        positional: true,
        required: true,
        doc: "`name = initial value`: the accumulator.",
      },
      {
        name: "step",
        type: { kind: "expression" },
        positional: true,
        required: true,
        doc: "The next value; sees the accumulator and the event's fields.",
      },
    ],
    targets: ["node", "esp8266"],
    check: (ctx) => {
      const init = ctx.params.get("init");
      const step = ctx.params.get("step");
      if (init?.kind !== "binding" || step?.kind !== "expression") return;
      const numeric = isNumeric(init.init.type) && isNumeric(step.expr.type);
      if (!numeric && step.expr.type.kind !== "error" && !isAssignable(step.expr.type, init.init.type)) {
        ctx.report(
          DiagnosticCodes.TypeMismatch,
          ctx.span("step"),
          `\`${init.name}\` starts as ${formatType(init.init.type)}, but the step gives ${formatType(step.expr.type)}`,
        );
      }
    },
    output: (ctx) => {
      const init = ctx.params.get("init");
      const step = ctx.params.get("step");
      if (init?.kind !== "binding") return ErrorType;
      if (
        step?.kind === "expression" &&
        isNumeric(init.init.type) &&
        isNumeric(step.expr.type) &&
        step.expr.type !== init.init.type
      )
        return NumberType;
      return init.init.type;
    },
    example: "tsl2591 every 1s -> scan total = 0, total + val -> print",
  },
];
