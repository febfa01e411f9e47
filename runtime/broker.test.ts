import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
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
});
