/**
 * Hovers: what the name under the cursor is. Stages show their component's documentation and the
 * event type they emit (from the checker's annotations); options show their parameter; names in
 * expressions show the field, constant, stream or schema they resolve to; calls show the stdlib
 * signature. Only types and declared documentation are shown, never values from the source.
 */
import type * as A from "../../compiler/ast.js";
import { readItems } from "../../compiler/binder.js";
import type { CheckedProgram, CheckedStage, CheckedStep } from "../../compiler/checked.js";
import type { ComponentDeclaration, ParamSpec, Registry } from "../../compiler/registry.js";
import { topLevelSettings, type SettingDeclaration } from "../../compiler/settings.js";
import type { Span } from "../../compiler/source.js";
import { EventName, stdlib } from "../../compiler/stdlib.js";
import { builtinSchemas, fieldOf, scalarTypes, type FlowType } from "../../compiler/types.js";
import {
  componentMarkdown,
  functionMarkdown,
  paramMarkdown,
  settingMarkdown,
  typeBlock,
  typedNameMarkdown,
} from "./docs.js";

export interface HoverContext {
  readonly ast: A.Program;
  readonly checked: CheckedProgram;
  readonly registry: Registry;
}

export interface HoverResult {
  readonly markdown: string;
  /** The word the hover is about. */
  readonly span: Span;
}

const contains = (span: Span, offset: number) => span.start <= offset && offset <= span.end;

/**
 * The hover at a character offset of a checked file, or undefined where there is nothing to say.
 *
 * @example
 * hoverAt({ ast, checked, registry }, text.indexOf("json"))?.markdown; // "**json** (operator) — emits `SensorEvent` ..."
 */
export function hoverAt(context: HoverContext, offset: number): HoverResult | undefined {
  return new HoverFinder(context, offset).find();
}

class HoverFinder {
  private readonly stages = new Map<number, CheckedStage>();

  constructor(
    private readonly context: HoverContext,
    private readonly offset: number,
  ) {
    for (const pipeline of context.checked.pipelines) {
      if (pipeline.head.kind === "source") this.indexStage(pipeline.head.stage);
      this.indexSteps(pipeline.steps);
    }
  }

  find(): HoverResult | undefined {
    for (const statement of this.context.ast.statements) {
      if (!contains(statement.span, this.offset)) continue;
      switch (statement.kind) {
        case "let":
          return this.letStatement(statement);
        case "schema":
          return this.schemaStatement(statement);
        case "settings": {
          const declaration = topLevelSettings.get(statement.invocation.name.name);
          return declaration ? this.setting(statement.invocation, declaration) : undefined;
        }
        case "pipeline":
          return this.pipeline(statement.pipeline);
      }
    }
    return undefined;
  }

  private indexStage(stage: CheckedStage): void {
    this.stages.set(stage.span.start, stage);
  }

  private indexSteps(steps: readonly CheckedStep[]): void {
    for (const step of steps) {
      if (step.kind === "stage") this.indexStage(step.stage);
      else step.branches.forEach((branch) => this.indexSteps(branch));
    }
  }

  private annotation(span: Span): { type: FlowType; description: string } | undefined {
    return this.context.checked.annotations.find((a) => a.span.start === span.start && a.span.end === span.end);
  }

  private isConstant(name: string): boolean {
    return this.namedAnnotation(`constant ${name}`) !== undefined;
  }

  private namedAnnotation(description: string) {
    return this.context.checked.annotations.find((a) => a.description === description);
  }

  private schema(name: string) {
    return this.context.checked.schemas.find((schema) => schema.name === name) ?? builtinSchemas.get(name);
  }

  private letStatement(statement: A.LetStatement): HoverResult | undefined {
    if (contains(statement.name.span, this.offset)) {
      const annotation = this.annotation(statement.name.span);
      return annotation
        ? { markdown: typedNameMarkdown(annotation.description, annotation.type), span: statement.name.span }
        : undefined;
    }
    return statement.value.kind === "pipeline" ? this.pipeline(statement.value) : this.expression(statement.value);
  }

  private schemaStatement(statement: A.SchemaStatement): HoverResult | undefined {
    const type = this.schema(statement.name.name);
    if (contains(statement.name.span, this.offset)) {
      return type ? { markdown: typeBlock(type).join("\n"), span: statement.name.span } : undefined;
    }
    for (const field of statement.fields) {
      if (contains(field.name.span, this.offset)) {
        const fieldType = type && fieldOf(type, field.name.name)?.type;
        return fieldType
          ? { markdown: typedNameMarkdown(`field ${field.name.name}`, fieldType), span: field.name.span }
          : undefined;
      }
      if (contains(field.type.span, this.offset)) return this.typeName(field.type);
    }
    return undefined;
  }

  private typeName(name: A.Identifier): HoverResult | undefined {
    const type = scalarTypes.get(name.name) ?? this.schema(name.name);
    return type ? { markdown: typeBlock(type).join("\n"), span: name.span } : undefined;
  }

  private setting(invocation: A.Invocation, declaration: SettingDeclaration): HoverResult | undefined {
    if (contains(invocation.name.span, this.offset)) {
      return { markdown: settingMarkdown(declaration), span: invocation.name.span };
    }
    const found = this.invocationTail(invocation, declaration.params, declaration.name);
    if (found) return found;
    for (const line of invocation.block ?? []) {
      if (!contains(line.span, this.offset)) continue;
      const nested = declaration.block?.find((inner) => inner.name === line.name.name);
      if (nested) return this.setting(line, nested);
      // A block of a setting without nested settings lists its options, one per line.
      const spec = declaration.params.find((param) => param.name === line.name.name);
      if (spec && contains(line.name.span, this.offset)) {
        return { markdown: paramMarkdown(spec, declaration.name), span: line.name.span };
      }
      return this.invocationTail(line, declaration.params, declaration.name);
    }
    return undefined;
  }

  private pipeline(pipeline: A.Pipeline): HoverResult | undefined {
    const head = pipeline.source;
    if (contains(head.span, this.offset)) {
      const source = this.context.registry.get("source", head.name.name);
      if (!source && contains(head.name.span, this.offset)) return this.streamName(head.name);
      return this.stage(head, source);
    }
    return this.steps(pipeline.steps);
  }

  private steps(steps: readonly A.Step[]): HoverResult | undefined {
    for (const step of steps) {
      if (!contains(step.span, this.offset)) continue;
      if (step.kind === "fanout") {
        for (const branch of step.branches) if (contains(branch.span, this.offset)) return this.steps(branch.steps);
        return undefined;
      }
      const name = step.name.name;
      return this.stage(step, this.context.registry.get("operator", name) ?? this.context.registry.get("sink", name));
    }
    return undefined;
  }

  private stage(invocation: A.Invocation, declaration: ComponentDeclaration | undefined): HoverResult | undefined {
    if (!declaration) return undefined;
    const checked = this.stages.get(invocation.span.start);
    if (contains(invocation.name.span, this.offset)) {
      const type = this.annotation(invocation.name.span)?.type;
      return { markdown: componentMarkdown(declaration, type), span: invocation.name.span };
    }
    return this.invocationTail(invocation, declaration.params, declaration.name, checked?.input);
  }

  /** Arguments and options of a stage or setting. */
  private invocationTail(
    invocation: A.Invocation,
    params: readonly ParamSpec[],
    owner: string,
    event?: FlowType,
  ): HoverResult | undefined {
    // Read as the checker reads them, so a word is hovered as what it is: an option or a value.
    const { args, options } = readItems(invocation.items, params, (name) => this.isConstant(name));
    for (const argument of args) {
      if (!contains(argument.span, this.offset)) continue;
      if (argument.kind === "assignment" && contains(argument.target.span, this.offset)) {
        const field = event && fieldOf(event, argument.target.name);
        return field
          ? { markdown: typedNameMarkdown(`field ${field.name}`, field.type), span: argument.target.span }
          : undefined;
      }
      return this.expression(argument.value, event);
    }
    for (const option of options) {
      if (!contains(option.span, this.offset)) continue;
      if (contains(option.name.span, this.offset)) {
        const spec = params.find((param) => param.name === option.name.name);
        if (spec) return { markdown: paramMarkdown(spec, owner), span: option.name.span };
        return this.name(option.name, event);
      }
      return option.value ? this.expression(option.value, event) : undefined;
    }
    return undefined;
  }

  private expression(expression: A.Expression, event?: FlowType): HoverResult | undefined {
    if (!contains(expression.span, this.offset)) return undefined;
    switch (expression.kind) {
      case "name":
        return this.name(expression, event);
      case "field":
        return this.expression(expression.object, event);
      case "binary":
        return this.expression(expression.left, event) ?? this.expression(expression.right, event);
      case "unary":
        return this.expression(expression.operand, event);
      case "call": {
        const fn = stdlib.get(expression.callee.name);
        if (fn && contains(expression.callee.span, this.offset)) {
          return { markdown: functionMarkdown(fn), span: expression.callee.span };
        }
        for (const argument of expression.args) {
          const found = this.expression(argument, event);
          if (found) return found;
        }
        return undefined;
      }
      case "record": {
        if (expression.typeName && contains(expression.typeName.span, this.offset)) {
          return this.typeName(expression.typeName);
        }
        for (const field of expression.fields) {
          const found = this.expression(field.value, event);
          if (found) return found;
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** A bare name: the event, one of its fields, a constant, a stream or a schema. */
  private name(name: { readonly name: string; readonly span: Span }, event?: FlowType): HoverResult | undefined {
    if (event && name.name === EventName) {
      return { markdown: typedNameMarkdown(`${EventName} (the event)`, event), span: name.span };
    }
    const field = event && fieldOf(event, name.name);
    if (field) return { markdown: typedNameMarkdown(`field ${field.name}`, field.type), span: name.span };
    const constant = this.namedAnnotation(`constant ${name.name}`);
    if (constant) return { markdown: typedNameMarkdown(constant.description, constant.type), span: name.span };
    const stream = this.streamName(name);
    if (stream) return stream;
    const schema = this.schema(name.name);
    return schema ? { markdown: typeBlock(schema).join("\n"), span: name.span } : undefined;
  }

  private streamName(name: { readonly name: string; readonly span: Span }): HoverResult | undefined {
    const stream = this.namedAnnotation(`stream ${name.name}`);
    return stream ? { markdown: typedNameMarkdown(stream.description, stream.type), span: name.span } : undefined;
  }
}
