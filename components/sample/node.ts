/**
 * `sample stream`: the pull pattern. The operator watches another stream as a side input and, on
 * each event of its own input (a request), emits the latest event seen on that stream; before
 * the stream has produced anything, requests get nothing. The side stream ending does not end
 * this operator: the last value stays available.
 */
import { componentKey, type NodeImplementation, type Observer } from "../../runtime/component.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "sample"),
    operator(node, ctx, out): Observer {
      const [streamId] = ctx.params.streams("stream");
      if (streamId === undefined) throw new Error(`${node.id} ${node.label}: no stream to sample`);
      let latest: unknown;
      let seen = false;
      ctx.observe(streamId, {
        next(event) {
          latest = event;
          seen = true;
        },
        completed() {},
        error() {},
      });
      return {
        next() {
          if (seen) out.next(latest);
        },
        completed: () => out.completed(),
        error: (error) => out.error(error),
      };
    },
  },
];
