import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/** The ESP8266's one ADC (`machine.ADC(0)`, 0..1024), times `scale`. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("source", "adc"),
    source: (py) => {
      const machine = py.module("machine");
      return {
        kind: "periodic",
        periodMs: py.number("every"),
        open: `${machine}.ADC(${py.param("pin")!.code})`,
        openBytes: 32,
        sample: (device) => [`e = (${py.param("id")!.code}, ${py.now}, ${device}.read() * ${py.param("scale")!.code})`],
      };
    },
  },
];
