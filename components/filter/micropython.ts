import { componentKey, expressionParam, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "filter"),
    operator: (py) => ({ statements: [`if not ${py.expression(expressionParam(py, "condition"))}:`, "    return"] }),
  },
];
