/**
 * `merge a, b, ...`: the events of several `let` streams, interleaved in arrival order. The graph
 * gives a source that reads streams those streams as its inputs and completes it when all of
 * them have completed, so merging is the identity on each event: an empty fused stage, which
 * costs nothing in a chain with the stateless operators after it.
 */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("source", "merge"),
    fuse: () => ({ code: "" }),
  },
];
