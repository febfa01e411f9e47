/** `map`: each event becomes the value of an expression over it, inlined into the fused chain. */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "map"),
    fuse: (_node, js) => ({ code: `${js.event} = ${js.expression(js.runtime.params.expression("expr"))};` }),
  },
];
