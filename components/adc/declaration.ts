import type { ComponentDeclaration } from "../../compiler/registry.js";
import { SensorEvent } from "../../compiler/types.js";
import { everyParam, sensorIdParam } from "../common.js";

/** The ESP8266's analog input (10-bit, 0..1023). */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "source",
    name: "adc",
    summary: "Reads the analog input and emits raw × scale as SensorEvent.",
    periodic: true,
    params: [
      sensorIdParam("adc"),
      everyParam,
      {
        name: "pin",
        type: { kind: "number", integer: true, min: 0, max: 1 },
        default: { kind: "number", value: 0 },
        doc: "ADC channel: 0 is the ESP8266's analog input, 1 its supply voltage in mV.",
      },
      {
        name: "scale",
        type: { kind: "number" },
        default: { kind: "number", value: 1 },
        doc: "Multiplier applied to the raw reading.",
      },
    ],
    targets: ["node", "esp8266"],
    output: () => SensorEvent,
    example: 'adc "soil-1" every 10s scale 0.0977 -> print',
  },
];
