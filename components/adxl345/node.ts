/**
 * The ADXL345 on the host: a simulated board lying flat, (0, 0, 9.81) m/s² plus vibration, as
 * AccelEvent `{ sensor_id, ts, x, y, z }` (see runtime/simulated-sensors.ts).
 */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { accelerationModel } from "../../runtime/simulated-sensors.js";
import { noteSimulated, periodicSource } from "../../runtime/sources.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("source", "adxl345"),
    source(_node, ctx, out) {
      noteSimulated(ctx);
      const sensorId = ctx.params.string("id");
      const read = accelerationModel(ctx.random, ctx.params.enumValue("range"));
      return periodicSource(ctx, ctx.params.durationMs("every"), () => {
        const now = ctx.clock.now();
        const { x, y, z } = read(now);
        out.next({ sensor_id: sensorId, ts: now / 1000, x, y, z });
      });
    },
  },
];
