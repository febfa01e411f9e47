import { connect as connectMqtt, type MqttClient } from "mqtt";
import type { VirtualClock } from "./clock.js";
import { Errno } from "./errno.js";
import type { WifiModel } from "./wifi-model.js";

/** A message the device published. */
export interface PublishedMessage {
  readonly clientId: string;
  readonly topic: string;
  readonly payload: Buffer;
  /** The payload decoded as UTF-8. */
  readonly text: string;
  readonly qos: number;
  readonly retain: boolean;
  /** Device uptime at publication, in virtual ms. */
  readonly atMs: number;
}

/** A last-will message registered with `set_last_will`. */
export interface Will {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
  readonly retain: boolean;
}

/**
 * One `MQTTClient.connect()` of the program. `open` until the program disconnects (`closed`) or
 * the connection dies under it (`lost`: Wi-Fi dropped, broker down or dropped it, keepalive
 * expired, device halted). A lost session makes every later call raise OSError(ECONNRESET).
 */
export interface MqttSession {
  readonly clientId: string;
  readonly server: string;
  readonly port: number;
  readonly user: string | null;
  readonly password: string | null;
  readonly keepaliveS: number;
  readonly cleanSession: boolean;
  readonly ssl: boolean;
  readonly will: Will | null;
  readonly state: "open" | "closed" | "lost";
  /** Why the session was lost. */
  readonly lostReason: string | undefined;
  /** Topic filters the program subscribed to, with their QoS. */
  readonly subscriptions: ReadonlyMap<string, number>;
  /** Device uptime at connection, in virtual ms. */
  readonly openedAtMs: number;
}

/** How the simulated broker behaves. All fields are optional. */
export interface MqttOptions {
  /**
   * Also carry every session to this real broker (e.g. `mqtt://127.0.0.1:${port}`) with MQTT.js,
   * whatever server the program names, so host-side subscribers see the device's messages and
   * the device receives theirs. Without it the harness itself is the broker: publishes are only
   * recorded and `deliver()` injects incoming messages.
   */
  forwardTo?: string;
  /** Called with every message the device publishes. */
  onPublish?: (message: PublishedMessage) => void;
  /** Refuse connections with other credentials (CONNACK 4, raised as MQTTException). */
  credentials?: { user: string; password: string };
}

/** MQTT 3.1.1 CONNACK return code: bad user name or password. */
const CONNACK_BAD_CREDENTIALS = 4;
/** Tags a refused CONNACK in `clientConnect`'s result, above any session handle. */
export const CONNACK_REFUSED_FLAG = 0x10000;

/** An incoming message as the bridge hands it to `check_msg()`: topic, payload, payload-is-hex. */
export type IncomingMessage = [topic: string, payload: string, hex: boolean];

const utf8 = new TextDecoder("utf-8", { fatal: true });

class Session implements MqttSession {
  state: "open" | "closed" | "lost" = "open";
  lostReason: string | undefined;
  readonly subscriptions = new Map<string, number>();
  readonly inbox: Buffer[][] = [];
  lastActivityMs: number;
  client: MqttClient | undefined;
  /** Settles once the forwarding connection has closed, so no tracked operation waits forever. */
  closed: Promise<void> = Promise.resolve();

  constructor(
    readonly clientId: string,
    readonly server: string,
    readonly port: number,
    readonly user: string | null,
    readonly password: string | null,
    readonly keepaliveS: number,
    readonly cleanSession: boolean,
    readonly ssl: boolean,
    readonly will: Will | null,
    readonly linkId: number,
    readonly openedAtMs: number,
  ) {
    this.lastActivityMs = openedAtMs;
  }
}

/**
 * The broker side of the device's MQTT sessions, behind the `umqtt.simple` stand-in. It records
 * every publish, queues incoming messages for `check_msg()`, optionally forwards everything to a
 * real broker, and injects the faults a deployed device meets: broker down, connection lost,
 * keepalive expiry, and the Wi-Fi link going away under the session.
 *
 * The program's calls are synchronous, the real broker is not: a forwarded connect or publish is
 * started during the call and finished by {@link settle} (which the harness awaits after every
 * run). A connection the real broker refuses therefore surfaces as OSError(ECONNRESET) on the
 * program's next call, as on a socket that fails after the fact; use {@link brokerDown} for
 * failures at `connect()` itself.
 *
 * @example
 * const device = await MicroPythonDevice.create({ files, mqtt: { forwardTo: `mqtt://127.0.0.1:${port}` } });
 * device.mqtt.brokerDown = true;   // the next connect() raises OSError(ECONNREFUSED)
 * device.mqtt.dropConnections();   // the next publish() raises OSError(ECONNRESET)
 */
export class MqttModel {
  /** Every message the device published, in order. */
  readonly published: PublishedMessage[] = [];
  /** Failures reported by the real broker in forwarding mode. */
  readonly errors: Error[] = [];
  /** How many times the program called `connect()`, refused or not. */
  connectAttempts = 0;
  readonly #sessions: Session[] = [];
  readonly #clock: VirtualClock;
  readonly #wifi: WifiModel;
  readonly #options: MqttOptions;
  readonly #pending = new Set<Promise<unknown>>();
  #brokerDown = false;

  constructor(clock: VirtualClock, wifi: WifiModel, options: MqttOptions = {}) {
    this.#clock = clock;
    this.#wifi = wifi;
    this.#options = options;
  }

  /** Every session the program opened, oldest first. */
  get sessions(): readonly MqttSession[] {
    return this.#sessions;
  }

  /** While true, connecting raises OSError(ECONNREFUSED); setting it loses open sessions. */
  get brokerDown(): boolean {
    return this.#brokerDown;
  }

  set brokerDown(down: boolean) {
    this.#brokerDown = down;
    if (down) this.dropConnections("broker went down");
  }

  /** Loses every open session, as when the broker restarts or the TCP connection breaks. */
  dropConnections(reason = "connection lost"): void {
    for (const session of this.#sessions) if (session.state === "open") this.#lose(session, reason);
  }

  /**
   * Queues a message from the broker for every open session subscribed to a matching filter, to
   * be handed to the program's callback by its next `check_msg()`. Returns how many sessions got it.
   */
  deliver(topic: string, payload: string | Buffer): number {
    let receivers = 0;
    for (const session of this.#sessions) {
      if (session.state !== "open" || ![...session.subscriptions.keys()].some((filter) => topicMatches(filter, topic)))
        continue;
      session.inbox.push([Buffer.from(topic), Buffer.from(payload)]);
      receivers++;
    }
    return receivers;
  }

  /** Waits until forwarded operations (connects, publishes, subscribes, closes) have completed. */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Loses all sessions, as when the device halts or resets. */
  haltAll(reason: string): void {
    this.dropConnections(reason);
  }

  /** Ends forwarding connections and waits for them to close. */
  async close(): Promise<void> {
    this.dropConnections("harness closed");
    await this.settle();
  }

  // ---- The program's side, called through the bridge ----

  /** `MQTTClient.connect()`: a session handle (≥ 1), −errno, or CONNACK_REFUSED_FLAG | code. */
  clientConnect(
    clientId: string,
    server: string,
    port: number,
    user: string | null,
    password: string | null,
    keepaliveS: number,
    ssl: boolean,
    cleanSession: boolean,
    will: Will | null,
  ): number {
    this.connectAttempts++;
    if (!this.#wifi.linkUp()) return -Errno.EHOSTUNREACH;
    if (this.#brokerDown) return -Errno.ECONNREFUSED;
    const { credentials } = this.#options;
    if (credentials && (user !== credentials.user || password !== credentials.password))
      return CONNACK_REFUSED_FLAG | CONNACK_BAD_CREDENTIALS;
    const session = new Session(
      clientId,
      server,
      port,
      user,
      password,
      keepaliveS,
      cleanSession,
      ssl,
      will,
      this.#wifi.linkId,
      this.#clock.uptimeMs,
    );
    this.#sessions.push(session);
    if (this.#options.forwardTo !== undefined) this.#forward(session, this.#options.forwardTo);
    return this.#sessions.length;
  }

  /** `MQTTClient.publish()`: 0 or an errno. */
  clientPublish(handle: number, topic: string, payload: Buffer, retain: boolean, qos: number): number {
    const session = this.#sessions[handle - 1]!;
    const status = this.#use(session);
    if (status !== 0) return status;
    const message: PublishedMessage = {
      clientId: session.clientId,
      topic,
      payload,
      text: payload.toString("utf8"),
      qos,
      retain,
      atMs: this.#clock.uptimeMs,
    };
    this.published.push(message);
    this.#options.onPublish?.(message);
    const client = session.client;
    if (client)
      this.#track(session, (done) =>
        client.publish(topic, payload, { qos: qos as 0 | 1, retain }, (error) => done(error)),
      );
    return 0;
  }

  /** `MQTTClient.subscribe()`: 0 or an errno. */
  clientSubscribe(handle: number, filter: string, qos: number): number {
    const session = this.#sessions[handle - 1]!;
    const status = this.#use(session);
    if (status !== 0) return status;
    session.subscriptions.set(filter, qos);
    const client = session.client;
    if (client)
      this.#track(session, (done) =>
        client.subscribe(filter, { qos: qos as 0 | 1 }, (error) => done(error ?? undefined)),
      );
    return 0;
  }

  /** `MQTTClient.ping()`: 0 or an errno (MQTT.js keeps the forwarded connection alive itself). */
  clientPing(handle: number): number {
    return this.#use(this.#sessions[handle - 1]!);
  }

  /** `MQTTClient.disconnect()`: 0 or an errno. The broker discards the will. */
  clientDisconnect(handle: number): number {
    const session = this.#sessions[handle - 1]!;
    const status = this.#use(session);
    if (status !== 0) return status;
    session.state = "closed";
    const client = session.client;
    if (client) this.#track(session, (done) => client.end(false, {}, () => done(undefined)));
    return 0;
  }

  /**
   * `check_msg()` (`blocking` false) and `wait_msg()`: the next queued message, 0 when there is
   * none, or an errno. The harness cannot wait for the network inside a call, so `wait_msg()`
   * on an empty inbox times out (ETIMEDOUT) instead of blocking.
   */
  clientPoll(handle: number, blocking: boolean): IncomingMessage | number {
    const session = this.#sessions[handle - 1]!;
    const status = this.#use(session);
    if (status !== 0) return status;
    const next = session.inbox.shift();
    if (!next) return blocking ? Errno.ETIMEDOUT : 0;
    const [topic, payload] = next as [Buffer, Buffer];
    try {
      return [topic.toString("utf8"), utf8.decode(payload), false];
    } catch {
      return [topic.toString("utf8"), payload.toString("hex"), true];
    }
  }

  /** Checks that a session can carry traffic now and marks the activity; 0 or an errno. */
  #use(session: Session): number {
    if (session.state === "closed") return Errno.EBADF;
    if (session.state === "open") {
      const nowMs = this.#clock.uptimeMs;
      if (!this.#wifi.linkUp() || this.#wifi.linkId !== session.linkId) this.#lose(session, "Wi-Fi link dropped");
      else if (session.keepaliveS > 0 && nowMs - session.lastActivityMs > session.keepaliveS * 1500)
        this.#lose(session, "keepalive expired");
      else session.lastActivityMs = nowMs;
    }
    return session.state === "open" ? 0 : Errno.ECONNRESET;
  }

  #lose(session: Session, reason: string): void {
    if (session.state !== "open") return;
    session.state = "lost";
    session.lostReason = reason;
    const client = session.client;
    // Ending without DISCONNECT makes the real broker publish the will, as a vanished device would.
    if (client) this.#track(session, (done) => client.end(true, {}, () => done(undefined)));
  }

  #forward(session: Session, url: string): void {
    const { will } = session;
    const client = connectMqtt(url, {
      clientId: session.clientId,
      username: session.user ?? undefined,
      password: session.password ?? undefined,
      keepalive: session.keepaliveS,
      clean: session.cleanSession,
      reconnectPeriod: 0,
      will: will
        ? { topic: will.topic, payload: will.payload, qos: will.qos as 0 | 1 | 2, retain: will.retain }
        : undefined,
    });
    session.client = client;
    session.closed = new Promise((resolve) => client.once("close", () => resolve()));
    // A refused or failed connection emits "error" and then "close", which ends this wait.
    this.#track(session, (done) => client.once("connect", () => done(undefined)));
    client.on("error", (error) => {
      this.errors.push(error);
      this.#lose(session, `broker: ${error.message}`);
    });
    client.on("close", () => this.#lose(session, "the broker closed the connection"));
    client.on("message", (topic, payload) => {
      if (session.state === "open") session.inbox.push([Buffer.from(topic), payload]);
    });
  }

  /** Starts a forwarded operation; its failure loses the session, and settle() waits for it. */
  #track(session: Session, start: (done: (error: Error | undefined) => void) => void): void {
    const operation = new Promise<Error | undefined>((resolve) => start(resolve));
    const finished = Promise.race([operation, session.closed.then(() => undefined)]).then((error) => {
      this.#pending.delete(finished);
      if (error) {
        this.errors.push(error);
        this.#lose(session, `broker: ${error.message}`);
      }
    });
    this.#pending.add(finished);
  }
}

/** MQTT topic filter matching, with `+` (one level) and `#` (this level and below). */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split("/");
  const topicLevels = topic.split("/");
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === "#") return true;
    if (i >= topicLevels.length || (level !== "+" && level !== topicLevels[i])) return false;
  }
  return filterLevels.length === topicLevels.length;
}
