import type { ComponentDeclaration } from "../../compiler/registry.js";
import { DiagnosticCodes } from "../../compiler/diagnostics.js";
import { SensorEvent } from "../../compiler/types.js";
import { everyParam, sensorIdParam } from "../common.js";

/** The TSL2591 light sensor of the tutorial: lux from its two photodiode channels, over I2C. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "source",
    name: "tsl2591",
    summary: "Samples a TSL2591 light sensor over I2C and emits lux as SensorEvent(sensor_id, ts, val).",
    periodic: true,
    params: [
      sensorIdParam("tsl2591"),
      everyParam,
      {
        name: "address",
        type: { kind: "number", integer: true, min: 0, max: 127 },
        default: { kind: "number", value: 0x29 },
        doc: "I2C address.",
      },
      {
        name: "gain",
        type: { kind: "enum", values: ["low", "medium", "high", "max"] },
        default: { kind: "enum", value: "medium" },
        doc: "Amplifier gain: low 1×, medium 25×, high 428×, max 9876×.",
      },
      {
        name: "integration",
        type: { kind: "duration", minMs: 100 },
        default: { kind: "duration", ms: 100 },
        doc: "Integration time, 100ms to 600ms in steps of 100ms.",
      },
    ],
    targets: ["node", "esp8266"],
    output: () => SensorEvent,
    check: (ctx) => {
      const integration = ctx.params.get("integration");
      if (integration?.kind === "duration" && (integration.ms > 600 || integration.ms % 100 !== 0)) {
        ctx.report(
          DiagnosticCodes.InvalidValue,
          ctx.span("integration"),
          "`integration` of `tsl2591` must be 100ms, 200ms, ... or 600ms",
          "the sensor integrates in steps of 100ms",
        );
      }
    },
    example: 'tsl2591 "lux-1" every 5s -> print',
  },
];
