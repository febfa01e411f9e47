import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "calibrate"),
    operator: (py) => {
      const slot = py.numberSlot("of");
      const value = `${slot.read("e")} * ${py.param("scale")!.code} + ${py.param("offset")!.code}`;
      return { statements: slot.replaceStatements("e", value) };
    },
  },
];
