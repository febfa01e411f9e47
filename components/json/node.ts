/**
 * `json` (and `json as Schema`): payload text to events. A payload that is not JSON, or does not
 * match the schema, is counted in the stage's `dropped` statistic and reported (rate-limited),
 * and the flow goes on with the next one.
 */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { decoderFor } from "../../runtime/wire.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "json"),
    fuse(_node, js) {
      const decoder = js.constant("decoder", decoderFor(js.runtime.params.optionalSchema("as")));
      const bad = js.constant("badInput", js.runtime.badInput);
      const e = js.event;
      // The decoder returns undefined (never a valid event) instead of throwing: a flood of bad
      // payloads costs no exceptions beyond JSON.parse's own.
      return {
        code: `const text = ${e}; ${e} = ${decoder}.decode(text); if (${e} === undefined) { ${bad}.report(text, ${decoder}.reason); return; }`,
      };
    },
  },
];
