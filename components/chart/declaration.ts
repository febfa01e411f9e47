import type { ComponentDeclaration } from "../../compiler/registry.js";
import { acceptsNumbersOrRecords, ofFieldParam } from "../common.js";

/** A live chart on the dashboard of `flowc run --dashboard PORT`. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "sink",
    name: "chart",
    summary:
      "Draws the events as a live line chart on the dashboard of `flowc run --dashboard PORT`: a line per `by` key, the last `window` of time.",
    params: [
      {
        name: "title",
        type: { kind: "string" },
        positional: true,
        required: true,
        doc: "The chart's title; `GET /api/charts` names the chart by it.",
      },
      {
        name: "window",
        type: { kind: "duration", minMs: 1000 },
        default: { kind: "duration", ms: 600_000 },
        doc: "How much time the chart shows (and keeps), such as `1h`.",
      },
      { name: "by", type: { kind: "field" }, doc: "Draw a line per value of this field, such as `sensor_id`." },
      { name: "y", type: { kind: "string" }, doc: "The y axis's label (default: the plotted field's name)." },
      ofFieldParam,
      {
        name: "points",
        type: { kind: "number", integer: true, min: 10, max: 1_000_000 },
        default: { kind: "number", value: 5000 },
        doc: "Most points kept per line: at high rates the oldest go first, before `window` ends.",
      },
    ],
    targets: ["node"],
    unsupportedHint: { esp8266: "publish with `mqtt` and chart on the host with `flowc run --dashboard`" },
    accepts: acceptsNumbersOrRecords,
    example: 'mqtt "sensor-data" -> json as SensorEvent -> chart "Light" window 1h by sensor_id y "lux"',
  },
];
