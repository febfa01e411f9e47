import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";
import { tuple } from "../../targets/esp8266/python.js";

/** A new tuple with the assigned fields replaced (or appended, when `set` adds a field). */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "set"),
    operator: (py) => {
      const fields = py.raw("fields");
      const output = py.node.output;
      const input = py.node.input;
      if (fields?.kind !== "assignments" || output?.kind !== "record" || input?.kind !== "record")
        throw new Error("`set` needs a record and assignments");
      const assigned = new Map(fields.items.map((item) => [item.field, py.expression(item.expr)]));
      const items = output.fields.map((field, index) => assigned.get(field.name) ?? `e[${index}]`);
      return { statements: [`e = ${tuple(items)}`] };
    },
  },
];
