/**
 * Pictures of the dataflow: one or more compiled programs drawn as Mermaid, Graphviz DOT or SVG.
 * The renderers are pure: they take IR and return text.
 *
 * @example
 * import { renderGraph } from "./compiler/diagram/index.js";
 * const { programs } = compile([client, server]);
 * process.stdout.write(await renderGraph(programs, "mermaid"));
 */
import type { IRProgram } from "../ir.js";
import { toDot } from "./dot.js";
import { toMermaid } from "./mermaid.js";
import { toSvg } from "./svg.js";

export type GraphFormat = "mermaid" | "dot" | "svg";
export const graphFormats: readonly GraphFormat[] = ["mermaid", "dot", "svg"];

/**
 * Draws programs in one of the {@link graphFormats}.
 *
 * @example
 * const svg = await renderGraph(programs, "svg");
 */
export async function renderGraph(programs: readonly IRProgram[], format: GraphFormat): Promise<string> {
  switch (format) {
    case "mermaid":
      return toMermaid(programs);
    case "dot":
      return toDot(programs);
    case "svg":
      return toSvg(programs);
  }
}

export { toDot, dotString } from "./dot.js";
export { toMermaid, mermaidLabel } from "./mermaid.js";
export { toSvg, dotToSvg } from "./svg.js";
export {
  buildSystemGraph,
  redactLabel,
  secretPlaceholder,
  type GraphCluster,
  type GraphEdge,
  type GraphEdgeKind,
  type GraphNode,
  type GraphNodeKind,
  type SystemGraph,
} from "./model.js";
