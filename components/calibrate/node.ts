/**
 * `calibrate`: value × scale + offset, inlined into the fused chain. Records get a new object with
 * the value replaced; number streams the number itself.
 */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { literal } from "../../runtime/compile-expression.js";
import { numberSlot } from "../event-fields.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "calibrate"),
    fuse(node, js) {
      const scale = literal(js.runtime.params.number("scale"));
      const offset = literal(js.runtime.params.number("offset"));
      const slot = numberSlot(node);
      const e = js.event;
      if (slot.typed) return { code: `${e} = ${slot.replaceCode(e, `(${slot.readCode(e)} * ${scale} + ${offset})`)};` };
      // Untyped JSON: the value may be missing or not a number.
      const bad = js.constant("badInput", js.runtime.badInput);
      return {
        code: `const value = ${slot.readCode(e)}; if (typeof value !== "number") { ${bad}.report(${e}, ${JSON.stringify(slot.notANumber)}); return; } ${e} = ${slot.replaceCode(e, `(value * ${scale} + ${offset})`)};`,
      };
    },
  },
];
