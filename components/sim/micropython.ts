import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/**
 * A simulated sensor on the board itself, for trying a flow before the hardware is wired. Time is
 * counted in samples (the n-th sample is at n × every), so the shape does not depend on how late
 * the scheduler ran.
 */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("source", "sim"),
    source: (py) => {
      const every = py.number("every");
      const value = py.param("value")!.code;
      const amplitude = py.param("amplitude")!.code;
      const shape = py.constant("shape");
      const id = py.param("id")!.code;
      const unit = () => `(${py.module("random")}.getrandbits(16) / 32768 - 1)`;
      const sample = (() => {
        switch (shape) {
          case "constant":
            return [`v = ${value}`];
          case "random":
            return [`v = ${value} + ${amplitude} * ${unit()}`];
          case "random_walk": {
            const level = py.state("walk", value, 16);
            return [`${level} += ${py.param("step")!.code} * ${unit()}`, `v = ${level}`];
          }
          default: {
            const count = py.state("tick", "0", 16);
            const math = py.module("math");
            return [
              `v = ${value} + ${amplitude} * ${math}.sin(6.283185307179586 * ${count} * ${every} / ${py.number("period")})`,
              `${count} += 1`,
            ];
          }
        }
      })();
      return { kind: "periodic", periodMs: every, sample: () => [...sample, `e = (${id}, ${py.now}, round(v, 4))`] };
    },
  },
];
