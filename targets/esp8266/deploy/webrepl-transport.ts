/**
 * A board on the network through MicroPython's WebREPL (the ESP8266 port's `webrepl` module, on
 * port 8266): a WebSocket whose text frames carry the REPL terminal. The board asks for the
 * password first (`Password: `) and answers `WebREPL connected` and a prompt, or closes on a
 * wrong one. Once logged in, the terminal is a byte link like a serial port, so the raw REPL and
 * the file sync run over it unchanged.
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
  const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
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
  socket.on("message", (data: Buffer, binary: boolean) => {
    if (!binary) for (const listener of listeners) listener(Buffer.from(data));
  });
  socket.on("close", () => closeListeners.forEach((listener) => listener()));
  socket.on("error", (error: Error) => closeListeners.forEach((listener) => listener(error)));
  return {
    name: url,
    write: (data) =>
      new Promise((resolve, reject) =>
        // Text frames: the terminal channel. Raw REPL traffic is 7-bit, so always valid UTF-8.
        socket.send(Buffer.from(data), { binary: false }, (error) => (error ? reject(error) : resolve())),
      ),
    onData: (listener) => listeners.push(listener),
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
