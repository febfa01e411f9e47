/**
 * Every component's MicroPython implementation, one import per folder (the ESP8266 bundle looks
 * them up by `componentKey`). Adding a component with a micropython.ts: list it here.
 */
import type { MicroPythonImplementation } from "../targets/esp8266/component.js";
import { micropythonImplementations as adc } from "./adc/micropython.js";
import { micropythonImplementations as adxl345 } from "./adxl345/micropython.js";
import { micropythonImplementations as calibrate } from "./calibrate/micropython.js";
import { micropythonImplementations as delta } from "./delta/micropython.js";
import { micropythonImplementations as filter } from "./filter/micropython.js";
import { micropythonImplementations as interval } from "./interval/micropython.js";
import { micropythonImplementations as json } from "./json/micropython.js";
import { micropythonImplementations as map } from "./map/micropython.js";
import { micropythonImplementations as mcp9808 } from "./mcp9808/micropython.js";
import { micropythonImplementations as merge } from "./merge/micropython.js";
import { micropythonImplementations as movingAvg } from "./moving_avg/micropython.js";
import { micropythonImplementations as mqtt } from "./mqtt/micropython.js";
import { micropythonImplementations as print } from "./print/micropython.js";
import { micropythonImplementations as sample } from "./sample/micropython.js";
import { micropythonImplementations as scan } from "./scan/micropython.js";
import { micropythonImplementations as set } from "./set/micropython.js";
import { micropythonImplementations as sim } from "./sim/micropython.js";
import { micropythonImplementations as skip } from "./skip/micropython.js";
import { micropythonImplementations as take } from "./take/micropython.js";
import { micropythonImplementations as throttle } from "./throttle/micropython.js";
import { micropythonImplementations as toJson } from "./to_json/micropython.js";
import { micropythonImplementations as tsl2591 } from "./tsl2591/micropython.js";
import { micropythonImplementations as window } from "./window/micropython.js";

/** All of them, for {@link ../targets/esp8266/bundle.ts}. */
export const micropythonImplementations: readonly MicroPythonImplementation[] = [
  ...adc,
  ...adxl345,
  ...calibrate,
  ...delta,
  ...filter,
  ...interval,
  ...json,
  ...map,
  ...mcp9808,
  ...merge,
  ...movingAvg,
  ...mqtt,
  ...print,
  ...sample,
  ...scan,
  ...set,
  ...sim,
  ...skip,
  ...take,
  ...throttle,
  ...toJson,
  ...tsl2591,
  ...window,
];
