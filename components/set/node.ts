/**
 * `set`: a new record with some fields replaced or added. Events are shared between fan-out
 * branches, so the event is never edited: the fused code builds one object literal with the
 * output type's fields in order, every value computed from the incoming event.
 */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { recordLiteral } from "../event-fields.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "set"),
    fuse(node, js) {
      const output = node.output;
      if (output?.kind !== "record") throw new Error(`${node.id} ${node.label}: \`set\` must output a record`);
      const assignments = js.runtime.params.required("fields", "assignments").items;
      const values = new Map(assignments.map((item) => [item.field, js.expression(item.expr)]));
      return { code: `${js.event} = ${recordLiteral(output, (name) => values.get(name), js.event)};` };
    },
  },
];
