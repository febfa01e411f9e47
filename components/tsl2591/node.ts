/**
 * The TSL2591 on the host: simulated indoor light in lux (see runtime/simulated-sensors.ts), so a device flow
 * runs unchanged with `flowc run`.
 */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { luxModel } from "../../runtime/simulated-sensors.js";
import { noteSimulated, sensorSource } from "../../runtime/sources.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("source", "tsl2591"),
    source(_node, ctx, out) {
      noteSimulated(ctx);
      return sensorSource(ctx, out, luxModel(ctx.random, ctx.params.enumValue("gain")));
    },
  },
];
