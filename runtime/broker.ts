/**
 * An MQTT broker inside the flowc process (aedes), for `flowc run --broker embedded` and
 * `flowc broker`: try a device-and-host setup without installing mosquitto. aedes is loaded only
 * when a broker is started, so flows that use an external broker do not pay for it.
 */
import { createServer, type Socket } from "node:net";
import { isIPv6 } from "node:net";

export interface EmbeddedBrokerOptions {
  /** Default 1883; 0 picks a free port. */
  readonly port?: number;
  /** Interface to listen on; default "0.0.0.0" so that devices on the network can connect. */
  readonly host?: string;
}

export interface EmbeddedBroker {
  /** Where local clients connect: `mqtt://127.0.0.1:1883`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Disconnects every client and stops listening. */
  close(): Promise<void>;
}

/** The address a local client uses to reach a server listening on `host`. */
function localAddress(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return isIPv6(host) ? `[${host}]` : host;
}

/**
 * @example
 * const broker = await startEmbeddedBroker({ port: 0, host: "127.0.0.1" });
 * const flow = await runProgram(programs, { broker: broker.url });
 * // ...
 * await broker.close();
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? "0.0.0.0";
  const { Aedes } = await import("aedes");
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      // The broker's heartbeat timer would otherwise keep the process alive after the failure.
      aedes.close();
      reject(
        new Error(
          `cannot start the embedded MQTT broker on ${host}:${options.port ?? 1883}: ${error.code === "EADDRINUSE" ? "the port is in use (is another broker running? use it with --broker mqtt://HOST:PORT, or pick another port with --port)" : error.message}`,
        ),
      );
    });
    server.listen(options.port ?? 1883, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 1883);
  let closing: Promise<void> | undefined;
  return {
    url: `mqtt://${localAddress(host)}:${port}`,
    host,
    port,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await stopped;
      })();
      return closing;
    },
  };
}
