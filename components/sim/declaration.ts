import type { ComponentDeclaration } from "../../compiler/registry.js";
import { SensorEvent } from "../../compiler/types.js";
import { everyParam, sensorIdParam } from "../common.js";

/** A simulated sensor, for trying flows without hardware. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "source",
    name: "sim",
    summary: "A simulated sensor with a shape (constant, sine, random walk, random), seedable with --seed.",
    periodic: true,
    params: [
      sensorIdParam("sim"),
      everyParam,
      {
        name: "shape",
        type: { kind: "enum", values: ["constant", "sine", "random_walk", "random"] },
        default: { kind: "enum", value: "sine" },
        doc: "How the value moves.",
      },
      {
        name: "value",
        type: { kind: "number" },
        default: { kind: "number", value: 0 },
        doc: "Centre (or constant) value.",
      },
      {
        name: "amplitude",
        type: { kind: "number", min: 0 },
        default: { kind: "number", value: 1 },
        doc: "Swing around the centre.",
      },
      {
        name: "period",
        type: { kind: "duration" },
        default: { kind: "duration", ms: 60_000 },
        doc: "Period of the sine.",
      },
      {
        name: "step",
        type: { kind: "number", min: 0 },
        default: { kind: "number", value: 1 },
        doc: "Largest random-walk step.",
      },
    ],
    targets: ["node", "esp8266"],
    output: () => SensorEvent,
    example: 'sim "temp-1" every 1s shape sine value 21 amplitude 3 -> print',
  },
];
