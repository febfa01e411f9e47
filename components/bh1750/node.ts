/** The BH1750 on the host: simulated ambient light in lux (see simulation.ts). */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { noteSimulated, sensorSource } from "../../runtime/sources.js";
import { ambientLightModel } from "./simulation.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("source", "bh1750"),
    source(_node, ctx, out) {
      noteSimulated(ctx);
      return sensorSource(ctx, out, ambientLightModel(ctx.random));
    },
  },
];
