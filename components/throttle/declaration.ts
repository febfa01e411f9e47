import type { ComponentDeclaration } from "../../compiler/registry.js";
import { onTimeParam } from "../common.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "throttle",
    summary:
      "Passes the first event, then at most one event per period (of the clock, or of the events' own time with `on ts`); the rest are dropped.",
    params: [
      {
        name: "period",
        type: { kind: "duration" },
        positional: true,
        required: true,
        doc: "Least time between two events.",
      },
      onTimeParam,
    ],
    targets: ["node", "esp8266"],
    output: (ctx) => ctx.input!,
    example: 'mqtt "alerts" -> throttle 1min -> print',
  },
];
