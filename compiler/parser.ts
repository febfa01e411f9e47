/**
 * Stage 3: tokens → CST. A grammar-only Chevrotain parser: no actions, no AST building (that is
 * {@link ./cst-to-ast.ts}), error recovery on so one mistake does not hide the next. One instance
 * serves the whole process.
 */
import {
  CstParser,
  tokenMatcher,
  type CstNode,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from "chevrotain";
import * as T from "./lexer.js";

/** Tokens that can start an expression. */
const expressionStart: TokenType[] = [
  T.Identifier,
  T.NumberLiteral,
  T.Duration,
  T.StringLiteral,
  T.True,
  T.False,
  T.LParen,
  T.LBrace,
  T.Minus,
  T.Not,
];
/** Tokens that end a stage. A comma is absent on purpose: `merge a, b` lists positional arguments. */
const stageEnd: TokenType[] = [T.Arrow, T.RBracket, T.RBrace, T.Newline];
const literalStart: TokenType[] = [T.NumberLiteral, T.Duration, T.StringLiteral, T.True, T.False, T.Minus];

const isOneOf = (token: IToken, types: TokenType[]) => types.some((type) => tokenMatcher(token, type));
const closingBrackets: TokenType[] = [T.RBracket, T.RParen, T.RBrace];
const openingNonFanOut: TokenType[] = [T.LParen, T.LBrace];
const afterNameInExpression: TokenType[] = [T.LParen, T.Dot, T.LBrace];

/**
 * Where `token` sits in `tokens` (sorted by offset, as the lexer made them); the length for the
 * end-of-input token. A binary search, because the few decisions that look back (insideFanOut)
 * should cost nothing per token of a large file.
 */
function positionOf(tokens: readonly IToken[], token: IToken): number {
  const offset = token.startOffset;
  if (Number.isNaN(offset)) return tokens.length;
  let low = 0;
  let high = tokens.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const candidate = tokens[middle]!.startOffset;
    if (candidate === offset) return middle;
    if (candidate < offset) low = middle + 1;
    else high = middle - 1;
  }
  return tokens.length;
}

/**
 * The grammar. Construct it with `{ validate: true }` to have Chevrotain check the grammar for
 * ambiguities and left recursion (the parser test does); the shared {@link parser} skips those
 * checks, which would otherwise be a sixth of `flowc check`'s start-up.
 */
export class FlowParser extends CstParser {
  constructor({ validate = false }: { validate?: boolean } = {}) {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 3,
      nodeLocationTracking: "onlyOffset",
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
  }

  /** Set by {@link programByStatement} for the length of one parse. */
  private statementListener: ((statement: CstNode) => void) | undefined;

  public program = this.RULE("program", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Newline) },
        {
          ALT: () => {
            const statement = this.SUBRULE(this.statement);
            this.ACTION(() => this.handOver(statement));
          },
        },
      ]);
    });
  });

  /**
   * Gives a finished statement to the listener, then drops its subtree and keeps only its
   * location. A large file's CST is several times the size of its AST; built whole, it outlives
   * many young-generation collections and each one copies it (most of a 10,000-line check went to
   * the garbage collector). Statement by statement, it dies young.
   */
  private handOver(statement: CstNode): void {
    if (!this.statementListener) return;
    this.statementsHandedOver++;
    this.statementListener(statement);
    const children = statement.children;
    for (const name of Object.keys(children)) delete children[name];
  }

  private statementsHandedOver = 0;

  /**
   * Parses the program, handing each statement to `listener` in order. A statement that recovery
   * gives up on joins the CST without passing `handOver`; the parse ends there (recovery in the
   * top rule skips to the end of input), so it is the last one, handed over here.
   */
  programByStatement(listener: (statement: CstNode) => void): CstNode {
    this.statementListener = listener;
    this.statementsHandedOver = 0;
    try {
      const cst = this.program();
      const statements = (cst.children["statement"] ?? []) as CstNode[];
      for (const statement of statements.slice(this.statementsHandedOver)) this.handOver(statement);
      return cst;
    } finally {
      this.statementListener = undefined;
    }
  }

  private statement = this.RULE("statement", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.letStatement) },
      { ALT: () => this.SUBRULE(this.useStatement) },
      { ALT: () => this.SUBRULE(this.schemaStatement) },
      { ALT: () => this.SUBRULE(this.settingsStatement) },
      { ALT: () => this.SUBRULE(this.pipeline) },
    ]);
  });

  private letStatement = this.RULE("letStatement", () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.OR([
      { GATE: () => this.pipelineAhead(), ALT: () => this.SUBRULE(this.pipeline) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
  });

  /** `use "schemas.flow"`: the schemas of another file. */
  private useStatement = this.RULE("useStatement", () => {
    this.CONSUME(T.Use);
    this.CONSUME(T.StringLiteral);
  });

  private schemaStatement = this.RULE("schemaStatement", () => {
    this.CONSUME(T.Schema);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Newline) },
        { ALT: () => this.CONSUME(T.Comma) },
        { ALT: () => this.SUBRULE(this.fieldDeclaration) },
      ]);
    });
    this.CONSUME(T.RBrace);
  });

  private fieldDeclaration = this.RULE("fieldDeclaration", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.CONSUME2(T.Identifier, { LABEL: "type" });
  });

  /** `broker ...` and `device ...`: an invocation whose name is a keyword. */
  private settingsStatement = this.RULE("settingsStatement", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Broker) }, { ALT: () => this.CONSUME(T.Device) }]);
    this.SUBRULE(this.invocationTail);
  });

  private pipeline = this.RULE("pipeline", () => {
    this.SUBRULE(this.stage);
    this.MANY(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.step);
    });
  });

  private step = this.RULE("step", () => {
    this.OR([{ ALT: () => this.SUBRULE(this.fanOut) }, { ALT: () => this.SUBRULE(this.stage) }]);
  });

  private fanOut = this.RULE("fanOut", () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.branch);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.branch);
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RBracket);
  });

  private branch = this.RULE("branch", () => {
    this.SUBRULE(this.step);
    this.MANY(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE2(this.step);
    });
  });

  private stage = this.RULE("stage", () => {
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.invocationTail);
  });

  /** What follows a component or setting name: arguments, options, and an optional settings block. */
  private invocationTail = this.RULE("invocationTail", () => {
    this.OPTION({
      GATE: () => this.positionalAhead(),
      DEF: () => {
        this.SUBRULE(this.argument);
        this.MANY({
          GATE: () => this.moreArgumentsAhead(),
          DEF: () => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.argument);
          },
        });
      },
    });
    this.MANY2(() => this.SUBRULE(this.optionClause));
    this.OPTION2(() => this.SUBRULE(this.settingsBlock));
  });

  private argument = this.RULE("argument", () => {
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(1), T.Identifier) && tokenMatcher(this.LA(2), T.Equals),
      DEF: () => {
        this.CONSUME(T.Identifier, { LABEL: "target" });
        this.CONSUME(T.Equals);
      },
    });
    this.SUBRULE(this.expression);
  });

  private optionClause = this.RULE("optionClause", () => {
    this.CONSUME(T.Identifier);
    this.OPTION({ GATE: () => this.optionValueAhead(), DEF: () => this.SUBRULE(this.expression) });
  });

  private settingsBlock = this.RULE("settingsBlock", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Newline) },
        { ALT: () => this.CONSUME(T.Comma) },
        { ALT: () => this.SUBRULE(this.setting) },
      ]);
    });
    this.CONSUME(T.RBrace);
  });

  private setting = this.RULE("setting", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.CONSUME(T.Broker) },
      { ALT: () => this.CONSUME(T.Device) },
    ]);
    this.SUBRULE(this.invocationTail);
  });

  // Expressions: operands joined by infix operators; the AST builder applies precedence.

  public expression = this.RULE("expression", () => {
    this.SUBRULE(this.operand);
    this.MANY(() => {
      this.CONSUME(T.BinaryOperator);
      this.SUBRULE2(this.operand);
    });
  });

  /**
   * A value with its prefix operators and field accesses: `-x`, `not ready`, `reading.val`. One
   * rule rather than one per level: a large file has tens of thousands of operands, and every
   * rule level is a CST node to build and visit.
   */
  private operand = this.RULE("operand", () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Not) }, { ALT: () => this.CONSUME(T.Minus) }]);
    });
    this.OR2([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.Duration) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.SUBRULE(this.recordLiteral) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.nameOrCall) },
    ]);
    this.MANY2(() => {
      this.CONSUME(T.Dot);
      this.CONSUME(T.Identifier, { LABEL: "field" });
    });
  });

  /** `name`, `name(args)` or a typed record literal `Name { field: value }`. */
  private nameOrCall = this.RULE("nameOrCall", () => {
    this.CONSUME(T.Identifier);
    // Gated as a whole: a `{` after a name that does not open a record is a settings block
    // (`client_id id {`), and entering the option on the `{` alone would reject it.
    this.OPTION({
      GATE: () => tokenMatcher(this.LA(1), T.LParen) || this.recordAhead(1),
      DEF: () => {
        this.OR([
          {
            ALT: () => {
              this.CONSUME(T.LParen);
              this.OPTION2(() => {
                this.SUBRULE(this.expression);
                this.MANY(() => {
                  this.CONSUME(T.Comma);
                  this.SUBRULE2(this.expression);
                });
              });
              this.CONSUME(T.RParen);
            },
          },
          {
            GATE: () => this.recordAhead(1),
            ALT: () => this.SUBRULE(this.recordLiteral),
          },
        ]);
      },
    });
  });

  private recordLiteral = this.RULE("recordLiteral", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Newline) },
        { ALT: () => this.CONSUME(T.Comma) },
        { ALT: () => this.SUBRULE(this.recordField) },
      ]);
    });
    this.CONSUME(T.RBrace);
  });

  private recordField = this.RULE("recordField", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression);
  });

  // Lookahead helpers that resolve the grammar's few real ambiguities (documented in docs/language.md).

  /** After `let x =`: a pipeline starts with a component name not followed by an operator or call. */
  private pipelineAhead(): boolean {
    if (!tokenMatcher(this.LA(1), T.Identifier)) return false;
    const next = this.LA(2);
    if (isOneOf(next, afterNameInExpression)) return false;
    return !isBinaryOperator(next);
  }

  /**
   * Positional arguments come first. A bare name followed by a value or by the end of the stage
   * is an option instead (`json as SensorEvent`, `avg over 10`, `window ... median`).
   */
  private positionalAhead(): boolean {
    const first = this.LA(1);
    if (!isOneOf(first, expressionStart)) return false;
    if (tokenMatcher(first, T.LBrace) && !this.recordAhead(1)) return false;
    if (!tokenMatcher(first, T.Identifier)) return true;
    const second = this.LA(2);
    if (tokenMatcher(second, T.LParen) || tokenMatcher(second, T.Dot) || this.recordAhead(2)) return true;
    // `map val - 1` subtracts; only `offset -0.4`, minus against its number, is a negative value.
    if (tokenMatcher(second, T.Minus)) return !this.negativeValueAt(2);
    // In a fan-out, a comma after a bare name ends the branch, as `]` would: `[print x, csv "f"]`
    // reads `x` as in `[print x]`.
    if (tokenMatcher(second, T.Comma) && this.insideFanOut()) return this.assignmentAt(3);
    return !(isOneOf(second, expressionStart) || isOneOf(second, stageEnd) || second.tokenType.name === "EOF");
  }

  /**
   * The `-` at `offset` starts a negative value rather than a subtraction: written apart from the
   * word before it and against what follows, as in `offset -0.4` (but not `val - 1` or `val-1`).
   */
  private negativeValueAt(offset: number): boolean {
    const before = this.LA(offset - 1);
    const minus = this.LA(offset);
    const after = this.LA(offset + 1);
    return before.endOffset! + 1 < minus.startOffset && minus.endOffset! + 1 === after.startOffset;
  }

  /**
   * Inside a fan-out `[a, b]` a comma separates branches, so there a comma continues the
   * arguments only before another assignment (`set a = 1, b = 2`).
   */
  private moreArgumentsAhead(): boolean {
    if (!tokenMatcher(this.LA(1), T.Comma)) return false;
    if (!this.insideFanOut()) return true;
    return this.assignmentAt(2);
  }

  /** `name =` starts at `offset`. */
  private assignmentAt(offset: number): boolean {
    return tokenMatcher(this.LA(offset), T.Identifier) && tokenMatcher(this.LA(offset + 1), T.Equals);
  }

  /** True when an unclosed `[` precedes the current token in this statement. */
  private insideFanOut(): boolean {
    const tokens = this.input;
    let depth = 0;
    const current = positionOf(tokens, this.LA(1));
    for (let i = current - 1; i >= 0; i--) {
      const token = tokens[i]!;
      // A line break ends the statement, unless it is inside brackets closed before the comma
      // (the lines of a record literal in an earlier branch).
      if (tokenMatcher(token, T.Newline) && depth === 0) return false;
      if (isOneOf(token, closingBrackets)) depth++;
      else if (isOneOf(token, openingNonFanOut)) depth--;
      else if (tokenMatcher(token, T.LBracket)) {
        if (depth === 0) return true;
        depth--;
      }
      if (depth < 0) return false;
    }
    return false;
  }

  /**
   * An option's value follows unless the next word is itself an option name followed by a
   * literal or a call (`retain qos 1`, `tls password secret("pw")`: `retain` and `tls` are flags).
   */
  private optionValueAhead(): boolean {
    const first = this.LA(1);
    if (!isOneOf(first, expressionStart)) return false;
    if (tokenMatcher(first, T.LBrace) && !this.recordAhead(1)) return false;
    if (tokenMatcher(first, T.Identifier)) {
      const second = this.LA(2);
      if (tokenMatcher(second, T.Minus)) return !this.negativeValueAt(2);
      if (isOneOf(second, literalStart)) return false;
      if (tokenMatcher(second, T.Identifier) && tokenMatcher(this.LA(3), T.LParen)) return false;
    }
    return true;
  }

  /** `{` at `offset` starts a record literal: `{}` or `{ name: ...`. */
  private recordAhead(offset: number): boolean {
    if (!tokenMatcher(this.LA(offset), T.LBrace)) return false;
    let i = offset + 1;
    while (tokenMatcher(this.LA(i), T.Newline)) i++;
    const token = this.LA(i);
    return (
      tokenMatcher(token, T.RBrace) || (tokenMatcher(token, T.Identifier) && tokenMatcher(this.LA(i + 1), T.Colon))
    );
  }
}

const isBinaryOperator = (token: IToken) => tokenMatcher(token, T.BinaryOperator);

/** The one parser instance; Chevrotain parsers are built once and reused by resetting `input`. */
export const parser = new FlowParser();

export interface ParseResult {
  /** With an `onStatement` listener, its `statement` nodes keep their location and no children. */
  readonly cst: CstNode;
  readonly errors: IRecognitionException[];
}

/**
 * Parses significant tokens (from {@link lex}) into a CST. `onStatement`, when given, receives
 * each top-level statement's CST as soon as it is parsed, and may only read it then: afterwards
 * the program keeps just the statement's location (see `handOver`). Error recovery is the
 * grammar's own either way; {@link syntaxErrorsSoFar} tells the listener what was reported up to
 * the statement it holds.
 *
 * @example
 * const { tokens } = lex(source);
 * const { cst, errors } = parseTokens(tokens);
 */
export function parseTokens(tokens: IToken[], onStatement?: (statement: CstNode) => void): ParseResult {
  parser.input = tokens;
  const cst = onStatement ? parser.programByStatement(onStatement) : parser.program();
  return { cst, errors: [...parser.errors] };
}

/** The syntax errors of the parse under way, up to the token it has reached, or of the last parse. */
export function syntaxErrorsSoFar(): IRecognitionException[] {
  return parser.errors;
}
