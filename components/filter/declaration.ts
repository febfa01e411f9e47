import type { ComponentDeclaration } from "../../compiler/registry.js";
import { BoolType } from "../../compiler/types.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "filter",
    summary: "Passes only the events for which a condition holds.",
    params: [
      {
        name: "condition",
        type: { kind: "expression", result: BoolType },
        positional: true,
        required: true,
        doc: "A bool expression.",
      },
    ],
    targets: ["node", "esp8266"],
    output: (ctx) => ctx.input!,
    example: "tsl2591 every 2s -> filter val > 500 -> print",
  },
];
