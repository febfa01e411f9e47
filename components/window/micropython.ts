import {
  componentKey,
  estimatedKeys,
  type EmitContext,
  type MicroPythonImplementation,
} from "../../targets/esp8266/component.js";
import { byKeyParam } from "../common.js";
import { aggregates, type Aggregate } from "./declaration.js";

/**
 * How many keys may have a window open at once on the board (per window, for event time). Past
 * it, the window of the key opened longest ago is closed early and emitted as it stands, as on
 * the host (whose cap is larger): the heap stays bounded and no event is lost.
 */
export const deviceMaxKeysPerWindow = 16;

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
 * Tumbling windows per key, as on the host (see node.ts). A key's window is a list
 * `[state, count, last event]` in a dict by key, with the keys also in a list in the order their
 * windows opened (MicroPython's dicts keep no order), so windows are emitted in the host's order.
 * Count windows close at the key's n-th event; clock windows on a timer aligned with the
 * scheduler; event-time windows (`on`) when an event's time passes their end plus `lateness`,
 * each start's windows in a list `[start, keys, windows]` kept sorted by start.
 */
function windowOperator(aggregate: Aggregate) {
  return (py: EmitContext) => {
    const fold = folds[aggregate];
    if (aggregate === "median") py.helper("median", medianHelper);
    const over = py.raw("over");
    const counted = aggregate === "count" && py.field("of") === undefined;
    const slot = py.numberSlot("of");
    const by = py.field("by");
    const on = py.field("on");
    const id = py.node.id;
    const out = py.downstream();
    const where = py.string(py.node.label);
    // A median keeps the window's values: a word each on the ESP8266 (small floats are not boxed),
    // twice that for the list's growth. A time window's count is unknown here, so a guess.
    const kept = over?.kind === "count" ? over.value : 32;
    const perKey = 48 + (aggregate === "median" ? kept * 8 : 0);
    const keys = by ? deviceMaxKeysPerWindow : 1;
    const stateBytes = 64 + estimatedKeys(by, keys, byKeyParam.defaultField) * perKey;

    // The event a closed window `w` emits: its last event with the value replaced.
    const emitted = py.helper(
      `window_${id}`,
      [
        `def window_${id}(w):`,
        "    e = w[2]",
        ...slot.replaceStatements("e", fold.result("w[0]", "w[1]")).map((line) => `    ${line}`),
        "    return e",
      ].join("\n"),
    );
    const keyCode = by ? (by.index >= 0 ? `e[${by.index}]` : `e.get(${py.string(by.name)})`) : "None";
    /**
     * Adds the event to its key's window among `ks`/`ws`, opening it (at the cap, closing the
     * oldest). The key and the value are read, and an untyped value checked, first: as on the
     * host, an event that fails there opens nothing, since a window left empty would divide by
     * zero when it closed.
     */
    const addTo = (ks: string, ws: string) => [
      `k = ${keyCode}`,
      ...(counted ? [] : [`v = ${slot.read("e")}`, ...slot.check("v")]),
      `w = ${ws}.get(k)`,
      "if w is None:",
      `    if len(${ks}) >= ${keys}:`,
      `        ${out}(${emitted}(${ws}.pop(${ks}.pop(0))))`,
      `    w = [${fold.initial}, 0, None]`,
      `    ${ws}[k] = w`,
      `    ${ks}.append(k)`,
      ...(counted ? [] : [fold.add("w[0]")]),
      "w[1] += 1",
      "w[2] = e",
    ];
    const emitAll = (ks: string, ws: string) => [`for k in ${ks}:`, `    ${out}(${emitted}(${ws}[k]))`];

    if (on && over?.kind === "duration") {
      const size = py.numberLiteral(over.ms / 1000);
      const lateness = py.numberLiteral(((py.raw("lateness") as { ms: number } | undefined)?.ms ?? 0) / 1000);
      const watermark = py.state("wm", "None", 16);
      const open = py.state("wins", "[]", 2 * stateBytes);
      return {
        statements: [
          `t = ${on.index >= 0 ? `e[${on.index}]` : `e.get(${py.string(on.name)})`}`,
          `s = t - t % ${size}`,
          `if ${watermark} is not None and s + ${size} + ${lateness} <= ${watermark}:`,
          `    fault(${where}, "dropped a late event: its window had closed")`,
          "    return",
          `i = len(${open})`,
          `while i > 0 and ${open}[i - 1][0] > s:`,
          "    i -= 1",
          `if i > 0 and ${open}[i - 1][0] == s:`,
          `    g = ${open}[i - 1]`,
          "else:",
          "    g = [s, [], {}]",
          `    ${open}.insert(i, g)`,
          ...addTo("g[1]", "g[2]"),
          `if ${watermark} is None or t > ${watermark}:`,
          `    ${watermark} = t`,
          `    while ${open} and ${open}[0][0] + ${size} + ${lateness} <= t:`,
          `        g = ${open}.pop(0)`,
          ...emitAll("g[1]", "g[2]").map((line) => `        ${line}`),
          "return",
        ],
      };
    }

    const ks = py.state("ks", "[]", 16);
    const ws = py.state("ws", "{}", stateBytes);
    if (over?.kind === "duration")
      return {
        statements: [...addTo(ks, ws), "return"],
        timer: { periodMs: over.ms, statements: [...emitAll(ks, ws), `${ks} = []`, `${ws}.clear()`, "return"] },
      };
    const size = py.number("over");
    return {
      statements: [
        ...addTo(ks, ws),
        `if w[1] < ${size}:`,
        "    return",
        `del ${ws}[k]`,
        `${ks}.remove(k)`,
        `e = ${emitted}(w)`,
      ],
    };
  };
}

export const micropythonImplementations: MicroPythonImplementation[] = aggregates.map((aggregate) => ({
  key: componentKey("operator", aggregate),
  operator: windowOperator(aggregate),
}));
