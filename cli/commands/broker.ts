/**
 * `flowc broker [--port N] [--host H]`: the MQTT broker `flowc run --broker embedded` starts,
 * on its own, for flows run in other processes or on devices.
 */
import { Option, type Command } from "commander";
import { ExitCode, processStreams, type CommandStreams } from "../io.js";

export interface BrokerCommandOptions {
  /** Default 1883; 0 picks a free port. */
  readonly port?: number;
  /** Default 0.0.0.0, so devices on the network can connect. */
  readonly host?: string;
}

/**
 * Runs the embedded broker until `stop` resolves (by default, until SIGINT or SIGTERM) and
 * returns the exit code: 0 after a clean stop, 1 when it cannot listen.
 *
 * @example
 * process.exitCode = await brokerCommand({ port: 1883 });
 */
export async function brokerCommand(
  options: BrokerCommandOptions = {},
  streams: CommandStreams = processStreams,
  stop: Promise<unknown> = untilSignal(),
): Promise<ExitCode> {
  const { startEmbeddedBroker } = await import("../../runtime/broker.js");
  let broker;
  try {
    broker = await startEmbeddedBroker({ port: options.port ?? 1883, host: options.host ?? "0.0.0.0" });
  } catch (error) {
    streams.stderr.write(`flowc broker: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  streams.stderr.write(`flowc broker: listening on ${broker.host}:${broker.port} (${broker.url}); Ctrl-C stops it\n`);
  await stop;
  await broker.close();
  streams.stderr.write("flowc broker: stopped\n");
  return ExitCode.Ok;
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

const port = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new Error(`--port must be 0..65535, not "${value}"`);
  return parsed;
};

/**
 * Adds `broker` to the `flowc` command line.
 *
 * @example
 * registerBrokerCommand(new Command("flowc"));
 */
export function registerBrokerCommand(program: Command): Command {
  return program
    .command("broker")
    .summary("run an MQTT broker (the one `run --broker embedded` starts)")
    .description(
      "Run flowc's embedded MQTT broker (aedes) on its own until Ctrl-C, for flows run in other " +
        "processes (`flowc run --broker mqtt://127.0.0.1:1883`) and for devices on the network.",
    )
    .addOption(new Option("--port <port>", "port to listen on (0: any free port)").argParser(port).default(1883))
    .option("--host <host>", "interface to listen on", "0.0.0.0")
    .action(async (options: BrokerCommandOptions) => {
      process.exitCode = await brokerCommand(options);
    });
}
