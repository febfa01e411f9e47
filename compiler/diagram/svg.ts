/**
 * SVG pictures, laid out by Graphviz compiled to WebAssembly (@viz-js/viz): no system Graphviz
 * needed, and nothing leaves the process.
 */
import { instance, type RenderResult, type Viz } from "@viz-js/viz";
import type { IRProgram } from "../ir.js";
import { toDot } from "./dot.js";

let graphviz: Promise<Viz> | undefined;

/** The Graphviz instance, compiled once per process (instantiating the module takes a while). */
export function loadGraphviz(): Promise<Viz> {
  graphviz ??= instance();
  return graphviz;
}

/**
 * Lays out DOT text and returns the SVG document; rejects with Graphviz's messages when the DOT
 * does not parse.
 *
 * @example
 * const svg = await dotToSvg('digraph { a -> b }');
 */
export async function dotToSvg(dot: string): Promise<string> {
  let result: RenderResult;
  try {
    result = (await loadGraphviz()).render(dot, { format: "svg", engine: "dot" });
  } catch (error) {
    // A trap inside Graphviz leaves the WebAssembly instance's memory in an unknown state.
    graphviz = undefined;
    throw new Error(`Graphviz crashed laying out the graph: ${(error as Error).message}`, { cause: error });
  }
  const errors = result.errors.filter((error) => error.level !== "warning").map((error) => error.message.trim());
  if (result.status !== "success" || errors.length > 0) {
    throw new Error(`Graphviz could not render the graph: ${errors.join("; ") || "unknown error"}`);
  }
  return result.output;
}

/**
 * Draws programs as an SVG document: {@link toDot}'s graph, laid out by Graphviz.
 *
 * @example
 * const { programs } = compile([client, server]);
 * writeFileSync("system.svg", await toSvg(programs));
 */
export async function toSvg(programs: readonly IRProgram[]): Promise<string> {
  return dotToSvg(toDot(programs));
}
