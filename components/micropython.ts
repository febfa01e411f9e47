/**
 * Every component's MicroPython implementation: the `micropython.ts` of each folder under
 * components/, found by scripts/catalogue.mjs (the ESP8266 bundle looks them up by `componentKey`).
 */
import discovered from "flowc-catalogue:micropython";
import type { MicroPythonImplementation } from "../targets/esp8266/component.js";

export const micropythonImplementations: readonly MicroPythonImplementation[] = discovered.flatMap(
  (module) => module.micropythonImplementations,
);
