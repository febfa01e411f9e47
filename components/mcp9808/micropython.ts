import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";
import driverSource from "./mcp9808.py?raw";

/** The MCP9808 through our driver: °C in 1/16 steps. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("source", "mcp9808"),
    source: (py) => {
      const driver = py.driver("mcp9808.py", driverSource, "Mcp9808");
      return {
        kind: "periodic",
        periodMs: py.number("every"),
        open: `${driver}(${py.param("id")!.code}, ${py.i2c()}, ${py.param("address")!.code})`,
        openBytes: 96,
        sample: (device) => [`e = (${device}.sensor_id, ${py.now}, ${device}.sample())`],
      };
    },
  },
];
