/** The MCP9808 on the host: simulated room temperature in °C (see runtime/simulated-sensors.ts). */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { temperatureModel } from "../../runtime/simulated-sensors.js";
import { noteSimulated, sensorSource } from "../../runtime/sources.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("source", "mcp9808"),
    source(_node, ctx, out) {
      noteSimulated(ctx);
      return sensorSource(ctx, out, temperatureModel(ctx.random));
    },
  },
];
