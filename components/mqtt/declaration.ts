import type { ComponentDeclaration } from "../../compiler/registry.js";
import { StringType } from "../../compiler/types.js";

const qos = {
  name: "qos",
  type: { kind: "number", integer: true, min: 0, max: 2 },
  default: { kind: "number", value: 0 },
  doc: "Quality of service: 0 at most once, 1 at least once, 2 exactly once.",
} as const;

/** MQTT in both directions: subscribe as a source, publish as a sink. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "source",
    name: "mqtt",
    summary: "Subscribes to a topic (wildcards `+` and `#`, shared `$share/group/...`) and emits each payload as text.",
    params: [
      {
        name: "topic",
        type: { kind: "topic", wildcards: true },
        positional: true,
        required: true,
        doc: "The topic filter to subscribe to.",
      },
      qos,
    ],
    targets: ["node", "esp8266"],
    output: () => StringType,
    example: 'mqtt "sensor-data" -> json as SensorEvent -> print',
  },
  {
    kind: "sink",
    name: "mqtt",
    summary:
      "Publishes each event: text as is, SensorEvent as the tutorial's JSON array, other records as JSON objects.",
    params: [
      {
        name: "topic",
        type: { kind: "topic", wildcards: false },
        positional: true,
        required: true,
        doc: "The topic to publish to.",
      },
      qos,
      {
        name: "retain",
        type: { kind: "bool" },
        flag: true,
        default: { kind: "bool", value: false },
        doc: "Ask the broker to keep the last message.",
      },
    ],
    targets: ["node", "esp8266"],
    example: 'tsl2591 "lux-1" every 2s -> mqtt "sensor-data"',
  },
];
