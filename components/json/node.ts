/**
 * `json` (and `json as Schema`): payload text to events. A payload that is not JSON, or does not
 * match the schema, is counted in the stage's `dropped` statistic and reported (rate-limited),
 * and the flow goes on with the next one. With `errors "topic"` each rejected payload is also
 * published, unchanged, to that topic at QoS 1: a stream of bad input another pipeline can keep.
 */
import { componentKey, type NodeImplementation, type RuntimeContext } from "../../runtime/component.js";
import { decoderFor } from "../../runtime/wire.js";

/** Publishes rejected payloads on the program's broker connection. */
function rejectedPayloadPublisher(ctx: RuntimeContext, topic: string): (payload: string) => void {
  const connection = ctx.mqtt();
  return (payload) => connection.publish(topic, payload, 1, false);
}

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "json"),
    fuse(_node, js) {
      const decoder = js.constant("decoder", decoderFor(js.runtime.params.optionalSchema("as")));
      const bad = js.constant("badInput", js.runtime.badInput);
      const errorsTopic = js.runtime.params.optionalString("errors");
      const reject =
        errorsTopic === undefined
          ? ""
          : ` ${js.constant("publishRejected", rejectedPayloadPublisher(js.runtime, errorsTopic))}(text);`;
      const e = js.event;
      // The decoder returns undefined (never a valid event) instead of throwing: a flood of bad
      // payloads costs no exceptions beyond JSON.parse's own.
      return {
        code: `const text = ${e}; ${e} = ${decoder}.decode(text); if (${e} === undefined) { ${bad}.report(text, ${decoder}.reason);${reject} return; }`,
      };
    },
  },
];
