/**
 * A fast-check generator of valid, well-typed `.flow` programs, for the fuzz tests that go past
 * the parser into the checker, lowering, the formatter and both targets.
 *
 * It knows the language (constants, schemas, named streams, fan-out, expressions, settings) but
 * not the components: every source, operator and sink, its parameters, their types, defaults and
 * targets come from the registry's declarations, and the declarations' own `accepts`, `check` and
 * `output` hooks decide which stages fit the stream and what flows out of them. A new component
 * is therefore fuzzed as soon as it is registered.
 *
 * Programs are built by a {@link fc.gen} generator, so fast-check replays and shrinks the choices
 * that made a failing program: fewer statements, fewer steps, shallower expressions.
 */
import fc from "fast-check";
import { binaryPrecedence, type BinaryOperator } from "../../compiler/ast.js";
import { registry as defaultRegistry } from "../../components/declarations.js";
import { keywords } from "../../compiler/lexer.js";
import type {
  ComponentContext,
  ComponentDeclaration,
  ComponentKind,
  ParamSpec,
  ParamValue,
  Registry,
  Target,
} from "../../compiler/registry.js";
import { deviceSetting, topLevelSettings, type SettingDeclaration } from "../../compiler/settings.js";
import { EventName } from "../../compiler/stdlib.js";
import {
  BoolType,
  builtinSchemas,
  fieldOf,
  IntType,
  isAssignable,
  isNumeric,
  NumberType,
  scalarTypes,
  StringType,
  type FlowType,
  type RecordType,
} from "../../compiler/types.js";
import type { TypedExpression } from "../../compiler/typed.js";
import { flowString } from "./flow-string.js";

/** A generated program and what running or building it needs. */
export interface GeneratedProgram {
  readonly text: string;
  /** `esp8266` when the program has a `device` block (then every component runs on the board). */
  readonly target: Target | undefined;
  /** A value for every `secret("...")` the program reads. */
  readonly secrets: Readonly<Record<string, string>>;
}

export interface ArbitraryProgramOptions {
  /** Default: every component in components/. */
  readonly registry?: Registry;
  /** Only programs for this target; default: device and host programs alike. */
  readonly target?: Target;
  /** Leave these components out (by name), as a differential test does with what it cannot feed. */
  readonly exclude?: (declaration: ComponentDeclaration) => boolean;
  /** Never give these optional parameters, as a test does with one that writes files. */
  readonly excludeParam?: (declaration: ComponentDeclaration, spec: ParamSpec) => boolean;
  /** Use only these sources (by name); default: every source of the target. */
  readonly sources?: readonly string[];
  /** Most top-level statements besides schemas and settings (default 4). */
  readonly maxStatements?: number;
}

/**
 * Valid, well-typed programs: each checks without errors (against its `device` target, if it has
 * one), formats, lowers and builds.
 *
 * @example
 * fc.assert(fc.property(arbitraryProgram(), (program) => {
 *   expect(compile([{ path: "f.flow", text: program.text }]).diagnostics.filter(isError)).toEqual([]);
 * }));
 */
export function arbitraryProgram(options: ArbitraryProgramOptions = {}): fc.Arbitrary<GeneratedProgram> {
  const components = options.registry ?? defaultRegistry();
  return fc.gen().map((g) => new ProgramBuilder(g, components, options).build());
}

type Gen = fc.GeneratorValue;

/** An expression as text, with how tightly it binds (atoms 10) and the type the checker gives it. */
interface Rendered {
  readonly text: string;
  readonly precedence: number;
  readonly type: FlowType;
}

const atom = 10;
const unaryMinusPrecedence = 8;
const notPrecedence = 3;

interface Named {
  readonly name: string;
  readonly type: FlowType;
}

/** Names an expression can read where it is written. */
interface Scope {
  /** The event flowing in, for per-event expressions. */
  readonly event?: FlowType;
  readonly bindings: readonly Named[];
}

/** Field names, including words that are option names or component names elsewhere. */
const fieldNames = ["val", "level", "count", "x", "label", "temp_c", "_raw", "every", "over", "of", "print", "ok2"];

/** Characters for string literals: the escapes, quotes, non-ASCII and what ends a line in Python. */
const stringPieces = [
  "a",
  "Z",
  " ",
  "-",
  '"',
  "\\",
  "\n",
  "\t",
  "\r",
  "\0",
  "é",
  "µ",
  "日本",
  "😀",
  "#",
  "'",
  "{}",
  "%s",
];

const units: readonly { readonly unit: string; readonly ms: number }[] = [
  { unit: "ms", ms: 1 },
  { unit: "s", ms: 1000 },
  { unit: "min", ms: 60_000 },
  { unit: "h", ms: 3_600_000 },
  { unit: "d", ms: 86_400_000 },
];

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A typed expression standing in for a parameter's value when asking a declaration's hooks. */
const typed = (type: FlowType): TypedExpression => ({ kind: "literal", value: 0, type });

interface StreamEntry {
  readonly name: string;
  readonly type: FlowType;
  used: boolean;
}

interface ConstantEntry {
  readonly name: string;
  readonly type: FlowType;
  /** The literal it was defined as, when it is one: such constants may also be parameter values. */
  readonly literal?: { readonly text: string; readonly value: ParamValue };
  used: boolean;
}

/** One invocation's parameters, written out and as the values a declaration's hooks read. */
interface BoundInvocation {
  readonly text: string;
  readonly params: Map<string, ParamValue>;
}

class ProgramBuilder {
  private readonly target: Target | undefined;
  private readonly schemas = new Map<string, RecordType>(builtinSchemas);
  private readonly streams: StreamEntry[] = [];
  private readonly constants: ConstantEntry[] = [];
  private readonly secrets: Record<string, string> = {};
  private readonly statements: string[] = [];
  /** The shape each written resource (a CSV file) has so far: one file, one shape (E411). */
  private readonly writtenShapes = new Map<string, string>();
  private counter = 0;
  private inFanOut = false;

  constructor(
    private readonly g: Gen,
    private readonly registry: Registry,
    private readonly options: ArbitraryProgramOptions,
  ) {
    this.target = options.target ?? (this.chance(0.5) ? "esp8266" : undefined);
    if (this.target === "node") this.target = undefined;
  }

  build(): GeneratedProgram {
    const schemaCount = this.int(0, 2);
    for (let i = 0; i < schemaCount; i++) this.schema();
    if (this.target === "esp8266") this.statements.push(this.setting(deviceSetting, ""));
    else if (this.chance(0.3)) this.statements.push(this.setting(topLevelSettings.get("broker")!, ""));
    const count = this.int(1, this.options.maxStatements ?? 4);
    for (let i = 0; i < count; i++) {
      const kind = this.int(0, 3);
      if (kind === 0) this.constant();
      else if (kind === 1) this.namedStream();
      else this.pipelineStatement();
    }
    // A pipeline that is not `let` must end in sinks; streams nobody used go to one.
    for (const stream of this.streams) {
      if (stream.used) continue;
      stream.used = true;
      const end = this.ending(stream.type, 0);
      if (end) this.statements.push(`${stream.name}${end}`);
    }
    if (!this.statements.some((s) => /->/.test(s))) this.pipelineStatement(true);
    const separator = () => (this.chance(0.2) ? "\n\n" : this.chance(0.1) ? "  # note\n" : "\n");
    const text = this.statements.reduce((all, s, i) => all + (i ? separator() : "") + s, "") + "\n";
    return { text, target: this.target, secrets: { ...this.secrets } };
  }

  // ---- choices ----

  private int(min: number, max: number): number {
    return this.g(fc.integer, { min, max });
  }

  private chance(probability: number): boolean {
    return this.g(fc.integer, { min: 0, max: 999 }) < probability * 1000;
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  private fresh(prefix: string): string {
    return `${prefix}${++this.counter}`;
  }

  // ---- declarations ----

  private supported(declaration: ComponentDeclaration): boolean {
    if (this.options.exclude?.(declaration)) return false;
    return declaration.targets.includes(this.target ?? "node");
  }

  private paramSupported(spec: ParamSpec): boolean {
    return !spec.targets || spec.targets.includes(this.target ?? "node");
  }

  private schema(): void {
    const name = this.fresh("Reading");
    const fields: { name: string; type: FlowType; text: string }[] = [];
    const count = this.int(1, 4);
    const nested = [...this.schemas.values()];
    for (let i = 0; i < count; i++) {
      const field = this.pick(fieldNames.filter((candidate) => !fields.some((f) => f.name === candidate)));
      const typeName = this.chance(0.15) ? this.pick(nested).name! : this.pick(["number", "int", "string", "bool"]);
      const type = this.schemas.get(typeName) ?? scalarTypes.get(typeName)!;
      fields.push({ name: field, type, text: `${field}: ${typeName}` });
    }
    this.schemas.set(name, { kind: "record", name, fields: fields.map(({ name, type }) => ({ name, type })) });
    const layout = this.int(0, 2);
    const body =
      layout === 0
        ? ` ${fields.map((f) => f.text).join(", ")} `
        : layout === 1
          ? `\n${fields.map((f) => `  ${f.text}`).join("\n")}\n`
          : `\n${fields.map((f) => `  ${f.text},`).join("\n")}\n`;
    this.statements.push(`schema ${name} {${body}}`);
  }

  private constant(): void {
    const type = this.pick([IntType, NumberType, StringType, BoolType, "duration" as const]);
    const name = this.fresh("k");
    if (type === "duration") {
      const duration = this.duration(10);
      this.constants.push({
        name,
        type: { kind: "scalar", name: "duration" },
        literal: { text: duration.text, value: { kind: "duration", ms: duration.ms } },
        used: false,
      });
      this.statements.push(`let ${name} = ${duration.text}`);
      return;
    }
    if (this.chance(0.5)) {
      const literal = this.literal(type);
      const value: ParamValue =
        typeof literal.value === "number"
          ? { kind: "number", value: literal.value }
          : typeof literal.value === "string"
            ? { kind: "string", value: literal.value }
            : { kind: "bool", value: literal.value };
      this.constants.push({ name, type: literal.type, literal: { text: literal.text, value }, used: false });
      this.statements.push(`let ${name} = ${literal.text}`);
      return;
    }
    // Constants fold at compile time: no calls, which only per-event code evaluates.
    const expression = this.expression(type, { bindings: [] }, 2, false);
    this.constants.push({ name, type: expression.type, used: false });
    this.statements.push(`let ${name} = ${expression.text}`);
  }

  // ---- settings ----

  private setting(declaration: SettingDeclaration, indent: string): string {
    const bound = this.params(declaration.params, undefined, undefined, true);
    let text = `${declaration.name}${bound?.text ?? ""}`;
    const inner = declaration.block ?? [];
    const chosen = inner.filter(() => this.chance(0.4));
    if (chosen.length > 0) {
      const lines = chosen.map((setting) => `${indent}  ${this.setting(setting, `${indent}  `)}`);
      text += ` {\n${lines.join("\n")}\n${indent}}`;
    }
    return text;
  }

  // ---- pipelines ----

  private namedStream(): void {
    const head = this.source();
    if (!head) return;
    const chain = this.operators(head.type, this.int(0, 3));
    const name = this.fresh("s");
    this.statements.push(`let ${name} = ${head.text}${chain.text}`);
    this.streams.push({ name, type: chain.type, used: false });
  }

  private pipelineStatement(force = false): void {
    for (let attempt = 0; attempt < (force ? 20 : 1); attempt++) {
      const head = this.source();
      if (!head) continue;
      const chain = this.operators(head.type, this.int(0, 3));
      const end = this.ending(chain.type, 0);
      if (!end) continue;
      this.statements.push(`${head.text}${chain.text}${end}`);
      return;
    }
  }

  /** A source or a `let` stream, and the type of its events. */
  private source(): { text: string; type: FlowType } | undefined {
    const unused = this.streams.filter((s) => !s.used);
    if (this.streams.length > 0 && this.chance(unused.length > 0 ? 0.5 : 0.2)) {
      const stream = this.pick(unused.length > 0 ? unused : this.streams);
      stream.used = true;
      return { text: stream.name, type: stream.type };
    }
    const allowed = this.options.sources;
    const candidates = this.registry
      .all("source")
      .filter((d) => this.supported(d) && (!allowed || allowed.includes(d.name)));
    for (let attempt = 0; attempt < 4 && candidates.length > 0; attempt++) {
      const stage = this.stage(this.pick(candidates), undefined);
      if (stage) return stage;
    }
    return undefined;
  }

  private operators(input: FlowType, count: number): { text: string; type: FlowType } {
    let text = "";
    let type = input;
    for (let i = 0; i < count; i++) {
      const stage = this.anyStage("operator", type);
      if (!stage) break;
      text += this.arrow() + stage.text;
      type = stage.type;
    }
    return { text, type };
  }

  private arrow(): string {
    return this.chance(0.25) ? "\n  -> " : " -> ";
  }

  /** Sinks, or a fan-out of branches that each end in sinks; undefined when nothing takes `input`. */
  private ending(input: FlowType, depth: number): string | undefined {
    if (depth < 2 && this.chance(0.3)) {
      const branches: string[] = [];
      const count = this.int(1, 3);
      const outer = this.inFanOut;
      this.inFanOut = true;
      for (let i = 0; i < count; i++) {
        const chain = this.operators(input, this.int(0, 2));
        const end = this.ending(chain.type, depth + 1);
        if (end)
          branches.push(`${chain.text.replace(/^\s*->\s*/, "")}${end.replace(/^\s*->\s*/, chain.text ? " -> " : "")}`);
      }
      this.inFanOut = outer;
      if (branches.length > 0) {
        const multiline = this.chance(0.3);
        const trailing = this.chance(0.2) ? "," : "";
        return multiline
          ? `${this.arrow()}[\n    ${branches.join(",\n    ")}${trailing}\n  ]`
          : `${this.arrow()}[${branches.join(", ")}${trailing}]`;
      }
    }
    const sink = this.anyStage("sink", input);
    return sink ? `${this.arrow()}${sink.text}` : undefined;
  }

  private anyStage(kind: ComponentKind, input: FlowType): { text: string; type: FlowType } | undefined {
    const candidates = this.registry.all(kind).filter((d) => this.supported(d));
    for (let attempt = 0; attempt < 6 && candidates.length > 0; attempt++) {
      const stage = this.stage(this.pick(candidates), input);
      if (stage) return stage;
    }
    return undefined;
  }

  /**
   * One invocation of `declaration` over `input`, or undefined when it does not fit: the
   * declaration refuses the input, or its own check refuses every choice of parameters tried.
   */
  private stage(
    declaration: ComponentDeclaration,
    input: FlowType | undefined,
  ): { text: string; type: FlowType } | undefined {
    for (let attempt = 0; attempt < 2; attempt++) {
      const bound = this.params(declaration.params, input, declaration, attempt === 0);
      if (!bound) return undefined;
      const problems: string[] = [];
      const context: ComponentContext = {
        input,
        params: bound.params,
        span: () => ({ file: "", start: 0, end: 0 }),
        report: (_code, _span, message) => void problems.push(message),
        streamType: (name) => this.streams.find((s) => s.name === name)?.type ?? { kind: "error" },
      };
      if (input && declaration.accepts?.(input, context)) return undefined;
      declaration.check?.(context);
      if (problems.length > 0) continue;
      const written = declaration.writes?.(context);
      const shape = written && this.writtenShapes.get(written.resource);
      if (written && shape !== undefined && shape !== written.shape) continue;
      const type = declaration.kind === "sink" ? (input ?? NumberType) : (declaration.output?.(context) ?? input!);
      if (type.kind === "error") return undefined;
      for (const value of bound.params.values()) {
        if (value.kind !== "streams") continue;
        for (const id of value.ids) this.streams.find((s) => s.name === id)!.used = true;
      }
      if (written) this.writtenShapes.set(written.resource, written.shape);
      return { text: `${declaration.name}${bound.text}`, type };
    }
    return undefined;
  }

  /**
   * Arguments and options for `specs`: every required parameter and, when `optional`, some of the
   * others, each with a value of its type. Undefined when a required value cannot be made here (a
   * field parameter over events without fields, a stream parameter with no stream).
   */
  private params(
    specs: readonly ParamSpec[],
    input: FlowType | undefined,
    declaration: ComponentDeclaration | undefined,
    optional: boolean,
  ): BoundInvocation | undefined {
    const params = new Map<string, ParamValue>();
    const args: string[] = [];
    const options: string[] = [];
    const bindings: Named[] = [];
    let positionalOpen = true;
    for (const spec of specs) {
      const scope: Scope = { ...(input ? { event: input } : {}), bindings };
      const needed = spec.required || this.mustGive(spec, input);
      const excluded = declaration !== undefined && this.options.excludeParam?.(declaration, spec) === true;
      if (!needed && (excluded || !optional || !this.paramSupported(spec) || !this.chance(0.4))) {
        if (spec.positional) positionalOpen = false;
        this.leaveUnwritten(spec, input, params);
        continue;
      }
      if (!this.paramSupported(spec)) return undefined;
      const first = (spec.positional ?? false) && positionalOpen && args.length === 0;
      // A lone word first may read as an option name (`csv k2 rotate daily`: `k2` valued `rotate`).
      const value = this.value(spec, scope, declaration !== undefined, first);
      if (!value) {
        if (needed) return undefined;
        if (spec.positional) positionalOpen = false;
        this.leaveUnwritten(spec, input, params);
        continue;
      }
      params.set(spec.name, value.value);
      if (value.value.kind === "binding") bindings.push({ name: value.value.name, type: value.value.init.type });
      const mustBePositional = spec.variadic || value.value.kind === "binding" || value.value.kind === "assignments";
      // Inside a fan-out a comma separates branches unless an assignment follows (language.md, rule 3).
      const commaSafe = args.length === 0 || !this.inFanOut || value.value.kind === "assignments";
      if (spec.positional && positionalOpen && !value.flag && (mustBePositional || (commaSafe && this.chance(0.9))))
        args.push(...value.texts);
      else {
        if (spec.positional) positionalOpen = false;
        // `name (...)` is a call and `name {` a typed record: such values cannot follow an option name.
        const unambiguous = !/^[({]/.test(value.texts[0]!);
        if (mustBePositional || !unambiguous) {
          if (needed) return undefined;
          continue;
        }
        options.push(value.flag ? spec.name : `${spec.name} ${value.texts[0]}`);
      }
    }
    const text = (args.length ? ` ${args.join(", ")}` : "") + (options.length ? ` ${options.join(" ")}` : "");
    return { text, params };
  }

  /**
   * Gives a parameter left unwritten the value the binder gives it, so that the declaration's
   * output type is worked out from what the checker will see: `avg over 1` averages `val` (its
   * default field) and makes it a number, whether or not `of val` is written.
   */
  private leaveUnwritten(spec: ParamSpec, input: FlowType | undefined, params: Map<string, ParamValue>): void {
    if (spec.defaultField && input?.kind === "record") {
      const field = fieldOf(input, spec.defaultField);
      const numeric = spec.type.kind === "field" && spec.type.numeric === true;
      if (!field || (numeric && !isNumeric(field.type) && field.type.kind !== "any")) return;
      params.set(spec.name, { kind: "field", name: field.name, index: input.fields.indexOf(field), type: field.type });
    } else if (spec.default) params.set(spec.name, spec.default);
  }

  /** A field parameter whose default field the input lacks must be given (unless the default is optional). */
  private mustGive(spec: ParamSpec, input: FlowType | undefined): boolean {
    if (!spec.defaultField || spec.defaultFieldIfPresent || input?.kind !== "record") return false;
    const field = fieldOf(input, spec.defaultField);
    const numeric = spec.type.kind === "field" && spec.type.numeric;
    return !field || (numeric === true && !isNumeric(field.type));
  }

  /** A value for one parameter: its text (several for variadic ones) and the checked value. */
  private value(
    spec: ParamSpec,
    scope: Scope,
    isComponent: boolean,
    optionalFirstArgument: boolean,
  ): { texts: string[]; value: ParamValue; flag?: boolean } | undefined {
    const type = spec.type;
    const one = (text: string, value: ParamValue) => ({ texts: [text], value });
    switch (type.kind) {
      case "number": {
        const constant = this.constantFor(
          (v) => v.kind === "number" && this.numberFits(v.value, type),
          !optionalFirstArgument,
        );
        if (constant) return one(constant.text, constant.value);
        const min = type.min ?? -50;
        const max = Math.min(type.max ?? 1000, min + 100_000);
        const edge = this.int(0, 3);
        let value = edge === 0 ? min : edge === 1 ? max : this.int(Math.ceil(min), Math.floor(max));
        if (!type.integer && this.chance(0.4)) value = Math.min(max, Math.max(min, value + this.int(1, 9) / 10));
        if (type.integer) value = Math.round(value);
        if (type.excluded?.values.includes(value)) value = min;
        return one(this.numberText(value, type.integer ?? false), { kind: "number", value });
      }
      case "string": {
        if (!isComponent || this.chance(0.15)) {
          const config = this.configValue();
          if (config) return one(config.text, config.value);
        }
        const constant = this.constantFor((v) => v.kind === "string", !optionalFirstArgument);
        if (constant) return one(constant.text, constant.value);
        const text = this.text(1, 5);
        return one(flowString(text, this.chance(0.3)), { kind: "string", value: text });
      }
      case "bool": {
        if (spec.flag && this.chance(0.7)) return { texts: ["true"], value: { kind: "bool", value: true }, flag: true };
        const value = this.chance(0.5);
        return one(String(value), { kind: "bool", value });
      }
      case "duration": {
        const constant = this.constantFor(
          (v) => v.kind === "duration" && v.ms >= (type.minMs ?? 1),
          !optionalFirstArgument,
        );
        if (constant) return one(constant.text, constant.value);
        const duration = this.duration(Math.max(type.minMs ?? 1, 10));
        return one(duration.text, { kind: "duration", ms: duration.ms });
      }
      case "enum": {
        const value = this.pick(type.values);
        const bare = identifierPattern.test(value) && !keywords.includes(value) && this.chance(0.7);
        return one(bare ? value : flowString(value), { kind: "enum", value });
      }
      case "count-or-duration": {
        if (this.chance(0.5)) {
          const count = this.int(1, 12);
          return one(String(count), { kind: "count", value: count });
        }
        const duration = this.duration(10);
        return one(duration.text, { kind: "duration", ms: duration.ms });
      }
      case "schema": {
        const schema = this.pick([...this.schemas.values()]);
        return one(schema.name!, { kind: "schema", type: schema });
      }
      case "field": {
        if (scope.event?.kind !== "record") return undefined;
        const fields = scope.event.fields.filter((f) =>
          type.numeric ? isNumeric(f.type) : f.type.kind === "scalar" && f.type.name !== "duration",
        );
        if (fields.length === 0) return undefined;
        const field = this.pick(fields);
        const index = scope.event.fields.indexOf(field);
        return one(field.name, { kind: "field", name: field.name, index, type: field.type });
      }
      case "expression": {
        const result =
          type.result ??
          (scope.bindings.length > 0 ? scope.bindings[scope.bindings.length - 1]!.type : this.anyType(scope));
        const expression = this.expression(result, scope, 3, true);
        return one(expression.text, { kind: "expression", expr: typed(expression.type) });
      }
      case "assignment": {
        if (scope.event?.kind !== "record") return undefined;
        const record = scope.event;
        const items: { field: string; expr: TypedExpression }[] = [];
        const texts: string[] = [];
        const count = this.int(1, 3);
        for (let i = 0; i < count; i++) {
          const existing = record.fields.filter(
            (f) => f.type.kind !== "record" && !items.some((item) => item.field === f.name),
          );
          const replace = existing.length > 0 && this.chance(0.6);
          const field = replace
            ? this.pick(existing)
            : {
                name: this.pick(fieldNames.filter((n) => !fieldOf(record, n) && !items.some((it) => it.field === n))),
                type: this.anyScalar(),
              };
          if (field.name === undefined) continue;
          // A replaced field keeps its type, so an int field takes an int expression, a number field either.
          const expression = this.expression(field.type, scope, 2, true);
          if (replace && !isAssignable(expression.type, field.type)) continue;
          items.push({ field: field.name, expr: typed(expression.type) });
          texts.push(`${field.name} = ${expression.text}`);
        }
        if (items.length === 0) return undefined;
        return { texts, value: { kind: "assignments", items } };
      }
      case "binding": {
        const init = this.literal(this.anyScalar());
        const name = this.fresh("acc");
        return one(`${name} = ${init.text}`, { kind: "binding", name, init: typed(init.type) });
      }
      case "stream": {
        if (this.streams.length === 0) return undefined;
        if (!spec.variadic) {
          const stream = this.pick(this.streams);
          return one(stream.name, { kind: "streams", ids: [stream.name] });
        }
        const first = this.pick(this.streams);
        const same = this.streams.filter((s) => s.type === first.type || sameShape(s.type, first.type));
        if (same.length < 2) return undefined;
        const chosen = same.filter((s) => s === first || this.chance(0.7));
        if (chosen.length < 2) chosen.push(same.find((s) => !chosen.includes(s))!);
        return { texts: chosen.map((s) => s.name), value: { kind: "streams", ids: chosen.map((s) => s.name) } };
      }
      case "topic": {
        const topic = this.topic(type.wildcards);
        return one(flowString(topic, this.chance(0.2)), { kind: "string", value: topic });
      }
    }
  }

  private numberFits(
    value: number,
    type: { min?: number; max?: number; integer?: boolean; excluded?: { values: readonly number[] } },
  ): boolean {
    return (
      !type.excluded?.values.includes(value) &&
      (type.min === undefined || value >= type.min) &&
      (type.max === undefined || value <= type.max) &&
      (!type.integer || Number.isInteger(value))
    );
  }

  /** Sometimes a `let` constant whose literal value fits, instead of a literal. */
  private constantFor(
    fits: (value: ParamValue) => boolean,
    allowed = true,
  ): { text: string; value: ParamValue } | undefined {
    const candidates = allowed ? this.constants.filter((c) => c.literal && fits(c.literal.value)) : [];
    if (candidates.length === 0 || !this.chance(0.3)) return undefined;
    const constant = this.pick(candidates);
    constant.used = true;
    return { text: constant.name, value: constant.literal!.value };
  }

  private configValue(): { text: string; value: ParamValue } | undefined {
    const which = this.int(0, 3);
    if (which === 0) {
      const key = this.pick(["wifi_essid", "wifi_password", "mqtt_host", "token"]);
      this.secrets[key] = this.text(1, 4);
      return { text: `secret(${flowString(key)})`, value: { kind: "secret", key } };
    }
    if (which === 1) {
      const fallback = this.text(1, 4);
      return {
        text: `env("FLOWC_FUZZ_UNSET", ${flowString(fallback)})`,
        value: { kind: "env", name: "FLOWC_FUZZ_UNSET", fallback },
      };
    }
    return undefined;
  }

  private topic(wildcards: boolean): string {
    const levels = Array.from({ length: this.int(1, 3) }, () =>
      this.pick(["sensor-data", "lux", "a", "b_2", "é", "日本", "x y", "$sys"]),
    );
    if (wildcards && this.chance(0.3)) {
      if (this.chance(0.5)) levels[this.int(0, levels.length - 1)] = "+";
      else levels.push("#");
    }
    return levels.join("/");
  }

  private text(min: number, max: number): string {
    return Array.from({ length: this.int(min, max) }, () => this.pick(stringPieces)).join("");
  }

  private duration(minMs: number): { text: string; ms: number } {
    const usable = units.filter((u) => u.ms * 1 >= minMs || u.unit === "ms" || u.unit === "s");
    const { unit, ms } = this.pick(usable.slice(0, this.chance(0.8) ? 2 : usable.length));
    const least = Math.ceil(minMs / ms);
    let count = this.int(Math.max(1, least), Math.max(1, least) + 20);
    let text = String(count);
    if (unit !== "ms" && this.chance(0.2)) {
      text = `${count}.5`;
      count += 0.5;
    }
    return { text: `${text}${unit}`, ms: count * ms };
  }

  // ---- expressions ----

  private anyScalar(): FlowType {
    return this.pick([IntType, NumberType, StringType, BoolType]);
  }

  /** A type for an expression parameter without one: a scalar, a record, or the event itself. */
  private anyType(scope: Scope): FlowType {
    const choice = this.int(0, 5);
    if (choice === 4) {
      const fields = Array.from({ length: this.int(1, 3) }, () => ({ name: "", type: this.anyScalar() }));
      return { kind: "record", fields: fields.map((f, i) => ({ name: fieldNames[i]!, type: f.type })) };
    }
    if (choice === 5) {
      if (scope.event?.kind === "record") return scope.event;
      const schema = this.pick([...this.schemas.values()]);
      return schema;
    }
    return this.anyScalar();
  }

  private literal(type: FlowType): Rendered & { value: number | string | boolean } {
    if (type === BoolType) {
      const value = this.chance(0.5);
      return { text: String(value), precedence: atom, type: BoolType, value };
    }
    if (type === StringType) {
      const value = this.text(0, 4);
      return { text: flowString(value, this.chance(0.3)), precedence: atom, type: StringType, value };
    }
    if (type === IntType) {
      const value = this.int(0, 100);
      const text = this.numberText(value, true);
      return { text, precedence: atom, type: IntType, value };
    }
    const form = this.int(0, 2);
    if (form === 0) {
      const value = this.int(0, 999) / 10;
      const text = Number.isInteger(value) ? `${value}.0` : String(value);
      return { text, precedence: atom, type: NumberType, value };
    }
    if (form === 1) {
      const mantissa = this.int(1, 9);
      const exponent = this.int(-3, 2);
      return {
        text: `${mantissa}e${exponent}`,
        precedence: atom,
        type: NumberType,
        value: Number(`${mantissa}e${exponent}`),
      };
    }
    const value = this.int(0, 100);
    return { text: this.numberText(value, true), precedence: atom, type: IntType, value };
  }

  private numberText(value: number, integer: boolean): string {
    const magnitude = Math.abs(value);
    let text = String(magnitude);
    if (integer && Number.isInteger(magnitude) && this.chance(0.2)) text = `0x${magnitude.toString(16)}`;
    return value < 0 || Object.is(value, -0) ? `-${text}` : text;
  }

  /**
   * An expression of `type` (or, for `number`, of `int`), with the fields of the event, bindings
   * and constants in scope. `calls` allows standard-library calls (not in constants, which fold).
   */
  private expression(type: FlowType, scope: Scope, depth: number, calls: boolean): Rendered {
    if (type.kind === "record") return this.recordExpression(type, scope, depth, calls);
    const atoms = this.atoms(type, scope);
    if (depth <= 0 || this.chance(0.35)) {
      if (atoms.length > 0 && this.chance(0.6)) return this.pick(atoms);
      return this.literal(type);
    }
    const sub = (t: FlowType) => this.expression(t, scope, depth - 1, calls);
    if (type === BoolType) {
      const form = this.int(0, 4);
      if (form === 0) return this.binary(this.pick(["and", "or"]), sub(BoolType), sub(BoolType), BoolType);
      if (form === 1) return this.not(sub(BoolType));
      if (form === 2) {
        const operand = this.pick([NumberType, StringType]);
        return this.binary(this.pick(["<", "<=", ">", ">="]), sub(operand), sub(operand), BoolType);
      }
      const operand = this.anyScalar();
      return this.binary(this.pick(["==", "!="]), sub(operand), sub(operand), BoolType);
    }
    if (type === StringType) {
      if (calls && this.chance(0.3))
        return this.call("str", [sub(this.pick([IntType, StringType, BoolType]))], StringType);
      return this.binary("+", sub(StringType), sub(StringType), StringType);
    }
    const integer = type === IntType;
    const form = this.int(0, calls ? 5 : 3);
    const numeric = () => sub(integer ? IntType : this.pick([IntType, NumberType]));
    const resultOf = (...parts: Rendered[]) => (parts.every((p) => p.type === IntType) ? IntType : NumberType);
    if (form === 0 || form === 1) {
      const left = numeric();
      const right = numeric();
      const operator = this.pick<BinaryOperator>(["+", "-", "*"]);
      return this.binary(operator, left, right, resultOf(left, right));
    }
    if (form === 2) {
      // Divisors are non-zero literals: dividing by zero is a run-time fault on the board.
      const left = numeric();
      const divisor = this.pick([2, 3, 4, 7, 10]);
      if (!integer && this.chance(0.5)) return this.binary("/", left, this.literalNumber(divisor, true), NumberType);
      const right = this.literalNumber(divisor, true);
      return this.binary("%", left, right, resultOf(left, right));
    }
    if (form === 3) {
      const operand = numeric();
      return {
        text: `-${this.parenthesise(operand, unaryMinusPrecedence)}`,
        precedence: unaryMinusPrecedence,
        type: operand.type,
      };
    }
    if (form === 4) {
      const name = this.pick(["abs", "min", "max", "clamp"]);
      const args =
        name === "abs" ? [numeric()] : name === "clamp" ? [numeric(), numeric(), numeric()] : [numeric(), numeric()];
      return this.call(name, args, resultOf(...args));
    }
    if (integer) return this.call(this.pick(["round", "int"]), [sub(this.pick([IntType, NumberType]))], IntType);
    if (this.chance(0.5))
      return this.call("round", [sub(NumberType), this.literalNumber(this.int(0, 3), true)], NumberType);
    return this.call("float", [sub(this.pick([IntType, NumberType]))], NumberType);
  }

  private literalNumber(value: number, integer: boolean): Rendered {
    return { text: String(value), precedence: atom, type: integer ? IntType : NumberType };
  }

  private recordExpression(flowing: RecordType, scope: Scope, depth: number, calls: boolean): Rendered {
    // `Name { ... }` is checked against the declared schema, which an aggregate's output (same
    // name, a field widened to number) may no longer match.
    const type = flowing.name ? (this.schemas.get(flowing.name) ?? flowing) : flowing;
    if (scope.event && isAssignable(scope.event, type) && isAssignable(type, scope.event) && this.chance(0.3))
      return { text: EventName, precedence: atom, type: scope.event };
    const fields = type.fields.map((field) => {
      const value = this.expression(field.type, scope, depth - 1, calls);
      // A schema's `number` field takes an int; an anonymous record gets whatever the value is.
      return { name: field.name, text: `${field.name}: ${value.text}`, type: type.name ? field.type : value.type };
    });
    const order = this.chance(0.5) ? fields : [...fields].reverse();
    const body = this.chance(0.2)
      ? `\n    ${order.map((f) => f.text).join("\n    ")}\n  `
      : ` ${order.map((f) => f.text).join(", ")} `;
    const text = `${type.name ? `${type.name} ` : ""}{${body}}`;
    return {
      text,
      precedence: atom,
      type: type.name ? type : { kind: "record", fields: fields.map(({ name, type }) => ({ name, type })) },
    };
  }

  /** Names of `type` in scope: the event's fields (bare or through `it`), bindings, constants. */
  private atoms(type: FlowType, scope: Scope): Rendered[] {
    const found: Rendered[] = [];
    const fits = (candidate: FlowType) => candidate === type || (type === NumberType && candidate === IntType);
    const event = scope.event;
    const shadowed = new Set(scope.bindings.map((b) => b.name));
    if (event?.kind === "record") {
      for (const field of event.fields) {
        if (fits(field.type) && !shadowed.has(field.name)) {
          found.push({
            text: this.chance(0.5) ? field.name : `${EventName}.${field.name}`,
            precedence: atom,
            type: field.type,
          });
        }
        if (field.type.kind === "record") {
          for (const inner of field.type.fields) {
            if (fits(inner.type))
              found.push({ text: `${EventName}.${field.name}.${inner.name}`, precedence: atom, type: inner.type });
          }
        }
      }
    } else if (event && fits(event)) {
      found.push({ text: EventName, precedence: atom, type: event });
    }
    for (const binding of scope.bindings)
      if (fits(binding.type)) found.push({ text: binding.name, precedence: atom, type: binding.type });
    // Over `json` values every name is a field of the payload, so constants are out of reach.
    for (const constant of event?.kind === "any" ? [] : this.constants) {
      if (!fits(constant.type)) continue;
      // A field of the event with the same name wins over the constant.
      if (event?.kind === "record" && fieldOf(event, constant.name)) continue;
      found.push({ text: constant.name, precedence: atom, type: constant.type });
      constant.used = true;
    }
    return found;
  }

  private parenthesise(expression: Rendered, least: number): string {
    return expression.precedence >= least ? expression.text : `(${expression.text})`;
  }

  private binary(operator: BinaryOperator, left: Rendered, right: Rendered, type: FlowType): Rendered {
    const precedence = binaryPrecedence[operator];
    const comparison = precedence === 4;
    // Left-associative; comparisons do not chain, so a comparison operand is always parenthesised.
    const leftText = this.parenthesise(left, comparison ? precedence + 1 : precedence);
    const rightText = this.parenthesise(right, precedence + 1);
    return { text: `${leftText} ${operator} ${rightText}`, precedence, type };
  }

  private not(operand: Rendered): Rendered {
    return { text: `not ${this.parenthesise(operand, notPrecedence)}`, precedence: notPrecedence, type: BoolType };
  }

  private call(name: string, args: Rendered[], type: FlowType): Rendered {
    return { text: `${name}(${args.map((a) => a.text).join(", ")})`, precedence: atom, type };
  }
}

function sameShape(a: FlowType, b: FlowType): boolean {
  return isAssignable(a, b) && isAssignable(b, a);
}
