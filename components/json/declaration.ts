import type { ComponentDeclaration } from "../../compiler/registry.js";
import { AnyType, formatType, isAssignable, StringType } from "../../compiler/types.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "json",
    summary:
      'Parses text payloads as JSON. `as Schema` checks their shape and accepts both the array form ["lux-1", 611, 284.13] and the object form; malformed payloads are counted and reported, never fatal, and with `errors "topic"` published there.',
    params: [
      { name: "as", type: { kind: "schema" }, doc: "The schema each payload must match." },
      {
        name: "errors",
        type: { kind: "topic", wildcards: false },
        doc: "Also publish each rejected payload, unchanged, to this MQTT topic (QoS 1), where another pipeline can keep or inspect it.",
        targets: ["node"],
        unsupportedHint: {
          esp8266: "the device reports what it rejects on its console; parse on the host to route rejected payloads",
        },
      },
    ],
    targets: ["node", "esp8266"],
    accepts: (input) =>
      isAssignable(input, StringType) && input.kind !== "any"
        ? undefined
        : `parses text, but its input is ${formatType(input)}`,
    output: (ctx) => {
      const schema = ctx.params.get("as");
      return schema?.kind === "schema" ? schema.type : AnyType;
    },
    example: 'mqtt "sensor-data" -> json as SensorEvent -> print',
  },
];
