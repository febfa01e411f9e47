import { componentKey, type EmitContext, type MicroPythonImplementation } from "../../targets/esp8266/component.js";
import { aggregates, type Aggregate } from "./declaration.js";

/** How each aggregate folds a value `v` into its state `s`, and reads its result. */
const folds: Record<
  Aggregate,
  { initial: string; add: (s: string) => string; result: (s: string, n: string) => string }
> = {
  avg: { initial: "0", add: (s) => `${s} += v`, result: (s, n) => `${s} / ${n}` },
  sum: { initial: "0", add: (s) => `${s} += v`, result: (s) => s },
  min: { initial: "None", add: (s) => `${s} = v if ${s} is None or v < ${s} else ${s}`, result: (s) => s },
  max: { initial: "None", add: (s) => `${s} = v if ${s} is None or v > ${s} else ${s}`, result: (s) => s },
  count: { initial: "0", add: () => "pass", result: (_s, n) => n },
  median: { initial: "[]", add: (s) => `${s}.append(v)`, result: (s) => `median(${s})` },
};

const medianHelper = `def median(values):
    values.sort()
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2`;

/**
 * Tumbling windows: by count, the aggregate goes out with the window's last event; by time, a
 * timer aligned with the scheduler emits it (nothing for an empty window).
 */
function windowOperator(aggregate: Aggregate) {
  return (py: EmitContext) => {
    const fold = folds[aggregate];
    if (aggregate === "median") py.helper("median", medianHelper);
    const over = py.raw("over");
    const slot = py.numberSlot("of");
    // A median keeps the window's values: a word each on the ESP8266 (small floats are not boxed),
    // twice that for the list's growth. A time window's count is unknown here, so a guess.
    const kept = over?.kind === "count" ? over.value : 32;
    const acc = py.state("acc", fold.initial, aggregate === "median" ? 16 + kept * 8 : 24);
    const n = py.state("n", "0", 16);
    const last = py.state("last", "None", 64);
    const reset = [aggregate === "median" ? `${acc} = []` : `${acc} = ${fold.initial}`, `${n} = 0`];
    const emit = [...slot.replaceStatements(last, fold.result(acc, n))];
    const add = [`v = ${slot.read("e")}`, fold.add(acc), `${n} += 1`, `${last} = e`];
    if (over?.kind === "duration")
      return {
        statements: [...add, "return"],
        timer: { periodMs: over.ms, statements: [`if ${n} == 0:`, "    return", ...emit, ...reset] },
      };
    const size = py.number("over");
    return { statements: [...add, `if ${n} < ${size}:`, "    return", ...emit, ...reset] };
  };
}

export const micropythonImplementations: MicroPythonImplementation[] = aggregates.map((aggregate) => ({
  key: componentKey("operator", aggregate),
  operator: windowOperator(aggregate),
}));
