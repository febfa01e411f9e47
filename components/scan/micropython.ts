import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/** `scan acc = init, step`: emits the accumulator after each event. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "scan"),
    operator: (py) => {
      const init = py.raw("init");
      const step = py.raw("step");
      if (init?.kind !== "binding" || step?.kind !== "expression") throw new Error("`scan` needs a binding and a step");
      const acc = py.state("acc", py.expression(init.init), 24);
      return { statements: [`${acc} = ${py.expression(step.expr, { [init.name]: acc })}`, `e = ${acc}`] };
    },
  },
];
