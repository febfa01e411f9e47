/**
 * Mermaid flowcharts of flowc programs, for Markdown files and issue trackers that render them.
 */
import type { IRProgram } from "../ir.js";
import { buildSystemGraph, type GraphEdgeKind, type GraphNode, type GraphNodeKind } from "./model.js";
import { printableText } from "./text.js";

/** Opening and closing brackets of each kind's shape: stadium, rectangle, cylinder, hexagon. */
const shapes: Record<GraphNodeKind, readonly [string, string]> = {
  source: ["([", "])"],
  operator: ["[", "]"],
  sink: ["[(", ")]"],
  topic: ["{{", "}}"],
};

const arrows: Record<GraphEdgeKind, string> = {
  flow: "-->",
  "side-input": "-.->",
  publish: "==>",
  subscribe: "==>",
};

const classDefinitions: Record<GraphNodeKind, string> = {
  source: "fill:#dcefd9,stroke:#4f7a4a,color:#1d3b1a",
  operator: "fill:#e8eef7,stroke:#5b6f8f,color:#1f2a3a",
  sink: "fill:#fbe5cc,stroke:#a0652a,color:#3d2410",
  topic: "fill:#fff4c2,stroke:#a08a2a,color:#3d3410",
};

/**
 * Characters that would end or reinterpret a quoted Mermaid label, as Mermaid entity codes. `#`
 * itself starts an entity code, a backtick right after the quote would start a Markdown string, and
 * Mermaid reads `%%{ ... }%%` as a directive wherever it appears, even inside quotes.
 */
const entityCodes: Record<string, string> = {
  '"': "#quot;",
  "#": "#35;",
  "&": "#amp;",
  "<": "#lt;",
  ">": "#gt;",
  "`": "#96;",
  "%": "#37;",
};

/**
 * Before parsing, Mermaid strips the last `;` of any line where `style` or `classDef` is followed
 * by `:` and `#`, which would cut an entity code in half; spelling their first letter as an entity
 * keeps those words out of the text Mermaid scans.
 */
const preprocessedWords = /style|classDef/g;

/**
 * Quotes text for a Mermaid node, subgraph or edge label: the result (quotes included) can hold
 * any string, and each entry of `lines` becomes one line of the label.
 *
 * @example
 * mermaidLabel(['json as "x"', "SensorEvent"]); // '"json as #quot;x#quot;<br/>SensorEvent"'
 */
export function mermaidLabel(lines: readonly string[]): string {
  const escaped = lines.map((line) =>
    printableText(line)
      .replace(/["#&<>`%]/g, (character) => entityCodes[character]!)
      .replace(preprocessedWords, (word) => `#${word.charCodeAt(0)};${word.slice(1)}`),
  );
  // Mermaid has no empty quoted string; a space draws the same nothing.
  return `"${escaped.join("<br/>") || " "}"`;
}

function nodeStatement(node: GraphNode): string {
  const [open, close] = shapes[node.kind];
  return `${node.id}${open}${mermaidLabel(node.lines)}${close}:::${node.kind}`;
}

/**
 * Draws programs as a Mermaid flowchart: a subgraph per file, sources as stadiums, operators as
 * rectangles, sinks as cylinders, MQTT topics as hexagons between the files; side inputs
 * (`sample`) are dotted, publishing and subscribing thick.
 *
 * @example
 * const { programs } = compile([client, server]);
 * writeFileSync("system.mmd", toMermaid(programs));
 */
export function toMermaid(programs: readonly IRProgram[]): string {
  const graph = buildSystemGraph(programs);
  const lines = ["flowchart LR"];
  for (const cluster of graph.clusters) {
    lines.push(`  subgraph ${cluster.id}[${mermaidLabel(cluster.title)}]`);
    for (const node of cluster.nodes) lines.push(`    ${nodeStatement(node)}`);
    lines.push("  end");
  }
  for (const topic of graph.topics) lines.push(`  ${nodeStatement(topic)}`);
  for (const edge of graph.edges) lines.push(`  ${edge.from} ${arrows[edge.kind]} ${edge.to}`);
  for (const [kind, style] of Object.entries(classDefinitions)) lines.push(`  classDef ${kind} ${style}`);
  return lines.join("\n") + "\n";
}
