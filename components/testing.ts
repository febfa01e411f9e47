/**
 * Test support for Node component implementations: runs a small `.flow` text through the real
 * compiler and graph builder, with two test-only components in the registry:
 *
 * - `feed ["name"] [as Schema | type number|int|string|bool|json]`, a source the test pushes
 *   events into (SensorEvent unless told otherwise);
 * - `capture ["name"]`, a sink that records the events, and how the stream ended.
 *
 * Every real Node implementation (components/node.ts) is available, so an operator is tested
 * the way it runs: fused with its neighbours or not, with the graph's error guards and counters.
 */
import { compile } from "../compiler/index.js";
import type { IRProgram } from "../compiler/ir.js";
import { Registry, type ComponentDeclaration } from "../compiler/registry.js";
import { AnyType, scalarTypes, SensorEvent } from "../compiler/types.js";
import {
  componentKey,
  implementationLookup,
  type NodeImplementation,
  type Observer,
  type TextOutput,
} from "../runtime/component.js";
import { ConfigResolver } from "../runtime/config.js";
import { buildGraph, type Graph } from "../runtime/executor.js";
import { createLogger } from "../runtime/log.js";
import { Backpressure } from "../runtime/pressure.js";
import { Scheduler, systemClock, type Clock } from "../runtime/scheduler.js";
import type { NodeStats } from "../runtime/stats.js";
import { createStdlib } from "../runtime/stdlib-js.js";
import { allDeclarations } from "./declarations.js";
import { nodeImplementations } from "./node.js";

const feedTypes = ["number", "int", "string", "bool", "json"] as const;

/** The declarations of `feed` and `capture`. */
export const testDeclarations: readonly ComponentDeclaration[] = [
  {
    kind: "source",
    name: "feed",
    summary: "Test only: emits the events the test pushes.",
    params: [
      {
        name: "name",
        type: { kind: "string" },
        positional: true,
        default: { kind: "string", value: "feed" },
        doc: "How the test finds this feed.",
      },
      { name: "as", type: { kind: "schema" }, doc: "Events are records of this schema (default SensorEvent)." },
      { name: "type", type: { kind: "enum", values: feedTypes }, doc: "Events are scalars of this type, or JSON." },
    ],
    targets: ["node"],
    output: (ctx) => {
      const schema = ctx.params.get("as");
      if (schema?.kind === "schema") return schema.type;
      const type = ctx.params.get("type");
      if (type?.kind !== "enum") return SensorEvent;
      return type.value === "json" ? AnyType : scalarTypes.get(type.value)!;
    },
    example: 'feed "requests" type string -> capture',
  },
  {
    kind: "sink",
    name: "capture",
    summary: "Test only: records the events that reach it.",
    params: [
      {
        name: "name",
        type: { kind: "string" },
        positional: true,
        default: { kind: "string", value: "capture" },
        doc: "How the test finds this capture.",
      },
    ],
    targets: ["node"],
    example: "feed -> capture",
  },
];

/** The real components plus `feed` and `capture`, for compiling test flows. */
export const testRegistry = new Registry([...allDeclarations, ...testDeclarations]);

/** What reached a `capture` sink. */
export interface Capture {
  readonly events: unknown[];
  /** True once the stream completed normally. */
  completed: boolean;
  /** The error the stream ended with. */
  error: Error | undefined;
  /** True once the graph closed the sink. */
  closed: boolean;
}

/** A running test flow. */
export interface TestFlow {
  readonly program: IRProgram;
  readonly graph: Graph;
  /** The flow's shared scheduler (time windows put their tasks on it). */
  readonly scheduler: Scheduler;
  /** Log lines (bad-input reports, failures), each ending in "\n". */
  readonly log: string[];
  /** The output of feed `name`: push events with `next`, end with `completed` or `error`. */
  feed(name?: string): Observer;
  capture(name?: string): Capture;
  /** The counters of the `nth` node (from 0, in source order) of component `name` (`"json"`, `"avg"`). */
  stats(name: string, nth?: number): NodeStats;
  /** Completes every feed and waits until the flow is done; rejects with its failure. */
  finish(): Promise<void>;
}

export interface TestFlowOptions {
  /** Default: the real clock, which vitest's fake timers replace. */
  readonly clock?: Clock;
}

/**
 * Compiles `text` (which must check clean), builds its graph with every Node implementation plus
 * `feed` and `capture`, and starts it.
 *
 * @example
 * const flow = startFlow("feed -> delta 5 -> capture");
 * flow.feed().next({ sensor_id: "a", ts: 1, val: 10 });
 * await flow.finish();
 * flow.capture().events; // [{ sensor_id: "a", ts: 1, val: 10 }]
 */
export function startFlow(text: string, options: TestFlowOptions = {}): TestFlow {
  const { programs, diagnostics } = compile([{ path: "test.flow", text }], { registry: testRegistry });
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "error");
  const program = programs[0];
  if (errors.length > 0 || program === undefined)
    throw new Error(`the test flow does not compile:\n${errors.map((d) => `  ${d.code} ${d.message}`).join("\n")}`);

  const feeds = new Map<string, Observer>();
  const captures = new Map<string, Capture>();
  const implementations: NodeImplementation[] = [
    ...nodeImplementations,
    {
      key: componentKey("source", "feed"),
      source(_node, ctx, out) {
        feeds.set(ctx.params.string("name"), out);
        return { stop: async () => {} };
      },
    },
    {
      key: componentKey("sink", "capture"),
      sink(_node, ctx) {
        const capture: Capture = { events: [], completed: false, error: undefined, closed: false };
        captures.set(ctx.params.string("name"), capture);
        return {
          next: (event) => void capture.events.push(event),
          completed: () => void (capture.completed = true),
          error: (error) => void (capture.error = error),
          close: async () => void (capture.closed = true),
        };
      },
    },
  ];

  const clock = options.clock ?? systemClock;
  const log: string[] = [];
  const scheduler = new Scheduler({ clock, onError: (error) => log.push(`scheduled task failed: ${String(error)}\n`) });
  const stdout: TextOutput = { write: () => true, once: () => undefined };
  const graph = buildGraph(program, implementationLookup(implementations), {
    scheduler,
    clock,
    log: createLogger({ write: (line) => log.push(line) }),
    config: new ConfigResolver({ env: {} }),
    pressure: new Backpressure(),
    stdout,
    std: createStdlib(clock),
    seed: 1,
    mqtt: () => {
      throw new Error("test flows have no broker");
    },
  });
  graph.start();
  void graph.done.then(
    () => scheduler.stop(),
    () => scheduler.stop(),
  );

  const find = <T>(map: Map<string, T>, what: string, name: string): T => {
    const found = map.get(name);
    if (found === undefined)
      throw new Error(`the test flow has no ${what} "${name}" (it has ${[...map.keys()].join(", ") || "none"})`);
    return found;
  };
  return {
    program,
    graph,
    scheduler,
    log,
    feed: (name = "feed") => find(feeds, "feed", name),
    capture: (name = "capture") => find(captures, "capture", name),
    stats(name, nth = 0) {
      const indexes = program.nodes.flatMap((node, index) => (node.name === name ? [index] : []));
      const index = indexes[nth];
      if (index === undefined) throw new Error(`the test flow has no \`${name}\` node number ${nth}`);
      return graph.stats[index]!;
    },
    async finish() {
      for (const feed of feeds.values()) feed.completed();
      await graph.done;
    },
  };
}

/**
 * Runs a flow with one `feed` and one `capture` to the end: pushes `events`, completes the feed,
 * and returns what was captured. The capture must have seen the stream complete.
 *
 * @example
 * await runOperator("feed type number -> sum over 2 -> capture", [1, 2, 3, 4]); // [3, 7]
 */
export async function runOperator(text: string, events: Iterable<unknown>): Promise<unknown[]> {
  const flow = startFlow(text);
  const feed = flow.feed();
  for (const event of events) feed.next(event);
  await flow.finish();
  const capture = flow.capture();
  if (!capture.completed || !capture.closed)
    throw new Error(`the capture was not completed and closed (error: ${String(capture.error)})`);
  return capture.events;
}

/**
 * Runs a flow with one `feed` and one `capture` whose source fails after `events`: returns what
 * was captured and what the flow's `done` rejected with (undefined if it resolved).
 *
 * @example
 * const { capture, failure } = await runUntilUpstreamError("feed -> take 5 -> capture", [event], new Error("lost"));
 * capture.error?.message; // "lost"
 */
export async function runUntilUpstreamError(
  text: string,
  events: Iterable<unknown>,
  error: Error,
): Promise<{ capture: Capture; failure: unknown }> {
  const flow = startFlow(text);
  const feed = flow.feed();
  for (const event of events) feed.next(event);
  feed.error(error);
  const failure = await flow.graph.done.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  return { capture: flow.capture(), failure };
}

/** A SensorEvent, for short test inputs. */
export function sensorEvent(
  sensor_id: string,
  ts: number,
  val: number,
): { sensor_id: string; ts: number; val: number } {
  return { sensor_id, ts, val };
}
