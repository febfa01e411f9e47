/** `filter`: drops the events for which the condition is false, inlined into the fused chain. */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "filter"),
    fuse: (_node, js) => ({ code: `if (!(${js.expression(js.runtime.params.expression("condition"))})) return;` }),
  },
];
