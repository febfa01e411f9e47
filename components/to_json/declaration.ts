import type { ComponentDeclaration } from "../../compiler/registry.js";
import { StringType } from "../../compiler/types.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "to_json",
    summary: "Encodes each event as JSON text: SensorEvent as the tutorial's array, other records as objects.",
    params: [],
    targets: ["node", "esp8266"],
    output: () => StringType,
    example: 'sim every 1s -> to_json -> mqtt "raw"',
  },
];
