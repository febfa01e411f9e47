/**
 * Every component's Node implementation, one import per folder (the runtime looks them up by
 * `componentKey`). Adding a component with a node.ts: list it here.
 */
import type { NodeImplementation } from "../runtime/component.js";
import { nodeImplementations as adc } from "./adc/node.js";
import { nodeImplementations as adxl345 } from "./adxl345/node.js";
import { nodeImplementations as calibrate } from "./calibrate/node.js";
import { nodeImplementations as csv } from "./csv/node.js";
import { nodeImplementations as dedupe } from "./dedupe/node.js";
import { nodeImplementations as delta } from "./delta/node.js";
import { nodeImplementations as filter } from "./filter/node.js";
import { nodeImplementations as influx } from "./influx/node.js";
import { nodeImplementations as interval } from "./interval/node.js";
import { nodeImplementations as json } from "./json/node.js";
import { nodeImplementations as jsonl } from "./jsonl/node.js";
import { nodeImplementations as map } from "./map/node.js";
import { nodeImplementations as mcp9808 } from "./mcp9808/node.js";
import { nodeImplementations as merge } from "./merge/node.js";
import { nodeImplementations as movingAvg } from "./moving_avg/node.js";
import { nodeImplementations as mqtt } from "./mqtt/node.js";
import { nodeImplementations as postgres } from "./postgres/node.js";
import { nodeImplementations as print } from "./print/node.js";
import { nodeImplementations as sample } from "./sample/node.js";
import { nodeImplementations as scan } from "./scan/node.js";
import { nodeImplementations as set } from "./set/node.js";
import { nodeImplementations as sim } from "./sim/node.js";
import { nodeImplementations as skip } from "./skip/node.js";
import { nodeImplementations as take } from "./take/node.js";
import { nodeImplementations as throttle } from "./throttle/node.js";
import { nodeImplementations as toJson } from "./to_json/node.js";
import { nodeImplementations as tsl2591 } from "./tsl2591/node.js";
import { nodeImplementations as window } from "./window/node.js";

export const nodeImplementations: readonly NodeImplementation[] = [
  // sources
  ...tsl2591,
  ...adc,
  ...mcp9808,
  ...adxl345,
  ...sim,
  ...interval,
  ...merge,
  // both
  ...mqtt,
  ...csv,
  // operators
  ...map,
  ...filter,
  ...set,
  ...json,
  ...toJson,
  ...take,
  ...skip,
  ...scan,
  ...window,
  ...movingAvg,
  ...throttle,
  ...delta,
  ...calibrate,
  ...dedupe,
  ...sample,
  // sinks
  ...print,
  ...jsonl,
  ...influx,
  ...postgres,
];
