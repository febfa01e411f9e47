/**
 * A byte link to a board (a serial port, or WebREPL's terminal channel) with the reads the REPL
 * protocols need: wait for an exact byte sequence, or for a number of bytes, with a timeout that
 * reports what did arrive. Transports only move bytes; everything MicroPython-specific is in
 * raw-repl.ts.
 */

/** What a transport provides: bytes out, bytes in, and an end. */
export interface ByteTransport {
  /** A name for messages: `/dev/ttyUSB0`, `ws://192.168.1.20:8266`. */
  readonly name: string;
  write(data: Uint8Array): Promise<void>;
  /** Called with each chunk the board sends. */
  onData(listener: (data: Buffer) => void): void;
  /** Called once when the link goes away (unplugged, closed by the other end). */
  onClose(listener: (error?: Error) => void): void;
  close(): Promise<void>;
  /**
   * Writes a whole file by a channel of the link's own, when it has one (WebREPL's binary file
   * transfer); resolves with the bytes that took. Only called while the board waits at its raw
   * REPL prompt.
   */
  putFile?(path: string, contents: Uint8Array): Promise<number>;
  /**
   * False where raw-paste must not be used: WebREPL carries the terminal in text frames, where
   * raw-paste's window announcement (`R\x01` and 0x80 0x00) is not valid UTF-8, and TCP already
   * paces what the host sends, which is what raw-paste's flow control is for on a UART.
   */
  readonly rawPaste?: false;
}

/** The board did not answer as expected in time; `seen` is what it sent meanwhile. */
export class BoardTimeoutError extends Error {
  override readonly name = "BoardTimeoutError";
  constructor(
    what: string,
    readonly seen: Buffer,
  ) {
    super(`${what}; the board sent ${seen.length === 0 ? "nothing" : describeBytes(seen)}`);
  }
}

/** The link closed while a reply was awaited. */
export class LinkClosedError extends Error {
  override readonly name = "LinkClosedError";
}

/** `"raw REPL; CTRL-B to exit\r\n>"` → `"raw REPL; CTRL-B to exit\r\n>"` with control bytes escaped, at most 200 of the last bytes. */
export function describeBytes(bytes: Buffer): string {
  const tail = bytes.length > 200 ? bytes.subarray(bytes.length - 200) : bytes;
  const text = JSON.stringify(tail.toString("latin1"));
  return `${bytes.length} bytes${bytes.length > 200 ? ", ending" : ""} ${text}`;
}

/**
 * Buffers what a transport receives and hands it out to one reader at a time.
 *
 * @example
 * const link = new Connection(transport);
 * await link.write("\r\x03\x03\x01");
 * await link.readUntil("raw REPL; CTRL-B to exit\r\n>", 2000, "entering the raw REPL");
 */
export class Connection {
  #buffer: Buffer = Buffer.alloc(0);
  #waiter: (() => void) | undefined;
  #closed: Error | undefined;
  /** Bytes written so far (for --format json's `bytes`). */
  bytesWritten = 0;
  /** While set, every byte received is also passed here (monitor streaming). */
  passthrough: ((data: Buffer) => void) | undefined;

  constructor(readonly transport: ByteTransport) {
    transport.onData((data) => {
      if (this.passthrough) {
        this.passthrough(data);
        return;
      }
      this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
      this.#waiter?.();
    });
    transport.onClose((error) => {
      this.#closed = new LinkClosedError(`${transport.name} closed${error ? `: ${error.message}` : ""}`);
      this.#waiter?.();
    });
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    this.bytesWritten += bytes.length;
    await this.transport.write(bytes);
  }

  /** Drops whatever has been received and not read. */
  discard(): Buffer {
    const dropped = this.#buffer;
    this.#buffer = Buffer.alloc(0);
    return dropped;
  }

  /** Bytes received and not read yet, without waiting. */
  get pending(): number {
    return this.#buffer.length;
  }

  /** Waits for `marker`; returns everything up to and including it. */
  readUntil(marker: string | Buffer, timeoutMs: number, what: string): Promise<Buffer> {
    const needle = typeof marker === "string" ? Buffer.from(marker, "latin1") : marker;
    return this.#read(
      () => {
        const at = this.#buffer.indexOf(needle);
        return at < 0 ? -1 : at + needle.length;
      },
      timeoutMs,
      what,
    );
  }

  /** Waits for exactly `count` bytes. */
  readBytes(count: number, timeoutMs: number, what: string): Promise<Buffer> {
    return this.#read(() => (this.#buffer.length >= count ? count : -1), timeoutMs, what);
  }

  /** Waits for the first byte, however long; resolves `undefined` if none came within `timeoutMs`. */
  async readByteIfAny(timeoutMs: number): Promise<number | undefined> {
    if (this.#buffer.length === 0) {
      try {
        await this.#read(() => (this.#buffer.length > 0 ? 0 : -1), timeoutMs, "");
      } catch (error) {
        if (error instanceof BoardTimeoutError) return undefined;
        throw error;
      }
    }
    const byte = this.#buffer[0];
    this.#buffer = this.#buffer.subarray(1);
    return byte;
  }

  #read(end: () => number, timeoutMs: number, what: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new BoardTimeoutError(`no answer ${what} within ${timeoutMs / 1000} s`, this.#buffer));
      }, timeoutMs);
      const check = () => {
        const length = end();
        if (length >= 0) {
          clearTimeout(timer);
          this.#waiter = undefined;
          const taken = this.#buffer.subarray(0, length);
          this.#buffer = this.#buffer.subarray(length);
          resolve(taken);
        } else if (this.#closed) {
          clearTimeout(timer);
          this.#waiter = undefined;
          reject(this.#closed);
        }
      };
      this.#waiter = check;
      check();
    });
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
