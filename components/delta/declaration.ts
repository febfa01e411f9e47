import type { ComponentDeclaration } from "../../compiler/registry.js";
import { acceptsNumbersOrRecords, ofFieldParam } from "../common.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "delta",
    summary:
      "Report on change: passes an event only when its value moved by at least the threshold since the last one passed.",
    params: [
      {
        name: "threshold",
        type: { kind: "number", min: 0 },
        positional: true,
        default: { kind: "number", value: 0 },
        doc: "Smallest change that counts (0: any change).",
      },
      ofFieldParam,
      { name: "by", type: { kind: "field" }, doc: "Track each value of this field separately, as in `by sensor_id`." },
    ],
    targets: ["node", "esp8266"],
    accepts: acceptsNumbersOrRecords,
    output: (ctx) => ctx.input!,
    example: "tsl2591 every 1s -> delta 10 -> print",
  },
];
