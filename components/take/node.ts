/**
 * `take n`: passes the first n events, then completes its output, so the sinks after it finish
 * (and the flow ends once every sink has) while the source may still be producing.
 */
import { componentKey, type NodeImplementation, type Observer } from "../../runtime/component.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "take"),
    operator(_node, ctx, out): Observer {
      const limit = ctx.params.number("count");
      let passed = 0;
      return {
        next(event) {
          // `take 0` completes on the first event: completing while the graph is still being
          // built would end the flow before its sources start.
          if (passed >= limit) {
            out.completed();
            return;
          }
          passed++;
          out.next(event);
          if (passed === limit) out.completed();
        },
        completed: () => out.completed(),
        error: (error) => out.error(error),
      };
    },
  },
];
