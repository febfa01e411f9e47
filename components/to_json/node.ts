/**
 * `to_json`: events to JSON text with the wire encoder, so a SensorEvent goes out as the
 * tutorial's `["lux-1", 611, 284.1312]`, byte for byte what the device sends.
 */
import { componentKey, type NodeImplementation } from "../../runtime/component.js";
import { encoderFor } from "../../runtime/wire.js";
import { AnyType } from "../../compiler/types.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("operator", "to_json"),
    fuse(node, js) {
      const encode = js.constant("encode", encoderFor(node.input ?? AnyType));
      return { code: `${js.event} = ${encode}(${js.event});` };
    },
  },
];
