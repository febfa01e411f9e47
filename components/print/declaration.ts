import type { ComponentDeclaration } from "../../compiler/registry.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "sink",
    name: "print",
    summary:
      "Prints each event to standard output, as the tutorial shows them: SensorEvent(sensor_id='lux-1', ts=..., val=...).",
    params: [{ name: "label", type: { kind: "string" }, positional: true, doc: "A prefix for each line." }],
    targets: ["node", "esp8266"],
    example: 'tsl2591 "lux-1" every 2s -> print',
  },
];
