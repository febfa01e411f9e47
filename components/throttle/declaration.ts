import type { ComponentDeclaration } from "../../compiler/registry.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "throttle",
    summary: "Passes the first event, then at most one event per period; the rest are dropped.",
    params: [
      {
        name: "period",
        type: { kind: "duration" },
        positional: true,
        required: true,
        doc: "Least time between two events.",
      },
    ],
    targets: ["node", "esp8266"],
    output: (ctx) => ctx.input!,
    example: 'mqtt "alerts" -> throttle 1min -> print',
  },
];
