import { describe, expect, it } from "vitest";
import { allDeclarations } from "../components/declarations.js";
import type { Argument, Expression, Invocation, PipelineStatement, Statement } from "./ast.js";
import { readItems } from "./binder.js";
import { parseSource } from "./parse.js";
import { Registry, type ParamSpec } from "./registry.js";
import { topLevelSettings } from "./settings.js";
import { SourceFile } from "./source.js";

const registry = new Registry(allDeclarations);

function parse(text: string): Statement[] {
  const { program, diagnostics } = parseSource(new SourceFile("t.flow", text));
  expect(diagnostics).toEqual([]);
  return [...program.statements];
}

/**
 * A compact, span-free rendering of invocations, for readable expectations: the items as the
 * binder reads them against the component's (or setting's) parameters.
 */
function show(invocation: Invocation, params: readonly ParamSpec[] = []): string {
  const read = readItems(invocation.items, params);
  const args = read.args.map(showArgument).join(", ");
  const options = read.options.map((o) => (o.value ? `${o.name.name}=${showExpression(o.value)}` : `${o.name.name}!`));
  return [invocation.name.name, ...(args ? [`(${args})`] : []), ...options].join(" ");
}

function showArgument(argument: Argument): string {
  return argument.kind === "assignment"
    ? `${argument.target.name}=${showExpression(argument.value)}`
    : showExpression(argument.value);
}

function showExpression(e: Expression): string {
  switch (e.kind) {
    case "number":
      return String(e.value);
    case "string":
      return JSON.stringify(e.value);
    case "boolean":
      return String(e.value);
    case "duration":
      return `${e.milliseconds}ms`;
    case "name":
      return e.name;
    case "field":
      return `${showExpression(e.object)}.${e.field.name}`;
    case "binary":
      return `(${showExpression(e.left)} ${e.operator} ${showExpression(e.right)})`;
    case "unary":
      return `(${e.operator} ${showExpression(e.operand)})`;
    case "call":
      return `${e.callee.name}(${e.args.map(showExpression).join(", ")})`;
    case "record":
      return `${e.typeName?.name ?? ""}{${e.fields.map((f) => `${f.name.name}: ${showExpression(f.value)}`).join(", ")}}`;
  }
}

const stepParams = (step: Invocation) =>
  (registry.get("operator", step.name.name) ?? registry.get("sink", step.name.name))?.params;
const showStep = (step: Invocation) => show(step, stepParams(step));
const showSettings = (statement: Statement) =>
  statement.kind === "settings" &&
  show(statement.invocation, topLevelSettings.get(statement.invocation.name.name)?.params);

function stages(statement: Statement): string[] {
  const pipeline = (statement as PipelineStatement).pipeline;
  return [
    show(pipeline.source, registry.get("source", pipeline.source.name.name)?.params),
    ...pipeline.steps.map((s) =>
      s.kind === "fanout"
        ? `[${s.branches.map((b) => b.steps.map((x) => (x.kind === "fanout" ? "[...]" : showStep(x))).join(" -> ")).join(" | ")}]`
        : showStep(s),
    ),
  ];
}

describe("parser", () => {
  it("parses the tutorial's server", () => {
    const [broker, pipeline] = parse(
      'broker "localhost" port 1883\nmqtt "sensor-data"\n  -> json as SensorEvent # c\n  -> set ts = now()\n  -> [print, csv "test.csv"]\n',
    );
    expect(showSettings(broker!)).toBe('broker ("localhost") port=1883');
    expect(stages(pipeline!)).toEqual([
      'mqtt ("sensor-data")',
      "json as=SensorEvent",
      "set (ts=now())",
      '[print | csv ("test.csv")]',
    ]);
  });

  it("reads a bare word after a stage as an option, and a value-led word as an argument", () => {
    const [a, b, c] = parse(
      'sim every 1s -> avg over 10 -> print\nsim every 1s -> filter val > 3 and ok -> print\nsim every 1s -> mqtt "x" retain qos 1',
    );
    expect(stages(a!)).toEqual(["sim every=1000ms", "avg over=10", "print"]);
    expect(stages(b!)).toEqual(["sim every=1000ms", "filter (((val > 3) and ok))", "print"]);
    expect(stages(c!)).toEqual(["sim every=1000ms", 'mqtt ("x") retain! qos=1']);
  });

  // Found by compiler/fuzz-programs.test.ts: `map val - 1` was read as an option `val` valued `-1`.
  it("reads a word before a spaced or unspaced minus as a subtraction, and `offset -0.4` as a negative value", () => {
    const [a, b, c] = parse(
      "sim every 1s -> map val - 1 -> filter val-1 > 0 -> print\n" +
        "sim every 1s -> calibrate offset -0.4 scale 2 -> print\n" +
        "sim every 1s -> calibrate scale 2 offset -1 -> print",
    );
    expect(stages(a!)).toEqual(["sim every=1000ms", "map ((val - 1))", "filter (((val - 1) > 0))", "print"]);
    expect(stages(b!)).toEqual(["sim every=1000ms", "calibrate offset=-0.4 scale=2", "print"]);
    expect(stages(c!)).toEqual(["sim every=1000ms", "calibrate scale=2 offset=-1", "print"]);
  });

  // Found by compiler/fuzz-mutations.test.ts: `[print x,]` gave `print` the argument `x`, and the
  // formatter, writing `[print x]` (the option `x`), refused to change the file's meaning.
  it("reads a bare word before a fan-out's comma as before its `]`", () => {
    const [a, b, c] = parse(
      "sim every 1s -> [print x, print]\nsim every 1s -> [print x,]\nsim every 1s -> [set a = 1, b = 2]",
    );
    expect(stages(a!)).toEqual(["sim every=1000ms", "[print x! | print]"]);
    expect(stages(b!)).toEqual(["sim every=1000ms", "[print x!]"]);
    expect(stages(c!)).toEqual(["sim every=1000ms", "[set (a=1, b=2)]"]);
  });

  // Found by compiler/fuzz-programs.test.ts: `tls` took `password` as its value.
  it("reads a word before an option whose value is a call as a flag", () => {
    const [broker] = parse('broker "h" tls password secret("pw") will_retain ca env("CA", "ca.pem")');
    expect(showSettings(broker!)).toBe('broker ("h") tls! password=secret("pw") will_retain! ca=env("CA", "ca.pem")');
  });

  // Found by compiler/fuzz-programs.test.ts: a name before a settings block was a syntax error.
  it("ends a value that is a bare name before a settings block", () => {
    const [, broker, device] = parse(
      'let id = "server-1"\nbroker "localhost" client_id id {\n  port 1883\n}\ndevice board esp8266 {\n  watchdog 30s\n}',
    );
    expect(showSettings(broker!)).toBe('broker ("localhost") client_id=id');
    expect(broker!.kind === "settings" && broker!.invocation.block?.map((line) => show(line))).toEqual(["port (1883)"]);
    expect(showSettings(device!)).toBe("device board=esp8266");
  });

  it("splits fan-out branches at commas but keeps assignments together", () => {
    const [statement] = parse('sim every 1s -> [print "avg", set a = 1, b = 2 -> print, csv "x.csv"]');
    expect(stages(statement!)).toEqual([
      "sim every=1000ms",
      '[print ("avg") | set (a=1, b=2) -> print | csv ("x.csv")]',
    ]);
  });

  // Found by compiler/fuzz-programs.test.ts: the line breaks of a record literal hid the fan-out.
  it("splits fan-out branches after a record literal written over several lines", () => {
    const [statement] = parse(
      'sim every 1s -> [\n  map {\n    a: 1\n    b: 2\n  } -> print "x", csv "y.csv",\n  print,\n]',
    );
    expect(stages(statement!)).toEqual([
      "sim every=1000ms",
      '[map ({a: 1, b: 2}) -> print ("x") | csv ("y.csv") | print]',
    ]);
  });

  it("parses calls, typed records and field access as positional arguments", () => {
    const [statement] = parse(
      "sim every 1s -> filter abs(val) < 5 -> map Alert { id: it.sensor_id, v: -val * 2 } -> print",
    );
    expect(stages(statement!)).toEqual([
      "sim every=1000ms",
      "filter ((abs(val) < 5))",
      "map (Alert{id: it.sensor_id, v: ((- val) * 2)})",
      "print",
    ]);
  });

  it("honours precedence: not > and > or, * over +", () => {
    const [statement] = parse("sim every 1s -> filter not a or b and c == 1 + 2 * 3 -> print");
    expect(stages(statement!)[1]).toBe("filter (((not a) or (b and (c == (1 + (2 * 3))))))");
  });

  it("tells let streams from let constants", () => {
    const [stream, constant, call] = parse(
      'let lux = tsl2591 every 2s\nlet limit = 2 * 500\nlet host = env("HOST", "x")',
    );
    expect(stream!.kind === "let" && stream!.value.kind).toBe("pipeline");
    expect(constant!.kind === "let" && constant!.value.kind).toBe("binary");
    expect(call!.kind === "let" && call!.value.kind).toBe("call");
  });

  it("decodes string escapes", () => {
    const [statement] = parse('mqtt "a\\"b\\\\c\\n\\u{41}" -> print');
    const source = (statement as PipelineStatement).pipeline.source;
    expect(source.items[0]).toMatchObject({ kind: "value" });
    expect(source.items[0]!.kind === "value" && source.items[0]!.value).toMatchObject({
      kind: "string",
      value: 'a"b\\c\nA',
    });
  });

  it("gives every node a span that covers its text", () => {
    const text = 'tsl2591 "lux-1" every 5s -> [print, mqtt "sensor-data"]';
    const [statement] = parse(text);
    const pipeline = (statement as PipelineStatement).pipeline;
    expect(text.slice(pipeline.span.start, pipeline.span.end)).toBe(text);
    expect(text.slice(pipeline.source.span.start, pipeline.source.span.end)).toBe('tsl2591 "lux-1" every 5s');
  });

  it("recovers after an error and reports the rest of the file", () => {
    const { program, diagnostics } = parseSource(
      new SourceFile("t.flow", "sim every 1s -> ]\nsim every 2s -> print\nsim every ) -> print"),
    );
    expect(diagnostics.map((d) => d.code)).toEqual(["E201", "E201"]);
    expect(program.statements.length).toBeGreaterThanOrEqual(2);
  });
});
