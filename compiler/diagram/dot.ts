/**
 * Graphviz DOT for flowc programs: render it with `dot -Tsvg`, or in-process with {@link toSvg}.
 */
import type { IRProgram } from "../ir.js";
import { buildSystemGraph, type GraphEdgeKind, type GraphNode, type GraphNodeKind } from "./model.js";
import { printableText } from "./text.js";

const font = "Helvetica";

const nodeAttributes: Record<GraphNodeKind, string> = {
  source: 'shape=box, style="rounded,filled", fillcolor="#dcefd9", color="#4f7a4a"',
  operator: 'shape=box, style=filled, fillcolor="#e8eef7", color="#5b6f8f"',
  sink: 'shape=cylinder, style=filled, fillcolor="#fbe5cc", color="#a0652a"',
  topic: 'shape=hexagon, style=filled, fillcolor="#fff4c2", color="#a08a2a"',
};

const edgeAttributes: Record<GraphEdgeKind, string> = {
  flow: "",
  "side-input": " [style=dashed]",
  publish: ' [penwidth=2, color="#a08a2a"]',
  subscribe: ' [penwidth=2, color="#a08a2a"]',
};

/**
 * A DOT quoted string holding `lines` as the lines of a label, shown exactly as written:
 * backslashes are doubled so Graphviz's `\n`/`\l`/`\N` escapes cannot fire, and `&` becomes
 * `&amp;` because Graphviz decodes HTML entities in labels. Empty lines are written as a space:
 * Graphviz 14 to 16 (as compiled to WebAssembly) sometimes crashes laying out a label with an
 * empty line.
 *
 * @example
 * dotString(['filter val > 3 -> "x"', "SensorEvent"]); // '"filter val > 3 -> \\"x\\"\\nSensorEvent"'
 */
export function dotString(lines: readonly string[]): string {
  const escaped = lines.map(
    (line) => printableText(line).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/&/g, "&amp;") || " ",
  );
  return `"${escaped.join("\\n")}"`;
}

function nodeStatement(node: GraphNode): string {
  return `"${node.id}" [label=${dotString(node.lines)}, ${nodeAttributes[node.kind]}];`;
}

/**
 * Draws programs as a Graphviz digraph laid out left to right: a cluster per file, sources as
 * rounded boxes, operators as boxes, sinks as cylinders, MQTT topics as hexagons between the
 * files; side inputs (`sample`) are dashed, publishing and subscribing bold.
 *
 * @example
 * const { programs } = compile([client, server]);
 * writeFileSync("system.dot", toDot(programs));
 */
export function toDot(programs: readonly IRProgram[]): string {
  const graph = buildSystemGraph(programs);
  const lines = [
    "digraph flow {",
    `  graph [rankdir=LR, fontname=${font}, fontsize=12];`,
    `  node [fontname=${font}, fontsize=11];`,
    `  edge [fontname=${font}, fontsize=10, color="#4a5563"];`,
  ];
  for (const cluster of graph.clusters) {
    lines.push(`  subgraph "cluster_${cluster.id}" {`);
    lines.push(`    label=${dotString(cluster.title)};`);
    lines.push('    style=rounded; color="#9aa5b1";');
    for (const node of cluster.nodes) lines.push(`    ${nodeStatement(node)}`);
    lines.push("  }");
  }
  for (const topic of graph.topics) lines.push(`  ${nodeStatement(topic)}`);
  for (const edge of graph.edges) lines.push(`  "${edge.from}" -> "${edge.to}"${edgeAttributes[edge.kind]};`);
  lines.push("}");
  return lines.join("\n") + "\n";
}
