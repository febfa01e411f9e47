/** The ESP8266 ADC on the host: a probe's raw reading for `flowc run`. */
import type { Random, ScalarModel } from "../../runtime/random.js";

/** A raw 10-bit ADC reading (0..1023) wandering slowly around mid-scale, as from a soil or light probe. */
export function adcModel(random: Random): ScalarModel {
  let level = 512;
  return () => {
    level = Math.min(1023, Math.max(0, level + random.normal(0, 4)));
    return Math.round(Math.min(1023, Math.max(0, level + random.normal(0, 2))));
  };
}
