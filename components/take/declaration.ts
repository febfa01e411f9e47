import type { ComponentDeclaration } from "../../compiler/registry.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "take",
    summary: "Passes the first n events, then completes the stream.",
    params: [
      {
        name: "count",
        type: { kind: "number", integer: true, min: 0 },
        positional: true,
        required: true,
        doc: "How many events to pass.",
      },
    ],
    targets: ["node", "esp8266"],
    output: (ctx) => ctx.input!,
    example: "sim every 1s -> take 10 -> print",
  },
];
