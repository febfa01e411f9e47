import type { FlowType, RecordType } from "../../compiler/types.js";
import { componentKey, type EmitContext, type MicroPythonImplementation } from "../../targets/esp8266/component.js";

/**
 * Python's `repr`, but keeping non-ASCII characters as they are, as CPython and the host print
 * them (MicroPython's own repr writes `'temp\xe9rature'`). ASCII text takes the plain repr, whose
 * choice of quote is CPython's; the rest of the string is escaped character by character with it.
 */
const showHelper = `def show(v):
    r = repr(v)
    if type(v) is not str or len(v) == len(v.encode()):
        return r
    q = r[0]
    s = q
    for c in v:
        s += c if c > "\\x7f" else "\\\\" + c if c == q else repr(c)[1:-1]
    return s + q`;

/**
 * A Python expression for the text of `value` (of `type`) as the host prints a field of a named
 * record: a nested named record as `Name(f=…)`, an anonymous one as a dict, anything else by repr.
 */
function reprOf(py: EmitContext, value: string, type: FlowType): string {
  // Only text can differ from MicroPython's repr (numbers and booleans print alike).
  if (type.kind === "scalar" && type.name !== "string") return `repr(${value})`;
  if (type.kind !== "record") return `${py.helper("show", showHelper)}(${value})`;
  const open = type.name !== undefined ? `${type.name}(` : "{";
  const parts = type.fields.map((field, i) => {
    const key = type.name !== undefined ? `${field.name}=` : `${pythonRepr(field.name)}: `;
    return `${py.string(`${i === 0 ? open : ", "}${key}`)} + ${reprOf(py, `${value}[${i}]`, field.type)}`;
  });
  if (parts.length === 0) return py.string(type.name !== undefined ? `${type.name}()` : "{}");
  return `${parts.join(" + ")} + ${py.string(type.name !== undefined ? ")" : "}")}`;
}

/** A Python expression for compact JSON of a record, as the host's `JSON.stringify` writes it. */
function compactJson(py: EmitContext, value: string, type: RecordType, json: string): string {
  if (type.fields.length === 0) return py.string("{}");
  const parts = type.fields.map((field, i) => {
    const item = `${value}[${i}]`;
    const text = field.type.kind === "record" ? compactJson(py, item, field.type, json) : `${json}.dumps(${item})`;
    return `${py.string(`${i === 0 ? "{" : ","}${JSON.stringify(field.name)}:`)} + ${text}`;
  });
  return `${parts.join(" + ")} + "}"`;
}

function pythonRepr(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * Prints events the way the host does, so a board's console reads like `flowc run`: records of a
 * named schema as `SensorEvent(sensor_id='lux-1', ts=611, val=284.1312)` (non-ASCII text as
 * characters), other records as compact JSON `{"id":"x","n":1}`, text as is, anything else as JSON.
 */
export const micropythonImplementations: MicroPythonImplementation[] = [
  {
    key: componentKey("sink", "print"),
    sink: (py) => {
      const input = py.node.input;
      const label = py.param("label");
      let text: string;
      if (input?.kind === "record" && input.name !== undefined) text = reprOf(py, "e", input);
      else if (input?.kind === "record") text = compactJson(py, "e", input, py.module("json"));
      else if (input?.kind === "scalar" && input.name === "string") text = "e";
      else text = `e if type(e) is str else ${py.module("json")}.dumps(e)`;
      const line = label ? `${label.code} + ": " + (${text})` : text;
      return { statements: [`print(${line})`] };
    },
  },
];
