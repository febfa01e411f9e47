import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/** 0, 1, 2, ... once per period. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("source", "interval"),
    source: (py) => {
      const count = py.state("count", "0", 16);
      return { kind: "periodic", periodMs: py.number("period"), sample: () => [`e = ${count}`, `${count} += 1`] };
    },
  },
];
