/**
 * Checked expressions ({@link TypedExpression}) to MicroPython source, for the ESP8266 bundle.
 *
 * On the device an event is a tuple in its schema's field order (ThingFlow's
 * `('lux-1', 611, 284.1312)`), so a field read is an index (`e[2]`) and a record literal is a
 * tuple; decoded JSON without a schema is a dict, read with `.get`. Every value that comes from a
 * `.flow` file is written through {@link pythonString} or {@link pythonNumber}, which emit pure
 * ASCII with every other character escaped, so no program text can end a literal early or inject
 * code. Every compound expression is parenthesised, so precedence never depends on the context.
 */
import type { BinaryOperator } from "../../compiler/ast.js";
import { passesThrough, stdlib } from "../../compiler/stdlib.js";
import type { TypedExpression } from "../../compiler/typed.js";
import type { FlowType, RecordType } from "../../compiler/types.js";

/** A `secret(...)` or `env(...)` reference inside an expression. */
export type ConfigReference = Extract<TypedExpression, { kind: "config" }>;

/**
 * A Python string literal of `text`: double-quoted ASCII, with quotes, backslashes, control
 * characters and everything outside printable ASCII escaped (`\n`, `\x00`, `\u00e9`,
 * `\U0001f600`), so it is one safe token whatever `text` holds.
 *
 * @example
 * pythonString('say "hi"\n'); // '"say \\"hi\\"\\n"'
 * pythonString("µ"); // '"\\u00b5"'
 */
export function pythonString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === "\\" || char === '"') out += `\\${char}`;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (code < 0x100) out += `\\x${hex(code, 2)}`;
    else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

/**
 * A Python bytes literal of `text` encoded as UTF-8, printable ASCII kept and every other byte
 * escaped. umqtt.simple measures topics with `len()`, which counts characters of a `str` but
 * bytes of a `bytes`, so topics are passed as bytes.
 *
 * @example
 * pythonBytes("sensor-data"); // 'b"sensor-data"'
 * pythonBytes("é"); // 'b"\\xc3\\xa9"'
 */
export function pythonBytes(text: string): string {
  let out = 'b"';
  for (const byte of Buffer.from(text, "utf8")) {
    if (byte === 0x5c || byte === 0x22) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${hex(byte, 2)}`;
  }
  return `${out}"`;
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, "0");
}

/**
 * A number as a Python literal that reads back as the same double. Negative values are
 * parenthesised so they can stand anywhere; non-finite values become `float(...)` calls.
 *
 * @example
 * pythonNumber(284.1312); // "284.1312"
 * pythonNumber(-0.4); // "(-0.4)"
 * pythonNumber(Infinity); // 'float("inf")'
 */
export function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'float("nan")';
  if (value === Infinity) return 'float("inf")';
  if (value === -Infinity) return '(-float("inf"))';
  if (Object.is(value, -0)) return "(-0.0)";
  // JavaScript's shortest round-trip form is valid Python: `1e+21`, `5e-7`, `0.1`.
  const text = String(value);
  return value < 0 ? `(${text})` : text;
}

/** A constant as a Python literal: text, number, bool or None. */
export function pythonLiteral(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return pythonString(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  return pythonNumber(value);
}

/** The names generated code uses; the bundle provides them. */
export interface PythonNames {
  /** The variable holding the current event: `e`. */
  readonly event: string;
  /** Python reading a component binding, such as `scan`'s accumulator. */
  readonly binding?: (name: string) => string;
  /** Python reading a `secret`/`env` value from the generated config module: `config.MQTT_HOST`. */
  readonly config: (reference: ConfigReference) => string;
  /**
   * Adds a module-level helper function (once per name) and returns the name to call it by.
   * `code` is the whole `def`, written for that name.
   */
  readonly helper: (name: string, code: string) => string;
}

const isNumber = (type: FlowType | undefined) =>
  type?.kind === "scalar" && (type.name === "number" || type.name === "int");

/**
 * A standard-library call as compiler/stdlib.ts says the board writes it. MicroPython's builtins
 * already have Python's semantics (`round` halves to even, `int` truncates), which the Node runtime
 * imitates, so most calls are written as they are.
 */
function stdlibCall(fn: string, args: readonly string[], argTypes: readonly FlowType[], names: PythonNames): string {
  const realisation = stdlib.get(fn)?.targets?.esp8266;
  if (!realisation) throw new Error(`the standard library function \`${fn}\` has no MicroPython translation`);
  if (passesThrough(realisation, argTypes)) return args[0]!;
  const callee = realisation.from === "define" ? names.helper(realisation.call, realisation.define) : realisation.call;
  return `${callee}(${args.join(", ")})`;
}

const binaryOperators: Readonly<Record<BinaryOperator, string>> = {
  "+": "+",
  "-": "-",
  "*": "*",
  "/": "/",
  // Python's `%` takes the divisor's sign, which is what the language specifies.
  "%": "%",
  "==": "==",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
  and: "and",
  or: "or",
};

const jsonFieldHelper = "def jget(v, k):\n    return v.get(k) if type(v) is dict else None";

/**
 * Compiles one expression to a Python expression.
 *
 * @example
 * // `val * 2 > 500 and sensor_id == "lux-1"` over a SensorEvent
 * compileExpression(typed, names); // '(((e[2] * 2) > 500) and (e[0] == "lux-1"))'
 */
export function compileExpression(expr: TypedExpression, names: PythonNames): string {
  const visit = (node: TypedExpression): string => {
    switch (node.kind) {
      case "literal":
        return typeof node.value === "number" && isNumber(node.type) && Number.isInteger(node.value)
          ? pythonNumber(node.value)
          : pythonLiteral(node.value);
      case "event":
        return names.event;
      case "field":
        return node.index < 0
          ? `${names.helper("jget", jsonFieldHelper)}(${visit(node.object)}, ${pythonString(node.name)})`
          : `${visit(node.object)}[${node.index}]`;
      case "binding":
        if (!names.binding)
          throw new Error(
            `\`${node.name}\` is a binding, but no binding is in scope where this expression is compiled`,
          );
        return names.binding(node.name);
      case "config":
        return names.config(node);
      case "unary":
        return node.operator === "not" ? `(not ${visit(node.operand)})` : `(-${visit(node.operand)})`;
      case "binary":
        return `(${visit(node.left)} ${binaryOperators[node.operator]} ${visit(node.right)})`;
      case "call":
        return stdlibCall(
          node.fn,
          node.args.map(visit),
          node.args.map((arg) => arg.type),
          names,
        );
      case "record":
        return tuple(node.fields.map(visit));
    }
  };
  return visit(expr);
}

/** A tuple display: `()`, `(a,)`, `(a, b)`. */
export function tuple(items: readonly string[]): string {
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

/** Schemas whose events travel as JSON arrays in field order (ThingFlow's namedtuples). */
const arraySchemas: ReadonlySet<string> = new Set(["SensorEvent"]);

/**
 * A Python expression giving the JSON text of `value` (Python code) of type `type`, byte for byte
 * what the host's encoder writes: a SensorEvent as the tutorial's array `["lux-1", 611, 284.1312]`
 * (`json.dumps` of the tuple), other records as objects with fields in schema order, written out
 * field by field because MicroPython's dicts do not keep insertion order.
 *
 * @example
 * jsonText("e", SensorEvent, "json"); // "json.dumps(e)"
 * jsonText("e", Alert, "json"); // '"{\"sensor_id\": " + json.dumps(e[0]) + ", \"ts\": " + ... + "}"'
 */
export function jsonText(value: string, type: FlowType, json: string): string {
  if (type.kind !== "record" || (type.name !== undefined && arraySchemas.has(type.name)))
    return `${json}.dumps(${value})`;
  if (type.fields.length === 0) return pythonString("{}");
  const parts = type.fields.map((field, i) => {
    const key = `${i === 0 ? "{" : ", "}${JSON.stringify(field.name)}: `;
    return `${pythonString(key)} + ${jsonText(`${value}[${i}]`, field.type, json)}`;
  });
  return `(${parts.join(" + ")} + "}")`;
}

/**
 * The type codes {@link recordDecoder}'s helper checks decoded JSON fields against: `s` text,
 * `n` number, `i` integer, `b` bool, `a` anything, or a nested `(names, codes)` pair.
 */
function fieldCodes(type: RecordType): string {
  const codes = type.fields.map((field) => {
    const t = field.type;
    if (t.kind === "record") return `(${tuple(t.fields.map((f) => pythonString(f.name)))}, ${fieldCodes(t)})`;
    if (t.kind !== "scalar") return '"a"';
    return pythonString({ string: "s", number: "n", duration: "n", int: "i", bool: "b" }[t.name]);
  });
  return tuple(codes);
}

const recordHelper = `def rec(v, k, t):
    if type(v) is dict:
        v = [v.get(n) for n in k]
    if type(v) is not list or len(v) != len(k):
        raise ValueError("expected [" + ", ".join(k) + "] or an object")
    for i in range(len(k)):
        c = t[i]
        x = v[i]
        if type(c) is tuple:
            v[i] = rec(x, c[0], c[1])
        elif not (c == "a" or c == "n" and type(x) in (int, float) and x - x == 0 or c == "i" and type(x) is int or c == "s" and type(x) is str or c == "b" and type(x) is bool):
            raise ValueError(k[i])
    return tuple(v)`;

/**
 * Python raising ValueError when parsed JSON holds a number that is not finite (`1e999` reads as
 * `inf`; `x - x` is 0 for every finite number, `nan` for `inf` and `nan`). Iterative, as the
 * board's stack is small.
 */
const finiteHelper = `def fin(v):
    s = [v]
    while s:
        x = s.pop()
        t = type(x)
        if t is float and x - x != 0:
            raise ValueError("a number is not finite")
        if t is list:
            s.extend(x)
        elif t is dict:
            s.extend(x.values())
    return v`;

/**
 * A Python expression checking that parsed JSON holds finite numbers only.
 *
 * @example
 * finiteJson("json.loads(e)", names); // 'fin(json.loads(e))'
 */
export function finiteJson(value: string, names: Pick<PythonNames, "helper">): string {
  return `${names.helper("fin", finiteHelper)}(${value})`;
}

/**
 * A Python expression turning the parsed JSON `value` into an event tuple of `schema`, accepting
 * the array form `["lux-1", 611, 284.13]` and the object form `{"sensor_id": ...}` as the host
 * does, and raising ValueError (naming the field) for anything else.
 *
 * @example
 * recordDecoder("json.loads(e)", SensorEvent, names);
 * // 'rec(json.loads(e), ("sensor_id", "ts", "val"), ("s", "n", "n"))'
 */
export function recordDecoder(value: string, schema: RecordType, names: Pick<PythonNames, "helper">): string {
  const keys = tuple(schema.fields.map((field) => pythonString(field.name)));
  return `${names.helper("rec", recordHelper)}(${value}, ${keys}, ${fieldCodes(schema)})`;
}
