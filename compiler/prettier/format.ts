/**
 * Formatting `.flow` text from code: Prettier's `format()` with the plugin object passed directly,
 * so nothing is resolved from disk at run time.
 */
import { format, type Options } from "prettier";
import plugin from "./plugin.js";

/** The Prettier options that change how `.flow` text is laid out. */
export type FlowFormatOptions = Pick<Options, "printWidth" | "tabWidth" | "useTabs" | "endOfLine"> & {
  /** Used in error messages; also lets Prettier guess line endings. */
  readonly filepath?: string;
};

/**
 * Formats `.flow` source text canonically.
 *
 * @throws {FlowcSyntaxError} (from `./parse.js`) when the text does not parse.
 * @example
 * await formatFlow('mqtt "sensor-data"->json as SensorEvent->print\n');
 * // 'mqtt "sensor-data" -> json as SensorEvent -> print\n'
 */
export async function formatFlow(text: string, options: FlowFormatOptions = {}): Promise<string> {
  return format(text, { ...options, parser: "flowc", plugins: [plugin] });
}
