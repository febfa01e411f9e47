import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "to_json"),
    operator: (py) => ({ statements: [`e = ${py.jsonText("e", py.node.input!)}`] }),
  },
];
