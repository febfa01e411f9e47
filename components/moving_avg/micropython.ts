import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/** The mean of the last `size` values, from a ring of them and a running sum. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "moving_avg"),
    operator: (py) => {
      const size = py.number("size");
      const slot = py.numberSlot("of");
      const ring = py.state("ring", `[0.0] * ${size}`, 16 + size * 12);
      const total = py.state("total", "0.0", 16);
      const n = py.state("n", "0", 16);
      return {
        statements: [
          `v = ${slot.read("e")}`,
          `i = ${n} % ${size}`,
          `${total} += v - ${ring}[i]`,
          `${ring}[i] = v`,
          `${n} += 1`,
          ...slot.replaceStatements("e", `${total} / min(${n}, ${size})`),
        ],
      };
    },
  },
];
