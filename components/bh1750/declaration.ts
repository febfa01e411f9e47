import type { ComponentDeclaration } from "../../compiler/registry.js";
import { DiagnosticCodes } from "../../compiler/diagnostics.js";
import { SensorEvent } from "../../compiler/types.js";
import { everyParam, sensorIdParam } from "../common.js";

/** The two addresses the BH1750's ADDR pin selects: low (0x23) or high (0x5C). */
const addresses = [0x23, 0x5c];

/** The BH1750 ambient light sensor (ROHM): lux in 1 lx steps, in its high-resolution mode. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "source",
    name: "bh1750",
    summary: "Samples a BH1750 ambient light sensor over I2C and emits lux as SensorEvent(sensor_id, ts, val).",
    periodic: true,
    params: [
      sensorIdParam("bh1750"),
      everyParam,
      {
        name: "address",
        type: { kind: "number", integer: true, min: 0, max: 127 },
        default: { kind: "number", value: 0x23 },
        doc: "I2C address: 0x23 (35) with ADDR low, 0x5C (92) with ADDR high.",
      },
      {
        name: "mode",
        type: { kind: "enum", values: ["continuous", "one_time"] },
        default: { kind: "enum", value: "continuous" },
        doc: "`continuous` measures all the time; `one_time` measures at each sample and powers down between (less current, 180 ms per sample).",
      },
    ],
    targets: ["node", "esp8266"],
    output: () => SensorEvent,
    check: (ctx) => {
      const address = ctx.params.get("address");
      if (address?.kind === "number" && !addresses.includes(address.value)) {
        ctx.report(
          DiagnosticCodes.InvalidValue,
          ctx.span("address"),
          "`address` of `bh1750` must be 0x23 (35) or 0x5C (92)",
          "the ADDR pin selects one of the two: 35 when low, 92 when high",
        );
      }
    },
    example: 'bh1750 "light-1" every 10s -> print',
  },
];
