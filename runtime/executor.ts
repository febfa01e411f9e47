/**
 * From an IR program to a running dataflow graph: sources push events through operators into
 * sinks. Consecutive stateless operators are fused into one generated function (no call, closure
 * or allocation per stage); every stage is guarded so that an event that throws is counted and
 * reported, never fatal; completion flows downstream and a node completes when all its inputs
 * have.
 */
import { dirname } from "node:path";
import type { IRNode, IRProgram } from "../compiler/ir.js";
import { componentKey } from "../compiler/registry.js";
import { badInputReporter, ProblemReporter } from "./bad-input.js";
import type {
  FuseContext,
  ImplementationLookup,
  NodeImplementation,
  Observer,
  RunningSource,
  RuntimeContext,
  Sink,
  TextOutput,
} from "./component.js";
import type { ConfigResolver } from "./config.js";
import { compileExpression } from "./compile-expression.js";
import type { Logger } from "./log.js";
import type { MqttConnection } from "./mqtt.js";
import { NodeParams } from "./node-params.js";
import type { Backpressure } from "./pressure.js";
import type { Clock, Scheduler } from "./scheduler.js";
import { Random, seedFor } from "./simulated-sensors.js";
import { NodeStats } from "./stats.js";
import type { RuntimeStdlib } from "./stdlib-js.js";

/** What the graph shares between its nodes' contexts; {@link ./run.ts} assembles it. */
export interface RuntimeServices {
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: ConfigResolver;
  readonly pressure: Backpressure;
  readonly stdout: TextOutput;
  readonly std: RuntimeStdlib;
  /** The run's `--seed`; each node derives its own stream from it. */
  readonly seed: number;
  /** The connection to a program's broker. */
  readonly mqtt: (program: IRProgram) => MqttConnection;
}

/** Which sources {@link Graph.start} starts. */
export type SourceSelection = "all" | "receivers" | "others";

/** A built graph. Build, then `start()`; `stop()` or the sources' own end finishes it. */
export interface Graph {
  readonly program: IRProgram;
  /** One entry per IR node, in IR order. */
  readonly stats: readonly NodeStats[];
  /**
   * Starts the sources: all of them, or those that receive (`"receivers"`, see
   * {@link NodeImplementation.receives}) or the others (`"others"`). Throws (after stopping those
   * already started) when one cannot start; a source stopped before it started stays stopped.
   */
  start(which?: SourceSelection): void;
  /** True when some source receives (an MQTT subscription). */
  readonly receives: boolean;
  /** Resolves when every started source is live; rejects when one cannot become live. */
  readonly ready: Promise<void>;
  /** Stops the sources and resolves once the graph is done (its outcome is `done`'s). */
  stop(): Promise<void>;
  /** Ends the graph with an error: stops it, and `done` rejects with `error`. */
  fail(error: Error): void;
  /**
   * Resolves when every sink has completed and closed; rejects with the first failure (a stream
   * that ended in error, a component's `fail`, a sink that could not close).
   */
  readonly done: Promise<void>;
}

/** An error message for logs, without a stack. */
function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
}

/** Counts the inputs of a stage still open; runs `finish` when the last one ends. */
class InputGate {
  private firstError: Error | undefined;

  constructor(
    private remaining: number,
    private readonly finish: (error: Error | undefined) => void,
  ) {}

  completed(): void {
    if (this.remaining > 0 && --this.remaining === 0) this.finish(this.firstError);
  }

  error(error: Error): void {
    this.firstError ??= error;
    this.completed();
  }
}

/** The `out` a source or operator emits into: counts, and ends at most once. */
class Emitter implements Observer {
  private ended = false;

  constructor(
    private readonly stats: NodeStats,
    private readonly target: Observer,
  ) {}

  next(event: unknown): void {
    if (this.ended) return;
    this.stats.out++;
    this.target.next(event);
  }

  completed(): void {
    if (this.ended) return;
    this.ended = true;
    this.target.completed();
  }

  error(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.target.error(error);
  }
}

/** Sends each event and the end of the stream to several observers. */
class FanOut implements Observer {
  constructor(private readonly targets: readonly Observer[]) {}

  next(event: unknown): void {
    for (const target of this.targets) target.next(event);
  }

  completed(): void {
    for (const target of this.targets) target.completed();
  }

  error(error: Error): void {
    for (const target of this.targets) target.error(error);
  }
}

/** The input of a stage whose observer is a component's: counts and guards each event. */
class GuardedInput implements Observer {
  constructor(
    private readonly stats: NodeStats,
    private readonly inner: Observer,
    private readonly failures: ProblemReporter,
    private readonly gate: InputGate,
  ) {}

  next(event: unknown): void {
    this.stats.in++;
    try {
      this.inner.next(event);
    } catch (error) {
      this.failures.report(event, describeError(error));
    }
  }

  completed(): void {
    this.gate.completed();
  }

  error(error: Error): void {
    this.gate.error(error);
  }
}

interface SourceEntry {
  readonly node: IRNode;
  readonly implementation: NodeImplementation;
  readonly context: RuntimeContext;
  readonly emitter: Emitter;
  running?: RunningSource;
  stopped: boolean;
}

/**
 * Orders nodes so that every node comes after the nodes it reads from: its inputs and the
 * streams it samples.
 */
function topologicalOrder(nodes: readonly IRNode[], sideInputs: ReadonlyMap<string, readonly string[]>): IRNode[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const pending = new Map(
    nodes.map((node) => [node.id, node.previous.length + (sideInputs.get(node.id)?.length ?? 0)]),
  );
  const readers = new Map<string, string[]>();
  for (const node of nodes) {
    for (const from of [...node.previous, ...(sideInputs.get(node.id) ?? [])]) {
      if (!byId.has(from)) throw new Error(`${node.id} ${node.label} reads from ${from}, which is not in the program`);
      readers.set(from, [...(readers.get(from) ?? []), node.id]);
    }
  }
  const ready = nodes.filter((node) => pending.get(node.id) === 0);
  const order: IRNode[] = [];
  while (ready.length > 0) {
    const node = ready.shift()!;
    order.push(node);
    for (const reader of readers.get(node.id) ?? []) {
      const left = pending.get(reader)! - 1;
      pending.set(reader, left);
      if (left === 0) ready.push(byId.get(reader)!);
    }
  }
  if (order.length !== nodes.length) throw new Error("the program's graph has a cycle");
  return order;
}

/** Node ids named by a node's `streams` parameters that are not among its inputs: side inputs such as `sample`'s. */
/**
 * The streams a node reads besides its input. A source's streams are its inputs (`merge`); an
 * operator's are side inputs even when one is also its input (`lux -> sample lux`).
 */
function sideInputsOf(node: IRNode): string[] {
  if (node.kind === "source") return [];
  const ids: string[] = [];
  for (const value of Object.values(node.params)) if (value.kind === "streams") ids.push(...value.ids);
  return ids;
}

/**
 * Builds the runnable graph of one program.
 *
 * @example
 * const graph = buildGraph(program, implementationLookup(nodeImplementations), services);
 * graph.start();
 * await graph.ready;
 * // ... later
 * await graph.stop();
 * await graph.done;
 */
export function buildGraph(
  program: IRProgram,
  implementations: ImplementationLookup,
  services: RuntimeServices,
): Graph {
  return new GraphBuilder(program, implementations, services).build();
}

class GraphBuilder {
  private readonly byId: ReadonlyMap<string, IRNode>;
  /** Per node, the nodes it reads as side inputs. */
  private readonly sideInputs = new Map<string, string[]>();
  /** Nodes some other node reads as a side input. */
  private readonly sideInputSources = new Set<string>();
  /** Observers of a node's output besides its `next` nodes (side inputs), by node id. */
  private readonly sideObservers = new Map<string, Observer[]>();
  private readonly inputs = new Map<string, Observer>();
  private readonly contexts = new Map<string, RuntimeContext>();
  private readonly failureReporters = new Map<string, ProblemReporter>();
  private readonly statsById: ReadonlyMap<string, NodeStats>;
  private readonly sources: SourceEntry[] = [];
  private terminals = 0;
  private finishedTerminals = 0;
  private failure: Error | undefined;
  private stopping: Promise<void> | undefined;
  private settled = false;
  private resolveDone!: () => void;
  private rejectDone!: (error: Error) => void;
  private readonly done = new Promise<void>((resolve, reject) => {
    this.resolveDone = resolve;
    this.rejectDone = reject;
  });
  private readonly graph: Graph;

  constructor(
    private readonly program: IRProgram,
    private readonly implementations: ImplementationLookup,
    private readonly services: RuntimeServices,
  ) {
    this.byId = new Map(program.nodes.map((node) => [node.id, node]));
    this.statsById = new Map(program.nodes.map((node) => [node.id, new NodeStats(node.id, node.label)]));
    // `done` may reject before anyone awaits it; the rejection is delivered to whoever does.
    this.done.catch(() => {});
    let readyPromise: Promise<void> = Promise.resolve();
    const start = (which: SourceSelection = "all") => {
      const started = this.start(which);
      const before = readyPromise;
      readyPromise = Promise.all([before, started]).then(() => undefined);
      readyPromise.catch(() => {});
    };
    const sources = this.sources;
    const stop = () => this.stop();
    const fail = (error: Error) => this.fail(error);
    this.graph = {
      program,
      stats: program.nodes.map((node) => this.statsFor(node)),
      start,
      get receives() {
        return sources.some((entry) => entry.implementation.receives === true);
      },
      get ready() {
        return readyPromise;
      },
      stop,
      fail,
      done: this.done,
    };
  }

  build(): Graph {
    for (const node of this.program.nodes) {
      const side = sideInputsOf(node);
      if (side.length > 0) this.sideInputs.set(node.id, side);
      for (const id of side) this.sideInputSources.add(id);
    }
    const order = topologicalOrder(this.program.nodes, this.sideInputs);
    const chains = this.fusedChains(order);
    const built = new Set<string>();
    for (const node of [...order].reverse()) {
      if (built.has(node.id)) continue;
      const chain = chains.get(node.id);
      if (chain) {
        this.buildFusedChain(chain);
        for (const member of chain) built.add(member.id);
      } else {
        this.buildNode(node);
        built.add(node.id);
      }
    }
    return this.graph;
  }

  private statsFor(node: IRNode): NodeStats {
    return this.statsById.get(node.id)!;
  }

  private implementation(node: IRNode): NodeImplementation {
    const key = componentKey(node.kind, node.name);
    const implementation = this.implementations(key);
    if (!implementation) throw new Error(`${node.label}: no Node implementation for ${key}`);
    return implementation;
  }

  /** Nodes with inputs: operators, and sources that read `let` streams (`merge`). */
  private hasInputs(node: IRNode): boolean {
    return node.previous.length > 0;
  }

  private fusable(node: IRNode): boolean {
    return this.hasInputs(node) && this.implementation(node).fuse !== undefined;
  }

  /**
   * Maximal runs of fusable nodes joined one-to-one (the upstream node's only consumer is the
   * downstream node, which has no other input), keyed by the id of their last node.
   */
  private fusedChains(order: readonly IRNode[]): Map<string, IRNode[]> {
    const chains = new Map<string, IRNode[]>();
    const linksOneToOne = (from: IRNode, to: IRNode) =>
      from.next.length === 1 && to.previous.length === 1 && !this.sideInputSources.has(from.id);
    const member = new Set<string>();
    for (const node of order) {
      if (member.has(node.id) || !this.fusable(node)) continue;
      const chain = [node];
      member.add(node.id);
      let current = node;
      for (;;) {
        const next = current.next.length === 1 ? this.byId.get(current.next[0]!) : undefined;
        if (!next || !this.fusable(next) || !linksOneToOne(current, next)) break;
        chain.push(next);
        member.add(next.id);
        current = next;
      }
      chains.set(current.id, chain);
    }
    return chains;
  }

  /**
   * Where a node's output goes: any side observers, then its `next` nodes' inputs. Side observers
   * come first so that what reads the node as a side input has seen an event before the node's
   * own consumers react to it: `lux -> sample lux` gives each event, not the one before.
   */
  private targetOf(node: IRNode): Observer | undefined {
    const targets = [...(this.sideObservers.get(node.id) ?? []), ...node.next.map((id) => this.inputs.get(id)!)];
    if (targets.length === 0) return undefined;
    return targets.length === 1 ? targets[0]! : new FanOut(targets);
  }

  /** The output of a node nobody reads: it still has to report its completion. */
  private terminalTarget(): Observer {
    this.terminals++;
    return {
      next() {},
      completed: () => this.terminalFinished(),
      error: (error) => {
        this.recordFailure(error);
        this.terminalFinished();
      },
    };
  }

  private context(node: IRNode): RuntimeContext {
    const existing = this.contexts.get(node.id);
    if (existing) return existing;
    const { services, program } = this;
    const stats = this.statsFor(node);
    const log = services.log.child(node.label);
    const context: RuntimeContext = {
      node,
      program,
      params: new NodeParams(node, services.config, dirname(program.file)),
      stats,
      log,
      badInput: badInputReporter(log, stats, services.clock),
      scheduler: services.scheduler,
      clock: services.clock,
      random: new Random(seedFor(services.seed, `${program.file}#${node.id}`)),
      std: services.std,
      config: services.config,
      pressure: services.pressure,
      stdout: services.stdout,
      mqtt: () => services.mqtt(program),
      fail: (error) => this.fail(error),
      observe: (id, observer) => this.observe(node, id, observer),
    };
    this.contexts.set(node.id, context);
    return context;
  }

  private observe(reader: IRNode, id: string, observer: Observer): void {
    if (!this.sideInputs.get(reader.id)?.includes(id)) {
      throw new Error(`${reader.label} observes ${id}, which none of its \`streams\` parameters names`);
    }
    this.sideObservers.set(id, [...(this.sideObservers.get(id) ?? []), observer]);
  }

  private failures(node: IRNode): ProblemReporter {
    let reporter = this.failureReporters.get(node.id);
    if (!reporter) {
      const stats = this.statsFor(node);
      reporter = new ProblemReporter({
        log: this.context(node).log,
        clock: this.services.clock,
        noun: ["an event that failed", "events that failed"],
        onProblem: () => {
          stats.errors++;
        },
      });
      this.failureReporters.set(node.id, reporter);
    }
    return reporter;
  }

  private buildNode(node: IRNode): void {
    const implementation = this.implementation(node);
    const context = this.context(node);
    const stats = this.statsFor(node);
    if (node.kind === "sink") {
      if (!implementation.sink)
        throw new Error(`${node.label}: the Node implementation of ${implementation.key} has no \`sink\``);
      const sink = implementation.sink(node, context);
      this.terminals++;
      const gate = new InputGate(node.previous.length, (error) => this.finishSink(node, sink, error));
      this.inputs.set(node.id, new GuardedInput(stats, sink, this.failures(node), gate));
      return;
    }
    const emitter = new Emitter(stats, this.targetOf(node) ?? this.terminalTarget());
    if (!this.hasInputs(node)) {
      if (!implementation.source)
        throw new Error(`${node.label}: the Node implementation of ${implementation.key} has no \`source\``);
      this.sources.push({ node, implementation, context, emitter, stopped: false });
      return;
    }
    if (!implementation.operator)
      throw new Error(
        `${node.label}: the Node implementation of ${implementation.key} has neither \`operator\` nor \`fuse\``,
      );
    const operator = implementation.operator(node, context, emitter);
    const gate = new InputGate(node.previous.length, (error) => {
      try {
        if (error) operator.error(error);
        else operator.completed();
      } catch (thrown) {
        context.log.error(`failed while finishing: ${describeError(thrown)}`);
      } finally {
        // An operator that forgot to pass the end on must not keep the flow from finishing.
        if (error) emitter.error(error);
        else emitter.completed();
      }
    });
    this.inputs.set(node.id, new GuardedInput(stats, operator, this.failures(node), gate));
  }

  /** One generated function for a chain of fused stages. */
  private buildFusedChain(chain: readonly IRNode[]): void {
    const first = chain[0]!;
    const last = chain[chain.length - 1]!;
    const target = this.targetOf(last) ?? this.terminalTarget();
    const constantNames: string[] = [];
    const constantValues: unknown[] = [];
    const bind = (hint: string, value: unknown) => {
      const name = `${hint.replace(/[^A-Za-z0-9_$]/g, "_")}_${constantNames.length}`;
      constantNames.push(name);
      constantValues.push(value);
      return name;
    };
    const std = bind("std", this.services.std);
    const down = bind("down", target);
    const stats = chain.map((node) => bind("stats", this.statsFor(node)));
    const reporters = chain.map((node) => this.failures(node));
    const fail = bind("fail", (at: number, error: unknown, event: unknown) =>
      reporters[at]!.report(event, describeError(error)),
    );
    const body = chain.map((node, i) => {
      const runtime = this.context(node);
      const js: FuseContext = {
        event: "e",
        runtime,
        constant: bind,
        expression: (expr) =>
          compileExpression(expr, {
            event: "e",
            std,
            config: (reference) =>
              bind("config", this.services.config.reference(reference.source, reference.key, reference.fallback)),
          }),
      };
      const fragment = this.implementation(node).fuse!(node, js);
      return `    at = ${i};\n    ${stats[i]}.in++;\n    {\n${fragment.code}\n    }\n    ${stats[i]}.out++;`;
    });
    const source = `"use strict";\nreturn function fused(e) {\n  let at = 0;\n  try {\n${body.join("\n")}\n  } catch (error) {\n    ${fail}(at, error, e);\n    return;\n  }\n  ${down}.next(e);\n};`;
    let next: (event: unknown) => void;
    try {
      next = new Function(...constantNames, source)(...constantValues) as (event: unknown) => void;
    } catch (error) {
      throw new Error(
        `${chain.map((node) => node.label).join(" -> ")}: the fused code does not compile (${describeError(error)}):\n${source}`,
      );
    }
    const gate = new InputGate(first.previous.length, (error) => (error ? target.error(error) : target.completed()));
    this.inputs.set(first.id, { next, completed: () => gate.completed(), error: (error) => gate.error(error) });
  }

  private finishSink(node: IRNode, sink: Sink, error: Error | undefined): void {
    const context = this.context(node);
    if (error) this.recordFailure(error);
    try {
      if (error) sink.error(error);
      else sink.completed();
    } catch (thrown) {
      context.log.error(`failed while finishing: ${describeError(thrown)}`);
    }
    sink.close().then(
      () => this.terminalFinished(),
      (closeError: unknown) => {
        this.recordFailure(closeError instanceof Error ? closeError : new Error(String(closeError)));
        this.terminalFinished();
      },
    );
  }

  private start(which: SourceSelection): Promise<void> {
    const ready: Promise<void>[] = [];
    for (const entry of this.sources) {
      // Stopped before it started (the run ended while subscriptions were still being granted).
      if (entry.stopped) continue;
      if (which !== "all" && (entry.implementation.receives === true) !== (which === "receivers")) continue;
      try {
        entry.running = entry.implementation.source!(entry.node, entry.context, entry.emitter);
      } catch (error) {
        const failure = new Error(`${entry.node.label}: ${describeError(error)}`, { cause: error });
        this.fail(failure);
        throw failure;
      }
      if (entry.running.ready) ready.push(entry.running.ready);
    }
    return Promise.all(ready).then(() => undefined);
  }

  private stop(): Promise<void> {
    this.stopping ??= this.stopSources().then(() => {
      if (this.terminals === 0) this.settle();
    });
    return this.stopping.then(() =>
      this.done.then(
        () => undefined,
        () => undefined,
      ),
    );
  }

  private async stopSources(): Promise<void> {
    await Promise.all(
      this.sources.map(async (entry) => {
        if (entry.stopped) return;
        entry.stopped = true;
        try {
          await entry.running?.stop();
        } catch (error) {
          entry.context.log.error(`failed to stop: ${describeError(error)}`);
        }
        entry.emitter.completed();
      }),
    );
  }

  fail(error: Error): void {
    this.recordFailure(error);
    void this.stop();
  }

  private recordFailure(error: Error): void {
    this.failure ??= error;
  }

  private terminalFinished(): void {
    if (++this.finishedTerminals < this.terminals) return;
    // Every sink is done: release what sources still hold (a subscription feeding only a side input).
    void this.stopSources().then(() => this.settle());
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    for (const reporter of this.failureReporters.values()) reporter.flush();
    for (const context of this.contexts.values()) context.badInput.flush();
    if (this.failure) this.rejectDone(this.failure);
    else this.resolveDone();
  }
}
