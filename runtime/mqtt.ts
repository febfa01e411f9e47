/**
 * MQTT connections for a running flow: one MQTT.js client per distinct broker setting, shared by
 * every source and sink of the programs that use it. Received messages are routed to sources by
 * topic filter (see {@link ./topics.ts}) through a fast inbound path ({@link ./mqtt-inbound.ts});
 * publishing honours backpressure; lost connections are retried with exponential backoff and
 * subscriptions restored; problems that retrying cannot fix (bad credentials, an untrusted
 * certificate) end the flow with a message that says what to change.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { isIP, connect as connectTcp } from "node:net";
import { connect as connectTls } from "node:tls";
import { MqttClient, type IClientOptions } from "mqtt";
import type { SettingsBlock } from "../compiler/ir.js";
import type { ParamValue } from "../compiler/registry.js";
import { ProblemReporter } from "./bad-input.js";
import type { ConfigResolver } from "./config.js";
import type { Logger } from "./log.js";
import { InboundPublishTap, type PublishHandler } from "./mqtt-inbound.js";
import { resolveFlowPath } from "./node-params.js";
import type { Backpressure, PendingOutput } from "./pressure.js";
import { parseTopicFilter, TopicRouter } from "./subscriptions.js";

export type QoS = 0 | 1 | 2;

/** Everything needed to connect to one broker, resolved from a `broker` setting and the command line. */
export interface BrokerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly clientId?: string;
  readonly username?: string;
  readonly password?: string;
  /** Path of a PEM file with the CA that signed the broker's certificate. */
  readonly ca?: string;
  readonly keepaliveSeconds: number;
  /** False for a persistent session (with a fixed client id and QoS 1, nothing is lost while offline). */
  readonly clean: boolean;
  readonly will?: { readonly topic: string; readonly payload: string; readonly qos: QoS; readonly retain: boolean };
}

/** `mqtt://host:1883` or `mqtts://host:8883`, for messages. */
export function brokerUrl(options: Pick<BrokerOptions, "host" | "port" | "tls">): string {
  const host = isIP(options.host) === 6 ? `[${options.host}]` : options.host;
  return `${options.tls ? "mqtts" : "mqtt"}://${host}:${options.port}`;
}

/**
 * Parses a `--broker` URL: `mqtt://host[:port]`, `mqtts://host[:port]` (also `tcp:`, `ssl:`,
 * `tls:`), with optional `user:password@`.
 *
 * @example
 * parseBrokerUrl("mqtts://alice:s3cret@broker.example:8884");
 * // { host: "broker.example", port: 8884, tls: true, username: "alice", password: "s3cret" }
 */
export function parseBrokerUrl(url: string): {
  host: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
} {
  let parsed: URL;
  const shown = withoutCredentials(url);
  try {
    parsed = new URL(url.includes("://") ? url : `mqtt://${url}`);
  } catch {
    throw new Error(`invalid broker URL "${shown}": expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT]`);
  }
  const tls = secureSchemes.get(parsed.protocol);
  if (tls === undefined) throw new Error(`invalid broker URL "${shown}": the scheme must be mqtt:// or mqtts://`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new Error(`invalid broker URL "${shown}": no host`);
  return {
    host,
    port: parsed.port ? Number(parsed.port) : tls ? 8883 : 1883,
    tls,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
}

/**
 * The URL for messages: everything up to the last `@` is replaced, since it holds the password
 * (which may itself contain `@` or `/` when the user did not percent-encode it).
 */
function withoutCredentials(url: string): string {
  return url.replace(/^([^/@]*\/\/)?.*@/, "$1***@");
}

const secureSchemes = new Map([
  ["mqtt:", false],
  ["tcp:", false],
  ["mqtts:", true],
  ["ssl:", true],
  ["tls:", true],
]);

/**
 * The broker a program connects to: its `broker` setting (or the one inside its `device` block,
 * so a device flow runs on the host unchanged), with `--broker` replacing the address.
 *
 * @example
 * brokerOptions(program.broker ?? program.device?.nested.broker, config, "mqtt://127.0.0.1:1884");
 */
export function brokerOptions(
  settings: SettingsBlock | undefined,
  config: ConfigResolver,
  override?: string,
  /** The folder a relative `ca` path is resolved from: the `.flow` file's. */
  baseDir = ".",
): BrokerOptions {
  const values = settings?.values ?? {};
  const read = <K extends ParamValue["kind"]>(name: string, kind: K): Extract<ParamValue, { kind: K }> | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const value = config.param(raw);
    if (value.kind !== kind) throw new Error(`broker setting \`${name}\` should be a ${kind}, but is a ${value.kind}`);
    return value as Extract<ParamValue, { kind: K }>;
  };
  const string = (name: string) => read(name, "string")?.value;
  const number = (name: string) => read(name, "number")?.value;
  const bool = (name: string) => read(name, "bool")?.value;
  const caFile = string("ca");
  const ca = caFile === undefined ? undefined : resolveFlowPath(baseDir, caFile);
  const tls = bool("tls") === true || ca !== undefined;
  const fromUrl = override ? parseBrokerUrl(override) : undefined;
  const useTls = fromUrl?.tls ?? tls;
  const username = fromUrl?.username ?? string("username");
  const password = fromUrl?.password ?? string("password");
  const clientId = string("client_id");
  const willTopic = string("will_topic");
  return {
    host: fromUrl?.host ?? string("host") ?? "localhost",
    port: fromUrl?.port ?? number("port") ?? (useTls ? 8883 : 1883),
    tls: useTls,
    ...(clientId !== undefined ? { clientId } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(ca !== undefined ? { ca } : {}),
    keepaliveSeconds: Math.round((read("keepalive", "duration")?.ms ?? 60_000) / 1000),
    clean: bool("clean") ?? true,
    ...(willTopic !== undefined
      ? {
          will: {
            topic: willTopic,
            payload: string("will_message") ?? "",
            qos: (number("will_qos") ?? 0) as QoS,
            retain: bool("will_retain") ?? false,
          },
        }
      : {}),
  };
}

/** A connection problem that retrying will not fix. */
export class MqttConnectionError extends Error {
  override readonly name = "MqttConnectionError";

  constructor(
    message: string,
    /** The CONNACK return code or the system error code, when there is one. */
    readonly code?: string | number,
  ) {
    super(message);
  }
}

/** What to tell the user when the broker refuses a connection, by CONNACK return code (MQTT 3.1.1 §3.2.2.3). */
const refusals: ReadonlyMap<number, string> = new Map([
  [1, "it does not speak MQTT 3.1.1"],
  [2, "it rejected the client id; choose another `client_id`"],
  [3, "the server is unavailable"],
  [4, "bad user name or password; check `username` and `password` of the broker setting"],
  [5, "not authorized; check `username` and `password` of the broker setting, and the broker's ACLs"],
]);

/** TLS failures of the certificate check, which mean the broker's certificate is not trusted. */
const untrustedCertificate = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
]);

/** The fatal version of a client error, or undefined when reconnecting may help. */
function fatalError(error: Error & { code?: unknown }, url: string): MqttConnectionError | undefined {
  const code = error.code;
  if (typeof code === "number") {
    if (code === 3) return undefined;
    return new MqttConnectionError(
      `broker ${url} refused the connection: ${refusals.get(code) ?? error.message}`,
      code,
    );
  }
  if (typeof code !== "string") return undefined;
  if (untrustedCertificate.has(code)) {
    return new MqttConnectionError(
      `the TLS certificate of broker ${url} is not trusted (${error.message}); give the CA that signed it with \`ca "ca.pem"\` in the broker setting`,
      code,
    );
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return new MqttConnectionError(`the TLS certificate of broker ${url} is for another host (${error.message})`, code);
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return new MqttConnectionError(`the TLS certificate of broker ${url} is not valid now (${error.message})`, code);
  }
  return undefined;
}

/** The first connection failed at the network level: the broker is not there. */
function unreachable(error: Error & { code?: unknown }, url: string): MqttConnectionError {
  const reasons: Readonly<Record<string, string>> = {
    ECONNREFUSED:
      "connection refused; is the broker running? (`flowc broker` starts one, or run with --broker embedded)",
    ENOTFOUND: "unknown host",
    EAI_AGAIN: "the host name cannot be resolved now",
    ETIMEDOUT: "no answer",
    EHOSTUNREACH: "no route to the host",
    ENETUNREACH: "the network is unreachable",
  };
  const reason = typeof error.code === "string" ? reasons[error.code] : undefined;
  return new MqttConnectionError(
    `cannot reach the broker at ${url}: ${reason ?? error.message}`,
    typeof error.code === "string" ? error.code : undefined,
  );
}

function readCertificate(path: string, url: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new MqttConnectionError(
      `cannot read the CA file ${path} for broker ${url}: ${(error as Error).message}`,
      (error as { code?: string }).code,
    );
  }
}

interface WaitingPublish {
  readonly number: number;
  readonly topic: string;
  readonly payload: string | Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
}

/** A subscription of one source. */
export interface Subscription {
  /** Resolves when the broker has granted the subscription; rejects when it refused it. */
  readonly ready: Promise<void>;
  /** Stops delivery to this handler (and, for clean sessions, unsubscribes at the broker when nobody else needs the filter). */
  unsubscribe(): Promise<void>;
}

export interface ConnectionServices {
  readonly log: Logger;
  readonly pressure: Backpressure;
  /** Called once when the connection fails in a way retrying cannot fix. */
  readonly onFatal: (error: MqttConnectionError) => void;
  /**
   * False: a broker that cannot be reached at the first attempt ends the flow (`--no-retry`, for
   * scripts). Default true: it is retried with backoff, as a lost connection is.
   */
  readonly retryAtStart?: boolean;
}

/** Unconfirmed publishes beyond which sinks report saturation, and below which they recover. */
const publishHighWater = 1000;
const publishLowWater = 250;
/**
 * Unconfirmed publishes kept in memory while the broker is away or behind (tens of MB); beyond,
 * messages are dropped and counted rather than growing the process until it dies with all of them.
 */
export const publishBufferLimit = 100_000;
/**
 * Publishes handed to MQTT.js at once; the rest wait here, in order. A packet id has 16 bits and
 * MQTT.js's ids wrap around: with more than 65,535 outstanding, a newer message would take the id
 * of an older one still unconfirmed and replace it in MQTT.js's store, never to be confirmed or
 * resent. (MQTT.js's UniqueMessageIdProvider avoids that, but forgets on every connection the ids
 * of SUBSCRIBE packets queued while offline, and then gives one of them to a publish.)
 */
const publishesHandedOver = 10_000;
const firstRetryMs = 1000;
const longestRetryMs = 30_000;
/** MQTT 3.1.1 §3.14: a fixed header with no remaining bytes. */
const disconnectPacket = Buffer.from([0xe0, 0x00]);
/** How long `close` waits for unconfirmed publishes before disconnecting anyway. */
const closeGraceMs = 5000;

/**
 * One client connected to one broker.
 *
 * @example
 * const connection = connections.get(brokerOptions(program.broker, config));
 * const subscription = connection.subscribe("sensor-data", 0, (topic, bytes, start, end) => handle(bytes.toString("utf8", start, end)));
 * await subscription.ready;
 * connection.publish("lux/alerts", '["lux-1", 611, 9000]', 1, false);
 */
export class MqttConnection implements PendingOutput {
  readonly url: string;
  /** Resolves on the first successful connection; rejects if the broker refuses it. */
  readonly connected: Promise<void>;
  private readonly client: MqttClient;
  /** The CA certificate, read once (a missing file is reported at start-up, not per reconnect). */
  private readonly ca: Buffer | undefined;
  private readonly router = new TopicRouter<PublishHandler>();
  /** Broker-side subscriptions by filter: how many sources use each and the highest QoS asked. */
  private readonly filters = new Map<string, { users: number; qos: QoS; granted: Promise<void> }>();
  private readonly log: Logger;
  private readonly publishFailures: ProblemReporter;
  private readonly publishesDropped: ProblemReporter;
  private inFlight = 0;
  /** Publishes so far; the next one gets this number. */
  private published = 0;
  /** Every publish numbered below this is confirmed (or failed and reported). */
  private confirmedBelow = 0;
  /** Publishes confirmed before an earlier one (a QoS 0 message sent while a QoS 1 one waits). */
  private readonly confirmedAhead = new Set<number>();
  /** Publishes beyond {@link publishesHandedOver}, oldest first from `waitingHead`. */
  private waiting: WaitingPublish[] = [];
  private waitingHead = 0;
  /** Publishes handed to MQTT.js and not yet confirmed. */
  private handedOver = 0;
  /** {@link flush} calls, oldest first, each waiting for the publishes numbered below `target`. */
  private flushWaiters: { readonly target: number; readonly resolve: () => void }[] = [];
  private readonly stopTracking: () => void;
  private retries = 0;
  private reachable = true;
  /** {@link flushWhileReachable} calls to settle when an attempt to reach the broker fails. */
  private unreachableWaiters: (() => void)[] = [];
  private wasConnected = false;
  private failed: MqttConnectionError | undefined;
  private closing = false;
  /**
   * Set when a source of a persistent session stops: from then on, messages no source takes are
   * left unacknowledged, so the broker keeps them for the next run instead of counting them delivered.
   */
  private releasedSubscription = false;
  /** The stream of the current connection, which holds QoS 1 acknowledgements until their rows are written. */
  private tap: InboundPublishTap | undefined;
  private resolveConnected!: () => void;
  private rejectConnected!: (error: Error) => void;

  constructor(
    readonly options: BrokerOptions,
    private readonly services: ConnectionServices,
  ) {
    this.url = brokerUrl(options);
    this.log = services.log.child(this.url);
    this.publishFailures = new ProblemReporter({
      log: this.log,
      noun: ["a message that could not be published", "messages that could not be published"],
    });
    this.publishesDropped = new ProblemReporter({
      log: this.log,
      noun: ["a message to publish", "messages to publish"],
    });
    // Acknowledging a QoS 1 message waits for what it became to be published as well as written,
    // so a relay killed in between leaves the message with its broker.
    this.stopTracking = services.pressure.track(this);
    this.connected = new Promise((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    this.connected.catch(() => {});
    this.ca = options.ca === undefined ? undefined : readCertificate(options.ca, this.url);
    if (!options.clean && options.clientId === undefined) {
      this.log.warn(
        "`clean false` without a `client_id`: a random client id cannot resume its session, so messages sent while offline are lost",
      );
    }
    const clientOptions: IClientOptions = {
      protocolVersion: 4,
      clientId: options.clientId ?? `flowc-${randomBytes(6).toString("hex")}`,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      keepalive: options.keepaliveSeconds,
      clean: options.clean,
      reconnectPeriod: firstRetryMs,
      // Retry refusals too; the ones retrying cannot fix end the client in onError.
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      resubscribe: true,
      ...(options.will ? { will: { ...options.will } } : {}),
      // MQTT.js logs through `debug` on every packet unless given a logger.
      log: () => {},
    };
    this.client = new MqttClient(() => this.openStream(), clientOptions);
    this.client.on("connect", () => this.onConnect());
    this.client.on("error", (error) => this.onError(error));
    this.client.on("offline", () => this.onOffline());
    this.client.on("reconnect", () => {
      // Exponential backoff: MQTT.js reads the period each time it schedules the next attempt.
      this.retries++;
      this.client.options.reconnectPeriod = Math.min(longestRetryMs, firstRetryMs * 2 ** this.retries);
    });
  }

  /**
   * Delivers messages matching `filter` to `handler`. Several sources may subscribe to the same
   * filter; the broker sees one subscription at the highest QoS asked.
   */
  subscribe(filter: string, qos: QoS, handler: PublishHandler): Subscription {
    const removeRoute = this.router.add(parseTopicFilter(filter), handler);
    let entry = this.filters.get(filter);
    if (!entry || qos > entry.qos) {
      const granted = this.subscribeAtBroker(filter, qos);
      entry = { users: (entry?.users ?? 0) + 1, qos, granted };
    } else {
      entry.users++;
    }
    this.filters.set(filter, entry);
    let subscribed = true;
    return {
      ready: entry.granted,
      unsubscribe: async () => {
        if (!subscribed) return;
        subscribed = false;
        removeRoute();
        if (!this.options.clean) this.releasedSubscription = true;
        const current = this.filters.get(filter);
        if (!current || --current.users > 0) return;
        this.filters.delete(filter);
        // A persistent session keeps its subscriptions across runs: that is its point.
        if (this.options.clean && this.client.connected && !this.closing) {
          await new Promise<void>((resolve) => this.client.unsubscribe(filter, () => resolve()));
        }
      },
    };
  }

  /**
   * Publishes without waiting. QoS 0 messages are handed to the socket, QoS 1/2 ones kept until
   * acknowledged; while many are outstanding (or the broker is away) `pressure` is blocked so
   * that sources which can pause do. Returns false, having counted and reported it, when
   * {@link publishBufferLimit} messages already wait for the broker and this one is dropped.
   */
  publish(topic: string, payload: string | Buffer, qos: QoS, retain: boolean): boolean {
    if (this.failed) throw this.failed;
    if (this.inFlight >= publishBufferLimit) {
      this.publishesDropped.report(payload, `${publishBufferLimit} messages are waiting for the broker`);
      return false;
    }
    if (++this.inFlight === publishHighWater) this.services.pressure.block(this);
    const message: WaitingPublish = { number: this.published++, topic, payload, qos, retain };
    if (this.handedOver < publishesHandedOver && this.waitingHead === this.waiting.length) this.handOver(message);
    else this.waiting.push(message);
    return true;
  }

  private handOver({ number, topic, payload, qos, retain }: WaitingPublish): void {
    this.handedOver++;
    this.client.publish(topic, payload, { qos, retain }, (error) => {
      this.handedOver--;
      this.confirmed(number, error);
      this.handOverWaiting();
    });
  }

  private handOverWaiting(): void {
    while (this.handedOver < publishesHandedOver && this.waitingHead < this.waiting.length) {
      this.handOver(this.waiting[this.waitingHead++]!);
    }
    // Drop the handed-over head now and then, so a backlog that never quite drains stays bounded.
    if (this.waitingHead > 4096 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }

  /** True when every message published so far is confirmed. */
  get idle(): boolean {
    return this.inFlight === 0;
  }

  /**
   * Resolves when every message published before the call has been sent (QoS 0) or acknowledged,
   * however many are published meanwhile; at once when the connection has failed for good (those
   * messages will never be confirmed; `close` reports how many).
   */
  flush(): Promise<void> {
    if (this.confirmedBelow >= this.published || this.failed) return Promise.resolve();
    const target = this.published;
    return new Promise((resolve) => this.flushWaiters.push({ target, resolve }));
  }

  /**
   * Like {@link flush}, but resolves as soon as an attempt to reach the broker fails, since
   * nothing is confirmed before it is back: a sink that stops while the broker is away does not
   * hang. (Still connecting, or reconnecting after a short loss, it waits.)
   */
  flushWhileReachable(): Promise<void> {
    if (!this.reachable) return Promise.resolve();
    return new Promise((resolve) => {
      this.unreachableWaiters.push(resolve);
      void this.flush().then(resolve);
    });
  }

  /**
   * Waits (a few seconds at most, and only while the broker is reachable) for outstanding publishes, then
   * disconnects. Rejects, once disconnected, with an {@link MqttConnectionError} counting the
   * messages that were never confirmed (still outstanding, dropped at the buffer limit, or failed),
   * unless the connection had already failed for good, which ended the flow with its own error.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.inFlight > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.flushWhileReachable(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, closeGraceMs))),
      ]);
      clearTimeout(timer);
    }
    const unconfirmed = this.inFlight;
    if (unconfirmed > 0 && this.failed) this.log.warn(`${unconfirmed} message(s) could not be published`);
    // Messages whose rows were written while the sinks closed are acknowledged before DISCONNECT,
    // or the broker would deliver them again to the next run.
    if (this.tap && this.client.connected) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.tap.whenAcknowledged(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, closeGraceMs))),
      ]);
      clearTimeout(timer);
    }
    const connectedAtClose = this.client.connected;
    await this.end();
    this.publishFailures.flush();
    this.publishesDropped.flush();
    this.services.pressure.unblock(this);
    this.stopTracking();
    const lost = unconfirmed + this.publishesDropped.total + this.publishFailures.total;
    if (lost > 0 && !this.failed) {
      throw new MqttConnectionError(
        `${lost} message(s) could not be published to ${this.url}: ${
          connectedAtClose
            ? "the broker had not confirmed them when the flow stopped"
            : "the broker could not be reached"
        }`,
      );
    }
  }

  /**
   * Disconnects. MQTT.js sends DISCONNECT only once every QoS 1 message is confirmed, so a broker
   * that stopped confirming (overloaded, or a half-open connection after a network loss) would
   * keep the flow from ever stopping; then DISCONNECT goes straight to the socket before it is
   * closed, and the broker does not publish the will as it would for a lost client.
   */
  private async end(): Promise<void> {
    if (!this.client.connected) return this.client.endAsync(true);
    if (Object.keys(this.client.outgoing).length === 0) return this.client.endAsync(false);
    this.tap?.write(disconnectPacket);
    return this.client.endAsync(true);
  }

  private confirmed(number: number, error: Error | undefined): void {
    if (error && !this.closing) this.publishFailures.report(undefined, error.message);
    if (--this.inFlight === publishLowWater || this.inFlight === 0) this.services.pressure.unblock(this);
    if (number !== this.confirmedBelow) {
      this.confirmedAhead.add(number);
      return;
    }
    this.confirmedBelow++;
    while (this.confirmedAhead.delete(this.confirmedBelow)) this.confirmedBelow++;
    let released = 0;
    while (released < this.flushWaiters.length && this.flushWaiters[released]!.target <= this.confirmedBelow) {
      this.flushWaiters[released++]!.resolve();
    }
    if (released > 0) this.flushWaiters = this.flushWaiters.slice(released);
  }

  private releaseFlushes(): void {
    const waiting = this.flushWaiters;
    this.flushWaiters = [];
    for (const { resolve } of waiting) resolve();
  }

  private subscribeAtBroker(filter: string, qos: QoS): Promise<void> {
    const granted = new Promise<void>((resolve, reject) => {
      const ask = () =>
        this.client.subscribe(filter, { qos }, (error, grants) => {
          // Asked while the broker was away (MQTT.js drops what it queued when an attempt to
          // connect fails): asked again once connected, as the sources wait for it.
          if (error && !this.failed && !this.closing && !this.client.connected) this.client.once("connect", ask);
          else if (error)
            reject(
              this.failed ??
                new MqttConnectionError(`cannot subscribe to "${filter}" at ${this.url}: ${error.message}`),
            );
          else if (grants?.some((grant) => grant.qos === 128)) {
            reject(
              new MqttConnectionError(
                `broker ${this.url} refused the subscription to "${filter}" (not authorized for that topic?)`,
                128,
              ),
            );
          } else resolve();
        });
      ask();
      this.connected.catch(reject);
    });
    granted.catch(() => {});
    return granted;
  }

  private openStream(): InboundPublishTap {
    const { host, port } = this.options;
    const socket = this.options.tls
      ? connectTls({
          host,
          port,
          ...(this.ca !== undefined ? { ca: this.ca } : {}),
          ...(isIP(host) === 0 ? { servername: host } : {}),
        })
      : connectTcp({ host, port });
    socket.setNoDelay(true);
    // QoS 1 messages are acknowledged once the files they went to are written.
    const tap = new InboundPublishTap(socket, this.route, {
      acknowledgeWhen: () => this.services.pressure.whenWritten(),
    });
    this.tap = tap;
    // MQTT.js waits for `drain` once per packet written while the socket is busy, so a burst of
    // publishes adds one short-lived listener each: not a leak, and no reason for Node's warning.
    tap.setMaxListeners(0);
    return tap;
  }

  private readonly route: PublishHandler = (topic, buffer, start, end) => {
    const handlers = this.router.match(topic);
    // A persistent session's message for a source that has stopped belongs to the next run.
    if (handlers.length === 0 && this.releasedSubscription) return false;
    for (let i = 0; i < handlers.length; i++) {
      try {
        handlers[i]!(topic, buffer, start, end);
      } catch (error) {
        this.log.error(`a subscriber of "${topic}" failed: ${(error as Error).message}`);
      }
    }
  };

  private onConnect(): void {
    this.retries = 0;
    this.client.options.reconnectPeriod = firstRetryMs;
    if (!this.wasConnected) this.log.info("connected");
    else this.log.info("reconnected");
    this.wasConnected = true;
    this.reachable = true;
    this.resolveConnected();
  }

  private onOffline(): void {
    if (this.closing || this.failed) return;
    if (this.wasConnected && this.reachable) this.log.warn("lost the connection to the broker; reconnecting");
  }

  private onError(error: Error & { code?: unknown }): void {
    const waiters = this.unreachableWaiters;
    this.unreachableWaiters = [];
    for (const resolve of waiters) resolve();
    if (this.closing || this.failed) return;
    // Subscriptions asked for before the first connection cannot be granted: rather than one
    // warning and then "Connection closed" from each of them, one line saying why.
    const fatal =
      fatalError(error, this.url) ??
      (!this.wasConnected && this.services.retryAtStart === false ? unreachable(error, this.url) : undefined);
    if (fatal) {
      this.failed = fatal;
      this.rejectConnected(fatal);
      this.client.end(true);
      this.services.pressure.unblock(this);
      // Messages queued while connecting will never be confirmed: sinks waiting for them must not wait forever.
      this.releaseFlushes();
      this.services.onFatal(fatal);
      return;
    }
    if (this.reachable) {
      this.reachable = false;
      this.log.warn(
        this.wasConnected
          ? `cannot reach the broker (${error.message}); retrying with backoff up to every ${longestRetryMs / 1000}s`
          : `${unreachable(error, this.url).message}; retrying with backoff up to every ${longestRetryMs / 1000}s (--no-retry to fail instead)`,
      );
    }
  }
}

/**
 * The connections of a run, one per distinct broker setting.
 *
 * @example
 * const connections = new MqttConnections({ log, pressure, onFatal: (error) => flow.fail(error) });
 * const connection = connections.get(brokerOptions(program.broker, config));
 * // ... at the end
 * await connections.closeAll();
 */
export class MqttConnections {
  private readonly connections = new Map<string, MqttConnection>();

  constructor(private readonly services: ConnectionServices) {}

  get(options: BrokerOptions): MqttConnection {
    const key = JSON.stringify(options);
    let connection = this.connections.get(key);
    if (!connection) {
      connection = new MqttConnection(options, this.services);
      this.connections.set(key, connection);
    }
    return connection;
  }

  /** Closes every connection; rejects with the first one's error once all are closed. */
  async closeAll(): Promise<void> {
    const outcomes = await Promise.allSettled([...this.connections.values()].map((connection) => connection.close()));
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failure) throw failure.reason;
  }
}
