import type { ComponentDeclaration } from "../../compiler/registry.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "dedupe",
    summary:
      "Drops events seen before (QoS 1 redeliveries, restarts), by the whole event or one field, remembering the last n keys.",
    params: [
      { name: "by", type: { kind: "field" }, doc: "Compare this field only (default: the whole event)." },
      {
        name: "within",
        type: { kind: "number", integer: true, min: 1, max: 10_000_000 },
        default: { kind: "number", value: 1000 },
        doc: "How many recent keys to remember.",
      },
      {
        name: "state",
        type: { kind: "string" },
        doc: "Also keep the keys in this file, so that a restart, even after kill -9, still drops repeats of every event whose rows reached the disk.",
      },
    ],
    targets: ["node"],
    unsupportedHint: { esp8266: "the device has no memory to spare for a history of keys: dedupe on the host" },
    output: (ctx) => ctx.input!,
    example: 'mqtt "sensor-data" qos 1 -> json as SensorEvent -> dedupe state "seen.keys" -> csv "test.csv"',
  },
];
