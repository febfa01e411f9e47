import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";
import driverSource from "./bh1750.py?raw";

/** The BH1750 through our driver: lux in 1/1.2 lx steps, rounded to 2 places. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("source", "bh1750"),
    source: (py) => {
      const driver = py.driver("bh1750.py", driverSource, "Bh1750");
      const args = [py.param("id")!.code, py.i2c(), py.param("address")!.code, py.param("mode")!.code];
      return {
        kind: "periodic",
        periodMs: py.number("every"),
        open: `${driver}(${args.join(", ")})`,
        openBytes: 96,
        sample: (device) => [`e = (${device}.sensor_id, ${py.now}, round(${device}.sample(), 2))`],
      };
    },
  },
];
