import { componentKey, estimatedKeys, type MicroPythonImplementation } from "../../targets/esp8266/component.js";
import { byKeyParam } from "../common.js";

/** How many keys the board keeps a moving mean for; past it, the key first seen longest ago is forgotten. */
export const deviceMaxAveragedKeys = 16;

/**
 * The mean of the last `size` values of each key, from a ring of them and a running sum: a list
 * `[ring, total, next, filled]` per key, in a dict, with the keys in a list in the order they
 * came (MicroPython's dicts keep none) so the one to forget past the cap is the host's. The
 * ESP8266's floats keep about 7 digits, so adding and subtracting forever would let the sum
 * drift: it is summed afresh from the ring once per lap, which bounds the error at one lap's worth.
 */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "moving_avg"),
    operator: (py) => {
      const size = py.number("size");
      const slot = py.numberSlot("of");
      const by = py.field("by");
      const ringBytes = 16 + size * 12 + 48;
      const keyCap = by ? deviceMaxAveragedKeys : 1;
      const means = py.state("means", "{}", 32 + estimatedKeys(by, keyCap, byKeyParam.defaultField) * ringBytes);
      const keys = py.state("mkeys", "[]", 16);
      const key = by ? (by.index >= 0 ? `e[${by.index}]` : `e.get(${py.string(by.name)})`) : "None";
      return {
        statements: [
          `v = ${slot.read("e")}`,
          `k = ${key}`,
          `m = ${means}.get(k)`,
          "if m is None:",
          `    if len(${keys}) >= ${keyCap}:`,
          `        del ${means}[${keys}.pop(0)]`,
          `    m = [[0.0] * ${size}, 0.0, 0, 0]`,
          `    ${means}[k] = m`,
          `    ${keys}.append(k)`,
          "r = m[0]",
          "i = m[2]",
          "m[1] += v - r[i]",
          "r[i] = v",
          `i = (i + 1) % ${size}`,
          "m[2] = i",
          "if i == 0:",
          "    m[1] = sum(r)",
          `if m[3] < ${size}:`,
          "    m[3] += 1",
          ...slot.replaceStatements("e", "m[1] / m[3]"),
        ],
      };
    },
  },
];
