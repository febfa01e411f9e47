import type { ComponentDeclaration } from "../../compiler/registry.js";
import { ErrorType } from "../../compiler/types.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "map",
    summary: "Replaces each event with the value of an expression over its fields (`it` is the whole event).",
    params: [{ name: "expr", type: { kind: "expression" }, positional: true, required: true, doc: "The new event." }],
    targets: ["node", "esp8266"],
    output: (ctx) => {
      const expr = ctx.params.get("expr");
      return expr?.kind === "expression" ? expr.expr.type : ErrorType;
    },
    example: "tsl2591 every 2s -> map val * 0.0079 -> print",
  },
];
