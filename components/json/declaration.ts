import type { ComponentDeclaration } from "../../compiler/registry.js";
import { AnyType, formatType, isAssignable, StringType } from "../../compiler/types.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "json",
    summary:
      'Parses text payloads as JSON. `as Schema` checks their shape and accepts both the array form ["lux-1", 611, 284.13] and the object form; malformed payloads are counted and reported, never fatal.',
    params: [{ name: "as", type: { kind: "schema" }, doc: "The schema each payload must match." }],
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
