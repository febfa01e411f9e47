import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/**
 * Subscribing delivers each payload as text (the host's `mqtt` source gives a string too);
 * publishing sends text as it is and anything else as the JSON the host reads back, a
 * SensorEvent as the tutorial's `["lux-1", 611, 284.1312]`.
 */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("source", "mqtt"),
    source: (py) => ({
      kind: "subscription",
      topic: py.param("topic")!,
      qos: Math.min(py.number("qos"), 1),
      statements: ["e = e.decode()"],
    }),
  },
  {
    key: componentKey("sink", "mqtt"),
    sink: (py) => {
      const input = py.node.input;
      const payload = input?.kind === "scalar" && input.name === "string" ? "e" : py.jsonText("e", input!);
      // umqtt.simple publishes at QoS 0 or 1; QoS 2 is sent as 1, still at least once.
      const qos = Math.min(py.number("qos"), 1);
      return { statements: [py.publish(py.param("topic")!, payload, qos, py.constant("retain") === true)] };
    },
  },
];
