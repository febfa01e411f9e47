import mqttPy from "./mqtt.py?raw";
import mqttStepPy from "./mqtt_step.py?raw";
import { fillTemplate, pythonSection } from "./template.js";

export interface MqttSectionOptions {
  /** Python expressions for MQTTClient's arguments; text may be str or bytes. */
  readonly clientId: string;
  readonly host: string;
  readonly port: string;
  readonly user: string;
  readonly password: string;
  readonly keepaliveSeconds: number;
  readonly ssl: boolean;
  readonly will?: { topic: string; message: string; retain: boolean; qos: number };
  /** Topic filters to subscribe to (as str or bytes), with their QoS; an empty list means publish only. */
  readonly subscriptions: readonly { filter: string; qos: number }[];
  /** Messages kept while the broker is unreachable, oldest dropped first. */
  readonly queueLength: number;
  /** `clean false`: ask the broker to keep the session (and QoS 1 messages) across reconnects. */
  readonly persistentSession: boolean;
}

/**
 * The MQTT runtime: `code` at module level (`mqtt_client()`, `publish()`, `flush()`), and `step`,
 * statements for step() that keep the connection alive and read subscribed messages, spliced in
 * rather than kept as a function of their own, which would cost a function object and its
 * bytecode's overhead for one caller. They assign the module-level `stepGlobals`.
 */
export interface MqttSection {
  readonly code: string;
  readonly step: readonly string[];
  readonly stepGlobals: readonly string[];
}

/**
 * Python giving `code` as bytes, for umqtt.simple: a bytes literal or None as it is, anything else
 * (a read of config.py, a str literal, the board's id) through the runtime's `_b`, which passes
 * bytes through.
 */
function asBytes(code: string): string {
  return code === "None" || code.startsWith('b"') ? code : `_b(${code})`;
}

const pythonBool = (value: boolean) => (value ? "True" : "False");

/**
 * The MQTT connection through the firmware's `umqtt.simple`: connects lazily, backs off from 1 s
 * to 60 s between attempts, resubscribes after a reconnect, and keeps the last few messages while
 * the broker is unreachable so a short outage loses nothing. Every string it hands umqtt.simple
 * is bytes: the client sizes packets with `len()`, which is wrong for a `str` holding non-ASCII.
 *
 * @example
 * mqttSection({ clientId: "binascii.hexlify(machine.unique_id())", host: "config.MQTT_HOST", port: "1883", user: "None",
 *   password: "None", keepaliveSeconds: 60, ssl: false, subscriptions: [], queueLength: 8, persistentSession: false });
 */
export function mqttSection(options: MqttSectionOptions): MqttSection {
  const subscribes = options.subscriptions.length > 0;
  const { will } = options;
  const connect = [
    ...(will
      ? [`c.set_last_will(${asBytes(will.topic)}, ${asBytes(will.message)}, ${pythonBool(will.retain)}, ${will.qos})`]
      : []),
    ...(subscribes ? ["c.set_callback(on_message)"] : []),
    `c.connect(${options.persistentSession ? "False" : ""})`,
    ...options.subscriptions.map((s) => `c.subscribe(${asBytes(s.filter)}, ${s.qos})`),
  ];
  const clientArguments = [
    asBytes(options.clientId),
    options.host,
    options.port,
    asBytes(options.user),
    asBytes(options.password),
    options.keepaliveSeconds,
    pythonBool(options.ssl),
  ];
  return {
    code: fillTemplate(pythonSection(mqttPy), {
      CLIENT_ARGUMENTS: clientArguments.join(", "),
      CONNECT: connect.join("\n"),
      QUEUE_LENGTH: options.queueLength,
    }),
    step: fillTemplate(pythonSection(mqttStepPy), {
      READ_MESSAGES: subscribes ? "for _ in range(8):\n    c.check_msg()" : "",
      PING_AFTER_MS: options.keepaliveSeconds * 500,
    }).split("\n"),
    stepGlobals: ["_mqtt_seen"],
  };
}
