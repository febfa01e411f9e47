import type { ComponentDeclaration } from "../../compiler/registry.js";
import { IntType } from "../../compiler/types.js";

/** A clock tick, for flows driven by time rather than by a sensor. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "source",
    name: "interval",
    summary: "Emits 0, 1, 2, ... once per period.",
    periodic: true,
    params: [
      {
        name: "period",
        type: { kind: "duration", minMs: 10 },
        positional: true,
        required: true,
        doc: "Time between ticks.",
      },
    ],
    targets: ["node", "esp8266"],
    output: () => IntType,
    example: 'interval 10s -> map { sensor_id: "lux-1" } -> to_json -> mqtt "lux/request"',
  },
];
