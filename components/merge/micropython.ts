import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/** Every named stream's events, as they come: the streams call this node's function directly. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  { key: componentKey("source", "merge"), source: () => ({ kind: "inputs" }) },
];
