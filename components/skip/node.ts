/** `skip n`: drops the first n events (a sensor's warm-up readings) and passes the rest. */
import { componentKey, type NodeImplementation, type Observer } from "../../runtime/component.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "skip"),
    operator(_node, ctx, out): Observer {
      let toSkip = ctx.params.number("count");
      return {
        next(event) {
          if (toSkip > 0) toSkip--;
          else out.next(event);
        },
        completed: () => out.completed(),
        error: (error) => out.error(error),
      };
    },
  },
];
