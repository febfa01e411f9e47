/**
 * Valid programs from the registry-driven generator (testing/arbitrary-program.ts) go through
 * every stage past the parser: they check clean, lower, format to themselves, and the Node
 * target compiles and runs them. FUZZ_RUNS scales every property (default: CI-sized).
 */
import { transformSync } from "esbuild";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Program } from "./ast.js";
import type { IRNode, IRProgram } from "./ir.js";
import { parseSource } from "./parse.js";
import { formatFlow } from "./prettier/format.js";
import { SourceFile } from "./source.js";
import { arbitraryProgram, type GeneratedProgram } from "../test/support/arbitrary-program.js";
import { checkedMeaning } from "../test/support/same-meaning.js";
import { componentKey, type FlowType } from "./index.js";
import { nodeImplementations } from "../components/node.js";
import { implementationLookup, type NodeImplementation, type Observer } from "../runtime/component.js";
import { ConfigResolver } from "../shared/config.js";
import { buildGraph } from "../runtime/executor.js";
import { createLogger } from "../runtime/log.js";
import type { MqttConnection } from "../runtime/mqtt.js";
import { ManualClock } from "../runtime/manual-clock.js";
import { Backpressure } from "../runtime/pressure.js";
import { Scheduler } from "../runtime/scheduler.js";
import { createStdlib } from "../runtime/stdlib-js.js";
import { emitNodeModule } from "../targets/node/emit.js";
import { compile } from "../test/support/catalogue.js";
import { breathing, propertyTimeout } from "../test/support/property.js";

/** FUZZ_RUNS=N runs N cases per property (default 500); `npm test` keeps the default. */
const runs = Number(process.env["FUZZ_RUNS"] ?? 500);
const programs = arbitraryProgram();
/** Programs whose operators touch no file: `dedupe state` keeps its keys in one. */
const hostRunnable = arbitraryProgram({
  excludeParam: (declaration, spec) => declaration.name === "dedupe" && spec.name === "state",
});

function compileGenerated(program: GeneratedProgram) {
  return compile([{ path: "fuzz.flow", text: program.text }], program.target ? { target: program.target } : {});
}

const errorsOf = (text: string, result: ReturnType<typeof compile>) =>
  result.diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => `${d.code} ${d.message} at ${JSON.stringify(text.slice(d.span.start, d.span.end))}`);

/** The AST without spans and comments: what a file means, not where it was written. */
function meaning(text: string): unknown {
  const { program, diagnostics } = parseSource(new SourceFile("fuzz.flow", text));
  expect(diagnostics).toEqual([]);
  const { comments: _comments, ...rest } = program as Program;
  return JSON.parse(JSON.stringify(rest, (key, value: unknown) => (key === "span" ? undefined : value)));
}

describe("generated programs", () => {
  it("check without errors and lower to one IR program", { timeout: propertyTimeout(runs * 2, 5) }, async () => {
    await fc.assert(
      fc.asyncProperty(programs, async (program) => {
        const result = compileGenerated(program);
        expect(errorsOf(program.text, result)).toEqual([]);
        expect(result.programs).toHaveLength(1);
        expect(result.programs[0]!.nodes.length).toBeGreaterThan(0);
      }),
      { numRuns: runs * 2, plugins: [breathing] },
    );
  });

  it(
    "format idempotently, to the same AST, and check to the same IR",
    { timeout: propertyTimeout(runs, 10) },
    async () => {
      await fc.assert(
        fc.asyncProperty(programs, async (program) => {
          const formatted = await formatFlow(program.text);
          expect(await formatFlow(formatted)).toBe(formatted);
          expect(meaning(formatted)).toEqual(meaning(program.text));
          expect(checkedMeaning(formatted, program.target)).toEqual(checkedMeaning(program.text, program.target));
        }),
        { numRuns: runs, plugins: [breathing] },
      );
    },
  );

  it(
    "build into a Node module that is valid JavaScript and carries the IR unchanged",
    { timeout: propertyTimeout(runs, 10) },
    async () => {
      await fc.assert(
        fc.asyncProperty(programs, async (program) => {
          const ir = compileGenerated(program).programs[0]!;
          const module = emitNodeModule([ir]).find((file) => file.path === "flow.mjs")!.contents;
          expect(() => transformSync(module, { loader: "js", format: "esm" })).not.toThrow();
          const embedded = /^const programs = JSON\.parse\(("(?:[^"\\]|\\.)*")/m.exec(module)![1]!;
          const decoded: unknown = JSON.parse(JSON.parse(embedded) as string, (_key, value: unknown) =>
            typeof value === "object" && value !== null && Object.keys(value).length === 1 && "flowc:number" in value
              ? Number((value as Record<string, string>)["flowc:number"])
              : value,
          );
          expect(decoded).toEqual([ir]);
        }),
        { numRuns: runs, plugins: [breathing] },
      );
    },
  );

  it(
    "run on the Node runtime: every stage compiles, and no event makes one fail",
    { timeout: propertyTimeout(runs, 5) },
    async () => {
      await fc.assert(
        fc.asyncProperty(hostRunnable, fc.integer({ min: 0, max: 1000 }), async (program, seed) => {
          const ir = compileGenerated(program).programs[0]!;
          const log = await runOnHost(ir, program, seed);
          expect(log.filter((line) => /failed/.test(line))).toEqual([]);
        }),
        { numRuns: runs, plugins: [breathing] },
      );
    },
  );
});

/**
 * Runs `ir` with every operator's real implementation, its sources replaced by feeds that emit a
 * few events of their type and its sinks by captures; returns the log.
 */
async function runOnHost(ir: IRProgram, program: GeneratedProgram, seed: number): Promise<string[]> {
  const feeds: { node: IRNode; out: Observer }[] = [];
  const real = implementationLookup(nodeImplementations);
  const lookup = (key: string): NodeImplementation | undefined => {
    const [kind] = key.split(":");
    const node = ir.nodes.find((n) => componentKey(n.kind, n.name) === key);
    if (kind === "sink")
      return { key, sink: () => ({ next: () => {}, completed: () => {}, error: () => {}, close: async () => {} }) };
    if (kind === "source" && node && node.previous.length === 0)
      return { key, source: (n, _ctx, out) => (feeds.push({ node: n, out }), { stop: async () => {} }) };
    return real(key);
  };
  const clock = new ManualClock(1_700_000_000_000);
  const log: string[] = [];
  const scheduler = new Scheduler({ clock, onError: (error) => log.push(`scheduled task failed: ${String(error)}`) });
  const graph = buildGraph(ir, lookup, {
    scheduler,
    clock,
    log: createLogger({ write: (line) => log.push(line) }),
    config: new ConfigResolver({ secrets: program.secrets, env: {} }),
    pressure: new Backpressure(),
    stdout: { write: () => true, once: () => undefined },
    std: createStdlib(clock),
    seed,
    // Only `json ... errors` reaches the connection past the stubbed sources and sinks.
    mqtt: () => ({ publish: () => {} }) as unknown as MqttConnection,
  });
  graph.start();
  for (let i = 0; i < 6; i++) {
    for (const { node, out } of feeds) out.next(eventOf(node.output!, seed + i, node));
    clock.advance(1000);
  }
  for (const { out } of feeds) out.completed();
  clock.advance(100_000);
  await graph.done;
  scheduler.stop();
  return log;
}

/** A deterministic event of `type`: numbers with fractions and negatives, text with non-ASCII. */
function eventOf(type: FlowType, n: number, node: IRNode): unknown {
  switch (type.kind) {
    case "scalar":
      switch (type.name) {
        case "int":
          return (n * 7) % 23;
        case "number":
        case "duration":
          return ((n * 37) % 101) / 4 - 10;
        case "bool":
          return n % 2 === 0;
        case "string":
          // Text payloads: valid JSON for `json` (of any schema it may decode) and text that is not.
          return n % 3 === 0 ? `["lux-${n}", ${n}, ${n / 2}]` : n % 3 === 1 ? "not json é" : `{"val": ${n}}`;
      }
      return n;
    case "record":
      return Object.fromEntries(type.fields.map((field, i) => [field.name, eventOf(field.type, n + i, node)]));
    default:
      return { val: n };
  }
}
