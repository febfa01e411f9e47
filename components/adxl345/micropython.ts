import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";
import driverSource from "./adxl345.py?raw";

/** The ADXL345 through our driver: an AccelEvent (sensor_id, ts, x, y, z) in m/s². */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("source", "adxl345"),
    source: (py) => {
      const driver = py.driver("adxl345.py", driverSource, "Adxl345");
      const args = [py.param("id")!.code, py.i2c(), py.param("address")!.code, py.param("range")!.code];
      return {
        kind: "periodic",
        periodMs: py.number("every"),
        open: `${driver}(${args.join(", ")})`,
        openBytes: 112,
        sample: (device) => [`s = ${device}.sample()`, `e = (${device}.sensor_id, ${py.now}, s[0], s[1], s[2])`],
      };
    },
  },
];
