/**
 * `throttle period`: the first event passes, then an event passes only when at least `period`
 * has gone by since the last one that passed; the others are dropped (a filter, not a fault, so
 * they are not counted as bad input). Time is the runtime's clock, so tests can fake it.
 */
import { componentKey, type NodeImplementation, type Observer } from "../../runtime/component.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "throttle"),
    operator(_node, ctx, out): Observer {
      const periodMs = ctx.params.durationMs("period");
      const clock = ctx.clock;
      // -Infinity lets the first event through without a separate "first" flag.
      let passedAt = -Infinity;
      return {
        next(event) {
          const now = clock.now();
          if (now - passedAt < periodMs) return;
          passedAt = now;
          out.next(event);
        },
        completed: () => out.completed(),
        error: (error) => out.error(error),
      };
    },
  },
];
