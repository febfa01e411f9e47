import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileFiles, exampleSystems, repositoryRoot } from "../../test/support/diagram-fixtures.js";
import { buildSystemGraph, redactLabel, toDot, toMermaid, type GraphNode, type SystemGraph } from "./index.js";
import { compile } from "../../test/support/catalogue.js";

const goldenDirectory = `${repositoryRoot}compiler/diagram/golden/`;
const updateGolden = process.env["UPDATE_GOLDEN"] === "1";

/** Compares with (or, with UPDATE_GOLDEN=1, rewrites) `golden/<name>`. */
function expectGolden(name: string, actual: string): void {
  const path = goldenDirectory + name;
  if (updateGolden) {
    mkdirSync(goldenDirectory, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path))
    throw new Error(`missing golden file ${name}: run UPDATE_GOLDEN=1 npx vitest run compiler/diagram`);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

function nodeLabelled(graph: SystemGraph, clusterIndex: number, firstLine: string): GraphNode {
  const node = graph.clusters[clusterIndex]!.nodes.find((candidate) => candidate.lines[0] === firstLine);
  if (!node) throw new Error(`no node ${firstLine} in cluster ${clusterIndex}`);
  return node;
}

function compileText(files: Record<string, string>) {
  const result = compile(Object.entries(files).map(([path, text]) => ({ path, text })));
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.programs;
}

describe("golden pictures of every example", () => {
  const systems = exampleSystems();

  it("covers every folder of examples/", () => {
    expect(systems.map((system) => system.name)).toEqual(
      expect.arrayContaining(["tutorial", "pull", "merge", "windowed-averages"]),
    );
  });

  for (const { name, result } of systems) {
    it(`${name} as Mermaid`, () => expectGolden(`${name}.mmd`, toMermaid(result.programs)));
    it(`${name} as DOT`, () => expectGolden(`${name}.dot`, toDot(result.programs)));
  }
});

describe("the tutorial's whole system", () => {
  const { programs } = compileFiles(["examples/tutorial/client.flow", "examples/tutorial/server.flow"]);
  const graph = buildSystemGraph(programs);
  const publisher = nodeLabelled(graph, 0, 'mqtt "sensor-data"');
  const subscriber = nodeLabelled(graph, 1, 'mqtt "sensor-data"');
  const topic = graph.topics.find((candidate) => candidate.lines[0] === "sensor-data")!;

  it("joins the client's mqtt sink to the server's mqtt source through the sensor-data topic", () => {
    expect(graph.topics.map((candidate) => candidate.lines)).toEqual([["sensor-data"]]);
    expect(publisher.kind).toBe("sink");
    expect(subscriber.kind).toBe("source");
    expect(graph.edges).toContainEqual({ from: publisher.id, to: topic.id, kind: "publish" });
    expect(graph.edges).toContainEqual({ from: topic.id, to: subscriber.id, kind: "subscribe" });
  });

  it("labels nodes with their invocation and event type, and clusters with file and broker", () => {
    expect(nodeLabelled(graph, 1, "json as SensorEvent").lines).toEqual(["json as SensorEvent", "SensorEvent"]);
    expect(subscriber.lines).toEqual(['mqtt "sensor-data"', "string"]);
    expect(graph.clusters.map((cluster) => cluster.title)).toEqual([
      ["examples/tutorial/client.flow", "esp8266 · broker ‹secret›:1883"],
      ["examples/tutorial/server.flow", "broker localhost:1883"],
    ]);
  });

  it("draws the topic and both network edges in Mermaid and DOT", () => {
    const mermaid = toMermaid(programs);
    expect(mermaid).toContain(`${topic.id}{{"sensor-data"}}:::topic`);
    expect(mermaid).toContain(`${publisher.id} ==> ${topic.id}`);
    expect(mermaid).toContain(`${topic.id} ==> ${subscriber.id}`);
    const dot = toDot(programs);
    expect(dot).toContain(`"${topic.id}" [label="sensor-data", shape=hexagon`);
    expect(dot).toContain(`"${publisher.id}" -> "${topic.id}"`);
    expect(dot).toContain(`"${topic.id}" -> "${subscriber.id}"`);
  });

  it("is the picture docs/graph.md shows", () => {
    const docs = readFileSync(`${repositoryRoot}docs/graph.md`, "utf8");
    expect(/```mermaid\n([^`]*)```/.exec(docs)?.[1]).toBe(toMermaid(programs));
  });

  it("gives sources, operators, sinks and topics different shapes", () => {
    const mermaid = toMermaid(programs);
    expect(mermaid).toMatch(/f0_0\(\[".*"\]\):::source/);
    expect(mermaid).toMatch(/f1_1\[".*"\]:::operator/);
    expect(mermaid).toMatch(/f1_3\[\(".*"\)\]:::sink/);
    const dot = toDot(programs);
    const shapeOf = (id: string) => new RegExp(`"${id}" \\[label=".*", shape=(\\w+), style="?([\\w,]+)`).exec(dot)!;
    const shapes = ["f0_0", "f1_1", "f1_3", topic.id].map((id) => shapeOf(id).slice(1).join(" "));
    expect(new Set(shapes).size).toBe(4);
  });
});

describe("edges", () => {
  it("draws a sample's stream as a dashed side input, and its trigger as the flow", () => {
    const { programs } = compileFiles(["examples/pull/device.flow"]);
    const graph = buildSystemGraph(programs);
    const stream = nodeLabelled(graph, 0, "moving_avg 5");
    const sample = nodeLabelled(graph, 0, "sample lux");
    const trigger = nodeLabelled(graph, 0, 'mqtt "lux/request"');
    expect(stream.lines[1]).toBe("lux: SensorEvent");
    expect(graph.edges).toContainEqual({ from: stream.id, to: sample.id, kind: "side-input" });
    expect(graph.edges).toContainEqual({ from: trigger.id, to: sample.id, kind: "flow" });
    expect(toMermaid(programs)).toContain(`${stream.id} -.-> ${sample.id}`);
    expect(toDot(programs)).toContain(`"${stream.id}" -> "${sample.id}" [style=dashed];`);
  });

  it("feeds merge from both streams with solid edges", () => {
    const { programs } = compileFiles(["examples/merge/server.flow"]);
    const graph = buildSystemGraph(programs);
    const merge = nodeLabelled(graph, 0, "merge lux, temp");
    const feeding = graph.edges.filter((edge) => edge.to === merge.id);
    expect(feeding).toHaveLength(2);
    expect(feeding.every((edge) => edge.kind === "flow")).toBe(true);
  });

  it("connects a wildcard subscription to every topic it matches, and keeps unmatched filters as topics", () => {
    const programs = compileText({
      "kitchen.flow": 'sim "k" every 1s -> mqtt "sensors/kitchen/lux"\nsim "h" every 1s -> mqtt "sensors/hall/lux"',
      "host.flow": 'mqtt "sensors/+/lux" -> print\nmqtt "alarms/#" -> print',
    });
    const graph = buildSystemGraph(programs);
    const topicId = (name: string) => graph.topics.find((topic) => topic.lines[0] === name)!.id;
    expect(graph.topics.map((topic) => topic.lines[0])).toEqual([
      "sensors/kitchen/lux",
      "sensors/hall/lux",
      "alarms/#",
    ]);
    const wildcard = nodeLabelled(graph, 1, 'mqtt "sensors/+/lux"');
    expect(graph.edges.filter((edge) => edge.to === wildcard.id)).toEqual([
      { from: topicId("sensors/kitchen/lux"), to: wildcard.id, kind: "subscribe" },
      { from: topicId("sensors/hall/lux"), to: wildcard.id, kind: "subscribe" },
    ]);
    const unmatched = nodeLabelled(graph, 1, 'mqtt "alarms/#"');
    expect(graph.edges).toContainEqual({ from: topicId("alarms/#"), to: unmatched.id, kind: "subscribe" });
  });

  it("joins a file's own publications to its own subscriptions, as the broker does", () => {
    const programs = compileText({ "loop.flow": 'sim every 1s -> mqtt "t"\nmqtt "t" -> print' });
    const graph = buildSystemGraph(programs);
    expect(graph.topics).toHaveLength(1);
    expect(graph.edges.filter((edge) => edge.kind === "publish" || edge.kind === "subscribe")).toEqual([
      { from: "f0_1", to: "t0", kind: "publish" },
      { from: "t0", to: "f0_2", kind: "subscribe" },
    ]);
  });
});

describe("values kept out of source", () => {
  it("shows secrets as a placeholder and environment variables by name, never credentials", () => {
    const programs = compileText({
      "host.flow":
        'broker env("MQTT_HOST", "broker.internal") port secret("mqtt_port") username "graph-user" password "literal-pass-9f2c"\n' +
        'mqtt secret("hidden_topic") -> print secret("print_label")',
    });
    const graph = buildSystemGraph(programs);
    expect(graph.clusters[0]!.title).toEqual(["host.flow", "broker env(MQTT_HOST):‹secret›"]);
    expect(graph.clusters[0]!.nodes.map((node) => node.lines[0])).toEqual(["mqtt ‹secret›", "print ‹secret›"]);
    for (const text of [toMermaid(programs), toDot(programs)]) {
      for (const leak of ["literal-pass-9f2c", "graph-user", "broker.internal", "hidden_topic", "secret("]) {
        expect(text).not.toContain(leak);
      }
    }
  });

  it("redacts secret marks outside string literals only", () => {
    expect(redactLabel("print secret(…)")).toBe("print ‹secret›");
    expect(redactLabel('print "secret(…)"')).toBe('print "secret(…)"');
    expect(redactLabel('map { a: "x\\"secret(…)", b: secret(…) }')).toBe('map { a: "x\\"secret(…)", b: ‹secret› }');
  });
});
