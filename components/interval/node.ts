/** `interval`: 0, 1, 2, ... on the scheduler's aligned deadlines, the first at start. */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { periodicSource } from "../../runtime/sources.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("source", "interval"),
    source(_node, ctx, out) {
      let count = 0;
      return periodicSource(ctx, ctx.params.durationMs("period"), () => out.next(count++));
    },
  },
];
