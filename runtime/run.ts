/**
 * Running compiled programs on the host: assembles the shared services (scheduler, clock, MQTT
 * connections, config, logging, backpressure), builds one graph per program, starts them, and
 * tears everything down in order when they finish or are stopped: sources stop, sinks flush and
 * close, connections disconnect, the embedded broker (if any) closes.
 */
import { randomInt } from "node:crypto";
import { dirname } from "node:path";
import type { IRProgram } from "../compiler/ir.js";
import { nodeImplementations as allNodeImplementations } from "../components/node.js";
import { startEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from "./broker.js";
import { implementationLookup, type NodeImplementation, type TextOutput } from "./component.js";
import { ConfigResolver, missingConfig, MissingConfigError, type ConfigValue } from "./config.js";
import { buildGraph, type Graph, type RuntimeServices } from "./executor.js";
import { createLogger, type Logger, type LogLevel } from "./log.js";
import { brokerOptions, MqttConnections, type MqttConnection } from "./mqtt.js";
import { Backpressure } from "./pressure.js";
import { Scheduler, systemClock, type Clock } from "./scheduler.js";
import { startStatsPrinter, type NodeStats } from "./stats.js";
import { createStdlib } from "./stdlib-js.js";

export interface RunOptions {
  /** The components' Node implementations; default: every one in components/node.ts. */
  readonly implementations?: readonly NodeImplementation[];
  /**
   * `--broker`: a URL (`mqtt://host:port`, `mqtts://...`) replacing the address of every
   * program's broker setting, or `"embedded"` to start an MQTT broker in this process.
   */
  readonly broker?: string;
  /** Where the embedded broker listens (default 0.0.0.0:1883). */
  readonly embeddedBroker?: EmbeddedBrokerOptions;
  /** `--seed`: makes simulated sensors reproducible. Default: a random seed. */
  readonly seed?: number;
  /** Secrets by key (`--secrets FILE`, see config.ts); `FLOWC_SECRET_<KEY>` variables override them. */
  readonly secrets?: Readonly<Record<string, ConfigValue>>;
  /** Environment for `env(...)` and `FLOWC_SECRET_*`; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  /** Where `print` writes; default process.stdout. */
  readonly stdout?: TextOutput;
  /** Where log lines go; default process.stderr. */
  readonly stderr?: (line: string) => void;
  readonly logLevel?: LogLevel;
  /**
   * False (`--no-retry`): a broker that cannot be reached at start ends the run at once. Default:
   * retried with backoff, and the sources wait for their subscriptions.
   */
  readonly retry?: boolean;
  /** `--stats`: print the per-stage table to stderr this often (and once at the end). */
  readonly statsEveryMs?: number;
}

/** A started flow. */
export interface RunningFlow {
  /** Resolves when every source is live (subscriptions granted); rejects if one cannot start. */
  readonly ready: Promise<void>;
  /**
   * Resolves when every program has finished (its sources ended or were stopped, its sinks
   * flushed and closed) and everything is disconnected; rejects with the first failure.
   */
  readonly done: Promise<void>;
  /** Per-stage counters of every program, in program and node order. */
  readonly stats: readonly NodeStats[];
  /** The embedded broker's address, when one was started. */
  readonly brokerUrl?: string;
  /** Stops every source and resolves once the flow is done (whatever `done` settles to). */
  stop(): Promise<void>;
}

/**
 * Runs programs until their sources end or `stop()` is called. Everything that can be checked
 * before data flows is: missing secrets, unwritable output files, unreadable input files and
 * unknown components reject here, with a message naming the problem.
 *
 * @example
 * const { programs } = compile([{ path: "server.flow", text }]);
 * const flow = await runProgram(programs, { broker: "mqtt://127.0.0.1:1883" });
 * const disposeSignals = handleSignals(flow);
 * await flow.done;
 * disposeSignals();
 */
export async function runProgram(programs: readonly IRProgram[], options: RunOptions = {}): Promise<RunningFlow> {
  const clock = options.clock ?? systemClock;
  const log = createLogger({
    ...(options.stderr ? { write: options.stderr } : {}),
    ...(options.logLevel ? { level: options.logLevel } : {}),
  });
  const scheduler = new Scheduler({
    clock,
    onError: (error) => log.error(`a scheduled task failed: ${(error as Error).message}`),
  });
  const config = new ConfigResolver({
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  // Every missing secret at once, before anything touches the network. A device's wifi and pins
  // mean nothing on the host, and `--broker` replaces the files' brokers.
  const missing = missingConfig(
    programs.map((program) => ({
      nodes: program.nodes,
      broker: options.broker ? undefined : (program.broker ?? program.device?.nested.broker),
    })),
    config,
  );
  if (missing.length === 1) throw new MissingConfigError(missing[0]);
  if (missing.length > 1)
    throw new MissingConfigError(`${missing.length} values are not set:\n  ${missing.join("\n  ")}`);

  const pressure = new Backpressure();
  let graphs: Graph[] = [];
  const connections = new MqttConnections({
    log,
    pressure,
    retryAtStart: options.retry ?? true,
    onFatal: (error) => {
      for (const graph of graphs) graph.fail(error);
    },
  });

  let embedded: EmbeddedBroker | undefined;
  if (options.broker === "embedded") {
    embedded = await startEmbeddedBroker(options.embeddedBroker);
    log.info(
      `embedded MQTT broker listening on ${embedded.host}:${embedded.port}; other flows connect to it with --broker ${embedded.url}`,
    );
  }
  const brokerOverride = embedded?.url ?? options.broker;
  const programConnections = new Map<IRProgram, MqttConnection>();
  const services: RuntimeServices = {
    scheduler,
    clock,
    log,
    config,
    pressure,
    stdout: options.stdout ?? process.stdout,
    std: createStdlib(clock),
    seed: options.seed ?? randomInt(2 ** 31),
    mqtt: (program) => {
      let connection = programConnections.get(program);
      if (!connection) {
        const settings = program.broker ?? program.device?.nested.broker;
        connection = connections.get(brokerOptions(settings, config, brokerOverride, dirname(program.file)));
        programConnections.set(program, connection);
      }
      return connection;
    },
  };

  const shutDown = async () => {
    scheduler.stop();
    try {
      await connections.closeAll();
    } finally {
      await embedded?.close();
    }
  };

  // Sources that receive (subscriptions) start first, and the others once every subscription of
  // the run is granted: a device flow's first reading published at start-up then reaches the
  // server flow of the same run. Without receivers, everything starts now.
  let othersStarted: Promise<void> = Promise.resolve();
  try {
    const lookup = implementationLookup(options.implementations ?? allNodeImplementations);
    graphs = programs.map((program) => buildGraph(program, lookup, services));
    if (graphs.some((graph) => graph.receives)) {
      for (const graph of graphs) graph.start("receivers");
      othersStarted = Promise.all(graphs.map((graph) => graph.ready)).then(() => {
        for (const graph of graphs) graph.start("others");
      });
    } else {
      for (const graph of graphs) graph.start();
    }
  } catch (error) {
    await Promise.all(graphs.map((graph) => graph.stop()));
    await shutDown();
    throw error;
  }

  const stats = graphs.flatMap((graph) => graph.stats);
  const printer =
    options.statsEveryMs !== undefined
      ? startStatsPrinter(stats, {
          everyMs: options.statsEveryMs,
          clock,
          write: (text) => (options.stderr ?? ((t: string) => process.stderr.write(t)))(text),
        })
      : undefined;

  // One program failing ends the run: the others are stopped too.
  for (const graph of graphs) graph.done.catch(() => Promise.all(graphs.map((other) => other.stop())));
  const done = Promise.allSettled(graphs.map((graph) => graph.done)).then(async (outcomes) => {
    printer?.stop();
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    try {
      await shutDown();
    } catch (error) {
      // What could not be published is part of the story, but the failure that ended the run leads.
      if (!failure) throw error;
      log.error((error as Error).message);
    }
    if (failure) throw failure.reason;
  });
  done.catch(() => {});

  const ready = othersStarted.then(() => Promise.all(graphs.map((graph) => graph.ready))).then(() => undefined);
  ready.catch(() => {});

  return {
    ready,
    done,
    stats,
    ...(embedded ? { brokerUrl: embedded.url } : {}),
    stop: async () => {
      await Promise.all(graphs.map((graph) => graph.stop()));
      await done.catch(() => {});
    },
  };
}

export interface SignalOptions {
  readonly log?: Logger;
  /**
   * A repeat of the signal within this long of the first continues the flush: `timeout -s INT`,
   * a process manager or a terminal may send two at once. Default 1000 ms.
   */
  readonly graceMs?: number;
  /** Milliseconds on some monotonic clock; default performance.now. */
  readonly now?: () => number;
  /** Called on a second signal, when the user does not want to wait; default: process.exit(130). */
  readonly forceExit?: () => void;
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * Makes Ctrl-C (SIGINT) and SIGTERM stop the flow cleanly: sources stop, files are flushed,
 * connections closed; the caller awaits `flow.done` and exits 0. A second signal exits at once,
 * unless it came within `graceMs` of the first (two sent together are one request to stop).
 * Returns a function that removes the handlers.
 *
 * @example
 * const flow = await runProgram(programs);
 * const dispose = handleSignals(flow);
 * try { await flow.done; process.exitCode = 0; } catch (error) { console.error(error.message); process.exitCode = 1; }
 * dispose();
 */
export function handleSignals(flow: RunningFlow, options: SignalOptions = {}): () => void {
  const log = options.log ?? createLogger();
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  const graceMs = options.graceMs ?? 1000;
  const now = options.now ?? (() => performance.now());
  let stoppingSince: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (now() - stoppingSince < graceMs) {
        log.info(
          `${signal} again within ${graceMs / 1000}s of the first: still flushing (send it again later to exit at once)`,
        );
        return;
      }
      log.warn(`${signal} again: exiting without flushing`);
      (options.forceExit ?? (() => process.exit(130)))();
      return;
    }
    stoppingSince = now();
    log.info(`${signal}: stopping (flushing files and disconnecting; press Ctrl-C again to exit at once)`);
    void flow.stop();
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
