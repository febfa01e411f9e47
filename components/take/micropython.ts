import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "take"),
    operator: (py) => {
      const seen = py.state("taken", "0", 16);
      return { statements: [`if ${seen} >= ${py.number("count")}:`, "    return", `${seen} += 1`] };
    },
  },
];
