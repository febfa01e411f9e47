import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/** On each input event, the latest event of the sampled stream (nothing before it has one). */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("operator", "sample"),
    operator: (py) => {
      const streams = py.raw("stream");
      const sampled = streams?.kind === "streams" ? streams.ids[0] : undefined;
      if (!sampled) throw new Error("`sample` needs a stream");
      const latest = py.state("latest", "None", 64);
      return {
        statements: [`if ${latest} is None:`, "    return", `e = ${latest}`],
        observe: [{ node: sampled, statements: [`${latest} = e`] }],
      };
    },
  },
];
