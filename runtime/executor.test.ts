import { describe, expect, it } from "vitest";
import type { IRNode, IRProgram } from "../compiler/ir.js";
import type { ParamValue } from "../compiler/registry.js";
import type { TypedExpression } from "../compiler/typed.js";
import { BoolType, IntType, StringType, type FlowType } from "../compiler/types.js";
import { componentKey, implementationLookup, type NodeImplementation, type Observer } from "./component.js";
import { ConfigResolver } from "./config.js";
import { buildGraph, type RuntimeServices } from "./executor.js";
import { createLogger } from "./log.js";
import { ManualClock } from "./manual-clock.js";
import { Backpressure } from "./pressure.js";
import { Scheduler } from "./scheduler.js";
import { createStdlib } from "./stdlib-js.js";

const span = { file: "test.flow", start: 0, end: 0 };

/** An IR node; edges are filled in by `program`. */
function node(
  id: string,
  kind: IRNode["kind"],
  name: string,
  params: Record<string, ParamValue> = {},
  types: { input?: FlowType; output?: FlowType } = {},
): IRNode {
  return { id, kind, name, params, ...types, next: [], previous: [], label: `${name} ${id}`, span };
}

/** A program from nodes and `from->to` edges. */
function program(nodes: IRNode[], edges: [string, string][]): IRProgram {
  const next = new Map<string, string[]>();
  const previous = new Map<string, string[]>();
  for (const [from, to] of edges) {
    next.set(from, [...(next.get(from) ?? []), to]);
    previous.set(to, [...(previous.get(to) ?? []), from]);
  }
  return {
    file: "test.flow",
    nodes: nodes.map((n) => ({ ...n, next: next.get(n.id) ?? [], previous: previous.get(n.id) ?? [] })),
    schemas: [],
    topics: [],
  };
}

const values = (items: unknown[]): Record<string, ParamValue> => ({
  items: { kind: "string", value: JSON.stringify(items) },
});
const expression = (expr: TypedExpression): ParamValue => ({ kind: "expression", expr });
const it_: TypedExpression = { kind: "event", type: IntType };
const lit = (value: number): TypedExpression => ({ kind: "literal", value, type: IntType });

interface Collected {
  events: unknown[];
  ended?: "completed" | string;
  closed: boolean;
}

/** Test components: sources that emit lists or ticks, fused and plain operators, a collecting sink. */
function testImplementations(sinks: Map<string, Collected>): NodeImplementation[] {
  return [
    {
      key: componentKey("source", "list"),
      source(node, ctx, out) {
        const items = JSON.parse(ctx.params.string("items")) as unknown[];
        let stopped = false;
        // Emit on a later turn, as real sources do, so the whole graph is running first.
        const started = Promise.resolve().then(() => {
          for (const item of items) if (!stopped) out.next(item);
          if (!stopped) out.completed();
        });
        return {
          ready: started,
          stop: async () => {
            stopped = true;
          },
        };
      },
    },
    {
      key: componentKey("source", "ticker"),
      source(_node, ctx, out) {
        let count = 0;
        const task = ctx.scheduler.schedulePeriodic(1000, () => out.next(count++));
        return { stop: async () => task.cancel() };
      },
    },
    {
      key: componentKey("source", "broken"),
      source() {
        throw new Error("cannot open the thing");
      },
    },
    {
      key: componentKey("source", "merge"),
      fuse: () => ({ code: "" }),
    },
    {
      key: componentKey("operator", "filter"),
      fuse: (_node, js) => ({ code: `if (!(${js.expression(js.runtime.params.expression("condition"))})) return;` }),
    },
    {
      key: componentKey("operator", "map"),
      fuse: (_node, js) => ({ code: `${js.event} = ${js.expression(js.runtime.params.expression("expr"))};` }),
    },
    {
      key: componentKey("operator", "check"),
      // A fused stage that throws for odd numbers and reports even ones as bad input, through constants.
      fuse: (_node, js) => {
        const bad = js.constant("bad", js.runtime.badInput);
        const explode = js.constant("explode", (value: number) => {
          throw new Error(`odd: ${value}`);
        });
        return {
          code: `if (e % 2 === 1) ${explode}(e); if (e === 4) { ${bad}.report(e, "four is not allowed"); return; }`,
        };
      },
    },
    {
      key: componentKey("operator", "running_sum"),
      operator(_node, _ctx, out): Observer {
        let sum = 0;
        return {
          next(event) {
            if (event === 13) throw new Error("unlucky");
            sum += event as number;
            out.next(sum);
          },
          completed() {
            out.next(`total ${sum}`);
            out.completed();
          },
          error(error) {
            out.error(error);
          },
        };
      },
    },
    {
      key: componentKey("operator", "forgetful"),
      // Never passes the end of the stream on: the graph must complete downstream anyway.
      operator: (_node, _ctx, out) => ({ next: (event) => out.next(event), completed() {}, error() {} }),
    },
    {
      key: componentKey("operator", "sample"),
      operator(_node, ctx, out): Observer {
        let latest: unknown;
        ctx.observe(ctx.params.streams("stream")[0]!, {
          next: (event) => (latest = event),
          completed() {},
          error() {},
        });
        return {
          next: () => {
            if (latest !== undefined) out.next(latest);
          },
          completed: () => out.completed(),
          error: (error) => out.error(error),
        };
      },
    },
    {
      key: componentKey("operator", "secret_tag"),
      fuse: (_node, js) => ({
        code: `e = ${js.expression({ kind: "config", source: "secret", key: "tag", type: StringType })} + ":" + e;`,
      }),
    },
    {
      key: componentKey("sink", "collect"),
      sink(node) {
        const collected: Collected = { events: [], closed: false };
        sinks.set(node.id, collected);
        return {
          next: (event) => {
            if (event === "poison") throw new Error("the sink cannot take poison");
            collected.events.push(event);
          },
          completed: () => (collected.ended = "completed"),
          error: (error) => (collected.ended = error.message),
          close: async () => {
            await new Promise((resolve) => setImmediate(resolve));
            collected.closed = true;
          },
        };
      },
    },
  ];
}

function setup(secrets: Record<string, string> = {}) {
  const clock = new ManualClock(0);
  const lines: string[] = [];
  const services: RuntimeServices = {
    scheduler: new Scheduler({ clock }),
    clock,
    log: createLogger({ write: (line) => lines.push(line) }),
    config: new ConfigResolver({ secrets, env: {} }),
    pressure: new Backpressure(),
    stdout: { write: () => true, once: () => undefined },
    std: createStdlib(clock),
    seed: 1,
    mqtt: () => {
      throw new Error("no MQTT in these tests");
    },
  };
  const sinks = new Map<string, Collected>();
  const lookup = implementationLookup(testImplementations(sinks));
  return { clock, lines, services, sinks, build: (p: IRProgram) => buildGraph(p, lookup, services) };
}

const gt = (n: number): TypedExpression => ({
  kind: "binary",
  operator: ">",
  left: it_,
  right: lit(n),
  type: BoolType,
});
const times = (n: number): TypedExpression => ({
  kind: "binary",
  operator: "*",
  left: it_,
  right: lit(n),
  type: IntType,
});

describe("buildGraph", () => {
  it("runs a source through fused operators into a sink, then completes and closes", async () => {
    const { build, sinks } = setup();
    const graph = build(
      program(
        [
          node("n0", "source", "list", values([1, 5, 10, 20])),
          node("n1", "operator", "filter", { condition: expression(gt(4)) }),
          node("n2", "operator", "map", { expr: expression(times(2)) }),
          node("n3", "sink", "collect"),
        ],
        [
          ["n0", "n1"],
          ["n1", "n2"],
          ["n2", "n3"],
        ],
      ),
    );
    graph.start();
    await graph.ready;
    await graph.done;
    expect(sinks.get("n3")).toEqual({ events: [10, 20, 40], ended: "completed", closed: true });
    expect(graph.stats.map(({ id, in: input, out, dropped, errors }) => [id, input, out, dropped, errors])).toEqual([
      ["n0", 0, 4, 0, 0],
      ["n1", 4, 3, 0, 0],
      ["n2", 3, 3, 0, 0],
      ["n3", 3, 0, 0, 0],
    ]);
  });

  it("fans out to every branch and completes each", async () => {
    const { build, sinks } = setup();
    const graph = build(
      program(
        [
          node("n0", "source", "list", values([1, 2, 3])),
          node("n1", "sink", "collect"),
          node("n2", "operator", "map", { expr: expression(times(10)) }),
          node("n3", "sink", "collect"),
        ],
        [
          ["n0", "n1"],
          ["n0", "n2"],
          ["n2", "n3"],
        ],
      ),
    );
    graph.start();
    await graph.done;
    expect(sinks.get("n1")?.events).toEqual([1, 2, 3]);
    expect(sinks.get("n3")?.events).toEqual([10, 20, 30]);
    expect(sinks.get("n3")?.ended).toBe("completed");
  });

  it("merges streams and completes only when every input has", async () => {
    const { build, sinks, clock } = setup();
    const graph = build(
      program(
        [
          node("n0", "source", "list", values([1, 2])),
          node("n1", "source", "ticker"),
          node("n2", "source", "merge"),
          node("n3", "sink", "collect"),
        ],
        [
          ["n0", "n2"],
          ["n1", "n2"],
          ["n2", "n3"],
        ],
      ),
    );
    graph.start();
    await graph.ready;
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(2000);
    expect(sinks.get("n3")?.ended).toBeUndefined();
    expect([...(sinks.get("n3")?.events ?? [])].sort()).toEqual([0, 1, 1, 2, 2]);
    await graph.stop();
    await graph.done;
    expect(sinks.get("n3")?.ended).toBe("completed");
  });

  it("counts and reports an event that throws, and carries on", async () => {
    const { build, sinks, lines } = setup();
    const graph = build(
      program(
        [
          node("n0", "source", "list", values([2, 13, 3, 4])),
          node("n1", "operator", "running_sum"),
          node("n2", "sink", "collect"),
        ],
        [
          ["n0", "n1"],
          ["n1", "n2"],
        ],
      ),
    );
    graph.start();
    await graph.done;
    expect(sinks.get("n2")?.events).toEqual([2, 5, 9, "total 9"]);
    const [, sum] = graph.stats;
    expect([sum!.in, sum!.out, sum!.errors]).toEqual([4, 4, 1]);
    expect(lines.join("")).toMatch(/\[running_sum n1\] warning: dropped an event that failed \(unlucky\): 13/);
  });

  it("attributes failures and bad input inside a fused chain to the right stage", async () => {
    const { build, sinks, lines } = setup();
    const graph = build(
      program(
        [
          node("n0", "source", "list", values([1, 2, 3, 4, 6])),
          node("n1", "operator", "map", { expr: expression(times(1)) }),
          node("n2", "operator", "check"),
          node("n3", "operator", "map", { expr: expression(times(10)) }),
          node("n4", "sink", "collect"),
        ],
        [
          ["n0", "n1"],
          ["n1", "n2"],
          ["n2", "n3"],
          ["n3", "n4"],
        ],
      ),
    );
    graph.start();
    await graph.done;
    expect(sinks.get("n4")?.events).toEqual([20, 60]);
    const check = graph.stats[2]!;
    expect([check.in, check.out, check.errors, check.dropped]).toEqual([5, 2, 2, 1]);
    expect(graph.stats[1]!.errors).toBe(0);
    expect(lines.join("")).toMatch(/\[check n2\] warning: dropped an event that failed \(odd: 1\): 1/);
    expect(lines.join("")).toMatch(/\[check n2\] warning: dropped a malformed payload \(four is not allowed\): 4/);
  });

  it("a sink that throws on one event keeps the others", async () => {
    const { build, sinks } = setup();
    const graph = build(
      program(
        [node("n0", "source", "list", values(["a", "poison", "b"])), node("n1", "sink", "collect")],
        [["n0", "n1"]],
      ),
    );
    graph.start();
    await graph.done;
    expect(sinks.get("n1")?.events).toEqual(["a", "b"]);
    expect(graph.stats[1]!.errors).toBe(1);
  });

  it("completes downstream even when an operator does not pass the end on", async () => {
    const { build, sinks } = setup();
    const graph = build(
      program(
        [node("n0", "source", "list", values([1])), node("n1", "operator", "forgetful"), node("n2", "sink", "collect")],
        [
          ["n0", "n1"],
          ["n1", "n2"],
        ],
      ),
    );
    graph.start();
    await graph.done;
    expect(sinks.get("n2")).toMatchObject({ events: [1], ended: "completed" });
  });

  it("feeds side inputs (sample) from another stream", async () => {
    const { build, sinks, clock } = setup();
    const graph = build(
      program(
        [
          node("n0", "source", "ticker", {}, { output: IntType }),
          node("n1", "source", "list", values(["ask", "ask"])),
          node("n2", "operator", "sample", { stream: { kind: "streams", ids: ["n0"] } }),
          node("n3", "sink", "collect"),
        ],
        [
          ["n1", "n2"],
          ["n2", "n3"],
        ],
      ),
    );
    graph.start();
    clock.advance(2000); // ticks 0, 1, 2 before the requests arrive
    await graph.done;
    expect(sinks.get("n3")?.events).toEqual([2, 2]);
    // The ticker fed only a side input; it is stopped once the graph is done.
    clock.advance(5000);
    expect(graph.stats[0]!.out).toBe(3);
  });

  it("stops endless sources on stop()", async () => {
    const { build, sinks, clock } = setup();
    const graph = build(program([node("n0", "source", "ticker"), node("n1", "sink", "collect")], [["n0", "n1"]]));
    graph.start();
    clock.advance(2500);
    await graph.stop();
    clock.advance(5000);
    expect(sinks.get("n1")).toEqual({ events: [0, 1, 2], ended: "completed", closed: true });
  });

  it("fail() stops the graph and rejects done", async () => {
    const { build, sinks } = setup();
    const graph = build(program([node("n0", "source", "ticker"), node("n1", "sink", "collect")], [["n0", "n1"]]));
    graph.start();
    graph.fail(new Error("bad credentials"));
    await expect(graph.done).rejects.toThrow("bad credentials");
    expect(sinks.get("n1")?.closed).toBe(true);
  });

  it("a source that cannot start fails start() and done, after stopping the rest", async () => {
    const { build, sinks } = setup();
    const graph = build(
      program(
        [
          node("n0", "source", "ticker"),
          node("n1", "source", "broken"),
          node("n2", "source", "merge"),
          node("n3", "sink", "collect"),
        ],
        [
          ["n0", "n2"],
          ["n1", "n2"],
          ["n2", "n3"],
        ],
      ),
    );
    expect(() => graph.start()).toThrow("broken n1: cannot open the thing");
    await expect(graph.done).rejects.toThrow("cannot open the thing");
    expect(sinks.get("n3")?.closed).toBe(true);
  });

  it("resolves config references in fused expressions once, at build time", async () => {
    const { build, sinks } = setup({ tag: "lab" });
    const graph = build(
      program(
        [
          node("n0", "source", "list", values(["a"])),
          node("n1", "operator", "secret_tag"),
          node("n2", "sink", "collect"),
        ],
        [
          ["n0", "n1"],
          ["n1", "n2"],
        ],
      ),
    );
    graph.start();
    await graph.done;
    expect(sinks.get("n2")?.events).toEqual(["lab:a"]);
    const missing = setup();
    expect(() =>
      missing.build(
        program(
          [
            node("n0", "source", "list", values(["a"])),
            node("n1", "operator", "secret_tag"),
            node("n2", "sink", "collect"),
          ],
          [
            ["n0", "n1"],
            ["n1", "n2"],
          ],
        ),
      ),
    ).toThrow(/secret "tag" is not set/);
  });

  it("names the component when an implementation is missing", () => {
    const { build } = setup();
    expect(() =>
      build(program([node("n0", "source", "teleport"), node("n1", "sink", "collect")], [["n0", "n1"]])),
    ).toThrow("teleport n0: no Node implementation for source:teleport");
  });

  it("ends a stream that failed with an error downstream, and rejects done", async () => {
    const { services, sinks } = setup();
    const failing: NodeImplementation = {
      key: componentKey("source", "failing"),
      source(_node, _ctx, out) {
        void Promise.resolve().then(() => out.error(new Error("file vanished")));
        return { stop: async () => {} };
      },
    };
    const lookup = implementationLookup([failing, ...testImplementations(sinks)]);
    const graph = buildGraph(
      program([node("n0", "source", "failing"), node("n1", "sink", "collect")], [["n0", "n1"]]),
      lookup,
      services,
    );
    graph.start();
    await expect(graph.done).rejects.toThrow("file vanished");
    expect(sinks.get("n1")).toMatchObject({ ended: "file vanished", closed: true });
  });

  it("refuses two implementations for one key", () => {
    const impl: NodeImplementation = {
      key: componentKey("sink", "x"),
      sink: () => ({ next() {}, completed() {}, error() {}, close: async () => {} }),
    };
    expect(() => implementationLookup([impl, impl])).toThrow(/two Node implementations for sink:x/);
  });
});
