/**
 * The contract between the Node runtime and component implementations. Each
 * `components/<name>/node.ts` exports `nodeImplementations: NodeImplementation[]`; the graph
 * builder ({@link ./graph.ts}) looks them up by {@link componentKey} and wires them together.
 *
 * Events are plain values: scalars, or objects with a record type's fields in declaration order
 * (`{ sensor_id, ts, val }`). Events are shared between fan-out branches, so implementations must
 * treat the events they receive as immutable and emit new objects instead of editing them.
 */
import type { IRNode, IRProgram } from "../compiler/ir.js";
import type { TypedExpression } from "../compiler/typed.js";
import type { ProblemReporter } from "./bad-input.js";
import type { ConfigResolver } from "./config.js";
import type { Logger } from "./log.js";
import type { MqttConnection } from "./mqtt.js";
import type { NodeParams } from "./node-params.js";
import type { Backpressure } from "./pressure.js";
import type { Clock, Scheduler } from "./scheduler.js";
import type { Random } from "./simulated-sensors.js";
import type { NodeStats } from "./stats.js";
import type { RuntimeStdlib } from "./stdlib-js.js";

export { componentKey } from "../compiler/registry.js";

/**
 * Receives a stream of events, as ThingFlow's InputThing (`on_next`, `on_completed`, `on_error`).
 * After `completed` or `error` no more calls arrive.
 */
export interface Observer<T = unknown> {
  next(event: T): void;
  /** The stream ended normally. */
  completed(): void;
  /** The stream ended because its source failed (a file that cannot be read, a lost subscription). */
  error(error: Error): void;
}

/** A sink: an observer that may hold buffered output until closed. */
export interface Sink<T = unknown> extends Observer<T> {
  /**
   * Called once after `completed`/`error`: flush and release everything (files, connections).
   * The flow is done when every sink's `close` has resolved.
   */
  close(): Promise<void>;
}

/** A started source. */
export interface RunningSource {
  /** Resolves when the source is live (subscribed, file opened); rejects when it cannot start. */
  readonly ready?: Promise<void>;
  /**
   * Stops emitting. The runtime completes the source's stream afterwards, unless the source has
   * already called `completed()` or `error()` on its output itself (as at the end of a file).
   */
  stop(): Promise<void>;
}

/**
 * JavaScript statements for a stateless operator, run inside one generated function per chain of
 * fused stages. The code reads and may reassign the event variable (`e`), and drops the event
 * with `return;`. It runs in its own block, so `const`/`let` declarations stay local.
 *
 * @example
 * // filter
 * { code: `if (!(${js.expression(condition)})) return;` }
 * // map
 * { code: `e = ${js.expression(expr)};` }
 */
export interface FusedFragment {
  readonly code: string;
}

/** What a `fuse` hook gets to write its fragment. */
export interface FuseContext {
  /** The name of the event variable: `e`. */
  readonly event: string;
  /** Compiles an expression over the event (see {@link ./expressions.ts}). */
  expression(expr: TypedExpression): string;
  /**
   * Passes a value into the generated function and returns the identifier to use for it.
   * Constants are bound once, when the function is created, never per event.
   *
   * @example
   * const decode = js.constant("decoder", decoderFor(schema));
   * const bad = js.constant("bad", js.runtime.badInput);
   * return { code: `const text = e; e = ${decode}.decode(text); if (e === undefined) { ${bad}.report(text, ${decode}.reason); return; }` };
   */
  constant(hint: string, value: unknown): string;
  /** The node's runtime context: its stats, bad-input reporter, clock, parameters. */
  readonly runtime: RuntimeContext;
}

/** Where `print` writes: process.stdout, or a stream a test or embedder provides. */
export interface TextOutput {
  write(text: string): boolean;
  /** `drain` once a full output takes more; `close` when it takes nothing more (a closed pipe). */
  once(event: "drain" | "close", listener: () => void): unknown;
  /** True once the output is closed, as a stream's `destroyed`. */
  readonly destroyed?: boolean;
}

/**
 * What the runtime gives each node's implementation. One context per node: `stats`, `log`,
 * `badInput`, `random` and `params` are the node's own; the rest is shared by the flow.
 */
export interface RuntimeContext {
  readonly node: IRNode;
  readonly program: IRProgram;
  /** The node's parameters, typed, with `secret`/`env` resolved. */
  readonly params: NodeParams;
  readonly stats: NodeStats;
  /** Lines on stderr naming this node. */
  readonly log: Logger;
  /** Counts (in `stats.dropped`) and reports, rate-limited, input this node cannot use. */
  readonly badInput: ProblemReporter;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  /** Seeded from `--seed` and the node's id, so each node has its own reproducible sequence. */
  readonly random: Random;
  /** The run-time standard library compiled expressions use (`now()` reads `clock`). */
  readonly std: RuntimeStdlib;
  readonly config: ConfigResolver;
  /** Sinks block it while saturated; sources that can pause wait on it. */
  readonly pressure: Backpressure;
  readonly stdout: TextOutput;
  /** The connection to this program's broker, opened on first use and shared by its nodes. */
  mqtt(): MqttConnection;
  /**
   * Ends the whole flow with an error the user must act on (bad credentials, an unreadable
   * file): sources stop, sinks flush, and `RunningFlow.done` rejects with it.
   */
  fail(error: Error): void;
  /**
   * Receives the events of another node's output: a side input such as `sample`'s stream. Only
   * nodes named by this node's `streams` parameters may be observed, and only while the
   * implementation is being created (before sources start). The side input's end does not end
   * this node.
   */
  observe(nodeId: string, observer: Observer): void;
}

/**
 * A component's Node implementation. Provide the hooks that match the declaration's kind: a
 * source provides `source`; an operator `operator`, and also `fuse` when it is stateless (fused
 * stages run without a call or an allocation per stage); a sink `sink`.
 *
 * @example
 * export const nodeImplementations: NodeImplementation[] = [
 *   {
 *     key: componentKey("operator", "filter"),
 *     fuse: (node, js) => ({ code: `if (!(${js.expression(js.runtime.params.expression("condition"))})) return;` }),
 *   },
 * ];
 */
export interface NodeImplementation {
  /** `componentKey(kind, name)`: `source:mqtt`, `operator:filter`, `sink:csv`. */
  readonly key: string;
  fuse?(node: IRNode, js: FuseContext): FusedFragment;
  /** Starts the source; it emits into `out` until stopped or exhausted. */
  source?(node: IRNode, ctx: RuntimeContext, out: Observer): RunningSource;
  /**
   * True for a source that receives what others send (an MQTT subscription). Every such source
   * of the run starts, and is live, before any other source starts, so that what a flow produces
   * at start-up (a device flow's first reading) is not sent before its receivers listen.
   */
  readonly receives?: boolean;
  /** Returns the observer that receives the operator's input; results go to `out`. */
  operator?(node: IRNode, ctx: RuntimeContext, out: Observer): Observer;
  sink?(node: IRNode, ctx: RuntimeContext): Sink;
}

/** Finds implementations by key. */
export type ImplementationLookup = (key: string) => NodeImplementation | undefined;

/**
 * Indexes implementations by key, refusing duplicates.
 *
 * @example
 * const lookup = implementationLookup(nodeImplementations);
 * lookup(componentKey("sink", "print"));
 */
export function implementationLookup(implementations: Iterable<NodeImplementation>): ImplementationLookup {
  const byKey = new Map<string, NodeImplementation>();
  for (const implementation of implementations) {
    if (byKey.has(implementation.key)) throw new Error(`two Node implementations for ${implementation.key}`);
    byKey.set(implementation.key, implementation);
  }
  return (key) => byKey.get(key);
}
