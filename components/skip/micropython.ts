import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "skip"),
    operator: (py) => {
      const seen = py.state("skipped", "0", 16);
      return { statements: [`if ${seen} < ${py.number("count")}:`, `    ${seen} += 1`, "    return"] };
    },
  },
];
