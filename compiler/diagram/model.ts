/**
 * The picture of a system of `.flow` files, independent of any drawing format: one cluster per
 * file holding its sources, operators and sinks, one node per MQTT topic between the clusters, and
 * the edges that join them. The Mermaid and DOT renderers only translate this model, so both
 * formats always show the same graph.
 */
import type { IRNode, IRProgram, SettingsBlock } from "../ir.js";
import type { ComponentKind, ParamValue } from "../registry.js";
import { topicMatches } from "../topic-check.js";
import { formatType } from "../types.js";

export type GraphNodeKind = ComponentKind | "topic";

export interface GraphNode {
  /** A renderer-safe identifier (letters, digits, `_`), unique in the graph. */
  readonly id: string;
  readonly kind: GraphNodeKind;
  /**
   * The text shown in the node, one entry per line: the invocation as written (with secrets
   * redacted) and the event type, or the topic name. Raw text: each renderer escapes it.
   */
  readonly lines: readonly string[];
}

export interface GraphCluster {
  /** A renderer-safe identifier, unique in the graph. */
  readonly id: string;
  /** The file name, then a summary of its device and broker settings when it has any. */
  readonly title: readonly string[];
  readonly nodes: readonly GraphNode[];
}

/**
 * - `flow`: events passed downstream (`next`).
 * - `side-input`: a stream an operator reads without being fed by it (`sample lux`).
 * - `publish`: an MQTT sink to its topic; `subscribe`: a topic to an MQTT source whose filter matches it.
 */
export type GraphEdgeKind = "flow" | "side-input" | "publish" | "subscribe";

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: GraphEdgeKind;
}

export interface SystemGraph {
  readonly clusters: readonly GraphCluster[];
  /** Topic nodes, outside every cluster, in order of first use. */
  readonly topics: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** Shown wherever a value kept out of source would otherwise appear. */
export const secretPlaceholder = "‹secret›";

/**
 * Builds the graph of one or more programs. Publishers and subscribers of different files (and
 * of the same file) join through a node per concrete topic; a subscription that nothing matches
 * still gets a node, labelled with its filter, so a single host file shows where its data enters.
 *
 * @example
 * const graph = buildSystemGraph(compile(inputs).programs);
 * graph.topics.map((topic) => topic.lines[0]); // ["sensor-data"]
 */
export function buildSystemGraph(programs: readonly IRProgram[]): SystemGraph {
  const clusters: GraphCluster[] = [];
  const edges: GraphEdge[] = [];
  /** Per program: IR node id → graph node id. */
  const graphIds: Map<string, string>[] = [];

  programs.forEach((program, fileIndex) => {
    const ids = new Map<string, string>();
    program.nodes.forEach((node, nodeIndex) => {
      if (!ids.has(node.id)) ids.set(node.id, `f${fileIndex}_${nodeIndex}`);
    });
    graphIds.push(ids);
    clusters.push({
      id: `f${fileIndex}`,
      title: [program.file, ...settingsSummary(program)],
      nodes: program.nodes.map((node, nodeIndex) => ({
        id: `f${fileIndex}_${nodeIndex}`,
        kind: node.kind,
        lines: nodeLines(node),
      })),
    });
    program.nodes.forEach((node, nodeIndex) => {
      const self = `f${fileIndex}_${nodeIndex}`;
      for (const next of node.next) {
        const downstream = ids.get(next);
        if (downstream) edges.push({ from: self, to: downstream, kind: "flow" });
      }
      for (const stream of sideInputs(node)) {
        const tail = ids.get(stream);
        if (tail) edges.push({ from: tail, to: self, kind: "side-input" });
      }
    });
  });

  const topics = new Map<string, GraphNode>();
  const topicNode = (topic: string): GraphNode => {
    let node = topics.get(topic);
    if (!node) {
      node = { id: `t${topics.size}`, kind: "topic", lines: [topic] };
      topics.set(topic, node);
    }
    return node;
  };

  programs.forEach((program, fileIndex) => {
    for (const use of program.topics) {
      const publisher = graphIds[fileIndex]!.get(use.node);
      if (use.direction === "publish" && publisher)
        edges.push({ from: publisher, to: topicNode(use.topic).id, kind: "publish" });
    }
  });
  const published = [...topics.keys()];
  programs.forEach((program, fileIndex) => {
    for (const use of program.topics) {
      const subscriber = graphIds[fileIndex]!.get(use.node);
      if (use.direction !== "subscribe" || !subscriber) continue;
      const matching = published.filter((topic) => topicMatches(use.topic, topic));
      for (const topic of matching.length > 0 ? matching : [use.topic])
        edges.push({ from: topicNode(topic).id, to: subscriber, kind: "subscribe" });
    }
  });

  return { clusters, topics: [...topics.values()], edges };
}

/** The invocation, then the event type (what a sink receives, what anything else emits). */
function nodeLines(node: IRNode): string[] {
  const type = node.kind === "sink" ? node.input : node.output;
  const typeText = type ? formatType(type) : undefined;
  const typeLine = node.streamName && typeText ? `${node.streamName}: ${typeText}` : typeText;
  return [redactLabel(node.label), ...(typeLine ? [typeLine] : [])];
}

/** Streams named in parameters that do not feed the node: read on demand, like `sample lux`. */
function sideInputs(node: IRNode): string[] {
  return Object.values(node.params).flatMap((value) =>
    value.kind === "streams" ? value.ids.filter((id) => !node.previous.includes(id)) : [],
  );
}

/** How the checker writes a `secret("key")` argument into a label. */
const writtenSecret = "secret(…)";

/**
 * Replaces the `secret(…)` marks of a label with {@link secretPlaceholder}, leaving string
 * literals alone (labels write them with JSON quoting, so a literal can be skipped whole).
 *
 * @example
 * redactLabel('mqtt secret(…) qos 1'); // "mqtt ‹secret› qos 1"
 */
export function redactLabel(label: string): string {
  let result = "";
  let i = 0;
  while (i < label.length) {
    if (label[i] === '"') {
      const end = endOfStringLiteral(label, i);
      result += label.slice(i, end);
      i = end;
    } else if (label.startsWith(writtenSecret, i)) {
      result += secretPlaceholder;
      i += writtenSecret.length;
    } else {
      result += label[i];
      i++;
    }
  }
  return result;
}

/** The offset just past the string literal that opens at `start` (or the end of the text). */
function endOfStringLiteral(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

/**
 * One line about where the file runs and which broker it talks to, built only from settings that
 * are safe to show (board, broker host and port): credentials never appear, and values kept out
 * of source show as placeholders.
 */
function settingsSummary(program: IRProgram): string[] {
  const parts: string[] = [];
  const board = program.device?.values["board"];
  if (board) parts.push(settingText(board));
  if (program.broker) parts.push(`broker ${brokerAddress(program.broker)}`);
  return parts.length > 0 ? [parts.join(" · ")] : [];
}

function brokerAddress(broker: SettingsBlock): string {
  const host = broker.values["host"];
  const port = broker.values["port"];
  const tls = broker.values["tls"];
  const address = `${host ? settingText(host) : "localhost"}${port ? `:${settingText(port)}` : ""}`;
  return tls?.kind === "bool" && tls.value ? `${address} (tls)` : address;
}

function settingText(value: ParamValue): string {
  if (value.kind === "secret") return secretPlaceholder;
  if (value.kind === "env") return `env(${value.name})`;
  if (value.kind === "duration") return `${value.ms}ms`;
  // Settings hold only constants; the structured kinds (schemas, expressions) cannot occur here.
  return "value" in value ? String(value.value) : value.kind;
}
