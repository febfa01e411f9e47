import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import { createTestCertificates, opensslAvailable } from "../test/support/mosquitto.js";
import { startEmbeddedBroker } from "./broker.js";
import { createLogger } from "./log.js";
import { MqttConnection } from "./mqtt.js";
import { Backpressure } from "./pressure.js";

describe("startEmbeddedBroker", () => {
  it("routes messages between clients and closes with them connected", async () => {
    const broker = await startEmbeddedBroker({ port: 0, host: "127.0.0.1" });
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    const services = { log: createLogger({ write: () => {} }), pressure: new Backpressure(), onFatal: () => {} };
    const options = { host: "127.0.0.1", port: broker.port, tls: false, keepaliveSeconds: 60, clean: true };
    const subscriber = new MqttConnection(options, services);
    const publisher = new MqttConnection(options, services);
    const received: string[] = [];
    await subscriber.subscribe("sensor-data", 1, (_topic, bytes, start, end) =>
      received.push(bytes.toString("utf8", start, end)),
    ).ready;
    publisher.publish("sensor-data", '["lux-1", 611, 284.1312]', 1, false);
    await publisher.flush();
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).toEqual(['["lux-1", 611, 284.1312]']);
    await broker.close();
    await broker.close();
    await Promise.all([subscriber.close(), publisher.close()]);
  });

  it("says when its port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    await expect(startEmbeddedBroker({ port, host: "127.0.0.1" })).rejects.toThrow(
      `cannot start the embedded MQTT broker on 127.0.0.1:${port}: the port is in use (is another broker running? use it with --broker mqtt://HOST:PORT, or pick another port with --port)`,
    );
    await new Promise((resolve) => blocker.close(resolve));
  });

  it("listens on this machine only unless told otherwise, and says a port out of range without hanging", async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    expect(broker.host).toBe("127.0.0.1");
    await broker.close();
    await expect(startEmbeddedBroker({ port: 99999 })).rejects.toThrow(
      /^cannot start the embedded MQTT broker on 127\.0\.0\.1:99999: .*99999/,
    );
  });

  it("lets in only the user with the right password when it has credentials", async () => {
    const broker = await startEmbeddedBroker({ port: 0, credentials: { username: "board", password: "s3cret" } });
    const connect = (username?: string, password?: string) =>
      mqtt.connectAsync(broker.url, { username, password, reconnectPeriod: 0, log: () => {} } as mqtt.IClientOptions);
    await expect(connect()).rejects.toThrow(/Bad username or password|Not authorized/);
    await expect(connect("board", "wrong")).rejects.toThrow(/Bad username or password/);
    await expect(connect("other", "s3cret")).rejects.toThrow(/Bad username or password/);
    const client = await connect("board", "s3cret");
    expect(client.connected).toBe(true);
    await client.endAsync();
    await broker.close();
  });

  it.skipIf(!opensslAvailable)("speaks MQTT over TLS with a certificate", async () => {
    const folder = mkdtempSync(join(tmpdir(), "flowc-broker-tls-"));
    const { caFile, certFile, keyFile } = createTestCertificates(folder);
    const ca = readFileSync(caFile);
    const broker = await startEmbeddedBroker({
      port: 0,
      tls: { cert: readFileSync(certFile), key: readFileSync(keyFile) },
    });
    expect(broker.url).toBe(`mqtts://127.0.0.1:${broker.port}`);
    const client = await mqtt.connectAsync(broker.url, {
      ca,
      reconnectPeriod: 0,
      log: () => {},
    } as mqtt.IClientOptions);
    const received = new Promise<string>((resolve) => client.on("message", (_topic, payload) => resolve(`${payload}`)));
    await client.subscribeAsync("t");
    await client.publishAsync("t", "over tls");
    expect(await received).toBe("over tls");
    await client.endAsync();
    // A client that does not trust the certificate is refused.
    await expect(
      mqtt.connectAsync(broker.url, { reconnectPeriod: 0, log: () => {} } as mqtt.IClientOptions),
    ).rejects.toThrow(/self.signed|unable to (get|verify)/);
    await broker.close();
    rmSync(folder, { recursive: true, force: true });
  });
});
