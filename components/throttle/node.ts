/**
 * `throttle period`: the first event passes, then an event passes only when at least `period`
 * has gone by since the last one that passed; the others are dropped (a filter, not a fault, so
 * they are not counted as bad input). Time is the runtime's clock, so tests can fake it, or with
 * `on ts` the events' own time (unix seconds), so a replay is throttled as it was recorded: an
 * event older than the last one passed is within the period too, and dropped.
 */
import { componentKey, type NodeImplementation, type Observer } from "../../runtime/component.js";
import { numberSlot } from "../event-fields.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "throttle"),
    operator(node, ctx, out): Observer {
      const periodMs = ctx.params.durationMs("period");
      const clock = ctx.clock;
      const time = node.params.on === undefined ? undefined : numberSlot(node, "on");
      // -Infinity lets the first event through without a separate "first" flag.
      let passedAt = -Infinity;
      return {
        next(event) {
          let now: number;
          if (time === undefined) now = clock.now();
          else {
            const seconds = time.read(event);
            if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
              ctx.badInput.report(event, time.notANumber);
              return;
            }
            now = seconds * 1000;
          }
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
