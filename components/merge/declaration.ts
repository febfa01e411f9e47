import type { ComponentDeclaration } from "../../compiler/registry.js";
import { DiagnosticCodes } from "../../compiler/diagnostics.js";
import { ErrorType, formatType, sameType } from "../../compiler/types.js";

/** Several named streams into one. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "source",
    name: "merge",
    summary: "Interleaves the events of several `let` streams of the same type, in arrival order.",
    params: [
      {
        name: "streams",
        type: { kind: "stream" },
        positional: true,
        variadic: true,
        required: true,
        doc: "The streams to merge.",
      },
    ],
    targets: ["node", "esp8266"],
    output: (ctx) => {
      const streams = ctx.params.get("streams");
      return streams?.kind === "streams" && streams.ids[0] ? ctx.streamType(streams.ids[0]) : ErrorType;
    },
    check: (ctx) => {
      const streams = ctx.params.get("streams");
      if (streams?.kind !== "streams" || streams.ids.length === 0) return;
      if (streams.ids.length < 2)
        ctx.report(
          DiagnosticCodes.WrongArgumentCount,
          ctx.span("streams"),
          "`merge` needs at least two streams",
          "as in `merge lux, temp`",
        );
      const first = ctx.streamType(streams.ids[0]!);
      for (const name of streams.ids.slice(1)) {
        const type = ctx.streamType(name);
        if (type.kind !== "error" && first.kind !== "error" && !sameType(type, first)) {
          ctx.report(
            DiagnosticCodes.TypeMismatch,
            ctx.span("streams"),
            `\`merge\` needs streams of one type, but \`${streams.ids[0]}\` is ${formatType(first)} and \`${name}\` is ${formatType(type)}`,
            "map them to a common schema first",
          );
        }
      }
    },
    example: "merge lux, temp -> print",
  },
];
