/** The `sim` sensor: a configurable shape, reproducible with `--seed` (see runtime/simulated-sensors.ts). */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { simModel, type SimShape } from "../../runtime/simulated-sensors.js";
import { sensorSource } from "../../runtime/sources.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("source", "sim"),
    source(_node, ctx, out) {
      const { params } = ctx;
      const read = simModel(
        {
          shape: params.enumValue<SimShape>("shape"),
          value: params.number("value"),
          amplitude: params.number("amplitude"),
          periodMs: params.durationMs("period"),
          step: params.number("step"),
          startMs: ctx.clock.now(),
        },
        ctx.random,
      );
      return sensorSource(ctx, out, read);
    },
  },
];
