/**
 * Completion. The text before the cursor, with a stand-in word at the cursor and the brackets open
 * there closed, is parsed by the compiler's own front end; the stand-in's place in the AST says
 * where the cursor stands (a statement's start, after `->`, a setting line, a schema field's type,
 * an item of a stage, inside an expression), and for a stage's items the binder says what may
 * come next ({@link nextItem}), by the same rules that read them when compiling. Event types come
 * from the checker: the same text is compiled and the previous stage's annotation read, which
 * works while the stage being typed is still broken.
 */
import { tokenMatcher, type IToken } from "chevrotain";
import { CompletionItemKind, MarkupKind, type CompletionItem } from "vscode-languageserver";
import type * as A from "../../compiler/ast.js";
import { nextItem } from "../../compiler/binder.js";
import { compile } from "../../compiler/index.js";
import { lex } from "../../compiler/layout.js";
import * as T from "../../compiler/lexer.js";
import { parseSource } from "../../compiler/parse.js";
import type { ComponentDeclaration, ParamSpec, Registry } from "../../compiler/registry.js";
import { topLevelSettings, type SettingDeclaration } from "../../compiler/settings.js";
import { SourceFile, type Span } from "../../compiler/source.js";
import { EventName, stdlibFunctions } from "../../compiler/stdlib.js";
import { builtinSchemas, formatType, isNumeric, scalarTypes, type FlowType } from "../../compiler/types.js";
import { componentMarkdown, functionMarkdown, paramLine, paramTypeText, settingMarkdown } from "./docs.js";

export interface CompletionInput {
  /** The whole document. */
  readonly text: string;
  readonly offset: number;
  /** The document's path, as it is compiled. */
  readonly path: string;
  /** The document's AST from the latest compile, for the names it defines. */
  readonly ast: A.Program;
  readonly registry: Registry;
}

/** The stage whose output flows into the one being written. */
interface StageRef {
  readonly name: A.Identifier;
  readonly kind: "component" | "stream";
}

/** The stage or setting whose items the cursor is among. */
interface Stage {
  readonly params: readonly ParamSpec[];
  readonly input?: StageRef;
}

/** Where the cursor stands, which decides what to offer. */
type Site =
  | { readonly kind: "statement" }
  | { readonly kind: "stage"; readonly position: "source" | "step" }
  | { readonly kind: "let-value" }
  | { readonly kind: "setting-line"; readonly setting: SettingDeclaration }
  | { readonly kind: "schema-type" }
  | {
      readonly kind: "options";
      readonly stage: Stage;
      readonly given: ReadonlySet<string>;
      readonly positional: boolean;
    }
  | { readonly kind: "positional"; readonly stage: Stage }
  | { readonly kind: "option-value"; readonly stage: Stage; readonly param: ParamSpec }
  | { readonly kind: "expression"; readonly input?: StageRef }
  | { readonly kind: "none" };

/** Parameters written as expressions rather than as `name value` options. */
const expressionKinds = new Set(["expression", "assignment", "binding"]);

const cursorWord = "__flowc_cursor__";
const closerOf = new Map([
  [T.LParen, ")"],
  [T.LBracket, "]"],
  [T.LBrace, "}"],
]);

const contains = (span: Span, offset: number) => span.start <= offset && offset <= span.end;

/** Finds the stand-in word at `offset` in the AST of the probe text. */
class SiteFinder {
  /** Where the statement the cursor is in begins. */
  statementStart: number | undefined;

  constructor(
    private readonly offset: number,
    private readonly registry: Registry,
  ) {}

  find(program: A.Program): Site {
    const statement = program.statements.find((candidate) => contains(candidate.span, this.offset));
    if (!statement) return { kind: "statement" };
    this.statementStart = statement.span.start;
    switch (statement.kind) {
      case "schema":
        return statement.fields.some((field) => field.type.span.start === this.offset)
          ? { kind: "schema-type" }
          : { kind: "none" };
      case "let":
        if (statement.value.kind === "pipeline") return this.pipeline(statement.value, "let-value");
        return contains(statement.value.span, this.offset) ? { kind: "expression" } : { kind: "none" };
      case "settings": {
        const setting = topLevelSettings.get(statement.invocation.name.name);
        return setting ? this.setting(statement.invocation, setting) : { kind: "none" };
      }
      case "pipeline":
        return this.pipeline(statement.pipeline, "statement");
      case "use":
        return { kind: "none" };
    }
  }

  private pipeline(pipeline: A.Pipeline, atStart: "statement" | "let-value"): Site {
    const head = pipeline.source;
    if (head.name.span.start === this.offset) {
      return atStart === "statement" ? { kind: "statement" } : { kind: atStart };
    }
    const source = this.registry.get("source", head.name.name);
    const headRef: StageRef = { name: head.name, kind: source ? "component" : "stream" };
    if (contains(head.span, this.offset)) {
      return source ? this.items(head, { params: source.params }) : { kind: "none" };
    }
    return this.steps(pipeline.steps, headRef) ?? { kind: "none" };
  }

  private steps(steps: readonly A.Step[], input: StageRef | undefined): Site | undefined {
    let previous = input;
    for (const step of steps) {
      if (step.kind === "fanout") {
        if (!contains(step.span, this.offset)) continue;
        for (const branch of step.branches) {
          const found = contains(branch.span, this.offset) ? this.steps(branch.steps, previous) : undefined;
          if (found) return found;
        }
        return { kind: "none" };
      }
      if (step.name.span.start === this.offset) return { kind: "stage", position: "step" };
      const declaration = this.registry.get("operator", step.name.name) ?? this.registry.get("sink", step.name.name);
      if (contains(step.span, this.offset)) {
        if (!declaration) return { kind: "none" };
        return this.items(step, { params: declaration.params, ...(previous ? { input: previous } : {}) });
      }
      previous = declaration ? { name: step.name, kind: "component" } : undefined;
    }
    return undefined;
  }

  private setting(invocation: A.Invocation, setting: SettingDeclaration): Site {
    for (const line of invocation.block ?? []) {
      if (line.name.span.start === this.offset) return { kind: "setting-line", setting };
      if (!contains(line.span, this.offset)) continue;
      const nested = setting.block?.find((inner) => inner.name === line.name.name);
      if (nested) return this.setting(line, nested);
      // A block of a setting without nested settings lists its options, one per line.
      const written: A.Item = { kind: "word", name: line.name, span: line.name.span };
      return this.items({ ...line, items: [written, ...line.items] }, { params: setting.params });
    }
    return this.items(invocation, { params: setting.params });
  }

  /** Among a stage's items: the binder says what may come next; inside one, an expression. */
  private items(invocation: A.Invocation, stage: Stage): Site {
    const index = invocation.items.findIndex((item) => contains(item.span, this.offset));
    const item = invocation.items[index];
    if (!item) return { kind: "none" };
    if (item.kind !== "word" || item.span.start !== this.offset) {
      return { kind: "expression", ...(stage.input ? { input: stage.input } : {}) };
    }
    const next = nextItem(invocation.items, index, stage.params);
    switch (next.kind) {
      case "value":
        return { kind: "option-value", stage, param: next.spec };
      case "positional":
        return { kind: "positional", stage };
      case "item":
        return { kind: "options", stage, given: next.given, positional: next.first };
    }
  }
}

/**
 * The completions at `offset`.
 *
 * @example
 * completionsAt({ text: "mqtt \"t\" -> ", offset: 12, path: "a.flow", ast, registry }).map((item) => item.label);
 * // ["map", "filter", "set", ..., "print", "mqtt", "csv", "jsonl"]
 */
export function completionsAt(input: CompletionInput): CompletionItem[] {
  const { text, offset } = input;
  let wordStart = offset;
  while (wordStart > 0 && /[A-Za-z0-9_]/.test(text[wordStart - 1]!)) wordStart--;
  if (/[0-9]/.test(text[wordStart] ?? "")) return [];

  // Lex up to the cursor with a stand-in word at it: when the stand-in comes back as the last
  // token, the cursor is in code (not a comment or string).
  const before = text.slice(0, wordStart) + cursorWord;
  const { tokens } = lex(new SourceFile(input.path, before));
  const last = tokens[tokens.length - 1];
  if (!last || last.image !== cursorWord || last.startOffset !== wordStart) return [];

  const probe = before + closers(tokens);
  const { program } = parseSource(new SourceFile(input.path, probe));
  const finder = new SiteFinder(wordStart, input.registry);
  const site = finder.find(program);
  return new Completer(input, probe, finder.statementStart ?? wordStart).items(site);
}

/** What closes the brackets still open at the end of `tokens`, innermost first. */
function closers(tokens: readonly IToken[]): string {
  const open: string[] = [];
  for (const token of tokens) {
    const closer = [...closerOf].find(([type]) => tokenMatcher(token, type))?.[1];
    if (closer) open.push(closer);
    else if (tokenMatcher(token, T.RParen) || tokenMatcher(token, T.RBracket) || tokenMatcher(token, T.RBrace))
      open.pop();
  }
  return open.reverse().join("");
}

/** Turns a site into completion items. */
class Completer {
  private readonly names: { streams: string[]; constants: string[]; schemas: string[] };

  constructor(
    private readonly input: CompletionInput,
    /** The text before the cursor with the stand-in and closing brackets, as it was parsed. */
    private readonly probe: string,
    statementStart: number,
  ) {
    const streams: string[] = [];
    const constants: string[] = [];
    const schemas: string[] = [...builtinSchemas.keys()];
    for (const statement of input.ast.statements) {
      // The statement being written does not define anything usable in itself yet.
      if (statement.span.start >= statementStart) continue;
      if (statement.kind === "let")
        (statement.value.kind === "pipeline" ? streams : constants).push(statement.name.name);
      else if (statement.kind === "schema") schemas.push(statement.name.name);
    }
    this.names = { streams, constants, schemas };
  }

  items(site: Site): CompletionItem[] {
    const registry = this.input.registry;
    switch (site.kind) {
      case "statement":
        return [
          ...registry.all("source").map(componentItem),
          ...this.streamItems(),
          ...["let", "schema", "broker", "device"].map((word) => ({ label: word, kind: CompletionItemKind.Keyword })),
        ];
      case "let-value":
        return [...registry.all("source").map(componentItem), ...this.streamItems(), ...this.expressionItems()];
      case "stage":
        return site.position === "source"
          ? registry.all("source").map(componentItem)
          : [...registry.all("operator"), ...registry.all("sink")].map(componentItem);
      case "setting-line":
        return site.setting.block
          ? site.setting.block.map(settingItem)
          : site.setting.params.map((param) => optionItem(param));
      case "schema-type":
        return [
          ...[...scalarTypes.keys()]
            .filter((name) => name !== "duration")
            .map((name) => ({ label: name, kind: CompletionItemKind.TypeParameter })),
          ...this.schemaItems(),
        ];
      case "options":
        return [
          ...this.optionItems(site.stage, site.given),
          ...(site.positional ? this.positionalItems(site.stage) : []),
        ];
      case "positional":
        return this.positionalItems(site.stage);
      case "option-value":
        return this.valueItems(site.param, site.stage.input);
      case "expression":
        return this.expressionItems(site.input);
      case "none":
        return [];
    }
  }

  private optionItems(stage: Stage, given: ReadonlySet<string>): CompletionItem[] {
    return stage.params
      .filter((param) => !param.positional && !expressionKinds.has(param.type.kind) && !given.has(param.name))
      .map((param) => optionItem(param));
  }

  /** What the first positional parameter takes, where it is a name or an expression. */
  private positionalItems(stage: Stage): CompletionItem[] {
    const first = stage.params.find((param) => param.positional);
    if (!first) return [];
    if (expressionKinds.has(first.type.kind)) return this.expressionItems(stage.input);
    return first.type.kind === "stream" || first.type.kind === "enum" ? this.valueItems(first, stage.input) : [];
  }

  private valueItems(param: ParamSpec, input?: StageRef): CompletionItem[] {
    const type = param.type;
    switch (type.kind) {
      case "enum":
        return type.values.map((value) => ({ label: value, kind: CompletionItemKind.EnumMember }));
      case "schema":
        return this.schemaItems();
      case "field": {
        const event = input && this.eventType(input);
        if (event?.kind !== "record") return [];
        return event.fields
          .filter((field) => !type.numeric || isNumeric(field.type))
          .map((field) => ({ label: field.name, kind: CompletionItemKind.Field, detail: formatType(field.type) }));
      }
      case "stream":
        return this.streamItems();
      case "bool":
        return ["true", "false"].map((word) => ({ label: word, kind: CompletionItemKind.Value }));
      case "expression":
      case "assignment":
      case "binding":
        return this.expressionItems(input);
      default:
        return [];
    }
  }

  /** Inside an expression: the event's fields (when its type is known), constants and functions. */
  private expressionItems(input?: StageRef): CompletionItem[] {
    const event = input && this.eventType(input);
    const fields =
      event?.kind === "record"
        ? event.fields.map((field) => ({
            label: field.name,
            kind: CompletionItemKind.Field,
            detail: formatType(field.type),
          }))
        : [];
    const it =
      event && event.kind !== "error"
        ? [{ label: EventName, kind: CompletionItemKind.Variable, detail: formatType(event) }]
        : [];
    return [
      ...fields,
      ...it,
      ...this.names.constants.map((name) => ({ label: name, kind: CompletionItemKind.Constant })),
      ...stdlibFunctions.map((fn) => ({
        label: fn.name,
        kind: CompletionItemKind.Function,
        detail: fn.signature,
        documentation: { kind: MarkupKind.Markdown, value: functionMarkdown(fn) },
      })),
    ];
  }

  private streamItems(): CompletionItem[] {
    return this.names.streams.map((name) => ({ label: name, kind: CompletionItemKind.Variable, detail: "stream" }));
  }

  private schemaItems(): CompletionItem[] {
    return this.names.schemas.map((name) => ({ label: name, kind: CompletionItemKind.Struct, detail: "schema" }));
  }

  private checked: ReturnType<typeof compile>["checked"] | undefined;

  /**
   * The type of the events a stage emits: the probe text is compiled (once) and the checker's
   * annotation on the stage's name read; errors in the stage being written do not hide it.
   */
  private eventType(stage: StageRef): FlowType | undefined {
    this.checked ??= compile([{ path: this.input.path, text: this.probe }], { registry: this.input.registry }).checked;
    const annotations = this.checked[0]?.annotations ?? [];
    const found =
      stage.kind === "stream"
        ? annotations.find((a) => a.description === `stream ${stage.name.name}`)
        : annotations.find((a) => a.span.start === stage.name.span.start);
    return found?.type;
  }
}

function componentItem(declaration: ComponentDeclaration): CompletionItem {
  return {
    label: declaration.name,
    kind: CompletionItemKind.Function,
    detail: `${declaration.kind}: ${declaration.summary}`,
    documentation: { kind: MarkupKind.Markdown, value: componentMarkdown(declaration) },
  };
}

function settingItem(setting: SettingDeclaration): CompletionItem {
  return {
    label: setting.name,
    kind: CompletionItemKind.Module,
    detail: setting.summary,
    documentation: { kind: MarkupKind.Markdown, value: settingMarkdown(setting) },
  };
}

function optionItem(param: ParamSpec): CompletionItem {
  return {
    label: param.name,
    kind: CompletionItemKind.Property,
    detail: paramTypeText(param.type),
    documentation: { kind: MarkupKind.Markdown, value: paramLine(param) },
  };
}
