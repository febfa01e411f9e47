import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/**
 * The mean of the last `size` values, from a ring of them and a running sum. The ESP8266's floats
 * keep about 7 digits, so adding and subtracting forever would let the sum drift: it is summed
 * afresh from the ring once per lap, which bounds the error at one lap's worth.
 */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "moving_avg"),
    operator: (py) => {
      const size = py.number("size");
      const slot = py.numberSlot("of");
      const ring = py.state("ring", `[0.0] * ${size}`, 16 + size * 12);
      const total = py.state("total", "0.0", 16);
      const next = py.state("at", "0", 16);
      const filled = py.state("filled", "0", 16);
      return {
        statements: [
          `v = ${slot.read("e")}`,
          `${total} += v - ${ring}[${next}]`,
          `${ring}[${next}] = v`,
          `${next} = (${next} + 1) % ${size}`,
          `if ${next} == 0:`,
          `    ${total} = sum(${ring})`,
          `if ${filled} < ${size}:`,
          `    ${filled} += 1`,
          ...slot.replaceStatements("e", `${total} / ${filled}`),
        ],
      };
    },
  },
];
