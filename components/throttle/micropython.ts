import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/**
 * The first event passes, then at most one per period. A negative difference means the last pass
 * is so old (over half the `ticks_ms` period, 6 days) that its tick count wrapped past now: the
 * period is long over, so the event passes.
 */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "throttle"),
    operator: (py) => {
      const passed = py.state("passed", "None", 16);
      return {
        statements: [
          "t = time.ticks_ms()",
          `if ${passed} is not None and 0 <= time.ticks_diff(t, ${passed}) < ${py.number("period")}:`,
          "    return",
          `${passed} = t`,
        ],
      };
    },
  },
];
