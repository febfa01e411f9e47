/**
 * The bundle's source map, `flowmap.json`: from what the board prints back to the `.flow` source.
 * flow.py has a function per node (`n3`, `n3_timer`), named by the node's id, except where a
 * node with one caller is folded into it (a traceback then names the caller), and reports a
 * failing node with its label (`flowc: tsl2591 "lux-1" every 5s failed: ...`); device settings
 * report under their own names (`wifi`, `ntp`, `mqtt`, `watchdog`). The map takes each of those
 * names to a `file:line:col` span and the source line, so `flowc monitor` can print a board's
 * fault like a compile diagnostic without the `.flow` files at hand.
 *
 * It is a separate emitter over the IR, independent of how main.py is laid out: it relies only on
 * the naming convention above, which bundle.ts keeps.
 */
import type { IRProgram, SettingsBlock } from "../../compiler/ir.js";
import type { SourceFile, Span } from "../../compiler/source.js";

export const SOURCE_MAP_FILE = "flowmap.json";

/** `[file, line, column, width, source line]`, 1-based. */
export type MappedSpan = readonly [file: string, line: number, column: number, width: number, text: string];

export interface BundleSourceMap {
  readonly version: 1;
  /** Spans by node id (the Python function name without suffix). */
  readonly nodes: Readonly<Record<string, MappedSpan>>;
  /** What the board's fault lines name (a node's label, or `wifi`, `mqtt`, ...) → key of `nodes`. */
  readonly faults: Readonly<Record<string, string>>;
}

/**
 * Builds the map of one program.
 *
 * @example
 * const map = buildSourceMap(programs[0], result.sources);
 * map.faults['tsl2591 "lux-1" every 5s']; // "n0"
 * map.nodes.n0; // ["client.flow", 6, 1, 26, 'tsl2591 "lux-1" every 5s -> [print, mqtt "sensor-data"]']
 */
export function buildSourceMap(program: IRProgram, sources: ReadonlyMap<string, SourceFile>): BundleSourceMap {
  const nodes: Record<string, MappedSpan> = {};
  const faults: Record<string, string> = {};
  const add = (key: string, span: Span, faultName?: string) => {
    const file = sources.get(span.file);
    if (!file) return;
    const start = file.position(span.start);
    const end = file.position(Math.max(span.start, span.end - 1));
    const text = file.lineText(start.line);
    const width = end.line === start.line ? Math.max(1, end.column - start.column + 1) : text.length - start.column + 1;
    nodes[key] = [span.file, start.line, start.column, width, text];
    if (faultName !== undefined && !(faultName in faults)) faults[faultName] = key;
  };
  for (const node of program.nodes) add(node.id, node.span, node.label);
  const device = program.device;
  const settings: [string, SettingsBlock | undefined][] = [
    ["wifi", device?.nested.wifi],
    ["ntp", device?.nested.ntp],
    ["watchdog", device?.nested.watchdog],
    ["mqtt", program.broker ?? device?.nested.broker],
  ];
  for (const [name, block] of settings) if (block) add(name, block.span, name);
  return { version: 1, nodes, faults };
}

/** A line the board printed, with the source it points at (if any). */
export interface MappedLine {
  readonly line: string;
  readonly at?: MappedSpan;
}

/**
 * Finds the source of a board's line: a fault report (`flowc: LABEL failed: ...`) or a traceback
 * frame in the bundle (`File "main.py", line 80, in n3`).
 *
 * @example
 * locateBoardLine('flowc: tsl2591 "lux-1" every 5s failed: [Errno 19] ENODEV', map)?.[1]; // 6
 */
export function locateBoardLine(line: string, map: BundleSourceMap): MappedSpan | undefined {
  const fault = /^flowc: (.*) (?:failed: |ok again$)/.exec(line);
  if (fault) {
    // Labels may hold spaces and even " failed: ", so take the longest label the line starts with.
    let best: string | undefined;
    for (const label of Object.keys(map.faults))
      if (line.startsWith(`flowc: ${label} `) && (best === undefined || label.length > best.length)) best = label;
    return best === undefined ? undefined : map.nodes[map.faults[best]!];
  }
  const frame = /^\s*File "[^"]*", line \d+, in (n\d+)(?:_\w+)?\s*$/.exec(line);
  return frame ? map.nodes[frame[1]!] : undefined;
}

/**
 * The source line under a mapped line, with a caret, as compile diagnostics show it.
 *
 * @example
 * renderMappedSpan(map.nodes.n0);
 * // "  --> client.flow:6:1\n  6 | tsl2591 ...\n    | ^^^^^..."
 */
export function renderMappedSpan(at: MappedSpan, options: { color?: boolean } = {}): string {
  const [file, line, column, width, text] = at;
  const gutter = String(line).length;
  const caret = "^".repeat(Math.max(1, width));
  return [
    `  --> ${file}:${line}:${column}`,
    `  ${String(line).padStart(gutter)} | ${text.replace(/\t/g, " ")}`,
    `  ${" ".repeat(gutter)} | ${" ".repeat(column - 1)}${options.color ? `\x1b[1;36m${caret}\x1b[0m` : caret}`,
  ].join("\n");
}
