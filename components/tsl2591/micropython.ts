import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";
import driverSource from "./tsl2591.py?raw";

/** The TSL2591 through our driver; lux rounded to 4 places as the tutorial prints it. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("source", "tsl2591"),
    source: (py) => {
      const driver = py.driver("tsl2591.py", driverSource, "Tsl2591");
      const args = [py.param("id")!.code, py.i2c(), py.param("address")!.code, py.param("gain")!.code];
      return {
        kind: "periodic",
        periodMs: py.number("every"),
        open: `${driver}(${args.join(", ")}, ${py.number("integration")})`,
        openBytes: 160,
        sample: (device) => [`e = (${device}.sensor_id, ${py.now}, round(${device}.sample(), 4))`],
      };
    },
  },
];
