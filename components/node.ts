/**
 * Every component's Node implementation: the `node.ts` of each folder under components/, found by
 * scripts/catalogue.mjs (the runtime looks them up by `componentKey`).
 */
import discovered from "flowc-catalogue:node";
import type { NodeImplementation } from "../runtime/component.js";

export const nodeImplementations: readonly NodeImplementation[] = discovered.flatMap(
  (module) => module.nodeImplementations,
);
