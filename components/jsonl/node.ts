/**
 * `jsonl` on the host: appends each event as one line of JSON (records as objects with their
 * fields in schema order), through the same batched, backpressure-aware writer as `csv`.
 */
import { componentKey, type NodeImplementation, type Sink } from "../../runtime/component.js";
import { LineWriter } from "../../runtime/files.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("sink", "jsonl"),
    sink(_node, ctx): Sink {
      const writer = new LineWriter({
        path: ctx.params.path("file"),
        rotate: ctx.params.enumValue<"none" | "daily">("rotate"),
        log: ctx.log,
        clock: ctx.clock,
        pressure: ctx.pressure,
        onDropped: (lines) => {
          ctx.stats.dropped += lines;
        },
      });
      return {
        next: (event) => writer.writeLine(JSON.stringify(event) ?? "null"),
        completed() {},
        error() {},
        close: () => writer.close(),
      };
    },
  },
];
