/**
 * Stage 4: AST → checked AST. Resolves schemas, constants and streams; binds every invocation to
 * its declaration in the registry and infers each stream's event type; validates settings and
 * target support. All problems become diagnostics; checking goes on after an error so one run
 * reports everything.
 */
import type * as A from "./ast.js";
import type {
  CheckedPipeline,
  CheckedProgram,
  CheckedStage,
  CheckedStep,
  ImportedSchema,
  TypeAnnotation,
} from "./checked.js";
import { diagnostic, DiagnosticCodes, didYouMean, type Diagnostic, type DiagnosticCode } from "./diagnostics.js";
import { evaluateConstant, typeExpression, type ExpressionScope } from "./expressions.js";
import type { SettingsBlock } from "./ir.js";
import { numberRangeDiagnostics } from "./numbers.js";
import { bindParams } from "./binder.js";
import { printLabel } from "./prettier/text.js";
import type { ComponentContext, ComponentDeclaration, ComponentKind, Registry, Target } from "./registry.js";
import { deviceSetting, topLevelSettings, type SettingDeclaration } from "./settings.js";
import type { Span } from "./source.js";
import { builtinSchemas, ErrorType, formatType, scalarTypes, type FlowType, type RecordType } from "./types.js";
import type { TypedExpression } from "./typed.js";
import { WrittenResources } from "./written-files.js";

export interface CheckOptions {
  /** Check support for this target; by default a file with a `device` block targets that board. */
  readonly target?: Target;
  /** Schemas the file's `use` statements bring in, with where each was declared. */
  readonly imported?: ReadonlyMap<string, ImportedSchema>;
}

interface StreamInfo {
  readonly type: FlowType;
  readonly span: Span;
  used: boolean;
}

/**
 * Checks one parsed file.
 *
 * @example
 * const { program, diagnostics } = checkProgram(parsed.program, registry);
 */
export function checkProgram(
  ast: A.Program,
  registry: Registry,
  options: CheckOptions = {},
): { program: CheckedProgram; diagnostics: Diagnostic[] } {
  return new FileChecker(ast, registry, options).check();
}

class FileChecker {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly schemas = new Map<string, RecordType>(builtinSchemas);
  private readonly constants = new Map<string, TypedExpression>();
  private readonly constantSpans = new Map<string, { span: Span; used: boolean }>();
  private readonly streams = new Map<string, StreamInfo>();
  /** The names in `streams`, kept as a set for expression scopes. */
  private readonly streamNames = new Set<string>();
  private readonly annotations: TypeAnnotation[] = [];
  private readonly pipelines: CheckedPipeline[] = [];
  private readonly definitions = new Map<string, Span>();
  /** The first sink writing each resource (a CSV file), to refuse a second shape in it. */
  private readonly written = new WrittenResources(this.diagnostics);
  private broker?: SettingsBlock;
  private device?: SettingsBlock;
  private target?: Target;

  constructor(
    private readonly ast: A.Program,
    private readonly registry: Registry,
    private readonly options: CheckOptions,
  ) {}

  check(): { program: CheckedProgram; diagnostics: Diagnostic[] } {
    const statements = this.ast.statements;
    for (const [name, schema] of this.options.imported ?? []) {
      this.schemas.set(name, schema.type);
      this.definitions.set(name, schema.declaredAt);
    }
    for (const statement of statements) if (statement.kind === "schema") this.declareSchema(statement);
    const declaresDevice = statements.some(
      (statement) => statement.kind === "settings" && statement.invocation.name.name === "device",
    );
    this.target = this.options.target ?? (declaresDevice ? "esp8266" : undefined);
    this.diagnostics.push(...numberRangeDiagnostics(statements, this.target));
    for (const statement of statements) {
      if (statement.kind === "let") this.checkLet(statement);
      else if (statement.kind === "settings") this.checkSettingsStatement(statement);
      else if (statement.kind === "pipeline") this.checkPipeline(statement.pipeline);
    }
    for (const [name, stream] of this.streams) {
      if (!stream.used) {
        this.report(
          DiagnosticCodes.UnusedStream,
          stream.span,
          `stream \`${name}\` is never used`,
          `send it somewhere: \`${name} -> print\``,
        );
      }
    }
    for (const [name, constant] of this.constantSpans) {
      if (!constant.used)
        this.report(
          DiagnosticCodes.UnusedConstant,
          constant.span,
          `constant \`${name}\` is never used`,
          "remove it, or use it",
        );
    }
    const program: CheckedProgram = {
      file: this.ast.file,
      ...(this.target ? { target: this.target } : {}),
      schemas: [...this.schemas.values()].filter((schema) => !builtinSchemas.has(schema.name!)),
      exportedSchemas: this.exportedSchemas(),
      constants: this.constants,
      pipelines: this.pipelines,
      ...(this.broker ? { broker: this.broker } : {}),
      ...(this.device ? { device: this.device } : {}),
      annotations: this.annotations,
      written: this.written.firsts(),
    };
    return { program, diagnostics: this.diagnostics };
  }

  /** Refuses a second shape written into one resource: rows that do not match the file's header. */
  private checkWrites(declaration: ComponentDeclaration, context: ComponentContext, invocation: A.Invocation): void {
    const written = declaration.writes?.(context);
    if (!written) return;
    this.written.add({ ...written, span: invocation.span, what: `${declaration.name} ${written.resource}` });
  }

  private exportedSchemas(): Map<string, ImportedSchema> {
    const exported = new Map<string, ImportedSchema>();
    for (const [name, type] of this.schemas) {
      const declaredAt = this.definitions.get(name);
      if (!builtinSchemas.has(name) && declaredAt) exported.set(name, { type, declaredAt });
    }
    return exported;
  }

  private report(code: DiagnosticCode, span: Span, message: string, hint?: string): void {
    this.diagnostics.push(diagnostic(code, span, message, hint));
  }

  private define(name: A.Identifier, what: string): boolean {
    const previous = this.definitions.get(name.name) ?? (builtinSchemas.has(name.name) ? name.span : undefined);
    if (previous) {
      const imported = previous.file !== name.span.file;
      this.diagnostics.push(
        diagnostic(
          DiagnosticCodes.DuplicateDefinition,
          name.span,
          imported
            ? `\`${name.name}\` is already declared in ${previous.file}, which this file uses`
            : `\`${name.name}\` is already defined`,
          imported ? "declare each schema once: drop this one" : `choose another name for this ${what}`,
          previous === name.span ? undefined : [{ span: previous, message: `\`${name.name}\` was first defined here` }],
        ),
      );
      return false;
    }
    this.definitions.set(name.name, name.span);
    return true;
  }

  private declareSchema(statement: A.SchemaStatement): void {
    if (!this.define(statement.name, "schema")) return;
    const fields: { name: string; type: FlowType }[] = [];
    for (const field of statement.fields) {
      if (fields.some((f) => f.name === field.name.name)) {
        this.report(
          DiagnosticCodes.DuplicateDefinition,
          field.name.span,
          `field \`${field.name.name}\` is declared twice`,
        );
        continue;
      }
      const type = scalarTypes.get(field.type.name) ?? this.schemas.get(field.type.name);
      if (!type || field.type.name === "duration") {
        const known = [...scalarTypes.keys()].filter((t) => t !== "duration");
        this.report(
          DiagnosticCodes.UnknownType,
          field.type.span,
          `unknown type \`${field.type.name}\``,
          didYouMean(field.type.name, [...known, ...this.schemas.keys()]) ??
            `field types are ${known.join(", ")} or a schema`,
        );
        fields.push({ name: field.name.name, type: ErrorType });
        continue;
      }
      fields.push({ name: field.name.name, type });
    }
    this.schemas.set(statement.name.name, { kind: "record", name: statement.name.name, fields });
  }

  private scope(event?: FlowType): ExpressionScope {
    if (!event) return { constants: this.constants, streams: this.streamNames, schemas: this.schemas };
    return { event, constants: this.constants, streams: this.streamNames, schemas: this.schemas };
  }

  private checkLet(statement: A.LetStatement): void {
    if (!this.define(statement.name, statement.value.kind === "pipeline" ? "stream" : "constant")) return;
    const name = statement.name.name;
    if (statement.value.kind === "pipeline") {
      // `let x = y` where `y` is a constant reads as a constant, not a stream.
      const value = statement.value;
      const alias = value.source;
      if (value.steps.length === 0 && alias.items.length === 0 && this.constants.has(alias.name.name)) {
        this.markConstantUsed(alias.name.name);
        this.constants.set(name, this.constants.get(alias.name.name)!);
        this.constantSpans.set(name, { span: statement.name.span, used: false });
        return;
      }
      const output = this.checkPipeline(value, name);
      this.streams.set(name, { type: output ?? ErrorType, span: statement.name.span, used: false });
      this.streamNames.add(name);
      if (output) this.annotate(statement.name.span, output, `stream ${name}`);
      return;
    }
    const typed = this.foldConstant(typeExpression(statement.value, this.scope(), this.diagnostics), statement.value);
    this.markNamesUsed(statement.value);
    // A constant that failed to type is still defined (as an error) so its uses do not pile on.
    this.constants.set(name, typed);
    if (typed.type.kind === "error") return;
    this.constantSpans.set(name, { span: statement.name.span, used: false });
    this.annotate(statement.name.span, typed.type, `constant ${name}`);
  }

  /**
   * A constant's value as one literal when it can be computed now, so that uses of constants built
   * from constants (`let b = a + a`) stay as shallow as what was written, however long the chain.
   */
  private foldConstant(typed: TypedExpression, written: A.Expression): TypedExpression {
    if (typed.kind === "literal" || typed.type.kind !== "scalar") return typed;
    const value = evaluateConstant(typed);
    if (value === undefined) return typed;
    if (typeof value === "number" && !Number.isFinite(value)) {
      this.report(DiagnosticCodes.InvalidValue, written.span, "this constant is too large for any number");
      return { kind: "literal", value: 0, type: ErrorType };
    }
    return { kind: "literal", value, type: typed.type };
  }

  private annotate(span: Span, type: FlowType, description: string): void {
    this.annotations.push({ span, type, description });
  }

  private markConstantUsed(name: string): void {
    const constant = this.constantSpans.get(name);
    if (constant) constant.used = true;
  }

  private markNamesUsed(expression: A.Expression | undefined): void {
    if (!expression) return;
    switch (expression.kind) {
      case "name":
        this.markConstantUsed(expression.name);
        return;
      case "field":
        return this.markNamesUsed(expression.object);
      case "binary":
        this.markNamesUsed(expression.left);
        return this.markNamesUsed(expression.right);
      case "unary":
        return this.markNamesUsed(expression.operand);
      case "call":
        return expression.args.forEach((arg) => this.markNamesUsed(arg));
      case "record":
        return expression.fields.forEach((field) => this.markNamesUsed(field.value));
      default:
        return;
    }
  }

  private markInvocationUsed(invocation: A.Invocation): void {
    for (const item of invocation.items) {
      // A bare word may be a constant given as a value (`csv out rotate daily`).
      if (item.kind === "word") this.markConstantUsed(item.name.name);
      else this.markNamesUsed(item.value);
    }
  }

  /** Checks a pipeline; returns the type of its output, or undefined when it ends in a sink. */
  private checkPipeline(pipeline: A.Pipeline, binds?: string): FlowType | undefined {
    const head = pipeline.source;
    const stream = this.streams.get(head.name.name);
    let headChecked: CheckedPipeline["head"] | undefined;
    let current: FlowType | undefined;
    if (stream && head.items.length === 0) {
      stream.used = true;
      headChecked = { kind: "stream", name: head.name.name, span: head.name.span };
      current = stream.type;
    } else {
      const stage = this.checkStage(head, "source", undefined);
      if (stage) headChecked = { kind: "source", stage };
      current = stage?.output ?? ErrorType;
    }
    const { steps, output } = this.checkSteps(pipeline.steps, current);
    if (headChecked)
      this.pipelines.push({ head: headChecked, steps, ...(binds ? { binds } : {}), span: pipeline.span });
    if (output && !binds && output.kind !== "error") {
      this.report(
        DiagnosticCodes.UnusedStream,
        pipeline.span,
        "this pipeline's events go nowhere",
        'end it with a sink such as `print`, `mqtt "topic"` or `csv "file.csv"`, or name it with `let`',
      );
    }
    return output;
  }

  /** Checks a chain of steps; `output` is undefined when the chain ends in sinks. */
  private checkSteps(
    steps: readonly A.Step[],
    input: FlowType | undefined,
  ): { steps: CheckedStep[]; output: FlowType | undefined } {
    const checked: CheckedStep[] = [];
    let current = input;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const isLast = i === steps.length - 1;
      if (current === undefined) {
        this.report(
          DiagnosticCodes.SinkNotLast,
          step.span,
          "nothing can follow a sink",
          "a sink ends the pipeline; fan out with `[print, next -> ...]` to send events to several places",
        );
        break;
      }
      if (step.kind === "fanout") {
        const branches: CheckedStep[][] = [];
        for (const branch of step.branches) {
          const result = this.checkSteps(branch.steps, current);
          branches.push(result.steps);
          if (result.output && result.output.kind !== "error") {
            this.report(
              DiagnosticCodes.UnusedStream,
              branch.span,
              "this branch's events go nowhere",
              "end every branch of a fan-out with a sink",
            );
          }
        }
        checked.push({ kind: "fanout", branches, span: step.span });
        if (!isLast) {
          this.report(
            DiagnosticCodes.SinkNotLast,
            steps[i + 1]!.span,
            "nothing can follow a fan-out",
            "put the following steps inside each branch",
          );
          break;
        }
        current = undefined;
        continue;
      }
      const operator = this.registry.get("operator", step.name.name);
      const sink = this.registry.get("sink", step.name.name);
      const kind: ComponentKind = operator ? "operator" : sink ? "sink" : "operator";
      const stage = this.checkStage(step, kind, current);
      if (!stage) {
        current = ErrorType;
        continue;
      }
      checked.push({ kind: "stage", stage });
      current = stage.declaration.kind === "sink" ? undefined : (stage.output ?? ErrorType);
      if (stage.declaration.kind === "sink" && !isLast) {
        this.report(
          DiagnosticCodes.SinkNotLast,
          step.name.span,
          `\`${step.name.name}\` is a sink and must end the pipeline`,
          `to ${step.name.name} and keep going, fan out: \`-> [${step.name.name}, ...]\``,
        );
        break;
      }
    }
    return { steps: checked, output: current };
  }

  private checkStage(
    invocation: A.Invocation,
    kind: ComponentKind,
    input: FlowType | undefined,
  ): CheckedStage | undefined {
    const name = invocation.name.name;
    const declaration = this.registry.get(kind, name);
    this.markInvocationUsed(invocation);
    if (!declaration) {
      this.reportUnknownComponent(invocation, kind);
      return undefined;
    }
    if (invocation.block) {
      this.report(
        DiagnosticCodes.UnexpectedToken,
        invocation.span,
        `\`${name}\` does not take a \`{ ... }\` block`,
        "blocks belong to `broker` and `device`",
      );
    }
    const eventScope = kind === "source" ? this.scope() : this.scope(input ?? ErrorType);
    const bound = bindParams(invocation, declaration.params, {
      what: name,
      example: declaration.example,
      scope: eventScope,
      diagnostics: this.diagnostics,
    });
    for (const streamName of bound.streams) {
      const stream = this.streams.get(streamName);
      if (stream) stream.used = true;
    }
    const context: ComponentContext = {
      input,
      params: bound.values,
      span: (param) => (param ? (bound.spans.get(param) ?? invocation.span) : invocation.span),
      report: (code, span, message, hint) => this.report(code, span, message, hint),
      streamType: (stream) => this.streams.get(stream)?.type ?? ErrorType,
    };
    const contextWithStreams = context;
    if (input && input.kind !== "error" && declaration.accepts) {
      const problem = declaration.accepts(input, contextWithStreams);
      if (problem) {
        this.report(
          DiagnosticCodes.WrongInputType,
          invocation.name.span,
          `\`${name}\` ${problem}`,
          this.inputHint(input),
        );
        return undefined;
      }
    }
    declaration.check?.(contextWithStreams);
    this.checkWrites(declaration, contextWithStreams, invocation);
    const output =
      declaration.kind === "sink" ? undefined : (declaration.output?.(contextWithStreams) ?? input ?? ErrorType);
    if (this.target && !declaration.targets.includes(this.target)) {
      this.report(
        DiagnosticCodes.UnsupportedOnTarget,
        invocation.name.span,
        `\`${name}\` is not available on ${this.target}`,
        declaration.unsupportedHint?.[this.target] ?? `it runs on ${declaration.targets.join(", ")}`,
      );
    } else if (this.target) {
      for (const spec of declaration.params) {
        const span = bound.spans.get(spec.name);
        if (!spec.targets || spec.targets.includes(this.target) || !span) continue;
        this.report(
          DiagnosticCodes.UnsupportedOnTarget,
          span,
          `\`${name}\` cannot take \`${spec.name}\` on ${this.target}`,
          spec.unsupportedHint?.[this.target] ?? `\`${spec.name}\` works on ${spec.targets.join(", ")}`,
        );
      }
    }
    if (output) this.annotate(invocation.name.span, output, `${declaration.kind} ${name}`);
    else if (input) this.annotate(invocation.name.span, input, `${declaration.kind} ${name}`);
    return {
      declaration,
      params: recordOf(bound.values),
      input,
      output,
      streams: bound.streams,
      label: printLabel(invocation),
      span: invocation.span,
    };
  }

  private inputHint(input: FlowType): string | undefined {
    if (input.kind === "scalar" && input.name === "string")
      return "parse text payloads first, as in `json as SensorEvent`";
    return `its input here is ${formatType(input)}`;
  }

  private reportUnknownComponent(invocation: A.Invocation, kind: ComponentKind): void {
    const name = invocation.name.name;
    const span = invocation.name.span;
    const elsewhere = (["source", "operator", "sink"] as const).find(
      (other) => other !== kind && this.registry.get(other, name),
    );
    if (kind === "source" && elsewhere) {
      this.report(
        DiagnosticCodes.SourceNotFirst,
        span,
        `\`${name}\` is ${elsewhere === "operator" ? "an operator" : "a sink"}, and a pipeline must start with a source`,
        `start with a sensor, \`mqtt "topic"\`, \`interval\` or a \`let\` stream, then \`-> ${name}\``,
      );
      return;
    }
    if (kind !== "source" && elsewhere === "source") {
      this.report(
        DiagnosticCodes.SourceNotFirst,
        span,
        `\`${name}\` is a source and can only start a pipeline`,
        `name it with \`let x = ${name} ...\` and combine streams with \`merge\``,
      );
      return;
    }
    const setting = deviceSetting.block?.find((candidate) => candidate.name === name);
    if (kind === "source" && setting) {
      this.report(
        DiagnosticCodes.UnknownComponent,
        span,
        `\`${name}\` is a setting of the board, not a source`,
        `put it in a \`device\` block: \`device esp8266 { ${setting.example} }\``,
      );
      return;
    }
    if (kind === "source" && this.constants.has(name)) {
      this.report(
        DiagnosticCodes.NotAStream,
        span,
        `\`${name}\` is a constant, not a stream`,
        "a pipeline starts with a source or a `let` stream",
      );
      return;
    }
    const candidates =
      kind === "source"
        ? [...this.registry.names("source"), ...this.streams.keys()]
        : [...this.registry.names("operator"), ...this.registry.names("sink")];
    const what = kind === "source" ? "source" : "operator or sink";
    this.report(
      DiagnosticCodes.UnknownComponent,
      span,
      `unknown ${what} \`${name}\``,
      didYouMean(name, candidates) ??
        (kind === "source"
          ? `sources are ${this.registry.names("source").join(", ")}`
          : "see docs/language.md for the operators and sinks"),
    );
  }

  /** `broker "host" { port 1883 \n tls }`: a block of a setting without nested settings lists its options. */
  private blockOptions(invocation: A.Invocation): A.Option[] {
    return (invocation.block ?? []).map((line): A.Option => {
      const [first, ...rest] = line.items;
      if (rest.length > 0 || first?.kind === "assignment" || first?.afterComma) {
        this.report(
          DiagnosticCodes.UnexpectedToken,
          line.span,
          "write one option and its value per line",
          "as in `port 1883`",
        );
      }
      const value: A.Expression | undefined =
        first?.kind === "word" ? { kind: "name", name: first.name.name, span: first.span } : first?.value;
      return { name: line.name, ...(value ? { value } : {}), span: line.span };
    });
  }

  private checkSettingsStatement(statement: A.SettingsStatement): void {
    const invocation = statement.invocation;
    const declaration = topLevelSettings.get(invocation.name.name)!;
    const block = this.checkSetting(invocation, declaration);
    if (declaration.name === "broker") {
      if (this.broker) {
        this.report(
          DiagnosticCodes.DuplicateDefinition,
          invocation.name.span,
          "a file has one `broker`",
          "keep one `broker` statement",
        );
        return;
      }
      this.broker = block;
    } else {
      if (this.device) {
        this.report(
          DiagnosticCodes.DuplicateDefinition,
          invocation.name.span,
          "a file has one `device`",
          "keep one `device` block",
        );
        return;
      }
      this.device = block;
      const nestedBroker = block.nested["broker"];
      if (nestedBroker) {
        if (this.broker) {
          this.report(
            DiagnosticCodes.DuplicateDefinition,
            nestedBroker.span,
            "this file already has a top-level `broker`",
            "keep one of them",
          );
        } else {
          this.broker = nestedBroker;
        }
      }
    }
  }

  private checkSetting(written: A.Invocation, declaration: SettingDeclaration): SettingsBlock {
    const blockOptions = declaration.block ? [] : this.blockOptions(written);
    const { block: _block, ...withoutBlock } = written;
    const invocation: A.Invocation = declaration.block ? written : withoutBlock;
    this.markInvocationUsed(written);
    for (const line of declaration.block ? [] : (written.block ?? [])) this.markInvocationUsed(line);
    const bound = bindParams(
      invocation,
      declaration.params,
      { what: declaration.name, example: declaration.example, scope: this.scope(), diagnostics: this.diagnostics },
      blockOptions,
    );
    const nested: Record<string, SettingsBlock> = {};
    if (invocation.block && !declaration.block) {
      this.report(
        DiagnosticCodes.UnexpectedToken,
        invocation.span,
        `\`${declaration.name}\` does not take a \`{ ... }\` block`,
        `as in \`${declaration.example}\``,
      );
    }
    for (const inner of invocation.block ?? []) {
      const innerDeclaration = declaration.block?.find((candidate) => candidate.name === inner.name.name);
      if (!innerDeclaration) {
        const names = declaration.block?.map((candidate) => candidate.name) ?? [];
        this.report(
          DiagnosticCodes.UnknownSetting,
          inner.name.span,
          `unknown setting \`${inner.name.name}\` in \`${declaration.name}\``,
          didYouMean(inner.name.name, names) ?? `the settings are ${names.join(", ")}`,
        );
        continue;
      }
      if (nested[innerDeclaration.name]) {
        this.report(DiagnosticCodes.DuplicateOption, inner.name.span, `\`${innerDeclaration.name}\` is set twice`);
        continue;
      }
      nested[innerDeclaration.name] = this.checkSetting(inner, innerDeclaration);
    }
    return { values: Object.fromEntries(bound.values), nested, span: invocation.span };
  }
}

/** The map's entries as an object, in the map's order (a loop: `Object.fromEntries` is slower). */
function recordOf<T>(map: ReadonlyMap<string, T>): Record<string, T> {
  const record: Record<string, T> = {};
  for (const [key, value] of map) record[key] = value;
  return record;
}
