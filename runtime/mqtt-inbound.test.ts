import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { InboundPublishTap } from "./mqtt-inbound.js";

/** The remaining-length encoding of MQTT's fixed header. */
function remainingLength(length: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return bytes;
}

function publish(topic: string, payload: string | Buffer, qos: 0 | 1 | 2 = 0, id = 0): Buffer {
  const topicBytes = Buffer.from(topic);
  const body = Buffer.concat([
    Buffer.from([topicBytes.length >> 8, topicBytes.length & 0xff]),
    topicBytes,
    qos > 0 ? Buffer.from([id >> 8, id & 0xff]) : Buffer.alloc(0),
    Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
  ]);
  return Buffer.concat([Buffer.from([0x30 | (qos << 1), ...remainingLength(body.length)]), body]);
}

const connack = Buffer.from([0x20, 0x02, 0x00, 0x00]);
const pingresp = Buffer.from([0xd0, 0x00]);

/** A socket stand-in: what the tap writes is kept; what the "broker" sends is emitted as data. */
class FakeSocket extends Duplex {
  readonly written: Buffer[] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.written.push(chunk);
    callback();
  }
}

function setup(coalesceMs = 0) {
  const socket = new FakeSocket();
  const received: [string, string][] = [];
  const tap = new InboundPublishTap(
    socket,
    (topic, buffer, start, end) => received.push([topic, buffer.toString("utf8", start, end)]),
    { coalesceMs },
  );
  const passed: Buffer[] = [];
  tap.on("data", (chunk: Buffer) => passed.push(chunk));
  return { socket, tap, received, passed: () => Buffer.concat(passed) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("InboundPublishTap", () => {
  it("takes QoS 0 publishes out of the stream and passes everything else through", async () => {
    const { socket, received, passed } = setup();
    socket.emit(
      "data",
      Buffer.concat([connack, publish("sensor-data", '["lux-1", 611, 284.1312]'), pingresp, publish("a/b", "x")]),
    );
    await flush();
    expect(received).toEqual([
      ["sensor-data", '["lux-1", 611, 284.1312]'],
      ["a/b", "x"],
    ]);
    expect(passed()).toEqual(Buffer.concat([connack, pingresp]));
  });

  it("reassembles packets split across reads, at any byte", async () => {
    const packets = Buffer.concat([
      publish("t", "first"),
      connack,
      publish("t", "y".repeat(300)),
      publish("t", "last"),
    ]);
    for (let cut = 1; cut < packets.length; cut += 7) {
      const { socket, received, passed } = setup();
      socket.emit("data", packets.subarray(0, cut));
      socket.emit("data", packets.subarray(cut));
      await flush();
      expect(received.map(([, payload]) => payload)).toEqual(["first", "y".repeat(300), "last"]);
      expect(passed()).toEqual(connack);
    }
  });

  it("acknowledges QoS 1 publishes after handing them on", async () => {
    const { socket, received } = setup();
    socket.emit("data", Buffer.concat([publish("t", "one", 1, 1), publish("t", "two", 1, 0x1234)]));
    await flush();
    expect(received.map(([, payload]) => payload)).toEqual(["one", "two"]);
    expect(Buffer.concat(socket.written)).toEqual(Buffer.from([0x40, 2, 0, 1, 0x40, 2, 0x12, 0x34]));
  });

  it("does not acknowledge a QoS 1 publish the handler declines", async () => {
    const socket = new FakeSocket();
    const taken: string[] = [];
    new InboundPublishTap(socket, (_topic, buffer, start, end) => {
      const text = buffer.toString("utf8", start, end);
      if (text === "later") return false;
      taken.push(text);
    });
    socket.emit(
      "data",
      Buffer.concat([publish("t", "now", 1, 1), publish("t", "later", 1, 2), publish("t", "too", 1, 3)]),
    );
    await flush();
    expect(taken).toEqual(["now", "too"]);
    expect(Buffer.concat(socket.written)).toEqual(Buffer.from([0x40, 2, 0, 1, 0x40, 2, 0, 3]));
  });

  it("after the client ends the connection, takes and acknowledges nothing, and keeps reading to the end", async () => {
    const { socket, tap, received } = setup();
    tap.write(Buffer.from([0xe0, 0])); // DISCONNECT
    tap.end();
    await flush();
    socket.emit("data", publish("t", "too late", 1, 7));
    await flush();
    expect(received).toEqual([]);
    expect(Buffer.concat(socket.written)).toEqual(Buffer.from([0xe0, 0]));
    // Writing an acknowledgement now would be an error that resets the connection, dropping
    // acknowledgements the broker has not read yet.
    expect(tap.destroyed).toBe(false);
  });

  it("leaves QoS 2 publishes to MQTT.js", async () => {
    const { socket, received, passed } = setup();
    const exactlyOnce = publish("t", "x", 2, 7);
    socket.emit("data", exactlyOnce);
    await flush();
    expect(received).toEqual([]);
    expect(passed()).toEqual(exactlyOnce);
  });

  it("passes empty payloads and multi-byte topics", async () => {
    const { socket, received } = setup();
    socket.emit(
      "data",
      Buffer.concat([publish("capteurs/température", ""), publish("t", Buffer.from([0xe2, 0x82, 0xac]))]),
    );
    await flush();
    expect(received).toEqual([
      ["capteurs/température", ""],
      ["t", "€"],
    ]);
  });

  it("writes through to the socket in order", async () => {
    const { socket, tap } = setup();
    tap.write(Buffer.from([1, 2]));
    tap.write(Buffer.from([3]));
    await flush();
    expect(Buffer.concat(socket.written)).toEqual(Buffer.from([1, 2, 3]));
  });

  it("fails the stream on a malformed length instead of guessing", async () => {
    const { socket, tap } = setup();
    const failed = new Promise<Error>((resolve) => tap.on("error", resolve));
    socket.emit("data", Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect((await failed).message).toMatch(/remaining length longer than 4 bytes/);
  });

  it("pauses reading briefly during a burst so that the kernel batches messages", async () => {
    const { socket, received } = setup(5);
    socket.emit("data", publish("t", "1"));
    expect(socket.isPaused()).toBe(false);
    socket.emit("data", publish("t", "2"));
    expect(socket.isPaused()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(socket.isPaused()).toBe(false);
    expect(received).toHaveLength(2);
  });

  it("never pauses for reads without messages, such as a publisher's stream of PUBACKs", async () => {
    const { socket, passed } = setup(5);
    const puback = (id: number) => Buffer.from([0x40, 2, 0, id]);
    for (let id = 1; id <= 3; id++) {
      socket.emit("data", puback(id));
      expect(socket.isPaused()).toBe(false);
    }
    await flush();
    expect(passed()).toEqual(Buffer.concat([puback(1), puback(2), puback(3)]));
  });

  it("ends and closes with its socket", async () => {
    const { socket, tap } = setup();
    const closed = new Promise((resolve) => tap.on("close", resolve));
    tap.resume();
    socket.destroy();
    await closed;
    expect(tap.destroyed).toBe(true);
  });

  it("holds QoS 1 acknowledgements until their output is written, and sends them in order", async () => {
    const socket = new FakeSocket();
    const writes: (() => void)[] = [];
    let pending = true;
    const tap = new InboundPublishTap(socket, () => undefined, {
      coalesceMs: 0,
      // Each read's output is "written" when the test says so; with nothing pending, at once.
      acknowledgeWhen: () => (pending ? new Promise<void>((resolve) => writes.push(resolve)) : undefined),
    });
    tap.resume();
    const puback = (id: number) => Buffer.from([0x40, 2, 0, id]);
    socket.emit("data", publish("t", "a", 1, 1));
    socket.emit("data", Buffer.concat([publish("t", "b", 1, 2), publish("t", "c", 1, 3)]));
    pending = false;
    // Nothing pending now, but the earlier acknowledgements are still held: this one waits behind them.
    socket.emit("data", publish("t", "d", 1, 4));
    await flush();
    expect(socket.written).toEqual([]);
    let acknowledged = false;
    void tap.whenAcknowledged().then(() => (acknowledged = true));

    writes[1]!();
    await flush();
    expect(socket.written).toEqual([]);
    writes[0]!();
    await flush();
    expect(Buffer.concat(socket.written)).toEqual(Buffer.concat([puback(1), puback(2), puback(3), puback(4)]));
    expect(acknowledged).toBe(true);

    socket.emit("data", publish("t", "e", 1, 5));
    await flush();
    expect(Buffer.concat(socket.written).subarray(16)).toEqual(puback(5));
  });

  it("leaves messages unacknowledged when their output cannot be written", async () => {
    const socket = new FakeSocket();
    const tap = new InboundPublishTap(socket, () => undefined, {
      coalesceMs: 0,
      acknowledgeWhen: () => Promise.reject(new Error("disk full")),
    });
    tap.resume();
    socket.emit("data", publish("t", "a", 1, 1));
    await flush();
    expect(socket.written).toEqual([]);
    await tap.whenAcknowledged();
  });

  it("keeps one drain listener however many writes wait for it, and lets every one go on", async () => {
    const socket = new FakeSocket({ highWaterMark: 1 });
    let release: () => void = () => {};
    socket._write = (chunk: Buffer, _encoding, callback) => {
      socket.written.push(chunk);
      release = () => {
        release = () => {};
        callback();
      };
    };
    const tap = new InboundPublishTap(socket, () => undefined, { coalesceMs: 0 });
    const waiting: number[] = [];
    const resumed: number[] = [];
    for (let i = 0; i < 1500; i++) {
      // What MQTT.js does for each packet: wait for drain when write() says the stream is full.
      if (!tap.write(publish("t", `${i}`.padEnd(100, "."), 0))) {
        waiting.push(i);
        tap.once("drain", () => resumed.push(i));
      }
    }
    expect(waiting.length).toBeGreaterThan(1000);
    expect(tap.listenerCount("drain")).toBe(1);
    for (let rounds = 0; resumed.length < waiting.length && rounds < 100_000; rounds++) {
      release();
      await flush();
    }
    expect(resumed).toEqual(waiting);
    expect(tap.listenerCount("drain")).toBe(0);
  });
});
