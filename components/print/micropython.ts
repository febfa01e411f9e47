import { componentKey, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/** Prints records the way the host (and ThingFlow) does: `SensorEvent(sensor_id='lux-1', ts=611, val=284.1312)`. */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("sink", "print"),
    sink: (py) => {
      const input = py.node.input;
      const label = py.param("label");
      const text =
        input?.kind === "record"
          ? `${py.string(`${input.name ?? "Record"}(${input.fields.map((f) => `${f.name}=%r`).join(", ")})`)} % e`
          : "e";
      return { statements: [label ? `print(${label.code} + ": " + str(${text}))` : `print(${text})`] };
    },
  },
];
