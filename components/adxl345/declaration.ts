import type { ComponentDeclaration } from "../../compiler/registry.js";
import { AccelEvent } from "../../compiler/types.js";
import { everyParam, sensorIdParam } from "../common.js";

/** The ADXL345 three-axis accelerometer. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "source",
    name: "adxl345",
    summary: "Samples an ADXL345 accelerometer over I2C and emits AccelEvent(sensor_id, ts, x, y, z) in m/s².",
    periodic: true,
    params: [
      sensorIdParam("adxl345"),
      everyParam,
      {
        name: "address",
        type: { kind: "number", integer: true, min: 0, max: 127 },
        default: { kind: "number", value: 0x53 },
        doc: "I2C address.",
      },
      {
        name: "range",
        type: { kind: "enum", values: ["2g", "4g", "8g", "16g"] },
        default: { kind: "enum", value: "2g" },
        doc: "Measurement range.",
      },
    ],
    targets: ["node", "esp8266"],
    output: () => AccelEvent,
    example: 'adxl345 "vibration-1" every 100ms -> print',
  },
];
