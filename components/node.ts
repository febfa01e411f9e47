/**
 * Every component's Node implementation, one import per folder (the runtime looks them up by
 * `componentKey`). Adding a component with a node.ts: list it here.
 */
import type { NodeImplementation } from "../runtime/component.js";
import { nodeImplementations as adc } from "./adc/node.js";
import { nodeImplementations as adxl345 } from "./adxl345/node.js";
import { nodeImplementations as csv } from "./csv/node.js";
import { nodeImplementations as interval } from "./interval/node.js";
import { nodeImplementations as jsonl } from "./jsonl/node.js";
import { nodeImplementations as mcp9808 } from "./mcp9808/node.js";
import { nodeImplementations as mqtt } from "./mqtt/node.js";
import { nodeImplementations as print } from "./print/node.js";
import { nodeImplementations as sim } from "./sim/node.js";
import { nodeImplementations as tsl2591 } from "./tsl2591/node.js";

export const nodeImplementations: readonly NodeImplementation[] = [
  // sources
  ...tsl2591,
  ...adc,
  ...mcp9808,
  ...adxl345,
  ...sim,
  ...interval,
  // both
  ...mqtt,
  ...csv,
  // sinks
  ...print,
  ...jsonl,
];
