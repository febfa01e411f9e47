import { componentKey, expressionParam, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "map"),
    operator: (py) => ({ statements: [`e = ${py.expression(expressionParam(py, "expr"))}`] }),
  },
];
