import type { ComponentDeclaration } from "../../compiler/registry.js";

/** JSON Lines files: one JSON value per line, easy to load anywhere. */
export const declarations: ComponentDeclaration[] = [
  {
    kind: "sink",
    name: "jsonl",
    summary: "Appends each event as one line of JSON (records as objects).",
    params: [
      { name: "file", type: { kind: "string" }, positional: true, required: true, doc: "The file to append to." },
      {
        name: "rotate",
        type: { kind: "enum", values: ["none", "daily"] },
        default: { kind: "enum", value: "none" },
        doc: "`daily` starts a new file each day.",
      },
    ],
    targets: ["node"],
    unsupportedHint: { esp8266: "publish with `mqtt` and write the file on the host" },
    example: 'mqtt "sensor-data" -> json as SensorEvent -> jsonl "events.jsonl"',
  },
];
