/**
 * `dedupe [by field] [within n] [state "file"]`: drops events whose key was seen among the last n
 * distinct keys (QoS 1 redeliveries, a device that replays after a restart). The key is the `by`
 * field, or the whole event (records by their wire encoding). Memory is bounded by `within` keys:
 * a key seen again does not become more recent, so `within` counts distinct arrivals. With
 * `state`, the keys also go to a file (see {@link KeyJournal}) and a restart starts from those
 * whose rows reached the disk.
 */
import { componentKey, type NodeImplementation, type Observer } from "../../runtime/component.js";
import { keyReader, wholeEventKey } from "../event-fields.js";
import { RecentKeys } from "../recent-keys.js";
import { KeyJournal } from "./journal.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "dedupe"),
    operator(node, ctx, out): Observer {
      const within = ctx.params.number("within");
      const recent = new RecentKeys<true>(within);
      const keyOf = keyReader(node) ?? wholeEventKey(node.input);
      const statePath = ctx.params.optionalPath("state");
      let journal: KeyJournal | undefined;
      if (statePath !== undefined) {
        journal = new KeyJournal({ path: statePath, capacity: within, pressure: ctx.pressure, log: ctx.log });
        try {
          for (const key of journal.load()) recent.set(key, true);
        } catch (error) {
          ctx.fail(error as Error);
        }
      }
      return {
        next(event) {
          const key = keyOf(event);
          if (recent.has(key)) return;
          recent.set(key, true, true);
          if (journal === undefined) return out.next(event);
          const entry = journal.add(key);
          out.next(event);
          journal.handedOver(entry);
        },
        completed: () => {
          journal?.end();
          out.completed();
        },
        error: (error) => {
          journal?.end();
          out.error(error);
        },
      };
    },
  },
];
