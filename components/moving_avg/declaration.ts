import type { ComponentDeclaration } from "../../compiler/registry.js";
import { acceptsNumbersOrRecords, byKeyParam, ofFieldParam, replacesNumber } from "../common.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "moving_avg",
    summary:
      "Replaces each value with the mean of the last n values of its sensor (fewer at the start), smoothing noise.",
    params: [
      {
        name: "size",
        type: { kind: "number", integer: true, min: 1, max: 1000 },
        positional: true,
        required: true,
        doc: "How many values to average.",
      },
      ofFieldParam,
      {
        ...byKeyParam,
        doc: "Average each value of this field on its own (default `sensor_id`, when the events have one).",
      },
    ],
    targets: ["node", "esp8266"],
    accepts: acceptsNumbersOrRecords,
    output: replacesNumber,
    example: "tsl2591 every 1s -> moving_avg 5 -> print",
  },
];
