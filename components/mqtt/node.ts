/**
 * MQTT on the host. The source emits each payload as UTF-8 text (payloads that are not valid
 * UTF-8 are counted and reported, not emitted); the sink publishes text as is, SensorEvent as the
 * tutorial's JSON array and other values as JSON; a message the connection cannot keep for an
 * absent broker is counted in the sink's `dropped` statistic. Both share their program's broker connection
 * (runtime/mqtt.ts).
 */
import { componentKey, type NodeImplementation, type Sink } from "../../runtime/component.js";
import type { QoS } from "../../runtime/mqtt.js";
import { encoderFor, utf8Text } from "../../runtime/wire.js";

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("source", "mqtt"),
    receives: true,
    source(_node, ctx, out) {
      const subscription = ctx
        .mqtt()
        .subscribe(ctx.params.string("topic"), ctx.params.number("qos") as QoS, (_topic, bytes, start, end) => {
          const text = utf8Text(bytes, start, end);
          if (text === undefined) ctx.badInput.report(bytes.subarray(start, end), "not UTF-8");
          else out.next(text);
        });
      return { ready: subscription.ready, stop: () => subscription.unsubscribe() };
    },
  },
  {
    key: componentKey("sink", "mqtt"),
    sink(node, ctx): Sink {
      const topic = ctx.params.string("topic");
      const qos = ctx.params.number("qos") as QoS;
      const retain = ctx.params.bool("retain");
      const input = node.input;
      const encode =
        input?.kind === "scalar" && input.name === "string"
          ? (text: unknown) => text as string
          : encoderFor(input ?? { kind: "any" });
      const connection = ctx.mqtt();
      return {
        next: (event) => {
          // The connection reports what it drops (its buffer full while the broker is away).
          if (!connection.publish(topic, encode(event), qos, retain)) ctx.stats.dropped++;
        },
        completed() {},
        error() {},
        close: () => connection.flushWhileReachable(),
      };
    },
  },
];
