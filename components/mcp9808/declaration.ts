import type { ComponentDeclaration } from "../../compiler/registry.js";
import { SensorEvent } from "../../compiler/types.js";
import { everyParam, sensorIdParam } from "../common.js";

/** The MCP9808 precision temperature sensor (±0.25 °C, 0.0625 °C resolution). */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "source",
    name: "mcp9808",
    summary: "Samples an MCP9808 temperature sensor over I2C and emits °C as SensorEvent.",
    periodic: true,
    params: [
      sensorIdParam("mcp9808"),
      everyParam,
      {
        name: "address",
        type: { kind: "number", integer: true, min: 0, max: 127 },
        default: { kind: "number", value: 0x18 },
        doc: "I2C address.",
      },
    ],
    targets: ["node", "esp8266"],
    output: () => SensorEvent,
    example: 'mcp9808 "temp-1" every 30s -> print',
  },
];
