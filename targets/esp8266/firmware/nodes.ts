/**
 * main.py's node functions: one per node, each running its component's statements over the event
 * `e` and calling the next nodes' functions directly, so the device runs no generic event library.
 * Components supply their statements through `components/<name>/micropython.ts`
 * ({@link ../component.ts}), looked up by registry key; what they ask for along the way (state,
 * helpers, drivers, modules, I2C, periodic tasks, subscriptions) is collected here for the other
 * sections of main.py.
 */
import { diagnostic, DiagnosticCodes, type Diagnostic } from "../../../compiler/diagnostics.js";
import type { IRNode, IRProgram } from "../../../compiler/ir.js";
import { componentKey, type ParamValue } from "../../../compiler/registry.js";
import { mayDivideByZero, type TypedExpression } from "../../../compiler/typed.js";
import type { FlowType } from "../../../compiler/types.js";
import {
  indent,
  micropythonLookup,
  type EmitContext,
  type MicroPythonImplementation,
  type OperatorCode,
  type PythonNumberSlot,
  type PythonValue,
  type SinkCode,
  type SourceCode,
} from "../component.js";
import type { ConfigFile } from "../config-file.js";
import {
  compileExpression,
  jsonText,
  pythonLiteral,
  pythonBytes,
  pythonNumber,
  pythonString,
  recordDecoder,
  tuple,
} from "../python.js";

/** A periodic task; `first` delays the first run (time windows close a period after the start). */
export interface PeriodicTask {
  readonly periodMs: number;
  readonly fn: string;
  readonly first?: number;
}

/** A module-level variable holding a node's state between events. */
export interface StateVariable {
  readonly node: string;
  readonly name: string;
  readonly bytes: number;
}

/** What the node functions need from the rest of main.py, and what they hold. */
export interface NodeFunctions {
  /** `def n0(): ...` and the rest, in node order. */
  readonly functions: readonly string[];
  /** Module-level state (`acc_3 = 0`), before the functions. */
  readonly stateLines: readonly string[];
  /** Helper functions components share, by name. */
  readonly helpers: ReadonlyMap<string, string>;
  /** Modules to import (`json`, `machine`). */
  readonly imports: ReadonlySet<string>;
  /** Driver files to ship, with the names main.py imports from each. */
  readonly drivers: ReadonlyMap<string, { readonly source: string; readonly symbols: ReadonlySet<string> }>;
  readonly tasks: readonly PeriodicTask[];
  readonly subscriptions: readonly { readonly filter: PythonValue; readonly qos: number; readonly fn: string }[];
  /** Nodes keeping state between events (not counting a source's open driver). */
  readonly statefulNodes: ReadonlySet<string>;
  /** That state's module-level names, in node order, with the heap each may hold. */
  readonly state: readonly StateVariable[];
  /** Heap held by state and open drivers, in bytes. */
  readonly stateBytes: number;
  readonly usesI2c: boolean;
  readonly usesMqtt: boolean;
}

/**
 * Generates every node's function; problems (a component with no MicroPython side, a parameter
 * that must be a constant) go to `diagnostics` as E501.
 *
 * @example
 * const nodes = emitNodeFunctions(program, micropythonImplementations, config, diagnostics);
 * nodes.functions.join("\n"); // "def n0():\n    ..."
 */
export function emitNodeFunctions(
  program: IRProgram,
  implementations: Iterable<MicroPythonImplementation>,
  config: ConfigFile,
  diagnostics: Diagnostic[],
): NodeFunctions {
  return new NodeEmitter(program, micropythonLookup(implementations), config, diagnostics).emit();
}

class NodeEmitter {
  private readonly imports = new Set<string>();
  private readonly drivers = new Map<string, { source: string; symbols: Set<string> }>();
  private readonly stateLines: string[] = [];
  private readonly helpers = new Map<string, string>();
  /** Module-level names each node's functions assign. */
  private readonly globals = new Map<string, string[]>();
  private readonly functions: PythonFunction[] = [];
  private readonly tasks: PeriodicTask[] = [];
  private readonly subscriptions: { filter: PythonValue; qos: number; fn: string }[] = [];
  private readonly observers = new Map<string, { node: string; statements: readonly string[] }[]>();
  private readonly statefulNodes = new Set<string>();
  /** Operators that asked for a function handing events on ({@link EmitContext.downstream}). */
  private readonly forwarding = new Set<string>();
  private readonly state: StateVariable[] = [];
  private stateBytes = 0;
  private usesI2c = false;
  private usesMqtt = false;

  constructor(
    private readonly program: IRProgram,
    private readonly lookup: (key: string) => MicroPythonImplementation | undefined,
    private readonly config: ConfigFile,
    private readonly diagnostics: Diagnostic[],
  ) {}

  emit(): NodeFunctions {
    const code = new Map<string, SourceCode | OperatorCode | SinkCode>();
    for (const node of this.program.nodes) {
      const implementation = this.lookup(componentKey(node.kind, node.name));
      const generate = implementation && hookOf(implementation, node.kind);
      if (!generate) {
        this.report(
          node,
          `\`${node.name}\` has no MicroPython implementation`,
          "run this part of the flow on the host",
        );
        continue;
      }
      try {
        code.set(node.id, generate(this.context(node)));
      } catch (error) {
        this.report(node, `\`${node.label}\` cannot be built for esp8266: ${(error as Error).message}`);
      }
    }
    for (const [id, generated] of code) {
      if ("observe" in generated && generated.observe) {
        for (const watch of generated.observe) {
          const list = this.observers.get(watch.node) ?? [];
          list.push({ node: id, statements: watch.statements });
          this.observers.set(watch.node, list);
        }
      }
    }
    for (const node of this.program.nodes) {
      const generated = code.get(node.id);
      if (generated) this.emitNode(node, generated);
    }
    return {
      functions: foldSingleCallers(this.functions, [
        ...this.tasks.map((task) => task.fn),
        ...this.subscriptions.map((subscription) => subscription.fn),
      ]).flatMap((fn) => [...fn.lines, ""]),
      stateLines: this.stateLines,
      helpers: this.helpers,
      imports: this.imports,
      drivers: this.drivers,
      tasks: this.tasks,
      subscriptions: this.subscriptions,
      statefulNodes: this.statefulNodes,
      state: this.state,
      stateBytes: this.stateBytes,
      usesI2c: this.usesI2c,
      usesMqtt: this.usesMqtt,
    };
  }

  private report(node: IRNode, message: string, hint?: string): void {
    this.diagnostics.push(diagnostic(DiagnosticCodes.UnsupportedOnTarget, node.span, message, hint));
  }

  /** `n1(e)\nn4(e)`: hands the event to every next node. */
  private emitTo(node: IRNode): string[] {
    const watchers = (this.observers.get(node.id) ?? []).flatMap((watch) => [
      ...this.globalLine(watch.node),
      ...watch.statements,
    ]);
    return [...watchers, ...node.next.map((next) => `${next}(e)`)];
  }

  private globalLine(id: string): string[] {
    const names = this.globals.get(id);
    return names && names.length > 0 ? [`global ${names.join(", ")}`] : [];
  }

  private emitNode(node: IRNode, generated: SourceCode | OperatorCode | SinkCode): void {
    const name = node.id;
    // pythonString escapes whatever the label holds; the console shows it as `flowc graph` does.
    const where = pythonString(node.label);
    if (node.kind === "source") {
      const source = generated as SourceCode;
      if (source.kind === "inputs") {
        this.define(name, `def ${name}(e):`, this.emitTo(node));
        return;
      }
      if (source.kind === "subscription") {
        this.usesMqtt = true;
        this.subscriptions.push({ filter: source.topic, qos: source.qos, fn: name });
        this.define(name, `def ${name}(e):`, [...this.globalLine(node.id), ...source.statements, ...this.emitTo(node)]);
        return;
      }
      const device = source.open ? this.stateName(node, "dev", "None") : undefined;
      if (source.openBytes) this.stateBytes += source.openBytes;
      const body = [
        ...this.globalLine(node.id),
        "try:",
        ...indent([
          ...(device ? [`if ${device} is None:`, `    ${device} = ${source.open}`] : []),
          ...source.sample(device ?? "None"),
        ]),
        "except Exception as x:",
        ...indent([`fault(${where}, x)`, ...(device ? [`${device} = None`] : []), "return"]),
        // So the same fault, coming back later, is reported again.
        `recovered(${where})`,
        ...this.emitTo(node),
      ];
      this.define(name, `def ${name}():`, body);
      this.tasks.push({ periodMs: source.periodMs, fn: name });
      return;
    }
    const statements = guardedAgainstFailures(node, (generated as OperatorCode | SinkCode).statements, where);
    const body =
      node.kind === "sink"
        ? [...this.globalLine(node.id), ...statements]
        : [...this.globalLine(node.id), ...statements, ...this.emitTo(node)];
    this.define(name, `def ${name}(e):`, body);
    if (this.forwarding.has(node.id)) this.define(`${name}_out`, `def ${name}_out(e):`, this.emitTo(node));
    const timer = "timer" in generated ? generated.timer : undefined;
    if (timer) {
      this.define(`${name}_timer`, `def ${name}_timer():`, [
        ...this.globalLine(node.id),
        ...timer.statements,
        ...this.emitTo(node),
      ]);
      this.tasks.push({ periodMs: timer.periodMs, fn: `${name}_timer`, first: timer.periodMs });
    }
  }

  private define(name: string, header: string, body: readonly string[]): void {
    this.functions.push({ name, lines: [header, ...indent(body.length > 0 ? body : ["pass"])] });
  }

  private stateName(node: IRNode, hint: string, initial: string, bytes = 16): string {
    // `acc_3`: node functions are `n3`, so state names never collide with them.
    const name = `${hint}_${node.id.slice(1)}`;
    this.stateLines.push(`${name} = ${initial}`);
    this.stateBytes += bytes;
    const list = this.globals.get(node.id) ?? [];
    list.push(name);
    this.globals.set(node.id, list);
    return name;
  }

  private context(node: IRNode): EmitContext {
    const paramValue = (name: string): ParamValue | undefined => node.params[name];
    const names = (bindings: Readonly<Record<string, string>> = {}) => ({
      event: "e",
      binding: (name: string) => {
        const python = bindings[name];
        if (python === undefined) throw new Error(`no binding \`${name}\` here`);
        return python;
      },
      config: (reference: Extract<TypedExpression, { kind: "config" }>) => this.config.reference(reference, node.span),
      helper: (name: string, code: string) => this.helper(name, code),
    });
    const constant = (name: string): string | number | boolean | undefined => {
      const value = paramValue(name);
      if (!value) return undefined;
      switch (value.kind) {
        case "number":
        case "count":
        case "string":
        case "bool":
        case "enum":
          return value.value;
        case "duration":
          return value.ms;
        case "secret":
        case "env":
          this.report(
            node,
            `\`${name}\` of \`${node.name}\` shapes the generated code, so it must be written in the source on esp8266`,
            `write the value itself instead of ${value.kind === "secret" ? "secret(...)" : "env(...)"}`,
          );
          return undefined;
        default:
          throw new Error(`\`${name}\` is a ${value.kind}, not a constant`);
      }
    };
    const inputFields = (type: FlowType | undefined) => (type?.kind === "record" ? type.fields.length : 0);
    return {
      node,
      event: "e",
      expression: (expr, bindings) => compileExpression(expr, names(bindings)),
      raw: paramValue,
      param: (name) => {
        const value = paramValue(name);
        if (!value) return undefined;
        if (value.kind === "secret" || value.kind === "env") return { code: this.config.param(value, node.span) };
        const plain = constant(name);
        if (plain === undefined) return undefined;
        return { code: typeof plain === "number" ? pythonNumber(plain) : pythonLiteral(plain), value: plain };
      },
      constant,
      number: (name) => {
        const value = constant(name);
        if (typeof value !== "number") throw new Error(`\`${name}\` must be a number written in the source`);
        return value;
      },
      field: (name) => {
        const value = paramValue(name);
        return value?.kind === "field" ? value : undefined;
      },
      numberSlot: (param = "of"): PythonNumberSlot => {
        const field = paramValue(param);
        const check =
          node.input?.kind === "any"
            ? (v: string) => [
                `if type(${v}) is not int and type(${v}) is not float:`,
                `    raise TypeError("not a number: " + repr(${v}))`,
              ]
            : () => [];
        if (field?.kind === "field" && field.index >= 0) {
          const size = inputFields(node.input);
          return {
            read: (e) => `${e}[${field.index}]`,
            replaceStatements: (e, value) => [
              `e = ${tuple(Array.from({ length: size }, (_, i) => (i === field.index ? value : `${e}[${i}]`)))}`,
            ],
            check,
          };
        }
        if (field?.kind === "field") {
          const key = pythonString(field.name);
          return {
            read: (e) => `${e}.get(${key})`,
            replaceStatements: (e, value) => [`e = dict(${e})`, `e[${key}] = ${value}`],
            check,
          };
        }
        return { read: (e) => e, replaceStatements: (_e, value) => [`e = ${value}`], check };
      },
      state: (hint, initial, bytes = 16) => {
        this.statefulNodes.add(node.id);
        const name = this.stateName(node, hint, initial, bytes);
        this.state.push({ node: node.id, name, bytes });
        return name;
      },
      module: (name) => {
        this.imports.add(name);
        return name;
      },
      helper: (name, code) => this.helper(name, code),
      driver: (file, source, symbol) => {
        const driver = this.drivers.get(file) ?? { source, symbols: new Set<string>() };
        driver.symbols.add(symbol);
        this.drivers.set(file, driver);
        return symbol;
      },
      i2c: () => {
        this.usesI2c = true;
        return "i2c";
      },
      publish: (topic, payload, qos, retain) => {
        this.usesMqtt = true;
        // A topic written in the source is a bytes literal already, so nothing is encoded per event.
        const topicCode = typeof topic.value === "string" ? pythonBytes(topic.value) : topic.code;
        return `publish(${topicCode}, ${payload}, ${retain ? "True" : "False"}, ${qos})`;
      },
      jsonText: (value, type) => {
        this.imports.add("json");
        return jsonText(value, type, "json");
      },
      decodeRecord: (value, schema) => recordDecoder(value, schema, names()),
      downstream: () => {
        this.forwarding.add(node.id);
        return `${node.id}_out`;
      },
      now: "now()",
      string: pythonString,
      numberLiteral: pythonNumber,
    };
  }

  private helper(name: string, code: string): string {
    const existing = this.helpers.get(name);
    if (existing !== undefined && existing !== code) throw new Error(`two different helpers named ${name}`);
    this.helpers.set(name, code);
    return name;
  }
}

/** A function of flow.py: its name, and its lines from `def` on, indented by four spaces. */
interface PythonFunction {
  readonly name: string;
  readonly lines: readonly string[];
}

/**
 * Node functions with a single caller, folded into it: each function costs the board a function
 * object, its bytecode's header and a module-level name besides its statements, all held for as
 * long as the flow runs. A node's function is folded where its call `nK(e)` is the only mention of
 * its name (no task, subscription or second caller) and stands in the caller's body itself (not in
 * a nested block). Its statements then run in the caller, where they could end it early (`return`)
 * or change its event (`e = ...`), which the caller's later calls would see: a function doing
 * either is folded only into the caller's last line. A failure names the caller in a traceback;
 * fault lines keep the node's own label.
 */
function foldSingleCallers(functions: readonly PythonFunction[], references: readonly string[]): PythonFunction[] {
  let folded = [...functions];
  for (let changed = true; changed;) {
    changed = false;
    // How often each node function's name stands in the module: its `def` and each reference.
    const mentions = new Map<string, number>();
    for (const line of [...folded.flatMap((fn) => fn.lines), ...references])
      for (const [name] of line.matchAll(/\bn\d+\b/g)) mentions.set(name, (mentions.get(name) ?? 0) + 1);
    for (const callee of folded) {
      if (!/^n\d+$/.test(callee.name) || callee.lines[0] !== `def ${callee.name}(e):`) continue;
      if (mentions.get(callee.name) !== 2) continue;
      const call = `    ${callee.name}(e)`;
      const caller = folded.find((fn) => fn !== callee && fn.lines.includes(call));
      if (!caller) continue;
      const at = caller.lines.indexOf(call);
      const body = callee.lines.slice(1);
      const last = at === caller.lines.length - 1;
      if (!last && body.some((line) => /^\s*(return\b|e\s*=[^=])/.test(line))) continue;
      const merged = {
        name: caller.name,
        lines: [...caller.lines.slice(0, at), ...body, ...caller.lines.slice(at + 1)],
      };
      folded = folded.filter((fn) => fn !== callee).map((fn) => (fn === caller ? merged : fn));
      changed = true;
      break;
    }
  }
  return folded;
}

/**
 * A step's statements, inside a `try` that reports a failure under the step's name and drops the
 * event when its input holds values of unknown shape (`json` without `as`) or it may divide by
 * zero (as the host drops such an event). Any other step cannot fail, so it costs nothing; a
 * failing one could otherwise raise into the step before it and take the event from the fan-out
 * branches after it, which the host would still have served.
 */
function guardedAgainstFailures(node: IRNode, statements: readonly string[], where: string): readonly string[] {
  if (statements.length === 0) return statements;
  const mayFail = (node.input && holdsUntypedValues(node.input)) || Object.values(node.params).some(mayDivideBy0);
  if (!mayFail) return statements;
  return ["try:", ...indent(statements), "except Exception as x:", ...indent([`fault(${where}, x)`, "return"])];
}

function mayDivideBy0(param: ParamValue): boolean {
  if (param.kind === "expression") return mayDivideByZero(param.expr);
  if (param.kind === "binding") return mayDivideByZero(param.init);
  if (param.kind === "assignments") return param.items.some((item) => mayDivideByZero(item.expr));
  return false;
}

function holdsUntypedValues(type: FlowType): boolean {
  return type.kind === "any" || (type.kind === "record" && type.fields.some((field) => holdsUntypedValues(field.type)));
}

/** The implementation's hook for a node of `kind`, bound to it. */
function hookOf(
  implementation: MicroPythonImplementation,
  kind: IRNode["kind"],
): ((py: EmitContext) => SourceCode | OperatorCode | SinkCode) | undefined {
  if (kind === "source") return implementation.source?.bind(implementation);
  if (kind === "operator") return implementation.operator?.bind(implementation);
  return implementation.sink?.bind(implementation);
}
