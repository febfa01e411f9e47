import type { ComponentDeclaration } from "../../compiler/registry.js";
import { acceptsNumbersOrRecords, ofFieldParam, replacesNumber } from "../common.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "calibrate",
    summary: "Linear calibration: value × scale + offset.",
    params: [
      { name: "scale", type: { kind: "number" }, default: { kind: "number", value: 1 }, doc: "Multiplier." },
      { name: "offset", type: { kind: "number" }, default: { kind: "number", value: 0 }, doc: "Added after scaling." },
      ofFieldParam,
    ],
    targets: ["node", "esp8266"],
    accepts: acceptsNumbersOrRecords,
    output: replacesNumber,
    example: 'adc "soil-1" every 10s -> calibrate scale 1.02 offset -0.4 -> print',
  },
];
