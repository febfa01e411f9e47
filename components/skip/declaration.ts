import type { ComponentDeclaration } from "../../compiler/registry.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "skip",
    summary: "Drops the first n events (a sensor's warm-up readings, say) and passes the rest.",
    params: [
      {
        name: "count",
        type: { kind: "number", integer: true, min: 0 },
        positional: true,
        required: true,
        doc: "How many events to drop.",
      },
    ],
    targets: ["node", "esp8266"],
    output: (ctx) => ctx.input!,
    example: "tsl2591 every 1s -> skip 3 -> print",
  },
];
