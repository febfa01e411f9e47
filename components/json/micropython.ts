import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";
import { finiteJson } from "../../targets/esp8266/python.js";

/** Text → the schema's tuple (array or object form), or any JSON value without a schema; bad text is dropped and reported. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "json"),
    operator: (py) => {
      const json = py.module("json");
      const schema = py.raw("as");
      const decode =
        schema?.kind === "schema"
          ? py.decodeRecord(`${json}.loads(e)`, schema.type)
          : finiteJson(`${json}.loads(e)`, py);
      const where = py.string(py.node.label);
      return {
        statements: ["try:", `    e = ${decode}`, "except Exception as x:", `    fault(${where}, x)`, "    return"],
      };
    },
  },
];
