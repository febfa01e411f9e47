import type { ComponentContext, ComponentDeclaration, ParamSpec } from "../../compiler/registry.js";
import { fieldOf, IntType, isNumeric, type FlowType } from "../../compiler/types.js";
import { DiagnosticCodes } from "../../compiler/diagnostics.js";
import {
  acceptsNumbersOrRecords,
  byKeyParam,
  latenessParam,
  ofFieldParam,
  onTimeParam,
  replacesNumber,
} from "../common.js";

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
 * `count` needs no number: it counts events of any type. On records with a number `val` (or the
 * field `of` names) the count replaces that field, as the other aggregates' results do (an int
 * fits an int or number field, so the record keeps its type); on anything else the count itself
 * is the event.
 */
const countOfParam: ParamSpec = { ...ofFieldParam, defaultFieldIfPresent: true };

function countOutput(ctx: ComponentContext): FlowType {
  const input = ctx.input;
  if (ctx.params.get("of")?.kind === "field") return input ?? IntType;
  // The binder gives `of val` by default where the record has a number `val`.
  const val = input?.kind === "record" ? fieldOf(input, "val") : undefined;
  return val && isNumeric(val.type) ? input! : IntType;
}

/** `on` needs a time window to place events in, and `lateness` only means something with `on`. */
function checkEventTime(ctx: ComponentContext): void {
  const over = ctx.params.get("over");
  if (ctx.params.has("on") && over?.kind === "count")
    ctx.report(
      DiagnosticCodes.InvalidValue,
      ctx.span("on"),
      "`on` places events in time windows, but this window counts events",
      "give `over` a duration, as in `avg over 1min on ts`",
    );
  if (ctx.params.has("lateness") && !ctx.params.has("on"))
    ctx.report(
      DiagnosticCodes.InvalidValue,
      ctx.span("lateness"),
      "`lateness` applies to event-time windows only",
      "name the time field, as in `avg over 1min on ts lateness 10s`",
    );
}

/**
 * Tumbling windows: `avg over 10` emits the mean of every 10 events, `avg over 1min` the mean of
 * each minute by the clock, `avg over 1min on ts` the mean of each minute of the events' own
 * time. Each key (`by`, `sensor_id` by default) has its own windows. The emitted event is the
 * key's last event in the window with its value replaced.
 */
export const declarations: ComponentDeclaration[] = aggregates.map((aggregate) => ({
  kind: "operator",
  name: aggregate,
  summary: `Emits ${meaning[aggregate]} of each window, per sensor: \`${aggregate} over 10\` (events), \`${aggregate} over 1min\` (clock time) or \`${aggregate} over 1min on ts\` (event time).`,
  params: [
    {
      name: "over",
      type: { kind: "count-or-duration" },
      required: true,
      doc: "Window size: a number of events or a duration.",
    },
    aggregate === "count" ? countOfParam : ofFieldParam,
    byKeyParam,
    onTimeParam,
    latenessParam,
  ],
  targets: ["node", "esp8266"],
  ...(aggregate === "count" ? {} : { accepts: acceptsNumbersOrRecords }),
  output: aggregate === "count" ? countOutput : replacesNumber,
  check: checkEventTime,
  example: `tsl2591 every 2s -> ${aggregate} over 1min -> print`,
}));
