/**
 * No label can break the output: arbitrary strings as file names, node ids, labels, stream names,
 * field names and topics still give DOT that Graphviz parses (and SVG that is well-formed XML and
 * shows each label as written), and Mermaid whose quoted labels hold.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IRNode, IRProgram } from "../ir.js";
import { SensorEvent, StringType, type FlowType } from "../types.js";
import { svgTexts, xmlWellFormed } from "../../test/support/diagram-fixtures.js";
import { buildSystemGraph, dotToSvg, toDot, toMermaid } from "./index.js";
import { printableText } from "./text.js";

const span = { file: "", start: 0, end: 0 };

/** Characters with a meaning in DOT, Mermaid, XML or HTML, and words Mermaid treats specially. */
const troublesome = fc.string({
  unit: fc.constantFrom(
    ...['"', "\\", "#", "&", ";", "<", ">", "`", "%", "{", "}", "[", "]", "(", ")", "|", ":", "-", "=", " "],
    ...["\n", "\r", "\t", "\u0000", "\u001b", "\u007f", "\ufffe", "\ud800", "é", "‹", "😀"],
    ...["->", "-->", "%%{init: {}}%%", "style x:y#z;", "classDef", "end", "subgraph", "<br/>", "&amp;", "#quot;"],
    ...["\\n", "\\l", "\\N", "digraph", "}", "a", "0"],
  ),
  maxLength: 12,
});
const text = fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), troublesome);

interface Strings {
  readonly files: readonly [string, string];
  readonly ids: readonly string[];
  readonly labels: readonly string[];
  readonly topic: string;
  readonly stream: string;
  readonly field: string;
}

const strings: fc.Arbitrary<Strings> = fc.record({
  files: fc.tuple(text, text),
  ids: fc.uniqueArray(text, { minLength: 4, maxLength: 4 }),
  labels: fc.array(text, { minLength: 5, maxLength: 5 }),
  topic: text,
  stream: text,
  field: text,
});

function node(fields: Partial<IRNode> & Pick<IRNode, "id" | "kind" | "label">): IRNode {
  return { name: fields.kind, params: {}, next: [], previous: [], span, ...fields };
}

/**
 * Two programs joined by a topic: a sensor whose stream a `sample` reads as a side input, an
 * operator emitting an anonymous record, an MQTT sink; and a subscriber in the other file.
 */
function programsFrom(s: Strings): IRProgram[] {
  const [sensor, sample, sink, subscriber] = s.ids as [string, string, string, string];
  const record: FlowType = { kind: "record", fields: [{ name: s.field, type: StringType }] };
  const publisher: IRProgram = {
    file: s.files[0],
    schemas: [],
    topics: [{ topic: s.topic, direction: "publish", node: sink, span }],
    nodes: [
      node({ id: sensor, kind: "source", label: s.labels[0]!, output: SensorEvent, streamName: s.stream }),
      node({
        id: sample,
        kind: "operator",
        label: s.labels[1]!,
        input: StringType,
        output: record,
        params: { stream: { kind: "streams", ids: [sensor] } },
        next: [sink],
      }),
      node({ id: sink, kind: "sink", label: s.labels[2]!, input: record, previous: [sample] }),
    ],
    broker: {
      values: { host: { kind: "string", value: s.labels[3]! }, port: { kind: "number", value: 1883 } },
      nested: {},
      span,
    },
  };
  const consumer: IRProgram = {
    file: s.files[1],
    schemas: [],
    topics: [{ topic: s.topic, direction: "subscribe", node: subscriber, span }],
    nodes: [node({ id: subscriber, kind: "source", label: s.labels[4]!, output: StringType })],
  };
  return [publisher, consumer];
}

/** Graphviz collapses runs of spaces in SVG text (as `&#160;`) and drops empty lines. */
const visible = (line: string) =>
  printableText(line)
    .replace(/\u00a0/g, " ")
    .trim();

describe("DOT escaping", () => {
  it("always parses in Graphviz, and the SVG shows every label line as written", async () => {
    await fc.assert(
      fc.asyncProperty(strings, async (s) => {
        const programs = programsFrom(s);
        const graph = buildSystemGraph(programs);
        const svg = await dotToSvg(toDot(programs));
        expect(xmlWellFormed(svg)).toBe(true);
        expect(svg.match(/<g id="node\d+" class="node">/g)).toHaveLength(
          graph.clusters.flatMap((cluster) => cluster.nodes).length + graph.topics.length,
        );
        expect(svg.match(/<g id="clust\d+" class="cluster">/g)).toHaveLength(2);
        const shown = new Set(svgTexts(svg).map(visible));
        const lines = [
          ...graph.clusters.flatMap((c) => [c.title, ...c.nodes.map((n) => n.lines)]),
          ...graph.topics.map((t) => t.lines),
        ].flat();
        for (const line of lines.map(visible).filter((line) => line !== "")) expect(shown).toContain(line);
      }),
      { numRuns: 150 },
    );
  });
});

describe("Mermaid escaping", () => {
  const entities: Record<string, string> = { quot: '"', amp: "&", lt: "<", gt: ">" };
  const decode = (label: string) =>
    label
      .split("<br/>")
      .map((line) =>
        line.replace(/#(\w+);/g, (_, code: string) => entities[code] ?? String.fromCharCode(Number(code))),
      );
  const shapes = String.raw`\(\[|\]\)|\[\(|\)\]|\{\{|\}\}|\[|\]`;
  const statement = new RegExp(String.raw`^ {2,4}(\w+)(?:${shapes})"([^"]*)"(?:${shapes})(?::::(\w+))?$`);
  const grammar = [
    /^flowchart LR$/,
    /^ {2}subgraph \w+\["[^"]*"\]$/,
    statement,
    /^ {2}end$/,
    /^ {2}\w+ (-->|-\.->|==>) \w+$/,
    /^ {2}classDef \w+ [\w:#,]+$/,
  ];

  it("keeps every label inside its quotes, free of the syntax Mermaid scans for, and decodes back", () => {
    fc.assert(
      fc.property(strings, (s) => {
        const programs = programsFrom(s);
        const graph = buildSystemGraph(programs);
        const output = toMermaid(programs);
        const labels = new Map<string, string>();
        for (const line of output.trimEnd().split("\n")) {
          expect(
            grammar.some((pattern) => pattern.test(line)),
            line,
          ).toBe(true);
          const match = statement.exec(line);
          if (match) labels.set(match[1]!, match[2]!);
          const quoted = /"([^"]*)"/.exec(line)?.[1];
          if (quoted !== undefined) {
            // eslint-disable-next-line no-control-regex -- no control character may reach a label
            expect(quoted).not.toMatch(/style|classDef|%|`|[\u0000-\u001f]/);
            expect(quoted.replace(/<br\/>/g, "")).not.toMatch(/[<>]|&|#(?!(quot|amp|lt|gt|\d+);)/);
          }
        }
        for (const node of [...graph.clusters.flatMap((cluster) => cluster.nodes), ...graph.topics]) {
          const lines = node.lines.map(printableText);
          expect(decode(labels.get(node.id)!)).toEqual(lines.join("") === "" && lines.length === 1 ? [" "] : lines);
        }
      }),
      { numRuns: 500 },
    );
  });
});
