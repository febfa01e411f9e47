import { mkdtempSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SettingsBlock } from "../compiler/ir.js";
import type { ParamValue } from "../compiler/registry.js";
import {
  createTestCertificates,
  mosquittoAvailable,
  mosquittoMissing,
  opensslAvailable,
  startMosquitto,
  type Mosquitto,
} from "../test/support/mosquitto.js";
import { ConfigResolver } from "./config.js";
import { createLogger } from "./log.js";
import {
  brokerOptions,
  brokerUrl,
  MqttConnection,
  MqttConnectionError,
  MqttConnections,
  parseBrokerUrl,
  publishBufferLimit,
  type BrokerOptions,
} from "./mqtt.js";
import { Backpressure } from "./pressure.js";

const span = { file: "test.flow", start: 0, end: 0 };
const settings = (values: Record<string, ParamValue>): SettingsBlock => ({ values, nested: {}, span });

describe("parseBrokerUrl", () => {
  it.each([
    ["mqtt://127.0.0.1:1884", { host: "127.0.0.1", port: 1884, tls: false }],
    ["mqtts://broker.example", { host: "broker.example", port: 8883, tls: true }],
    ["broker.lan", { host: "broker.lan", port: 1883, tls: false }],
    ["tcp://[::1]:1999", { host: "::1", port: 1999, tls: false }],
    ["mqtts://alice:s%40cret@b:8884", { host: "b", port: 8884, tls: true, username: "alice", password: "s@cret" }],
  ])("%s", (url, expected) => {
    expect(parseBrokerUrl(url)).toEqual(expected);
  });

  it("explains what it cannot use", () => {
    expect(() => parseBrokerUrl("http://x")).toThrow(/scheme must be mqtt:\/\/ or mqtts:\/\//);
    expect(() => parseBrokerUrl("mqtt://")).toThrow(/invalid broker URL/);
  });

  it("never repeats the password of a URL it cannot use", () => {
    expect(() => parseBrokerUrl("mqtp://alice:pa@ss/word@host:1")).toThrow(
      'invalid broker URL "mqtp://***@host:1": the scheme must be mqtt:// or mqtts://',
    );
    expect(() => parseBrokerUrl("alice:hunter2@")).toThrow('invalid broker URL "***@": expected mqtt://HOST');
  });
});

describe("brokerOptions", () => {
  const config = new ConfigResolver({ secrets: { mqtt_password: "pw" }, env: {} });

  it("defaults to localhost:1883 with a clean session", () => {
    expect(brokerOptions(undefined, config)).toEqual({
      host: "localhost",
      port: 1883,
      tls: false,
      keepaliveSeconds: 60,
      clean: true,
    });
  });

  it("resolves the CA file from the flow file's folder", () => {
    const block = settings({ ca: { kind: "string", value: "certs/ca.pem" } });
    expect(brokerOptions(block, config, undefined, "/etc/flowc").ca).toBe("/etc/flowc/certs/ca.pem");
  });

  it("reads every broker setting, resolving secrets", () => {
    const block = settings({
      host: { kind: "string", value: "broker.lan" },
      client_id: { kind: "string", value: "server-1" },
      username: { kind: "string", value: "u" },
      password: { kind: "secret", key: "mqtt_password" },
      ca: { kind: "string", value: "ca.pem" },
      keepalive: { kind: "duration", ms: 30_000 },
      clean: { kind: "bool", value: false },
      will_topic: { kind: "string", value: "status" },
      will_message: { kind: "string", value: "gone" },
      will_qos: { kind: "number", value: 1 },
      will_retain: { kind: "bool", value: true },
    });
    expect(brokerOptions(block, config)).toEqual({
      host: "broker.lan",
      port: 8883,
      tls: true,
      clientId: "server-1",
      username: "u",
      password: "pw",
      ca: "ca.pem",
      keepaliveSeconds: 30,
      clean: false,
      will: { topic: "status", payload: "gone", qos: 1, retain: true },
    });
  });

  it("lets --broker replace the address and credentials but keep the session settings", () => {
    const block = settings({
      host: { kind: "string", value: "broker.lan" },
      port: { kind: "number", value: 1884 },
      client_id: { kind: "string", value: "x" },
    });
    expect(brokerOptions(block, config, "mqtt://me:pw@127.0.0.1:2000")).toMatchObject({
      host: "127.0.0.1",
      port: 2000,
      tls: false,
      clientId: "x",
      username: "me",
      password: "pw",
    });
    expect(brokerUrl({ host: "::1", port: 1883, tls: true })).toBe("mqtts://[::1]:1883");
  });
});

type Received = { topic: string; text: string };

function services(lines: string[] = []) {
  const fatal: Error[] = [];
  const pressure = new Backpressure();
  return {
    fatal,
    pressure,
    services: {
      log: createLogger({ write: (line) => lines.push(line) }),
      pressure,
      onFatal: (error: Error) => fatal.push(error),
    },
  };
}

function options(broker: Mosquitto, extra: Partial<BrokerOptions> = {}): BrokerOptions {
  return { host: "127.0.0.1", port: broker.port, tls: false, keepaliveSeconds: 60, clean: true, ...extra };
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(!mosquittoAvailable)("MqttConnection with mosquitto", () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto({ persistence: true });
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  const collect = (connection: MqttConnection, filter: string, qos: 0 | 1 = 0) => {
    const received: Received[] = [];
    const subscription = connection.subscribe(filter, qos, (topic, bytes, start, end) =>
      received.push({ topic, text: bytes.toString("utf8", start, end) }),
    );
    return { received, subscription };
  };

  it("delivers each message to the subscriptions whose filters match", async () => {
    const { services: s } = services();
    const connection = new MqttConnection(options(broker), s);
    const all = collect(connection, "sensors/#");
    const kitchen = collect(connection, "sensors/kitchen/+");
    await Promise.all([all.subscription.ready, kitchen.subscription.ready]);
    connection.publish("sensors/kitchen/lux", "1", 0, false);
    connection.publish("sensors/hall/lux", "2", 1, false);
    await connection.flush();
    await until(() => all.received.length === 2, "two messages");
    expect(all.received).toEqual([
      { topic: "sensors/kitchen/lux", text: "1" },
      { topic: "sensors/hall/lux", text: "2" },
    ]);
    expect(kitchen.received).toEqual([{ topic: "sensors/kitchen/lux", text: "1" }]);
    await connection.close();
  });

  it("receives many messages without losing one", async () => {
    const { services: s } = services();
    const subscriber = new MqttConnection(options(broker), s);
    const publisher = new MqttConnection(options(broker), s);
    const { received, subscription } = collect(subscriber, "burst");
    await subscription.ready;
    for (let i = 0; i < 5000; i++) publisher.publish("burst", JSON.stringify(["lux-1", i, 284.1312]), 0, false);
    await publisher.flush();
    await until(() => received.length === 5000, "5000 messages");
    expect(received[4999]!.text).toBe('["lux-1",4999,284.1312]');
    await Promise.all([subscriber.close(), publisher.close()]);
  });

  it("supports shared subscriptions", async () => {
    const { services: s } = services();
    const a = new MqttConnection(options(broker), s);
    const b = new MqttConnection(options(broker), s);
    const first = collect(a, "$share/workers/jobs");
    const second = collect(b, "$share/workers/jobs");
    await Promise.all([first.subscription.ready, second.subscription.ready]);
    for (let i = 0; i < 20; i++) a.publish("jobs", String(i), 1, false);
    await a.flush();
    await until(() => first.received.length + second.received.length === 20, "20 jobs");
    expect(first.received.length).toBeGreaterThan(0);
    expect(second.received.length).toBeGreaterThan(0);
    await Promise.all([a.close(), b.close()]);
  });

  it("publishes retained messages", async () => {
    const { services: s } = services();
    const publisher = new MqttConnection(options(broker), s);
    publisher.publish("status/server", "up", 1, true);
    await publisher.flush();
    const late = new MqttConnection(options(broker), s);
    const { received, subscription } = collect(late, "status/server");
    await subscription.ready;
    await until(() => received.length === 1, "the retained message");
    expect(received[0]!.text).toBe("up");
    publisher.publish("status/server", "", 1, true);
    await publisher.flush();
    await Promise.all([publisher.close(), late.close()]);
  });

  it("keeps a persistent session: QoS 1 messages sent while offline arrive on reconnect", async () => {
    const { services: s } = services();
    const session = { clientId: "flowc-test-persistent", clean: false };
    const before = new MqttConnection(options(broker, session), s);
    await collect(before, "persistent/data", 1).subscription.ready;
    await before.close();
    const publisher = new MqttConnection(options(broker), s);
    for (const text of ["a", "b", "c"]) publisher.publish("persistent/data", text, 1, false);
    await publisher.flush();
    await publisher.close();
    const after = new MqttConnection(options(broker, session), s);
    const { received, subscription } = collect(after, "persistent/data", 1);
    await subscription.ready;
    await until(() => received.length === 3, "the queued messages");
    expect(received.map((message) => message.text)).toEqual(["a", "b", "c"]);
    await after.close();
  });

  it("leaves the messages that arrive after a persistent session's source stopped to the next run", async () => {
    const { services: s } = services();
    const session = { clientId: "flowc-test-released", clean: false };
    const first = new MqttConnection(options(broker, session), s);
    const stopping = collect(first, "released/data", 1);
    const marker = collect(first, "released/marker", 1);
    await Promise.all([stopping.subscription.ready, marker.subscription.ready]);
    await stopping.subscription.unsubscribe();
    const publisher = new MqttConnection(options(broker), s);
    for (const text of ["a", "b", "c"]) publisher.publish("released/data", text, 1, false);
    publisher.publish("released/marker", "sent after them", 1, false);
    await publisher.flush();
    // The broker delivers one publisher's messages in order: when the marker is here, so were they.
    await until(() => marker.received.length === 1, "the marker");
    expect(stopping.received).toEqual([]);
    await first.close();
    const next = new MqttConnection(options(broker, session), s);
    const { received, subscription } = collect(next, "released/data", 1);
    await subscription.ready;
    await until(() => received.length === 3, "the messages left for the next run");
    expect(received.map((message) => message.text)).toEqual(["a", "b", "c"]);
    await Promise.all([next.close(), publisher.close()]);
  });

  it("reconnects and resubscribes after the broker restarts", async () => {
    const lines: string[] = [];
    const { services: s } = services(lines);
    const connection = new MqttConnection(options(broker), s);
    const { received, subscription } = collect(connection, "after/restart");
    await subscription.ready;
    await broker.restart();
    await until(() => lines.some((line) => line.includes("reconnected")), "the reconnection", 15_000);
    const publisher = new MqttConnection(options(broker), s);
    // Resubscribing is asynchronous: publish until one arrives.
    await until(
      () => {
        publisher.publish("after/restart", "hello again", 0, false);
        return received.length > 0;
      },
      "a message after the restart",
      10_000,
    );
    expect(received[0]!.text).toBe("hello again");
    expect(lines.join("")).toMatch(/lost the connection to the broker; reconnecting/);
    await Promise.all([connection.close(), publisher.close()]);
  });

  it("MqttConnections shares one client per broker setting", async () => {
    const { services: s } = services();
    const connections = new MqttConnections(s);
    expect(connections.get(options(broker))).toBe(connections.get(options(broker)));
    expect(connections.get(options(broker))).not.toBe(connections.get(options(broker, { clientId: "other" })));
    await connections.closeAll();
  });
});

describe.skipIf(!mosquittoAvailable)(
  "MqttConnection with more QoS 1 messages outstanding than MQTT has packet ids",
  () => {
    // A packet id is 16 bits: a flow that publishes faster than the broker confirms (or while it is
    // away) can have more than 65,535 messages outstanding, and none may share an id with another.
    it("delivers and confirms every one of 70,000 published at once", async () => {
      const broker = await startMosquitto({ extraConfig: ["max_queued_messages 0"] });
      try {
        const { services: s } = services();
        const subscriber = new MqttConnection(options(broker), s);
        let received = 0;
        let outOfOrder = 0;
        await subscriber.subscribe("ids", 0, (_topic, bytes, start, end) => {
          if (Number(bytes.toString("utf8", start, end)) !== received++) outOfOrder++;
        }).ready;
        const publisher = new MqttConnection(options(broker), s);
        const messages = 70_000;
        for (let i = 0; i < messages; i++) publisher.publish("ids", String(i), 1, false);
        await publisher.flush();
        await until(() => received >= messages, `${messages} messages`, 30_000);
        expect(received).toBe(messages);
        expect(outOfOrder).toBe(0);
        await Promise.all([subscriber.close(), publisher.close()]);
      } finally {
        await broker.dispose();
      }
    }, 60_000);
  },
);

describe.skipIf(!mosquittoAvailable)("MqttConnection as an output QoS 1 acknowledgements wait for", () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it("confirms the messages published before a flush though a later one is still unconfirmed", async () => {
    // aedes acknowledges a publish once its authorizer calls back: this one holds back "slow".
    const { Aedes } = await import("aedes");
    const aedes = await Aedes.createBroker();
    let releaseSlow: (() => void) | undefined;
    aedes.authorizePublish = (_client, packet, callback) => {
      if (packet.payload.toString() === "slow") releaseSlow = () => callback(null);
      else callback(null);
    };
    const server = createServer((socket) => aedes.handle(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { services: s } = services();
      const connection = new MqttConnection({ ...options(broker), port: (server.address() as AddressInfo).port }, s);
      await connection.connected;
      connection.publish("order", "first", 1, false);
      const first = connection.flush();
      connection.publish("order", "slow", 1, false);
      await first;
      expect(connection.idle).toBe(false);
      await until(() => releaseSlow !== undefined, "the slow message at the broker");
      releaseSlow!();
      await connection.flush();
      expect(connection.idle).toBe(true);
      await connection.close();
    } finally {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      server.close();
    }
  });

  it("stops, sending DISCONNECT, when the broker stops confirming, and counts what it did not confirm", async () => {
    const { Aedes } = await import("aedes");
    const aedes = await Aedes.createBroker();
    aedes.authorizePublish = (_client, packet, callback) => {
      if (packet.topic !== "stalled") callback(null); // "stalled" is never confirmed
    };
    const disconnected = new Promise<boolean>((resolve) => aedes.on("clientDisconnect", () => resolve(true)));
    const wills: string[] = [];
    aedes.on("publish", (packet) => void (packet.topic === "status" && wills.push(packet.payload.toString())));
    const server = createServer((socket) => aedes.handle(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const { services: s } = services();
      const connection = new MqttConnection(
        { ...options(broker), port, will: { topic: "status", payload: "lost", qos: 1, retain: false } },
        s,
      );
      await connection.connected;
      connection.publish("stalled", "1", 1, false);
      await expect(connection.close()).rejects.toThrow(
        `1 message(s) could not be published to mqtt://127.0.0.1:${port}: the broker had not confirmed them when the flow stopped`,
      );
      expect(await disconnected).toBe(true);
      // A client lost without DISCONNECT has its will published (aedes does so just after).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(wills).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      server.close();
    }
  }, 20_000);

  it("holds whenWritten until its publishes are confirmed", async () => {
    const { services: s, pressure } = services();
    // Nothing listens on port 1 (a freed port could be taken by another test's broker).
    const port = 1;
    const away = new MqttConnection({ ...options(broker), port }, s);
    expect(pressure.whenWritten()).toBeUndefined();
    away.publish("held", "1", 1, false);
    let written = false;
    void pressure.whenWritten()!.then(() => (written = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(written).toBe(false);
    await expect(away.close()).rejects.toThrow(
      `1 message(s) could not be published to mqtt://127.0.0.1:${port}: the broker could not be reached`,
    );
    expect(pressure.whenWritten()).toBeUndefined();
  });

  it("keeps at most publishBufferLimit messages for an absent broker, then drops and counts the rest", async () => {
    const lines: string[] = [];
    const { services: s } = services(lines);
    // Nothing listens on port 1 (a freed port could be taken by another test's broker).
    const port = 1;
    const away = new MqttConnection({ ...options(broker), port }, s);
    let accepted = 0;
    for (let i = 0; i < publishBufferLimit + 3; i++) if (away.publish("queued", String(i), 1, false)) accepted++;
    expect(accepted).toBe(publishBufferLimit);
    expect(lines.filter((line) => line.includes("dropped"))).toEqual([
      expect.stringMatching(
        /warning: dropped a message to publish \(100000 messages are waiting for the broker\): "100000"\n$/,
      ),
    ]);
    // Those waiting and those dropped: every message the flow could not publish.
    await expect(away.close()).rejects.toThrow(
      `${publishBufferLimit + 3} message(s) could not be published to mqtt://127.0.0.1:${port}: the broker could not be reached`,
    );
    expect(lines.at(-1)).toMatch(/warning: dropped 2 messages to publish in the last \d+s/);
  });
});

describe.skipIf(!mosquittoAvailable)("MqttConnection failures", () => {
  it("ends with a clear error on bad credentials", async () => {
    const broker = await startMosquitto({ users: { alice: "right" } });
    try {
      const { services: s, fatal } = services();
      const connection = new MqttConnection(options(broker, { username: "alice", password: "wrong" }), s);
      await expect(connection.connected).rejects.toThrow(MqttConnectionError);
      await expect(connection.connected).rejects.toThrow(
        /refused the connection: (bad user name or password|not authorized)/,
      );
      expect(fatal).toHaveLength(1);
      const subscription = connection.subscribe("x", 0, () => {});
      await expect(subscription.ready).rejects.toThrow(/refused the connection/);
      await connection.close();
      const good = new MqttConnection(options(broker, { username: "alice", password: "right" }), s);
      await good.connected;
      await good.close();
    } finally {
      await broker.dispose();
    }
  });

  it.runIf(opensslAvailable)(
    "ends with a clear error when the broker's certificate is not trusted, and connects with its CA",
    async () => {
      const certificates = createTestCertificates(mkdtempSync(join(tmpdir(), "flowc-tls-")));
      const broker = await startMosquitto({ tls: { certfile: certificates.certFile, keyfile: certificates.keyFile } });
      try {
        const { services: s, fatal } = services();
        const untrusted = new MqttConnection(options(broker, { tls: true }), s);
        await expect(untrusted.connected).rejects.toThrow(
          /TLS certificate of broker mqtts:\/\/127\.0\.0\.1:\d+ is not trusted \(.*\); give the CA that signed it with `ca "ca\.pem"`/,
        );
        expect(fatal).toHaveLength(1);
        await untrusted.close();
        const trusted = new MqttConnection(options(broker, { tls: true, ca: certificates.caFile }), s);
        const received: string[] = [];
        await trusted.subscribe("secure", 1, (_topic, bytes, start, end) =>
          received.push(bytes.toString("utf8", start, end)),
        ).ready;
        trusted.publish("secure", "over TLS", 1, false);
        await until(() => received.length === 1, "a message over TLS");
        expect(received).toEqual(["over TLS"]);
        await trusted.close();
      } finally {
        await broker.dispose();
      }
    },
  );

  it("says which CA file it cannot read", () => {
    const { services: s } = services();
    expect(
      () =>
        new MqttConnection(
          { host: "127.0.0.1", port: 1, tls: true, ca: "/nonexistent/ca.pem", keepaliveSeconds: 60, clean: true },
          s,
        ),
    ).toThrow(/cannot read the CA file \/nonexistent\/ca\.pem/);
  });

  it("keeps retrying an unreachable broker, saying so once", async () => {
    const lines: string[] = [];
    const { services: s, fatal } = services(lines);
    const broker = await startMosquitto();
    const port = broker.port;
    await broker.dispose();
    const connection = new MqttConnection(
      { host: "127.0.0.1", port, tls: false, keepaliveSeconds: 60, clean: true },
      s,
    );
    await until(() => lines.length > 0, "a warning");
    expect(lines[0]).toMatch(
      /cannot reach the broker at mqtt:\/\/127\.0\.0\.1:\d+: connection refused; .*; retrying with backoff up to every 30s \(--no-retry to fail instead\)/,
    );
    expect(fatal).toEqual([]);
    await connection.close();
  });
});

if (!mosquittoAvailable) console.warn(mosquittoMissing);
