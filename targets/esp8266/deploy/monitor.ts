/**
 * Streams what a board prints, line by line, and puts the `.flow` source under each line that
 * points into the bundle: flowc's fault reports and traceback frames (source-map.ts).
 */
import { locateBoardLine, renderMappedSpan, type BundleSourceMap } from "../source-map.js";
import type { Connection } from "./connection.js";

export interface MonitorOptions {
  /** The bundle's source map; without it lines pass through unchanged. */
  readonly map?: BundleSourceMap;
  /** Where the lines go (with their line break). */
  readonly write: (text: string) => void;
  readonly color?: boolean;
  /** Ends the monitor (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/**
 * Streams until `signal` aborts or the link closes.
 *
 * @example
 * const controller = new AbortController();
 * process.once("SIGINT", () => controller.abort());
 * await monitorBoard(link, { map, write: (text) => process.stdout.write(text), signal: controller.signal });
 */
export function monitorBoard(link: Connection, options: MonitorOptions): Promise<void> {
  let partial = "";
  const emit = (line: string) => {
    options.write(`${line}\n`);
    const at = options.map && locateBoardLine(line, options.map);
    if (at) options.write(`${renderMappedSpan(at, { color: options.color })}\n`);
  };
  const onData = (data: Buffer) => {
    partial += data.toString("utf8");
    const lines = partial.split(/\r?\n/);
    partial = lines.pop() ?? "";
    for (const line of lines) emit(line);
  };
  for (const leftover of [link.discard()]) if (leftover.length > 0) onData(leftover);
  link.passthrough = onData;
  return new Promise((resolve) => {
    const finish = () => {
      link.passthrough = undefined;
      // A prompt or a line still being printed is shown as it is.
      if (partial.length > 0) options.write(partial);
      resolve();
    };
    if (options.signal?.aborted) return finish();
    options.signal?.addEventListener("abort", finish, { once: true });
    link.transport.onClose(finish);
  });
}
