/**
 * `dedupe [by field] [within n]`: drops events whose key was seen among the last n distinct keys
 * (QoS 1 redeliveries, a device that replays after a restart). The key is the `by` field, or the
 * whole event (records by their wire encoding). Memory is bounded by `within` keys: a key seen
 * again does not become more recent, so `within` counts distinct arrivals.
 */
import { componentKey, type NodeImplementation, type Observer } from "../../runtime/component.js";
import { keyReader, wholeEventKey } from "../event-fields.js";
import { RecentKeys } from "../recent-keys.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "dedupe"),
    operator(node, ctx, out): Observer {
      const recent = new RecentKeys<true>(ctx.params.number("within"));
      const keyOf = keyReader(node) ?? wholeEventKey(node.input);
      return {
        next(event) {
          const key = keyOf(event);
          if (recent.has(key)) return;
          recent.set(key, true, true);
          out.next(event);
        },
        completed: () => out.completed(),
        error: (error) => out.error(error),
      };
    },
  },
];
