/**
 * The fast path for received messages. MQTT.js owns the connection (CONNECT, keepalive,
 * subscriptions, publishing, reconnects, sessions); this stream sits between it and the socket and
 * takes the inbound PUBLISH packets of QoS 0 and 1 out of the byte stream before MQTT.js parses
 * them, handing the topic and a window on the payload bytes straight to the router. Everything
 * else (CONNACK, SUBACK, PUBACK, PINGRESP, QoS 2 flows) passes through untouched.
 *
 * Why: MQTT.js spends several microseconds per received message (a packet object, a BufferList,
 * debug calls, a `process.nextTick`, an event); at the rates a host collects sensor data that is
 * most of the CPU a flow uses. Framing a PUBLISH takes a few comparisons.
 *
 * The other cost of a fast reader is the kernel: a broker sends each message as its own segment,
 * and a reader that keeps up wakes and reads once per message. So during a burst (two reads less
 * than `coalesceMs` apart) the tap pauses reading for `coalesceMs`, letting the kernel gather the
 * next messages into one read. A quiet subscription still reads each message at once; a busy one
 * waits at most `coalesceMs` longer and uses a fraction of the CPU (measured: 100k messages in
 * 0.28 s of CPU instead of 0.6 to 0.9 s).
 */
import { Duplex } from "node:stream";

/**
 * A received message: the topic, and the payload as `buffer[start..end)` (valid during the call
 * only). Returning `false` (exactly) declines a QoS 1 message: it is not acknowledged, so the broker keeps
 * it for the session's next connection.
 */
export type PublishHandler = (topic: string, buffer: Buffer, start: number, end: number) => unknown;

const publishType = 3;
const maxLengthBytes = 4;

export interface InboundTapOptions {
  /** How long to let messages gather during a burst; 0 reads as soon as data arrives. Default 1 ms. */
  readonly coalesceMs?: number;
  /**
   * Asked after each read's QoS 1 messages were handled: a promise holds their PUBACKs back until
   * it resolves (what the messages became is written), undefined sends them at once. A process
   * that dies in between never acknowledged them, so the broker keeps them for the session.
   */
  readonly acknowledgeWhen?: () => Promise<void> | undefined;
}

/**
 * Wraps a connected socket for MQTT.js (returned from its `streamBuilder`), diverting inbound
 * QoS 0/1 PUBLISH packets to `onPublish` and acknowledging QoS 1 ones after the handler returns
 * (unless it declines them) and, given `acknowledgeWhen`, once their output is written. Once MQTT.js has ended the connection (DISCONNECT sent), messages
 * still arriving are neither handled nor acknowledged: the broker delivers them again.
 * Protocol level 4 (MQTT 3.1.1) only: version 5 packets carry properties this framing skips.
 *
 * @example
 * const client = new MqttClient(() => new InboundPublishTap(net.connect(1883, "127.0.0.1"), route), { protocolVersion: 4 });
 */
export class InboundPublishTap extends Duplex {
  /** The start of a packet whose bytes have not all arrived. */
  private partial: Buffer | undefined;
  private readonly coalesceMs: number;
  private lastReadAt = -Infinity;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly acknowledgeWhen: (() => Promise<void> | undefined) | undefined;
  /** Acknowledgements held back until their messages' output is written, oldest first. */
  private readonly held: { readonly ids: readonly number[]; written: boolean; failed: boolean }[] = [];
  private acknowledgedWaiters: (() => void)[] = [];

  constructor(
    private readonly transport: Duplex,
    private readonly onPublish: PublishHandler,
    options: InboundTapOptions = {},
  ) {
    super({ decodeStrings: true });
    this.coalesceMs = options.coalesceMs ?? 1;
    this.acknowledgeWhen = options.acknowledgeWhen;
    transport.on("data", (chunk: Buffer) => {
      // Only message bursts are worth batching: pausing on a stream of acknowledgements would
      // hold a publisher back (MQTT.js resends its offline queue one message per PUBACK).
      if (this.receive(chunk)) this.coalesce();
    });
    transport.on("end", () => this.push(null));
    transport.on("error", (error) => this.destroy(error));
    transport.on("close", () => this.destroy());
  }

  private drainWaiters: (() => void)[] = [];

  /**
   * MQTT.js waits for `drain` once per packet it writes while the socket is busy, so a burst of
   * publishes would add a listener each (and Node warns past MQTT.js's limit of 1000). The
   * waiters share one listener instead, and all go on at the next `drain`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's own signature
  override once(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event !== "drain") return super.once(event, listener);
    if (this.drainWaiters.push(listener) === 1) {
      super.once("drain", () => {
        const waiters = this.drainWaiters;
        this.drainWaiters = [];
        for (const waiter of waiters) waiter();
      });
    }
    return this;
  }

  override _read(): void {
    // Received bytes are pushed as they arrive; MQTT.js reads them promptly.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.transport.write(chunk)) callback();
    else this.transport.once("drain", () => callback());
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this._write(Buffer.concat(chunks.map(({ chunk }) => chunk)), "binary", callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.transport.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.resumeTimer);
    this.transport.destroy();
    callback(error);
  }

  private coalesce(): void {
    if (this.coalesceMs <= 0) return;
    const now = performance.now();
    const inBurst = now - this.lastReadAt < this.coalesceMs;
    this.lastReadAt = now;
    if (!inBurst || this.destroyed) return;
    this.transport.pause();
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      // What arrived during the pause is read right away and continues the burst.
      this.lastReadAt = performance.now();
      this.transport.resume();
    }, this.coalesceMs);
  }

  /** Hands on the messages in `chunk` and passes the rest to MQTT.js; true when it held a message. */
  private receive(chunk: Buffer): boolean {
    const data = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = undefined;
    let offset = 0;
    /** Start of a run of packets for MQTT.js, or -1. */
    let passFrom = -1;
    let acknowledgements: number[] | undefined;
    let messages = false;
    while (offset < data.length) {
      // Fixed header: type and flags, then the remaining length in 1 to 4 bytes of 7 bits.
      const header = data[offset]!;
      let length = 0;
      let multiplier = 1;
      let cursor = offset + 1;
      let byte = 0x80;
      let lengthBytes = 0;
      while (byte & 0x80) {
        if (cursor >= data.length) break;
        if (++lengthBytes > maxLengthBytes) {
          this.destroy(new Error("malformed MQTT packet from the broker: remaining length longer than 4 bytes"));
          return false;
        }
        byte = data[cursor++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      }
      const end = cursor + length;
      if (byte & 0x80 || end > data.length) break;
      const qos = (header >> 1) & 3;
      if (header >> 4 === publishType && qos < 2) {
        messages = true;
        if (passFrom >= 0) {
          this.push(data.subarray(passFrom, offset));
          passFrom = -1;
        }
        const topicEnd = cursor + 2 + ((data[cursor]! << 8) | data[cursor + 1]!);
        const payloadStart = qos === 1 ? topicEnd + 2 : topicEnd;
        if (length < 2 || payloadStart > end) {
          this.destroy(new Error("malformed MQTT PUBLISH packet from the broker"));
          return false;
        }
        // After DISCONNECT nothing can be acknowledged (writing would reset the connection and
        // with it the acknowledgements the broker has not read yet), so nothing is taken.
        if (!this.writableEnded) {
          const taken = this.onPublish(data.toString("utf8", cursor + 2, topicEnd), data, payloadStart, end);
          if (qos === 1 && taken !== false)
            (acknowledgements ??= []).push((data[topicEnd]! << 8) | data[topicEnd + 1]!);
        }
      } else if (passFrom < 0) {
        passFrom = offset;
      }
      offset = end;
    }
    if (passFrom >= 0) this.push(data.subarray(passFrom, offset));
    // Copy the tail so that the (possibly large) chunk it came from is not kept alive.
    if (offset < data.length) this.partial = Buffer.from(data.subarray(offset));
    if (acknowledgements) this.acknowledge(acknowledgements);
    return messages || (this.partial !== undefined && this.partial[0]! >> 4 === publishType);
  }

  /**
   * Resolves when no acknowledgement is held back any more: every message handled so far has
   * been acknowledged (or left to the broker because its output could not be written). A client
   * that disconnects after this has not left a written message unacknowledged.
   */
  whenAcknowledged(): Promise<void> {
    if (this.held.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.acknowledgedWaiters.push(resolve));
  }

  /**
   * Sends PUBACKs once what the messages became is written, in the order the messages came
   * (MQTT 3.1.1 §4.6 asks for that order).
   */
  private acknowledge(ids: readonly number[]): void {
    const written = this.acknowledgeWhen?.();
    if (written === undefined && this.held.length === 0) {
      if (!this.writableEnded) this.write(pubackPackets(ids));
      return;
    }
    const batch = { ids, written: written === undefined, failed: false };
    this.held.push(batch);
    if (written === undefined) return;
    written.then(
      () => {
        batch.written = true;
        this.releaseWritten();
      },
      () => {
        // The output could not be written: these messages stay unacknowledged, with the broker.
        batch.written = batch.failed = true;
        this.releaseWritten();
      },
    );
  }

  /** Sends the acknowledgements at the head of the queue whose output is written. */
  private releaseWritten(): void {
    let ids: number[] | undefined;
    while (this.held.length > 0 && this.held[0]!.written) {
      const batch = this.held.shift()!;
      if (!batch.failed) (ids ??= []).push(...batch.ids);
    }
    // After DISCONNECT the broker keeps these messages for the next connection, as it should.
    if (ids && !this.writableEnded && !this.destroyed) this.write(pubackPackets(ids));
    if (this.held.length > 0) return;
    const waiters = this.acknowledgedWaiters;
    this.acknowledgedWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** PUBACK packets for the given packet ids, back to back. */
function pubackPackets(ids: readonly number[]): Buffer {
  const packets = Buffer.allocUnsafe(ids.length * 4);
  ids.forEach((id, i) => {
    packets[i * 4] = 0x40;
    packets[i * 4 + 1] = 2;
    packets.writeUInt16BE(id, i * 4 + 2);
  });
  return packets;
}
