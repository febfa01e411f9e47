/**
 * Stage 3b: CST → AST. A Chevrotain CST visitor that turns the grammar's nodes into the typed
 * {@link ./ast.ts} tree with spans, decoding literals on the way (string escapes, durations).
 */
import type { CstElement, CstNode, IToken } from "chevrotain";
import { binaryPrecedence, comparisonPrecedence, notPrecedence } from "./ast.js";
import type * as A from "./ast.js";
import type * as C from "./cst.generated.js";
import { diagnostic, DiagnosticCodes, type Diagnostic } from "./diagnostics.js";
import { likelyDuration, unknownUnit } from "./layout.js";
import { durationUnits } from "./lexer.js";
import { sharedParser } from "./parser.js";
import type { SourceFile, Span } from "./source.js";

// The visitor reads children through the types generated from the grammar (compiler/cst.generated.ts,
// `npm run grammar:generate`), so a renamed rule or label is a type error here. Error recovery can leave out
// even a child the grammar always produces, so every child list is read as possibly absent
// (`ctx.Identifier?.[0]`).

/** Any rule's children: what the span of a whole node is computed from. */
type Children = Readonly<Record<string, CstElement[] | undefined>>;

/** The names under which `Children` holds tokens. */
type TokenNames<Children> = {
  [Name in keyof Children]-?: NonNullable<Children[Name]> extends IToken[] ? Name : never;
}[keyof Children];

const BaseVisitor = sharedParser().getBaseCstVisitorConstructor();

const isToken = (element: CstElement): element is IToken => "image" in element;

/** The tokens under several names, in source order (mostly all under one name: nothing to sort). */
function tokensInOrder<C extends object>(children: C, ...names: TokenNames<C>[]): IToken[] {
  let found: IToken[] | undefined;
  let sorted = true;
  for (const name of names) {
    const tokens = children[name] as IToken[] | undefined;
    if (!tokens?.length) continue;
    if (found) sorted = false;
    found = found ? found.concat(tokens) : tokens.slice();
  }
  return !found ? [] : sorted ? found : found.sort((a, b) => a.startOffset - b.startOffset);
}

/** Where a token or node starts; NaN or undefined for what error recovery invented. */
const startOf = (element: CstElement): number | undefined =>
  isToken(element) ? element.startOffset : element.location?.startOffset;

/** The offset just past a token or node; NaN for what error recovery invented. */
const endOf = (element: CstElement): number =>
  isToken(element) ? element.startOffset + element.image.length : (element.location?.endOffset ?? NaN) + 1;

/**
 * Builds a file's AST one top-level statement at a time ({@link addStatement}), as the parser
 * hands them over, then the program around them ({@link finish}).
 *
 * @example
 * const builder = new AstBuilder(source, () => []);
 * parseTokens(tokens, (statement) => builder.addStatement(statement));
 */
export class AstBuilder extends BaseVisitor implements C.CstVisitor<unknown, unknown> {
  /** What the statements say; the checks across statements go first, in {@link finish}. */
  private readonly statementDiagnostics: Diagnostic[] = [];
  private readonly statements: A.Statement[] = [];
  private diagnostics = this.statementDiagnostics;

  constructor(
    private readonly source: SourceFile,
    /**
     * Where the parser reported errors (recovery there can split one statement in two), at least
     * up to the end of the statement being built.
     */
    private readonly syntaxErrorOffsets: () => readonly number[],
  ) {
    super();
  }

  /** Adds the AST of one top-level `statement` CST node. */
  addStatement(node: CstNode): void {
    const statement = this.visit(node) as A.Statement | undefined;
    if (statement) this.statements.push(statement);
  }

  /**
   * The program of the statements added, checked for statements sharing a line; `cst` is the
   * `program` node, whose statements may be location-only shells by now.
   */
  finish(cst: CstNode): { program: A.Program; diagnostics: Diagnostic[] } {
    const programDiagnostics: Diagnostic[] = [];
    this.diagnostics = programDiagnostics;
    const program = this.program((cst as C.ProgramCstNode).children, this.source.path);
    this.diagnostics = this.statementDiagnostics;
    return { program, diagnostics: [...programDiagnostics, ...this.statementDiagnostics] };
  }

  /** End of the last real span seen: where tokens invented by error recovery are placed. */
  private lastEnd = 0;

  private spanOf(element: CstNode | IToken): Span {
    const start = startOf(element);
    const end = endOf(element);
    if (start === undefined || !Number.isFinite(start) || !Number.isFinite(end))
      return this.source.span(this.lastEnd, this.lastEnd);
    this.lastEnd = end;
    return this.source.span(start, end);
  }

  private identifier(token: IToken): A.Identifier {
    return { kind: "identifier", name: token.image, span: this.spanOf(token) };
  }

  /**
   * Statements, settings and schema fields each end at a line break (or a comma, inside braces).
   * The grammar alone would accept `i2c scl device sda 4` as two settings, and whether `scl` is
   * an argument or a flag would then hang on the word after it, so the formatter, putting each
   * on its own line, would change what the file means.
   */
  private requireSeparated(items: CstNode[], separators: IToken[], what: string, hint: string): void {
    let next = 0;
    for (let i = 1; i < items.length; i++) {
      const previousEnd = items[i - 1]!.location?.endOffset;
      const start = items[i]!.location?.startOffset;
      if (previousEnd === undefined || start === undefined || Number.isNaN(previousEnd) || Number.isNaN(start))
        continue;
      while (next < separators.length && separators[next]!.startOffset < previousEnd) next++;
      if (next < separators.length && separators[next]!.startOffset < start) continue;
      const previousStart = items[i - 1]!.location!.startOffset;
      if (this.syntaxErrorOffsets().some((offset) => offset >= previousStart && offset <= start)) continue;
      const startOfNext = /^[^\s:,=(){}[\]"]+|^\S/.exec(this.source.text.slice(start, start + 80))?.[0] ?? "";
      this.diagnostics.push(
        diagnostic(
          DiagnosticCodes.MissingSeparator,
          this.source.span(start, start + startOfNext.length),
          `\`${startOfNext}\` starts another ${what} on the same line`,
          hint,
        ),
      );
    }
  }

  program(ctx: C.ProgramCstChildren, file: string): A.Program {
    this.requireSeparated(
      ctx.statement ?? [],
      ctx.Newline ?? [],
      "statement",
      "put each statement on a line of its own",
    );
    return { file, statements: this.statements, comments: [], span: this.source.span(0, this.source.text.length) };
  }

  statement(ctx: C.StatementCstChildren): A.Statement | undefined {
    const inner =
      ctx.letStatement?.[0] ?? ctx.useStatement?.[0] ?? ctx.schemaStatement?.[0] ?? ctx.settingsStatement?.[0];
    if (inner) return this.visit(inner) as A.Statement;
    const pipelineNode = ctx.pipeline?.[0];
    if (!pipelineNode) return undefined;
    const pipeline = this.visit(pipelineNode) as A.Pipeline | undefined;
    return pipeline && { kind: "pipeline", pipeline, span: pipeline.span };
  }

  letStatement(ctx: C.LetStatementCstChildren): A.LetStatement | undefined {
    const name = ctx.Identifier?.[0];
    const pipelineNode = ctx.pipeline?.[0];
    const expressionNode = ctx.expression?.[0];
    const value = pipelineNode
      ? (this.visit(pipelineNode) as A.Pipeline | undefined)
      : expressionNode && (this.visit(expressionNode) as A.Expression | undefined);
    if (!name || !value) return undefined;
    return { kind: "let", name: this.identifier(name), value, span: this.spanOfChildren(ctx) };
  }

  useStatement(ctx: C.UseStatementCstChildren): A.UseStatement | undefined {
    const path = ctx.StringLiteral?.[0];
    if (!path) return undefined;
    return {
      kind: "use",
      path: { kind: "string", value: this.decodeString(path), span: this.spanOf(path) },
      span: this.spanOfChildren(ctx),
    };
  }

  schemaStatement(ctx: C.SchemaStatementCstChildren): A.SchemaStatement | undefined {
    const name = ctx.Identifier?.[0];
    if (!name) return undefined;
    this.requireSeparated(
      ctx.fieldDeclaration ?? [],
      tokensInOrder(ctx, "Newline", "Comma"),
      "field",
      "separate fields with `,` or put each on a line of its own",
    );
    const fields = (ctx.fieldDeclaration ?? []).flatMap((field) => {
      const fieldChildren = field.children;
      const fieldName = fieldChildren.name?.[0];
      const type = fieldChildren.type?.[0];
      if (!fieldName || !type) return [];
      return [{ name: this.identifier(fieldName), type: this.identifier(type), span: this.spanOf(field) }];
    });
    return { kind: "schema", name: this.identifier(name), fields, span: this.spanOfChildren(ctx) };
  }

  settingsStatement(ctx: C.SettingsStatementCstChildren): A.SettingsStatement | undefined {
    const keyword = tokensInOrder(ctx, "Broker", "Device")[0];
    const tail = ctx.invocationTail?.[0];
    if (!keyword || !tail) return undefined;
    const invocation = this.invocation(keyword, tail);
    return { kind: "settings", invocation, span: invocation.span };
  }

  pipeline(ctx: C.PipelineCstChildren): A.Pipeline | undefined {
    const stageNode = ctx.stage?.[0];
    const source = stageNode && (this.visit(stageNode) as A.Invocation | undefined);
    if (!source) return undefined;
    const steps = (ctx.step ?? [])
      .map((step) => this.visit(step) as A.Step | undefined)
      .filter((step): step is A.Step => step !== undefined);
    const last = steps[steps.length - 1];
    return { kind: "pipeline", source, steps, span: last ? { ...source.span, end: last.span.end } : source.span };
  }

  step(ctx: C.StepCstChildren): A.Step | undefined {
    const inner = ctx.fanOut?.[0] ?? ctx.stage?.[0];
    return inner && (this.visit(inner) as A.Step | undefined);
  }

  fanOut(ctx: C.FanOutCstChildren): A.FanOut {
    const branches = (ctx.branch ?? []).map((branch) => this.visit(branch) as A.Branch);
    return {
      kind: "fanout",
      branches: branches.filter((b) => b.steps.length > 0),
      span: this.spanOfChildren(ctx),
    };
  }

  branch(ctx: C.BranchCstChildren): A.Branch {
    const steps = (ctx.step ?? [])
      .map((step) => this.visit(step) as A.Step | undefined)
      .filter((step): step is A.Step => step !== undefined);
    return { steps, span: this.spanOfChildren(ctx) };
  }

  stage(ctx: C.StageCstChildren): A.Invocation | undefined {
    const name = ctx.Identifier?.[0];
    const tail = ctx.invocationTail?.[0];
    if (!name || !tail) return undefined;
    return this.invocation(name, tail);
  }

  setting(ctx: C.SettingCstChildren): A.Invocation | undefined {
    return this.stage({
      Identifier: tokensInOrder(ctx, "Identifier", "Broker", "Device"),
      invocationTail: ctx.invocationTail,
    });
  }

  private invocation(name: IToken, tail: C.InvocationTailCstNode): A.Invocation {
    const ctx = tail.children;
    const items = (ctx.item ?? [])
      .map((item) => this.visit(item) as A.Item | undefined)
      .filter((item): item is A.Item => item !== undefined);
    const blockNode = ctx.settingsBlock?.[0];
    if (blockNode) {
      const blockChildren = blockNode.children;
      this.requireSeparated(
        blockChildren.setting ?? [],
        tokensInOrder(blockChildren, "Newline", "Comma"),
        "setting",
        "separate settings with `,` or put each on a line of its own",
      );
    }
    const block = blockNode
      ? (blockNode.children.setting ?? [])
          .map((setting) => this.visit(setting) as A.Invocation | undefined)
          .filter((setting): setting is A.Invocation => setting !== undefined)
      : undefined;
    const nameSpan = this.spanOf(name);
    const tailSpan = this.spanOf(tail);
    const end = tail.location && !Number.isNaN(tail.location.startOffset) ? tailSpan.end : nameSpan.end;
    return {
      kind: "invocation",
      name: this.identifier(name),
      items,
      ...(block ? { block } : {}),
      span: { ...nameSpan, end: Math.max(end, nameSpan.end) },
    };
  }

  invocationTail(): undefined {
    return undefined;
  }

  settingsBlock(): undefined {
    return undefined;
  }

  /** An item as written: a bare name is a `word` (the binder decides what it is), `(name)` a value. */
  item(ctx: C.ItemCstChildren): A.Item | undefined {
    const expressionNode = ctx.expression?.[0];
    const value = expressionNode && (this.visit(expressionNode) as A.Expression | undefined);
    if (!value) return undefined;
    // Undefined rather than absent when not after a comma: spreading `{ afterComma }` in took V8's
    // slow path for each of a file's items, and both read (and print as JSON) the same.
    const afterComma = ctx.Comma?.length ? true : undefined;
    const target = ctx.target?.[0];
    if (target) {
      const name = this.identifier(target);
      return {
        kind: "assignment",
        target: name,
        value,
        afterComma,
        span: this.source.span(name.span.start, value.span.end),
      };
    }
    if (value.kind === "duration" && value.unknownUnit) {
      // Alone after a name, `8g` may be a listed value (`range 8g`): the binder decides.
      const reported = this.diagnostics.findLastIndex((d) => d.code === DiagnosticCodes.UnknownUnit);
      if (reported >= 0) this.diagnostics.splice(reported, 1);
    }
    if (value.kind === "name" && this.source.text[value.span.start] !== "(") {
      return {
        kind: "word",
        name: { kind: "identifier", name: value.name, span: value.span },
        afterComma,
        span: value.span,
      };
    }
    return { kind: "value", value, afterComma, span: value.span };
  }

  fieldDeclaration(): undefined {
    return undefined;
  }

  // Expressions

  /**
   * Precedence climbing over the flat `operand (operator operand)*` the grammar produces.
   * Loosest first: `or`, `and`, prefix `not`, comparisons, `+ -`, `* / %`, prefix `-`.
   */
  expression(ctx: C.ExpressionCstChildren): A.Expression | undefined {
    const operands = ctx.operand ?? [];
    const operators = ctx.BinaryOperator ?? [];
    let nextOperand = 0;
    let nextOperator = 0;
    let failed = false;

    const climb = (left: A.Expression, minimum: number): A.Expression => {
      // Whether `left` is a comparison built in this loop (not one the author parenthesised).
      let leftIsComparison = false;
      while (
        nextOperator < operators.length &&
        binaryPrecedence[operators[nextOperator]!.image as A.BinaryOperator] >= minimum
      ) {
        const operator = operators[nextOperator++]!;
        const level = binaryPrecedence[operator.image as A.BinaryOperator];
        if (level === comparisonPrecedence && leftIsComparison) {
          this.diagnostics.push(
            diagnostic(
              DiagnosticCodes.UnexpectedToken,
              this.spanOf(operator),
              `comparisons do not chain: \`${operator.image}\` follows another comparison`,
              "join two comparisons with `and`, as in `0 < val and val <= 100`",
            ),
          );
        }
        leftIsComparison = level === comparisonPrecedence;
        const right = climb(operand(), level + 1);
        left = {
          kind: "binary",
          operator: operator.image as A.BinaryOperator,
          left,
          right,
          span: { ...left.span, end: right.span.end },
        };
      }
      return left;
    };

    const operand = (): A.Expression => {
      const node = operands[nextOperand++];
      const operandChildren: C.OperandCstChildren = node?.children ?? {};
      let value = this.operandValue(operandChildren);
      if (!value) {
        failed = true;
        return { kind: "number", value: 0, isInteger: true, span: this.source.span(this.lastEnd, this.lastEnd) };
      }
      const prefixes = tokensInOrder(operandChildren, "Not", "Minus", "Sign");
      for (let i = prefixes.length - 1; i >= 0; i--) {
        const prefix = prefixes[i]!;
        const span = this.spanOf(prefix);
        if (prefix.image === "-") {
          // A negative literal is one value: `-0.4`, and `-5s`, which the binder refuses as a
          // duration that is not positive rather than as arithmetic on a duration.
          const widened: Span = { ...span, end: value.span.end };
          value =
            value.kind === "number"
              ? { ...value, value: -value.value, span: widened }
              : value.kind === "duration"
                ? { ...value, milliseconds: -value.milliseconds, text: `-${value.text}`, span: widened }
                : { kind: "unary", operator: "-", operand: value, span: widened };
        } else {
          const inner = climb(value, notPrecedence + 1);
          value = { kind: "unary", operator: "not", operand: inner, span: { ...span, end: inner.span.end } };
        }
      }
      return value;
    };

    if (operands.length === 0) return undefined;
    const result = climb(operand(), 0);
    return failed ? undefined : result;
  }

  operand(): undefined {
    return undefined;
  }

  /** An operand without its prefix operators: a literal, a name or call, or `( … )`, then `.field`s. */
  private operandValue(ctx: C.OperandCstChildren): A.Expression | undefined {
    let value = this.primaryValue(ctx);
    if (!value) return undefined;
    for (const field of ctx.field ?? []) {
      const fieldIdentifier = this.identifier(field);
      value = {
        kind: "field",
        object: value,
        field: fieldIdentifier,
        span: { ...value.span, end: fieldIdentifier.span.end },
      };
    }
    return value;
  }

  private primaryValue(ctx: C.OperandCstChildren): A.Expression | undefined {
    const inner = ctx.recordLiteral?.[0] ?? ctx.nameOrCall?.[0];
    if (inner) return this.visit(inner) as A.Expression | undefined;
    const grouped = ctx.expression?.[0];
    if (grouped) {
      const value = this.visit(grouped) as A.Expression | undefined;
      const open = ctx.LParen?.[0];
      const close = ctx.RParen?.[0];
      // Parentheses only group; the span widens so messages point at what was written.
      return value && open && close ? { ...value, span: { ...this.spanOf(open), end: this.spanOf(close).end } } : value;
    }
    const token =
      ctx.NumberLiteral?.[0] ??
      ctx.StringLiteral?.[0] ??
      ctx.Duration?.[0] ??
      ctx.BadUnit?.[0] ??
      ctx.True?.[0] ??
      ctx.False?.[0];
    if (!token) return undefined;
    const span = this.spanOf(token);
    switch (token.tokenType.name) {
      case "NumberLiteral": {
        const isInteger = /^(0x[0-9a-f]+|\d+)$/i.test(token.image);
        return { kind: "number", value: Number(token.image), isInteger, span };
      }
      case "Duration": {
        const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|min|s|h|d)$/.exec(token.image)!;
        return { kind: "duration", milliseconds: Number(amount) * durationUnits[unit!]!, text: token.image, span };
      }
      case "BadUnit": {
        this.diagnostics.push(unknownUnit(span, token.image));
        const likely = likelyDuration(token.image);
        const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|min|s|h|d)$/.exec(likely)!;
        const milliseconds = Number(amount) * durationUnits[unit!]!;
        return { kind: "duration", milliseconds, text: token.image, unknownUnit: true, span };
      }
      case "StringLiteral":
        return { kind: "string", value: this.decodeString(token), span };
      default:
        return { kind: "boolean", value: token.tokenType.name === "True", span };
    }
  }

  nameOrCall(ctx: C.NameOrCallCstChildren): A.Expression | undefined {
    const name = ctx.Identifier?.[0];
    if (!name) return undefined;
    const record = ctx.recordLiteral?.[0];
    if (record) {
      const literal = this.visit(record) as A.RecordLiteral;
      return { ...literal, typeName: this.identifier(name), span: { ...this.spanOf(name), end: literal.span.end } };
    }
    if (ctx.LParen?.length) {
      const args = (ctx.expression ?? [])
        .map((argument) => this.visit(argument) as A.Expression | undefined)
        .filter((argument): argument is A.Expression => argument !== undefined);
      return { kind: "call", callee: this.identifier(name), args, span: this.spanOfChildren(ctx) };
    }
    return { kind: "name", name: name.image, span: this.spanOf(name) };
  }

  recordLiteral(ctx: C.RecordLiteralCstChildren): A.RecordLiteral {
    const fields = (ctx.recordField ?? []).flatMap((field) => {
      const fieldChildren = field.children;
      const name = fieldChildren.Identifier?.[0];
      const expressionNode = fieldChildren.expression?.[0];
      const value = expressionNode && (this.visit(expressionNode) as A.Expression | undefined);
      return name && value
        ? [{ name: this.identifier(name), value, span: { ...this.spanOf(name), end: value.span.end } }]
        : [];
    });
    return { kind: "record", fields, span: this.spanOfChildren(ctx) };
  }

  recordField(): undefined {
    return undefined;
  }

  private spanOfChildren(children: Children): Span {
    let start = Infinity;
    let end = -Infinity;
    // As spanOf reads each child, without building a span per child: most of them are tokens.
    for (const list of Object.values(children)) {
      if (!list) continue;
      for (const element of list) {
        let elementStart = startOf(element);
        let elementEnd = endOf(element);
        if (elementStart === undefined || !Number.isFinite(elementStart) || !Number.isFinite(elementEnd)) {
          elementStart = this.lastEnd;
          elementEnd = this.lastEnd;
        } else this.lastEnd = elementEnd;
        if (elementEnd === 0 && elementStart === 0) continue;
        start = Math.min(start, elementStart);
        end = Math.max(end, elementEnd);
      }
    }
    return start === Infinity ? this.source.span(0, 0) : this.source.span(start, end);
  }

  private decodeString(token: IToken): string {
    const body = token.image.slice(1, -1);
    return body.replace(/\\(u\{[0-9A-Fa-f]{1,6}\}|.)/gs, (match, escape: string, index: number) => {
      const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0", '"': '"', "\\": "\\" };
      if (escape in simple) return simple[escape]!;
      if (escape.startsWith("u{")) {
        const codePoint = parseInt(escape.slice(2, -1), 16);
        if (codePoint <= 0x10ffff) return String.fromCodePoint(codePoint);
      }
      const start = token.startOffset + 1 + index;
      this.diagnostics.push(
        diagnostic(
          DiagnosticCodes.InvalidEscape,
          this.source.span(start, start + match.length),
          `unknown escape \`${match}\` in string`,
          'escapes are \\n \\t \\r \\0 \\" \\\\ and \\u{hex}; write \\\\ for a backslash',
        ),
      );
      return match;
    });
  }
}

/**
 * Builds the AST of one file from its whole CST.
 *
 * @example
 * const { cst } = parseTokens(lex(source).tokens);
 * const { program } = buildAst(cst, source);
 */
export function buildAst(
  cst: CstNode,
  source: SourceFile,
  syntaxErrorOffsets: readonly number[] = [],
): { program: A.Program; diagnostics: Diagnostic[] } {
  const builder = new AstBuilder(source, () => syntaxErrorOffsets);
  for (const statement of (cst as C.ProgramCstNode).children.statement ?? []) builder.addStatement(statement);
  return builder.finish(cst);
}
