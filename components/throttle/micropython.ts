import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/** The first event passes, then at most one per period. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "throttle"),
    operator: (py) => {
      const passed = py.state("passed", "None", 16);
      return {
        statements: [
          "t = time.ticks_ms()",
          `if ${passed} is not None and time.ticks_diff(t, ${passed}) < ${py.number("period")}:`,
          "    return",
          `${passed} = t`,
        ],
      };
    },
  },
];
