import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/** Passes an event when its value moved by at least `threshold` since the last one passed, per `by` key. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "delta"),
    operator: (py) => {
      const slot = py.numberSlot("of");
      const threshold = py.param("threshold")!.code;
      const by = py.field("by");
      const moved = (last: string) => [
        `if ${last} is not None and (v == ${last} or abs(v - ${last}) < ${threshold}):`,
        "    return",
      ];
      if (!by) {
        const last = py.state("last", "None", 16);
        return { statements: [`v = ${slot.read("e")}`, ...moved(last), `${last} = v`] };
      }
      // Bounded like the host's: a stream of ever-new keys must not exhaust the heap.
      const lasts = py.state("lasts", "{}", 512);
      const key = by.index >= 0 ? `e[${by.index}]` : `e.get(${py.string(by.name)})`;
      return {
        statements: [
          `v = ${slot.read("e")}`,
          `k = ${key}`,
          `p = ${lasts}.get(k)`,
          ...moved("p"),
          `if p is None and len(${lasts}) >= 32:`,
          `    ${lasts}.clear()`,
          `${lasts}[k] = v`,
        ],
      };
    },
  },
];
