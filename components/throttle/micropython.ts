import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/**
 * The first event passes, then at most one per period. A negative difference means the last pass
 * is so old (over half the `ticks_ms` period, 6 days) that its tick count wrapped past now: the
 * period is long over, so the event passes. With `on ts` the events' own time (seconds) is
 * compared instead, as on the host.
 */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "throttle"),
    operator: (py) => {
      const passed = py.state("passed", "None", 16);
      const on = py.field("on");
      if (on) {
        const time = on.index >= 0 ? `e[${on.index}]` : `e.get(${py.string(on.name)})`;
        return {
          statements: [
            `t = ${time}`,
            `if ${passed} is not None and t - ${passed} < ${py.numberLiteral(py.number("period") / 1000)}:`,
            "    return",
            `${passed} = t`,
          ],
        };
      }
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
