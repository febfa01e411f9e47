/**
 * Every component's declaration, one import per folder. Adding a component: create its folder
 * with declaration.ts (and node.ts, micropython.ts, tests) and list it here and in the two
 * implementation indexes.
 */
import type { ComponentDeclaration } from "../compiler/registry.js";
import { declarations as adc } from "./adc/declaration.js";
import { declarations as adxl345 } from "./adxl345/declaration.js";
import { declarations as calibrate } from "./calibrate/declaration.js";
import { declarations as csv } from "./csv/declaration.js";
import { declarations as dedupe } from "./dedupe/declaration.js";
import { declarations as delta } from "./delta/declaration.js";
import { declarations as filter } from "./filter/declaration.js";
import { declarations as influx } from "./influx/declaration.js";
import { declarations as interval } from "./interval/declaration.js";
import { declarations as json } from "./json/declaration.js";
import { declarations as jsonl } from "./jsonl/declaration.js";
import { declarations as map } from "./map/declaration.js";
import { declarations as mcp9808 } from "./mcp9808/declaration.js";
import { declarations as merge } from "./merge/declaration.js";
import { declarations as movingAvg } from "./moving_avg/declaration.js";
import { declarations as mqtt } from "./mqtt/declaration.js";
import { declarations as postgres } from "./postgres/declaration.js";
import { declarations as print } from "./print/declaration.js";
import { declarations as sample } from "./sample/declaration.js";
import { declarations as scan } from "./scan/declaration.js";
import { declarations as set } from "./set/declaration.js";
import { declarations as sim } from "./sim/declaration.js";
import { declarations as skip } from "./skip/declaration.js";
import { declarations as take } from "./take/declaration.js";
import { declarations as throttle } from "./throttle/declaration.js";
import { declarations as toJson } from "./to_json/declaration.js";
import { declarations as tsl2591 } from "./tsl2591/declaration.js";
import { declarations as window } from "./window/declaration.js";

export const allDeclarations: readonly ComponentDeclaration[] = [
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
