/**
 * An MQTT broker inside the flowc process (aedes), for `flowc run --broker embedded` and
 * `flowc broker`: try a device-and-host setup without installing mosquitto. aedes is loaded only
 * when a broker is started, so flows that use an external broker do not pay for it.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, isIPv6, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";

export interface EmbeddedBrokerOptions {
  /** Default 1883 (8883 with `tls`); 0 picks a free port. */
  readonly port?: number;
  /** Interface to listen on; default "127.0.0.1", this machine only. "0.0.0.0" lets boards on the network in. */
  readonly host?: string;
  /** The one user that may connect; without it, any client may. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** A certificate and its key (PEM): the broker then speaks MQTT over TLS (`mqtts://`). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

export interface EmbeddedBroker {
  /** Where local clients connect: `mqtt://127.0.0.1:1883` (`mqtts://` with TLS). */
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
  const host = options.host ?? "127.0.0.1";
  const wantedPort = options.port ?? (options.tls ? 8883 : 1883);
  const { Aedes } = await import("aedes");
  const credentials = options.credentials;
  const aedes = await Aedes.createBroker(
    credentials
      ? {
          authenticate: (_client, username, password, done) => {
            const ok = username !== undefined && password !== undefined && sameText(username, credentials.username);
            // Both compared whatever the user name, so the time taken says nothing about which was wrong.
            const passwordOk = sameText(password?.toString("utf8") ?? "", credentials.password);
            if (ok && passwordOk) return done(null, true);
            // 4: bad user name or password (MQTT 3.1.1 CONNACK).
            done(Object.assign(new Error("bad user name or password"), { returnCode: 4 as const }), false);
          },
        }
      : {},
  );
  const sockets = new Set<Socket>();
  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    aedes.handle(socket);
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, onConnection)
    : createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => {
      // The broker's heartbeat timer would otherwise keep the process alive after the failure.
      aedes.close();
      reject(
        new Error(
          `cannot start the embedded MQTT broker on ${host}:${wantedPort}: ${error.code === "EADDRINUSE" ? "the port is in use (is another broker running? use it with --broker mqtt://HOST:PORT, or pick another port with --port)" : error.message}`,
        ),
      );
    };
    server.once("error", fail);
    try {
      server.listen(wantedPort, host, () => resolve());
    } catch (error) {
      // A port out of range throws here rather than emitting "error".
      fail(error as NodeJS.ErrnoException);
    }
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : wantedPort;
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? "mqtts" : "mqtt"}://${localAddress(host)}:${port}`,
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

/** Compares two texts in time that depends on their lengths only. */
function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
