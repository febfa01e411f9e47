/**
 * Completion. The text before the cursor is lexed with the compiler's own lexer and layout rules
 * (so comments, strings and line continuation behave exactly as when compiling), then walked to
 * find where the cursor stands: at the start of a statement, after `->`, among a stage's options,
 * after an option that awaits a value, or inside an expression. Event types come from the
 * checker: the text up to the end of the previous stage is compiled and that stage's annotation
 * read, which works while the line being typed is still broken.
 */
import { tokenMatcher, type IToken, type TokenType } from "chevrotain";
import { CompletionItemKind, MarkupKind, type CompletionItem } from "vscode-languageserver";
import type * as A from "../../compiler/ast.js";
import { compile } from "../../compiler/index.js";
import { lex } from "../../compiler/layout.js";
import * as T from "../../compiler/lexer.js";
import type { ComponentDeclaration, ParamSpec, Registry } from "../../compiler/registry.js";
import { topLevelSettings, type SettingDeclaration } from "../../compiler/settings.js";
import { SourceFile } from "../../compiler/source.js";
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
  readonly name: IToken;
  readonly kind: "component" | "stream";
  /** Where the stage's text ends, and how many fan-outs are open there: enough to compile up to it. */
  readonly end: number;
  readonly openFanOuts: number;
}

type Owner =
  | { readonly kind: "component"; readonly declaration: ComponentDeclaration }
  | { readonly kind: "setting"; readonly declaration: SettingDeclaration }
  | { readonly kind: "stream" | "unknown" };

interface Stage {
  readonly owner: Owner;
  readonly name: IToken;
  readonly input?: StageRef;
  /** Brackets open when the stage started; more means the cursor is inside an expression. */
  readonly depth: number;
  readonly given: Set<string>;
}

/** One link of a pipeline: the top level, or a fan-out branch. */
interface Chain {
  /** For a branch: the stage before the fan-out, the input of each branch's first stage. */
  readonly entry?: StageRef;
  last?: StageRef;
}

type Bracket =
  | { readonly kind: "fan-out"; readonly outer: Chain }
  | { readonly kind: "block"; readonly setting: SettingDeclaration; readonly outer: Stage }
  | { readonly kind: "paren" | "record" | "schema" };

/** Where the cursor stands, which decides what to offer. */
type Site =
  | { readonly kind: "statement" }
  | { readonly kind: "stage"; readonly position: "source" | "step"; readonly input?: StageRef }
  | { readonly kind: "let-value" }
  | { readonly kind: "setting-line"; readonly setting: SettingDeclaration }
  | { readonly kind: "schema-type" }
  | { readonly kind: "options"; readonly stage: Stage; readonly positional: boolean }
  | { readonly kind: "positional"; readonly stage: Stage }
  | { readonly kind: "option-value"; readonly stage: Stage; readonly param: ParamSpec }
  | { readonly kind: "expression"; readonly input?: StageRef }
  | { readonly kind: "none" };

const expressionContinuations = [T.BinaryOperator, T.Equals, T.Not, T.LParen, T.Colon, T.Dot, T.LBrace];

const is = (token: IToken | undefined, ...types: TokenType[]) =>
  token !== undefined && types.some((type) => tokenMatcher(token, type));

/** Parameters written as expressions rather than as `name value` options. */
const expressionKinds = new Set(["expression", "assignment", "binding"]);

/**
 * Finds where the cursor stands by walking the tokens before it: a small state machine that
 * follows the parser's statement, stage, fan-out and block structure (not its expressions).
 */
class SiteFinder {
  private mode:
    | "statement"
    | "let-name"
    | "let-equals"
    | "let-value"
    | "let-expression"
    | "schema"
    | "stage-expected"
    | "stage"
    | "setting-line"
    | "skip" = "statement";
  private stage: Stage | undefined;
  private chain: Chain = {};
  private readonly brackets: Bracket[] = [];
  private previous: IToken | undefined;
  /** Where the statement the cursor is in begins (undefined: the cursor starts a new one). */
  statementStart: number | undefined;

  constructor(
    private readonly tokens: readonly IToken[],
    private readonly registry: Registry,
  ) {}

  find(): Site {
    this.tokens.forEach((token, index) => {
      this.step(token, index);
      this.previous = token;
    });
    return this.site();
  }

  private step(token: IToken, index: number): void {
    if (is(token, T.Newline)) return this.newline();
    switch (this.mode) {
      case "statement":
        return this.startStatement(token);
      case "let-name":
        this.mode = is(token, T.Identifier) ? "let-equals" : "skip";
        return;
      case "let-equals":
        this.mode = is(token, T.Equals) ? "let-value" : "skip";
        return;
      case "let-value":
        // As the parser decides: a name not followed by a call, field access, record or operator
        // starts a pipeline; anything else is a constant's expression.
        if (is(token, T.Identifier) && !is(this.tokens[index + 1], T.LParen, T.Dot, T.LBrace, T.BinaryOperator)) {
          return this.startStage(token, "source");
        }
        this.mode = "let-expression";
        return this.bracket(token);
      case "schema":
        if (is(token, T.LBrace)) this.brackets.push({ kind: "schema" });
        else if (is(token, T.RBrace)) this.brackets.pop();
        return;
      case "stage-expected":
        if (is(token, T.LBracket)) {
          this.brackets.push({ kind: "fan-out", outer: this.chain });
          this.chain = { entry: this.chain.last, last: this.chain.last };
          return;
        }
        if (is(token, T.Identifier)) return this.startStage(token, "step");
        this.mode = "skip";
        return;
      case "stage":
        return this.insideStage(token, index);
      case "setting-line":
        return this.settingLine(token);
      case "let-expression":
      case "skip":
        return this.bracket(token);
    }
  }

  private newline(): void {
    const top = this.brackets[this.brackets.length - 1];
    if (top?.kind === "block") {
      this.stage = undefined;
      this.mode = "setting-line";
    } else if (top === undefined) {
      this.stage = undefined;
      this.chain = {};
      this.mode = "statement";
      this.statementStart = undefined;
    }
  }

  private startStatement(token: IToken): void {
    this.statementStart = token.startOffset;
    if (is(token, T.Let)) this.mode = "let-name";
    else if (is(token, T.Schema)) this.mode = "schema";
    else if (is(token, T.Broker, T.Device)) this.startSetting(token, topLevelSettings.get(token.image));
    else if (is(token, T.Identifier)) this.startStage(token, "source");
    else this.mode = "skip";
  }

  private startStage(name: IToken, position: "source" | "step"): void {
    const declaration =
      position === "source"
        ? this.registry.get("source", name.image)
        : (this.registry.get("operator", name.image) ?? this.registry.get("sink", name.image));
    const owner: Owner = declaration
      ? { kind: "component", declaration }
      : { kind: position === "source" ? "stream" : "unknown" };
    const input = position === "step" ? this.chain.last : undefined;
    this.stage = { owner, name, ...(input ? { input } : {}), depth: this.brackets.length, given: new Set() };
    this.mode = "stage";
  }

  private startSetting(name: IToken, declaration: SettingDeclaration | undefined): void {
    const owner: Owner = declaration ? { kind: "setting", declaration } : { kind: "unknown" };
    this.stage = { owner, name, depth: this.brackets.length, given: new Set() };
    this.mode = "stage";
  }

  /** Ends the current stage at `end`; it becomes the input of the next one. */
  private finishStage(end: number): void {
    const stage = this.stage;
    if (stage && (stage.owner.kind === "component" || stage.owner.kind === "stream")) {
      const openFanOuts = this.brackets.filter((bracket) => bracket.kind === "fan-out").length;
      this.chain.last = { name: stage.name, kind: stage.owner.kind, end, openFanOuts };
    } else {
      this.chain.last = undefined;
    }
    this.stage = undefined;
  }

  private insideStage(token: IToken, index: number): void {
    const stage = this.stage!;
    const atStageLevel = this.brackets.length === stage.depth;
    const top = this.brackets[this.brackets.length - 1];
    if (atStageLevel && is(token, T.Arrow)) {
      this.finishStage(token.startOffset);
      this.mode = "stage-expected";
      return;
    }
    if (atStageLevel && top?.kind === "fan-out" && is(token, T.Comma)) {
      // As in the parser: inside a fan-out a comma continues the arguments only before `name =`.
      const assignmentFollows = is(this.tokens[index + 1], T.Identifier) && is(this.tokens[index + 2], T.Equals);
      if (!assignmentFollows) {
        this.finishStage(token.startOffset);
        this.chain.last = this.chain.entry;
        this.mode = "stage-expected";
      }
      return;
    }
    if (atStageLevel && top?.kind === "fan-out" && is(token, T.RBracket)) {
      this.brackets.pop();
      this.chain = top.outer;
      this.stage = undefined;
      this.mode = "skip";
      return;
    }
    if (atStageLevel && is(token, T.LBrace) && stage.owner.kind === "setting") {
      this.brackets.push({ kind: "block", setting: stage.owner.declaration, outer: stage });
      this.stage = undefined;
      this.mode = "setting-line";
      return;
    }
    if (atStageLevel && is(token, T.Identifier) && paramsOf(stage.owner).some((param) => param.name === token.image)) {
      stage.given.add(token.image);
    }
    this.bracket(token);
  }

  private settingLine(token: IToken): void {
    const top = this.brackets[this.brackets.length - 1];
    if (top?.kind !== "block") return;
    if (is(token, T.RBrace)) {
      this.brackets.pop();
      this.stage = top.outer;
      this.mode = "stage";
      return;
    }
    if (!is(token, T.Identifier, T.Broker, T.Device)) return;
    const nested = top.setting.block?.find((inner) => inner.name === token.image);
    if (nested) return this.startSetting(token, nested);
    // A block of a setting without nested settings lists its options, one per line.
    const owner: Owner = { kind: "setting", declaration: top.setting };
    this.stage = { owner, name: token, depth: this.brackets.length, given: new Set([token.image]) };
    this.mode = "stage";
  }

  /** Follows brackets that do not change the statement's structure. */
  private bracket(token: IToken): void {
    if (is(token, T.LParen)) this.brackets.push({ kind: "paren" });
    else if (is(token, T.LBrace)) this.brackets.push({ kind: "record" });
    else if (is(token, T.RParen, T.RBrace)) {
      const top = this.brackets[this.brackets.length - 1];
      if (top?.kind === "block") {
        this.brackets.pop();
        this.stage = top.outer;
        this.mode = "stage";
      } else if (top && top.kind !== "fan-out") {
        this.brackets.pop();
      }
    }
  }

  private site(): Site {
    const previous = this.previous;
    switch (this.mode) {
      case "statement":
        return { kind: "statement" };
      case "let-value":
        return { kind: "let-value" };
      case "stage-expected":
        return { kind: "stage", position: "step", ...(this.chain.last ? { input: this.chain.last } : {}) };
      case "setting-line": {
        const top = this.brackets[this.brackets.length - 1];
        return top?.kind === "block" ? { kind: "setting-line", setting: top.setting } : { kind: "none" };
      }
      case "let-expression":
        return { kind: "expression" };
      case "schema":
        return is(previous, T.Colon) ? { kind: "schema-type" } : { kind: "none" };
      case "stage":
        return this.stageSite(this.stage!, previous!);
      default:
        return { kind: "none" };
    }
  }

  private stageSite(stage: Stage, previous: IToken): Site {
    if (stage.owner.kind === "stream" || stage.owner.kind === "unknown") return { kind: "none" };
    const input = stage.input ? { input: stage.input } : {};
    if (this.brackets.length > stage.depth || is(previous, ...expressionContinuations)) {
      return { kind: "expression", ...input };
    }
    if (previous === stage.name) return { kind: "options", stage, positional: true };
    if (is(previous, T.Comma)) return { kind: "positional", stage };
    const param = paramsOf(stage.owner).find((spec) => spec.name === previous.image && !spec.flag);
    if (is(previous, T.Identifier) && param) return { kind: "option-value", stage, param };
    return { kind: "options", stage, positional: false };
  }
}

function paramsOf(owner: Owner): readonly ParamSpec[] {
  return owner.kind === "component" || owner.kind === "setting" ? owner.declaration.params : [];
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
  // identifier, the cursor is in code (not a comment or string) and layout has decided whether
  // the line break before it ends the statement.
  const cursor = "__flowc_cursor__";
  const { tokens } = lex(new SourceFile(input.path, text.slice(0, wordStart) + cursor));
  const last = tokens[tokens.length - 1];
  if (!last || last.image !== cursor || last.startOffset !== wordStart) return [];

  const finder = new SiteFinder(tokens.slice(0, -1), input.registry);
  const site = finder.find();
  return new Completer(input, finder.statementStart ?? wordStart).items(site);
}

/** Turns a site into completion items. */
class Completer {
  private readonly names: { streams: string[]; constants: string[]; schemas: string[] };

  constructor(
    private readonly input: CompletionInput,
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
        return [...this.optionItems(site.stage), ...(site.positional ? this.positionalItems(site.stage) : [])];
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

  private optionItems(stage: Stage): CompletionItem[] {
    return paramsOf(stage.owner)
      .filter((param) => !param.positional && !expressionKinds.has(param.type.kind) && !stage.given.has(param.name))
      .map((param) => optionItem(param));
  }

  /** What the first positional parameter takes, where it is a name or an expression. */
  private positionalItems(stage: Stage): CompletionItem[] {
    const first = paramsOf(stage.owner).find((param) => param.positional);
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

  /**
   * The type of the events a stage emits: compile the document up to the end of that stage
   * (closing any fan-out open there) and read the checker's annotation on the stage's name.
   */
  private eventType(stage: StageRef): FlowType | undefined {
    const probe = this.input.text.slice(0, stage.end) + "]".repeat(stage.openFanOuts);
    const { checked } = compile([{ path: this.input.path, text: probe }], { registry: this.input.registry });
    const annotations = checked[0]?.annotations ?? [];
    const found =
      stage.kind === "stream"
        ? annotations.find((a) => a.description === `stream ${stage.name.image}`)
        : annotations.find((a) => a.span.start === stage.name.startOffset);
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
