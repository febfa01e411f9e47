/**
 * `chart "Light" [window 1h] [by sensor_id] [y "lux"] [of val] [points 5000]` on the host: each
 * event becomes a point of the run's {@link ChartBoard}, which the dashboard of
 * `flowc run --dashboard PORT` draws live. The time of a point is the event's `ts` field (unix
 * seconds, as the tutorial's SensorEvent; milliseconds are recognised by their size), or the
 * arrival time for events without one.
 */
import type { IRNode } from "../../compiler/ir.js";
import { componentKey, type NodeImplementation, type Sink } from "../../runtime/component.js";
import type { Clock } from "../../runtime/scheduler.js";
import { keyReader, numberSlot } from "../event-fields.js";

/** Unix times past this are in milliseconds: as seconds it would be the year 5138. */
const millisecondsFrom = 1e11;

/** Reads an event's time in unix seconds. */
function timeReader(node: IRNode, clock: Clock): (event: unknown) => number {
  const input = node.input;
  const hasTs =
    input?.kind === "any" ||
    (input?.kind === "record" && input.fields.some((field) => field.name === "ts" && field.type.kind === "scalar"));
  const now = () => clock.now() / 1000;
  if (!hasTs) return now;
  return (event) => {
    const ts = event !== null && typeof event === "object" ? (event as { ts?: unknown }).ts : undefined;
    if (typeof ts !== "number" || !Number.isFinite(ts)) return now();
    return ts > millisecondsFrom ? ts / 1000 : ts;
  };
}

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("sink", "chart"),
    sink(node, ctx): Sink {
      const value = numberSlot(node);
      const keyOf = keyReader(node);
      const plotted = node.params.of?.kind === "field" ? node.params.of.name : "value";
      const chart = ctx.charts.chart(ctx.params.string("title"), {
        y: ctx.params.optionalString("y") ?? plotted,
        windowMs: ctx.params.durationMs("window"),
        maxPoints: ctx.params.number("points"),
        place: { flow: ctx.program, index: ctx.program.nodes.indexOf(node) },
      });
      const timeOf = timeReader(node, ctx.clock);
      return {
        next(event) {
          const number = value.read(event);
          if (typeof number !== "number" || !Number.isFinite(number)) {
            ctx.badInput.report(event, value.notANumber);
            return;
          }
          chart.add(keyOf === undefined ? plotted : String(keyOf(event)), timeOf(event), number);
        },
        completed() {},
        error() {},
        close: async () => {},
      };
    },
  },
];
