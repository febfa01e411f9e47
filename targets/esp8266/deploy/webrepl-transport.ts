/**
 * A board on the network through MicroPython's WebREPL (the ESP8266 port's `webrepl` module, on
 * port 8266): a WebSocket whose text frames carry the REPL terminal. The board asks for the
 * password first (`Password: `) and answers `WebREPL connected` and a prompt, or closes on a
 * wrong one. Once logged in, the terminal is a byte link like a serial port, so the raw REPL and
 * the file sync run over it unchanged; file contents go through WebREPL's binary file transfer
 * instead (`putFile`, binary frames): raw bytes, with nothing for the board to compile.
 */
import type { ByteTransport } from "./connection.js";

export class WebReplError extends Error {
  override readonly name = "WebReplError";
}

/**
 * Connects and logs in.
 *
 * @example
 * const transport = await openWebReplTransport("ws://192.168.1.20:8266", "secret");
 */
export async function openWebReplTransport(url: string, password: string, timeoutMs = 5000): Promise<ByteTransport> {
  const { WebSocket } = await import("ws");
  if (!/^wss?:\/\//.test(url)) throw new WebReplError(`--webrepl takes ws://HOST:8266, not ${JSON.stringify(url)}`);
  // The board's terminal frames are text, but carry whatever bytes the program printed.
  const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, skipUTF8Validation: true });
  const listeners: ((data: Buffer) => void)[] = [];
  const closeListeners: ((error?: Error) => void)[] = [];
  let received = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(
        new WebReplError(`${url} did not log in within ${timeoutMs / 1000} s; it sent ${JSON.stringify(received)}`),
      );
    }, timeoutMs);
    let sentPassword = false;
    socket.on("error", (error: Error) => {
      clearTimeout(timer);
      reject(new WebReplError(`cannot reach WebREPL at ${url}: ${error.message}`));
    });
    socket.on("close", () => {
      clearTimeout(timer);
      reject(new WebReplError(`${url} closed the connection${sentPassword ? ": wrong password?" : ""}`));
    });
    socket.on("message", (data: Buffer, binary: boolean) => {
      if (binary) return;
      received += data.toString("latin1");
      if (!sentPassword && received.includes("Password: ")) {
        sentPassword = true;
        received = "";
        socket.send(`${password}\r\n`);
      } else if (sentPassword && received.includes("WebREPL connected")) {
        clearTimeout(timer);
        socket.removeAllListeners();
        resolve();
      } else if (sentPassword && /denied/i.test(received)) {
        clearTimeout(timer);
        reject(new WebReplError(`${url} refused the password`));
      }
    });
  });
  // Binary frames are the file-transfer channel: answers to putFile, collected here.
  let binaryReceived = Buffer.alloc(0);
  let binaryWaiter: (() => void) | undefined;
  socket.on("message", (data: Buffer, binary: boolean) => {
    if (!binary) for (const listener of listeners) listener(Buffer.from(data));
    else {
      binaryReceived = Buffer.concat([binaryReceived, data]);
      binaryWaiter?.();
    }
  });
  const sendBinary = (data: Uint8Array) =>
    new Promise<void>((resolve, reject) =>
      socket.send(data, { binary: true }, (error) => (error ? reject(error) : resolve())),
    );
  /** Waits for the board's `WB` + status answer; rejects unless the status is 0. */
  const answer = (what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        binaryWaiter = undefined;
        reject(new WebReplError(`${url} did not answer ${what} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      binaryWaiter = () => {
        if (binaryReceived.length < 4) return;
        clearTimeout(timer);
        binaryWaiter = undefined;
        const reply = binaryReceived.subarray(0, 4);
        binaryReceived = binaryReceived.subarray(4);
        if (reply.toString("latin1", 0, 2) !== "WB")
          reject(new WebReplError(`unexpected file-transfer answer from ${url}: ${reply.toString("hex")}`));
        else if (reply.readUInt16LE(2) !== 0)
          reject(new WebReplError(`${url} refused ${what} (status ${reply.readUInt16LE(2)})`));
        else resolve();
      };
      binaryWaiter();
    });
  socket.on("close", () => closeListeners.forEach((listener) => listener()));
  socket.on("error", (error: Error) => closeListeners.forEach((listener) => listener(error)));
  return {
    name: url,
    rawPaste: false,
    write: (data) =>
      new Promise((resolve, reject) =>
        // Text frames: the terminal channel. Raw REPL traffic is 7-bit, so always valid UTF-8.
        socket.send(Buffer.from(data), { binary: false }, (error) => (error ? reject(error) : resolve())),
      ),
    onData: (listener) => listeners.push(listener),
    async putFile(path, contents) {
      const name = Buffer.from(path, "utf8");
      if (name.length > 64) throw new WebReplError(`WebREPL cannot name a file longer than 64 bytes: ${path}`);
      // The request: "WA", op 1 (put), 8 reserved bytes, the size, the name's length, the name.
      const request = Buffer.alloc(82);
      request.write("WA", 0, "latin1");
      request[2] = 1;
      request.writeUInt32LE(contents.length, 12);
      request.writeUInt16LE(name.length, 16);
      name.copy(request, 18);
      // The board's parser takes the first 10 bytes on their own, as webrepl_cli.py sends them.
      await sendBinary(request.subarray(0, 10));
      await sendBinary(request.subarray(10));
      await answer(`the transfer of ${path}`);
      for (let at = 0; at < contents.length; at += 1024) await sendBinary(contents.subarray(at, at + 1024));
      await answer(`the end of ${path}`);
      return request.length + contents.length;
    },
    onClose: (listener) => closeListeners.push(listener),
    close: () =>
      new Promise((resolve) => {
        if (socket.readyState === socket.CLOSED) resolve();
        else {
          socket.once("close", () => resolve());
          socket.close();
        }
      }),
  };
}
