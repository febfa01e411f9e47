/**
 * Stage 3b: CST → AST. A Chevrotain CST visitor that turns the grammar's nodes into the typed
 * {@link ./ast.ts} tree with spans, decoding literals on the way (string escapes, durations).
 */
import type { CstElement, CstNode, IToken } from "chevrotain";
import { binaryPrecedence, comparisonPrecedence, notPrecedence } from "./ast.js";
import type * as A from "./ast.js";
import { diagnostic, DiagnosticCodes, type Diagnostic } from "./diagnostics.js";
import { likelyDuration, unknownUnit } from "./layout.js";
import { durationUnits } from "./lexer.js";
import { parser } from "./parser.js";
import type { SourceFile, Span } from "./source.js";

type Children = Record<string, CstElement[] | undefined>;

const BaseVisitor = parser.getBaseCstVisitorConstructor();

const isToken = (element: CstElement): element is IToken => "image" in element;

function tokens(children: Children, ...names: string[]): IToken[] {
  if (names.length === 1) return (children[names[0]!] ?? []) as IToken[];
  const found: IToken[] = [];
  for (const name of names) for (const element of children[name] ?? []) if (isToken(element)) found.push(element);
  return found.sort((a, b) => a.startOffset - b.startOffset);
}

/** Where a token or node starts; NaN or undefined for what error recovery invented. */
const startOf = (element: CstElement): number | undefined =>
  isToken(element) ? element.startOffset : element.location?.startOffset;

/** The offset just past a token or node; NaN for what error recovery invented. */
const endOf = (element: CstElement): number =>
  isToken(element) ? element.startOffset + element.image.length : (element.location?.endOffset ?? NaN) + 1;

/** Children under a rule name are always CST nodes (tokens sit under token names). */
function nodes(children: Children, name: string): CstNode[] {
  return (children[name] ?? []) as CstNode[];
}

function node(children: Children, name: string): CstNode | undefined {
  return nodes(children, name)[0];
}

/**
 * Builds a file's AST one top-level statement at a time ({@link addStatement}), as the parser
 * hands them over, then the program around them ({@link finish}).
 *
 * @example
 * const builder = new AstBuilder(source, () => []);
 * parseTokens(tokens, (statement) => builder.addStatement(statement));
 */
export class AstBuilder extends BaseVisitor {
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
    const program = this.program(cst.children as Children, this.source.path);
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

  program(children: Children, file: string): A.Program {
    this.requireSeparated(
      nodes(children, "statement"),
      tokens(children, "Newline"),
      "statement",
      "put each statement on a line of its own",
    );
    return { file, statements: this.statements, comments: [], span: this.source.span(0, this.source.text.length) };
  }

  statement(children: Children): A.Statement | undefined {
    const inner =
      node(children, "letStatement") ??
      node(children, "useStatement") ??
      node(children, "schemaStatement") ??
      node(children, "settingsStatement");
    if (inner) return this.visit(inner) as A.Statement;
    const pipelineNode = node(children, "pipeline");
    if (!pipelineNode) return undefined;
    const pipeline = this.visit(pipelineNode) as A.Pipeline | undefined;
    return pipeline && { kind: "pipeline", pipeline, span: pipeline.span };
  }

  letStatement(children: Children): A.LetStatement | undefined {
    const name = tokens(children, "Identifier")[0];
    const pipelineNode = node(children, "pipeline");
    const expressionNode = node(children, "expression");
    const value = pipelineNode
      ? (this.visit(pipelineNode) as A.Pipeline | undefined)
      : expressionNode && (this.visit(expressionNode) as A.Expression | undefined);
    if (!name || !value) return undefined;
    return { kind: "let", name: this.identifier(name), value, span: this.spanOfChildren(children) };
  }

  useStatement(children: Children): A.UseStatement | undefined {
    const path = tokens(children, "StringLiteral")[0];
    if (!path) return undefined;
    return {
      kind: "use",
      path: { kind: "string", value: this.decodeString(path), span: this.spanOf(path) },
      span: this.spanOfChildren(children),
    };
  }

  schemaStatement(children: Children): A.SchemaStatement | undefined {
    const name = tokens(children, "Identifier")[0];
    if (!name) return undefined;
    this.requireSeparated(
      nodes(children, "fieldDeclaration"),
      tokens(children, "Newline", "Comma"),
      "field",
      "separate fields with `,` or put each on a line of its own",
    );
    const fields = nodes(children, "fieldDeclaration").flatMap((field) => {
      const fieldChildren = field.children as Children;
      const fieldName = tokens(fieldChildren, "name")[0];
      const type = tokens(fieldChildren, "type")[0];
      if (!fieldName || !type) return [];
      return [{ name: this.identifier(fieldName), type: this.identifier(type), span: this.spanOf(field) }];
    });
    return { kind: "schema", name: this.identifier(name), fields, span: this.spanOfChildren(children) };
  }

  settingsStatement(children: Children): A.SettingsStatement | undefined {
    const keyword = tokens(children, "Broker", "Device")[0];
    const tail = node(children, "invocationTail");
    if (!keyword || !tail) return undefined;
    const invocation = this.invocation(keyword, tail);
    return { kind: "settings", invocation, span: invocation.span };
  }

  pipeline(children: Children): A.Pipeline | undefined {
    const stageNode = node(children, "stage");
    const source = stageNode && (this.visit(stageNode) as A.Invocation | undefined);
    if (!source) return undefined;
    const steps = nodes(children, "step")
      .map((step) => this.visit(step) as A.Step | undefined)
      .filter((step): step is A.Step => step !== undefined);
    const last = steps[steps.length - 1];
    return { kind: "pipeline", source, steps, span: last ? { ...source.span, end: last.span.end } : source.span };
  }

  step(children: Children): A.Step | undefined {
    const inner = node(children, "fanOut") ?? node(children, "stage");
    return inner && (this.visit(inner) as A.Step | undefined);
  }

  fanOut(children: Children): A.FanOut {
    const branches = nodes(children, "branch").map((branch) => this.visit(branch) as A.Branch);
    return {
      kind: "fanout",
      branches: branches.filter((b) => b.steps.length > 0),
      span: this.spanOfChildren(children),
    };
  }

  branch(children: Children): A.Branch {
    const steps = nodes(children, "step")
      .map((step) => this.visit(step) as A.Step | undefined)
      .filter((step): step is A.Step => step !== undefined);
    return { steps, span: this.spanOfChildren(children) };
  }

  stage(children: Children): A.Invocation | undefined {
    const name = tokens(children, "Identifier")[0];
    const tail = node(children, "invocationTail");
    if (!name || !tail) return undefined;
    return this.invocation(name, tail);
  }

  setting(children: Children): A.Invocation | undefined {
    return this.stage({
      Identifier: tokens(children, "Identifier", "Broker", "Device"),
      invocationTail: children["invocationTail"],
    });
  }

  private invocation(name: IToken, tail: CstNode): A.Invocation {
    const children = tail.children as Children;
    const items = nodes(children, "item")
      .map((item) => this.visit(item) as A.Item | undefined)
      .filter((item): item is A.Item => item !== undefined);
    const blockNode = node(children, "settingsBlock");
    if (blockNode) {
      const blockChildren = blockNode.children as Children;
      this.requireSeparated(
        nodes(blockChildren, "setting"),
        tokens(blockChildren, "Newline", "Comma"),
        "setting",
        "separate settings with `,` or put each on a line of its own",
      );
    }
    const block = blockNode
      ? nodes(blockNode.children as Children, "setting")
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
  item(children: Children): A.Item | undefined {
    const expressionNode = node(children, "expression");
    const value = expressionNode && (this.visit(expressionNode) as A.Expression | undefined);
    if (!value) return undefined;
    const afterComma = tokens(children, "Comma").length > 0 ? ({ afterComma: true } as const) : {};
    const target = tokens(children, "target")[0];
    if (target) {
      return {
        kind: "assignment",
        target: this.identifier(target),
        value,
        ...afterComma,
        span: { ...this.spanOf(target), end: value.span.end },
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
        ...afterComma,
        span: value.span,
      };
    }
    return { kind: "value", value, ...afterComma, span: value.span };
  }

  fieldDeclaration(): undefined {
    return undefined;
  }

  // Expressions

  /**
   * Precedence climbing over the flat `operand (operator operand)*` the grammar produces.
   * Loosest first: `or`, `and`, prefix `not`, comparisons, `+ -`, `* / %`, prefix `-`.
   */
  expression(children: Children): A.Expression | undefined {
    const operands = nodes(children, "operand");
    const operators = tokens(children, "BinaryOperator");
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
      const operandChildren = (node?.children ?? {}) as Children;
      let value = this.operandValue(operandChildren);
      if (!value) {
        failed = true;
        return { kind: "number", value: 0, isInteger: true, span: this.source.span(this.lastEnd, this.lastEnd) };
      }
      const prefixes = tokens(operandChildren, "Not", "Minus", "Sign");
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
  private operandValue(children: Children): A.Expression | undefined {
    let value = this.primaryValue(children);
    if (!value) return undefined;
    for (const field of tokens(children, "field")) {
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

  private primaryValue(children: Children): A.Expression | undefined {
    const inner = node(children, "recordLiteral") ?? node(children, "nameOrCall");
    if (inner) return this.visit(inner) as A.Expression | undefined;
    const grouped = node(children, "expression");
    if (grouped) {
      const value = this.visit(grouped) as A.Expression | undefined;
      const open = tokens(children, "LParen")[0];
      const close = tokens(children, "RParen")[0];
      // Parentheses only group; the span widens so messages point at what was written.
      return value && open && close ? { ...value, span: { ...this.spanOf(open), end: this.spanOf(close).end } } : value;
    }
    const token =
      tokens(children, "NumberLiteral")[0] ??
      tokens(children, "StringLiteral")[0] ??
      tokens(children, "Duration")[0] ??
      tokens(children, "BadUnit")[0] ??
      tokens(children, "True")[0] ??
      tokens(children, "False")[0];
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

  nameOrCall(children: Children): A.Expression | undefined {
    const name = tokens(children, "Identifier")[0];
    if (!name) return undefined;
    const record = node(children, "recordLiteral");
    if (record) {
      const literal = this.visit(record) as A.RecordLiteral;
      return { ...literal, typeName: this.identifier(name), span: { ...this.spanOf(name), end: literal.span.end } };
    }
    if (tokens(children, "LParen").length > 0) {
      const args = nodes(children, "expression")
        .map((argument) => this.visit(argument) as A.Expression | undefined)
        .filter((argument): argument is A.Expression => argument !== undefined);
      return { kind: "call", callee: this.identifier(name), args, span: this.spanOfChildren(children) };
    }
    return { kind: "name", name: name.image, span: this.spanOf(name) };
  }

  recordLiteral(children: Children): A.RecordLiteral {
    const fields = nodes(children, "recordField").flatMap((field) => {
      const fieldChildren = field.children as Children;
      const name = tokens(fieldChildren, "Identifier")[0];
      const expressionNode = node(fieldChildren, "expression");
      const value = expressionNode && (this.visit(expressionNode) as A.Expression | undefined);
      return name && value
        ? [{ name: this.identifier(name), value, span: { ...this.spanOf(name), end: value.span.end } }]
        : [];
    });
    return { kind: "record", fields, span: this.spanOfChildren(children) };
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
  for (const statement of nodes(cst.children as Children, "statement")) builder.addStatement(statement);
  return builder.finish(cst);
}
