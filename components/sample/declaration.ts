import type { ComponentDeclaration } from "../../compiler/registry.js";
import { ErrorType } from "../../compiler/types.js";

export const declarations: ComponentDeclaration[] = [
  {
    kind: "operator",
    name: "sample",
    summary:
      "On each incoming event, emits the latest event of another stream (nothing until it has one): the pull pattern.",
    params: [
      { name: "stream", type: { kind: "stream" }, positional: true, required: true, doc: "The `let` stream to read." },
    ],
    targets: ["node", "esp8266"],
    output: (ctx) => {
      const stream = ctx.params.get("stream");
      return stream?.kind === "streams" && stream.ids[0] ? ctx.streamType(stream.ids[0]) : ErrorType;
    },
    example: 'mqtt "lux/request" -> sample lux -> mqtt "lux/response"',
  },
];
