/** The ESP8266 ADC on the host: a simulated raw reading (0..1023) times `scale` (see runtime/simulated-sensors.ts). */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { adcModel } from "../../runtime/simulated-sensors.js";
import { noteSimulated, sensorSource } from "../../runtime/sources.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("source", "adc"),
    source(_node, ctx, out) {
      noteSimulated(ctx);
      const scale = ctx.params.number("scale");
      const raw = adcModel(ctx.random);
      return sensorSource(ctx, out, (timeMs) => raw(timeMs) * scale);
    },
  },
];
