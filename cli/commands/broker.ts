/**
 * `flowc broker [--port N] [--host H] [--username U] [--tls-cert F --tls-key F]`: the MQTT broker
 * `flowc run --broker embedded` starts, on its own, for flows run in other processes or on
 * devices. It listens on this machine only unless `--host` says otherwise; on the network it
 * should ask for a password and speak TLS, and it says so when it does not.
 */
import { readFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { isLoopback } from "../../runtime/net.js";
import { ExitCode, processStreams, type CommandStreams } from "../io.js";
import { portNumber, readableFile } from "../options.js";

export interface BrokerCommandOptions {
  /** Default 1883, 8883 with TLS; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1: this machine only. `0.0.0.0` for boards on the network. */
  readonly host?: string;
  /** The user clients must connect as; the password comes from `passwordFile` or FLOWC_BROKER_PASSWORD. */
  readonly username?: string;
  readonly passwordFile?: string;
  /** PEM certificate and key: MQTT over TLS. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

/**
 * Runs the embedded broker until `stop` resolves (by default, until SIGINT or SIGTERM) and
 * returns the exit code: 0 after a clean stop, 1 when it cannot listen, 2 when the options do not
 * go together (a user without a password, a certificate without its key).
 *
 * @example
 * process.exitCode = await brokerCommand({ port: 1883 });
 */
export async function brokerCommand(
  options: BrokerCommandOptions = {},
  streams: CommandStreams = processStreams,
  stop: Promise<unknown> = untilSignal(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  const usage = (message: string) => {
    streams.stderr.write(`flowc broker: ${message}\n`);
    return ExitCode.Usage;
  };
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey))
    return usage("--tls-cert and --tls-key go together: the certificate and its private key");
  const password = options.passwordFile
    ? readFileSync(options.passwordFile, "utf8").replace(/\r?\n$/, "")
    : env.FLOWC_BROKER_PASSWORD;
  if (options.username !== undefined && !password)
    return usage("--username needs a password: FLOWC_BROKER_PASSWORD=... or --password-file FILE");
  if (options.username === undefined && (options.passwordFile || password))
    return usage("a password without --username: say which user it is for");

  const host = options.host ?? "127.0.0.1";
  const { startEmbeddedBroker } = await import("../../runtime/broker.js");
  let broker;
  try {
    broker = await startEmbeddedBroker({
      host,
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.username !== undefined && password ? { credentials: { username: options.username, password } } : {}),
      ...(options.tlsCert && options.tlsKey
        ? { tls: { cert: readFileSync(options.tlsCert), key: readFileSync(options.tlsKey) } }
        : {}),
    });
  } catch (error) {
    streams.stderr.write(`flowc broker: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  streams.stderr.write(`flowc broker: listening on ${broker.host}:${broker.port} (${broker.url}); Ctrl-C stops it\n`);
  for (const warning of exposureWarnings(host, options)) streams.stderr.write(`flowc broker: warning: ${warning}\n`);
  await stop;
  await broker.close();
  streams.stderr.write("flowc broker: stopped\n");
  return ExitCode.Ok;
}

/** What is unsafe about listening on `host` with these options. */
function exposureWarnings(host: string, options: BrokerCommandOptions): string[] {
  if (isLoopback(host)) return [];
  const warnings = [`${host} is reachable from the network, not only from this machine`];
  if (options.username === undefined)
    warnings.push(
      "any client that reaches it may publish and subscribe: add --username (password in FLOWC_BROKER_PASSWORD)",
    );
  if (!options.tlsCert)
    warnings.push("traffic, passwords included, crosses the network in clear: add --tls-cert and --tls-key");
  return warnings;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/**
 * Adds `broker` to the `flowc` command line.
 *
 * @example
 * registerBrokerCommand(new Command("flowc"));
 */
export function registerBrokerCommand(program: Command, streams: CommandStreams = processStreams): Command {
  return program
    .command("broker")
    .summary("run an MQTT broker (the one `run --broker embedded` starts)")
    .description(
      "Run flowc's embedded MQTT broker (aedes) on its own until Ctrl-C, for flows run in other " +
        "processes (`flowc run --broker mqtt://127.0.0.1:1883`) and for devices on the network " +
        "(`--host 0.0.0.0`, with --username and TLS).",
    )
    .addOption(
      new Option("--port <port>", "port to listen on (default 1883, 8883 with TLS; 0: any free port)").argParser(
        portNumber,
      ),
    )
    .option("--host <host>", "interface to listen on (0.0.0.0: every interface, for boards on the LAN)", "127.0.0.1")
    .option(
      "--username <name>",
      "the user clients must connect as (password: FLOWC_BROKER_PASSWORD or --password-file)",
    )
    .addOption(new Option("--password-file <file>", "file holding the password for --username").argParser(readableFile))
    .addOption(
      new Option("--tls-cert <file>", "PEM certificate: speak MQTT over TLS (mqtts://)").argParser(readableFile),
    )
    .addOption(new Option("--tls-key <file>", "PEM private key of --tls-cert").argParser(readableFile))
    .addHelpText("after", "\nExit codes: 0 stopped cleanly, 1 cannot listen, 2 usage error.")
    .action(async (options: BrokerCommandOptions) => {
      process.exitCode = await brokerCommand(options, streams);
    });
}
