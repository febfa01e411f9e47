import type { ComponentDeclaration } from "../../compiler/registry.js";
import { acceptsNumbersOrRecords, ofFieldParam, replacesNumber } from "../common.js";

/** The aggregates a window can compute; each is an operator named after itself. */
export const aggregates = ["avg", "min", "max", "sum", "count", "median"] as const;
export type Aggregate = (typeof aggregates)[number];

const meaning: Record<Aggregate, string> = {
  avg: "the mean",
  min: "the smallest value",
  max: "the largest value",
  sum: "the sum",
  count: "the number of events",
  median: "the median",
};

/**
 * Tumbling windows: `avg over 10` emits the mean of every 10 events, `avg over 1min` the mean of
 * each minute. The emitted event is the window's last event with its value replaced.
 */
export const declarations: ComponentDeclaration[] = aggregates.map((aggregate) => ({
  kind: "operator",
  name: aggregate,
  summary: `Emits ${meaning[aggregate]} of each window: \`${aggregate} over 10\` (events) or \`${aggregate} over 1min\` (time).`,
  params: [
    {
      name: "over",
      type: { kind: "count-or-duration" },
      required: true,
      doc: "Window size: a number of events or a duration.",
    },
    ofFieldParam,
  ],
  targets: ["node", "esp8266"],
  accepts: acceptsNumbersOrRecords,
  output: replacesNumber,
  example: `tsl2591 every 2s -> ${aggregate} over 1min -> print`,
}));
