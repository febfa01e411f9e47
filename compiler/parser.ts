/**
 * Stage 3: tokens → CST. A grammar-only Chevrotain parser: no actions, no AST building (that is
 * {@link ./cst-to-ast.ts}), error recovery on so one mistake does not hide the next. One instance
 * serves the whole process.
 */
import {
  CstParser,
  tokenMatcher,
  type CstNode,
  type Rule,
  type ILookaheadStrategy,
  type IOrAlt,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from "chevrotain";
import * as T from "./lexer.js";
import { PrecomputedLookahead } from "./lookahead.js";
import { lookaheadPaths } from "./lookahead.generated.js";
import { recordedGrammar } from "./recorded-grammar.generated.js";
import {
  followData,
  followsFromData,
  recordedRuleData,
  ruleFromData,
  type RecordedGrammar,
} from "./recorded-grammar.js";

/** Tokens that can start an expression (a `{` only when a record follows: see `recordAhead`). */
const startsExpression = T.tokenKinds([
  T.Identifier,
  T.NumberLiteral,
  T.Duration,
  T.BadUnit,
  T.StringLiteral,
  T.True,
  T.False,
  T.LParen,
  T.LBrace,
  T.Minus,
  T.Sign,
  T.Not,
]);
const continuesNameInExpression = T.tokenKinds([T.LParen, T.Dot, T.LBrace]);

/** Tokens the parser may look ahead at a decision; scripts/generate-grammar.ts works out its paths with it. */
export const maxLookahead = 3;

// The bundles are built from the same commit as the generated tables; anywhere else a grammar
// being edited may have left them stale, so the parser checks them against the grammar.
const checkTables = typeof process === "undefined" || process.env["FLOWC_BUNDLED"] !== "1";

const tokenTypes = T.tokensByName(T.allTokens);

/** Chevrotain's own recording hooks, which {@link FlowParser} skips when it reads the recorded grammar. */
const recorder = CstParser.prototype as unknown as {
  enableRecording(this: FlowParser): void;
  topLevelRuleRecord(this: FlowParser, name: string, definition: () => void): Rule;
};

/** The parts of Chevrotain's error recovery that the recorded grammar fills in. */
interface Recovery {
  recoveryEnabled: boolean;
  resyncFollows: Record<string, TokenType[]>;
}

const tableError = (problem: string) =>
  new Error(`compiler/recorded-grammar.generated.ts ${problem}: run \`npm run grammar:generate\``);
const sameData = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Where the parser's rules get their productions (see {@link ./recorded-grammar.ts}). */
export type GrammarSource =
  /** Chevrotain records every rule by running it, as with no table. */
  | "record"
  /** Read from the table; with `verify`, recorded too, and a table that differs is refused. */
  | { readonly table: RecordedGrammar; readonly verify: boolean };

/**
 * The grammar. Construct it with `{ validate: true }` to have Chevrotain check the grammar for
 * ambiguities and left recursion (the parser test does); the {@link sharedParser} skips those
 * checks, which would otherwise be a sixth of `flowc check`'s start-up. `lookahead` replaces the
 * precomputed lookahead and `grammar` the recorded grammar, for tests that compare them with
 * Chevrotain's own.
 */
export class FlowParser extends CstParser {
  private readonly productionSource: GrammarSource;

  constructor({
    validate = false,
    lookahead,
    grammar = { table: recordedGrammar, verify: checkTables },
  }: { validate?: boolean; lookahead?: ILookaheadStrategy; grammar?: GrammarSource } = {}) {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead,
      lookaheadStrategy:
        lookahead ??
        new PrecomputedLookahead({ maxLookahead, tokens: tokenTypes, table: lookaheadPaths, verify: checkTables }),
      nodeLocationTracking: "onlyOffset",
      skipValidations: !validate,
    });
    this.productionSource = grammar;
    this.analyse(grammar);
  }

  /**
   * Chevrotain's self-analysis. With a trusted table, recovery is off while it runs, or the
   * analysis would work out the follow sets the table already holds.
   */
  private analyse(grammar: GrammarSource): void {
    const recovery = this as unknown as Recovery;
    if (grammar === "record" || grammar.verify) {
      this.performSelfAnalysis();
      if (grammar !== "record" && !sameData(followData(recovery.resyncFollows), grammar.table.follows)) {
        throw tableError("is stale in its follow sets (the grammar changed)");
      }
      return;
    }
    recovery.recoveryEnabled = false;
    this.performSelfAnalysis();
    recovery.recoveryEnabled = true;
    recovery.resyncFollows = followsFromData(grammar.table.follows, tokenTypes);
  }

  /**
   * Chevrotain's hook (internal to its parser) before it records the rules: it puts recording
   * stand-ins for `CONSUME`, `OR` and the rest on the instance, which reading the table needs not.
   */
  protected enableRecording(): void {
    if (this.productionSource === "record" || this.productionSource.verify) recorder.enableRecording.call(this);
  }

  /** Chevrotain's hook that records one rule's productions by running it: see {@link ./recorded-grammar.ts}. */
  protected topLevelRuleRecord(name: string, definition: () => void): Rule {
    if (this.productionSource === "record") return recorder.topLevelRuleRecord.call(this, name, definition);
    const { table, verify } = this.productionSource;
    const data = table.rules[name];
    if (!verify) {
      if (!data) throw tableError(`has no rule ${name}`);
      return ruleFromData(name, data, tokenTypes);
    }
    const recorded = recorder.topLevelRuleRecord.call(this, name, definition);
    if (!sameData(recordedRuleData([recorded])[name], data)) {
      throw tableError(`is stale at rule ${name} (the grammar changed)`);
    }
    return recorded;
  }

  /** What may stand between the braces of a schema, a settings block or a record: `entry`, line breaks and commas. */
  private blockLines(entry: () => unknown): IOrAlt<unknown>[] {
    return [{ ALT: () => this.CONSUME(T.Newline) }, { ALT: () => this.CONSUME(T.Comma) }, { ALT: entry }];
  }

  /** Set by {@link programByStatement} for the length of one parse. */
  private statementListener: ((statement: CstNode) => void) | undefined;

  // Of each `OR`, the alternatives are a field, built once and placed above the rule that reads
  // it; so are the bodies of the repetitions and options the parser enters for every item and
  // operand. Written inline, Chevrotain's usual style, they are a fresh array of objects and
  // closures at every call: on a 10,000-line file that was a fifth of all the compiler allocated
  // (Chevrotain's performance guide, "Caching Arrays of Alternatives"). The closures find rules
  // through `this` when they run, so a field may name a rule declared below it.

  private readonly programLines: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Newline) },
    {
      ALT: () => {
        const statement = this.SUBRULE(this.statement);
        this.ACTION(() => this.handOver(statement));
      },
    },
  ];

  public program = this.RULE("program", () => {
    this.MANY(() => this.OR(this.programLines));
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

  private readonly statementKinds: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.letStatement) },
    { ALT: () => this.SUBRULE(this.useStatement) },
    { ALT: () => this.SUBRULE(this.schemaStatement) },
    { ALT: () => this.SUBRULE(this.settingsStatement) },
    { ALT: () => this.SUBRULE(this.pipeline) },
  ];

  private statement = this.RULE("statement", () => {
    this.OR(this.statementKinds);
  });

  private readonly letValues: IOrAlt<unknown>[] = [
    { GATE: () => this.pipelineAhead(), ALT: () => this.SUBRULE(this.pipeline) },
    { ALT: () => this.SUBRULE(this.expression) },
  ];

  private letStatement = this.RULE("letStatement", () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.OR(this.letValues);
  });

  /** `use "schemas.flow"`: the schemas of another file. */
  private useStatement = this.RULE("useStatement", () => {
    this.CONSUME(T.Use);
    this.CONSUME(T.StringLiteral);
  });

  private readonly schemaBlockLines = this.blockLines(() => this.SUBRULE(this.fieldDeclaration));

  private schemaStatement = this.RULE("schemaStatement", () => {
    this.CONSUME(T.Schema);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.schemaBlockLines));
    this.CONSUME(T.RBrace);
  });

  private fieldDeclaration = this.RULE("fieldDeclaration", () => {
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.CONSUME2(T.Identifier, { LABEL: "type" });
  });

  private readonly settingsKeywords: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Broker) },
    { ALT: () => this.CONSUME(T.Device) },
  ];

  /** `broker ...` and `device ...`: an invocation whose name is a keyword. */
  private settingsStatement = this.RULE("settingsStatement", () => {
    this.OR(this.settingsKeywords);
    this.SUBRULE(this.invocationTail, { ARGS: [false] });
  });

  private pipeline = this.RULE("pipeline", () => {
    this.SUBRULE(this.stage, { ARGS: [false] });
    this.MANY(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.step, { ARGS: [false] });
    });
  });

  /** A step's alternatives, once for a pipeline's steps and once for a fan-out branch's (see `itemAhead`). */
  private readonly stepKinds = (inFanOut: boolean): IOrAlt<unknown>[] => [
    { ALT: () => this.SUBRULE(this.fanOut) },
    { ALT: () => this.SUBRULE(this.stage, { ARGS: [inFanOut] }) },
  ];
  private readonly pipelineStepKinds = this.stepKinds(false);
  private readonly branchStepKinds = this.stepKinds(true);

  /** `inFanOut`: the step is in a fan-out's branch, where a comma ends the branch (see `itemAhead`). */
  private step = this.RULE("step", (inFanOut = false) => {
    this.OR(inFanOut ? this.branchStepKinds : this.pipelineStepKinds);
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
    this.SUBRULE(this.step, { ARGS: [true] });
    this.MANY(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE2(this.step, { ARGS: [true] });
    });
  });

  private stage = this.RULE("stage", (inFanOut = false) => {
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.invocationTail, { ARGS: [inFanOut] });
  });

  /** The items of an invocation, built once for each value of `inFanOut` as the alternatives are. */
  private readonly items = (inFanOut: boolean) => ({
    GATE: () => this.itemAhead(inFanOut),
    DEF: () => this.SUBRULE(this.item),
  });
  private readonly pipelineItems = this.items(false);
  private readonly branchItems = this.items(true);

  /**
   * What follows a component or setting name: its items as written, then an optional settings
   * block. Which item is a positional argument, an option or a flag is not decided here but by the
   * binder ({@link ./binder.ts}), from the component's declaration.
   */
  private readonly optionalSettingsBlock = () => this.SUBRULE(this.settingsBlock);

  private invocationTail = this.RULE("invocationTail", (inFanOut = false) => {
    this.MANY(inFanOut ? this.branchItems : this.pipelineItems);
    this.OPTION(this.optionalSettingsBlock);
  });

  private readonly listComma = () => this.CONSUME(T.Comma);

  private readonly assignedName = {
    GATE: () => tokenMatcher(this.LA(1), T.Identifier) && tokenMatcher(this.LA(2), T.Equals),
    DEF: () => {
      this.CONSUME(T.Identifier, { LABEL: "target" });
      this.CONSUME(T.Equals);
    },
  };

  /** An expression, or `name = expression`; after a comma when written in a list (`merge a, b`). */
  private item = this.RULE("item", () => {
    this.OPTION(this.listComma);
    this.OPTION2(this.assignedName);
    this.SUBRULE(this.expression);
  });

  private readonly settingsBlockLines = this.blockLines(() => this.SUBRULE(this.setting));

  private settingsBlock = this.RULE("settingsBlock", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.settingsBlockLines));
    this.CONSUME(T.RBrace);
  });

  private readonly settingNames: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Identifier) },
    { ALT: () => this.CONSUME(T.Broker) },
    { ALT: () => this.CONSUME(T.Device) },
  ];

  private setting = this.RULE("setting", () => {
    this.OR(this.settingNames);
    this.SUBRULE(this.invocationTail, { ARGS: [false] });
  });

  // Expressions: operands joined by infix operators; the AST builder applies precedence.

  private readonly operatorAndOperand = () => {
    this.CONSUME(T.BinaryOperator);
    this.SUBRULE2(this.operand);
  };

  public expression = this.RULE("expression", () => {
    this.SUBRULE(this.operand);
    this.MANY(this.operatorAndOperand);
  });

  private readonly prefixOperators: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Not) },
    { ALT: () => this.CONSUME(T.Minus) },
    { ALT: () => this.CONSUME(T.Sign) },
  ];

  private readonly values: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.NumberLiteral) },
    { ALT: () => this.CONSUME(T.Duration) },
    { ALT: () => this.CONSUME(T.BadUnit) },
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
  ];

  /**
   * A value with its prefix operators and field accesses: `-x`, `not ready`, `reading.val`. One
   * rule rather than one per level: a large file has tens of thousands of operands, and every
   * rule level is a CST node to build and visit.
   */
  private readonly prefixOperator = () => this.OR(this.prefixOperators);

  private readonly fieldAccess = () => {
    this.CONSUME(T.Dot);
    this.CONSUME(T.Identifier, { LABEL: "field" });
  };

  private operand = this.RULE("operand", () => {
    this.MANY(this.prefixOperator);
    this.OR2(this.values);
    this.MANY2(this.fieldAccess);
  });

  private readonly callOrRecord: IOrAlt<unknown>[] = [
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
  ];

  // Gated as a whole: a `{` after a name that does not open a record is a settings block
  // (`client_id id {`), and entering the option on the `{` alone would reject it.
  private readonly afterName = {
    GATE: () => tokenMatcher(this.LA(1), T.LParen) || this.recordAhead(1),
    DEF: () => this.OR(this.callOrRecord),
  };

  /** `name`, `name(args)` or a typed record literal `Name { field: value }`. */
  private nameOrCall = this.RULE("nameOrCall", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(this.afterName);
  });

  private readonly recordLines = this.blockLines(() => this.SUBRULE(this.recordField));

  private recordLiteral = this.RULE("recordLiteral", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.recordLines));
    this.CONSUME(T.RBrace);
  });

  private recordField = this.RULE("recordField", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression);
  });

  // Fixed lookahead (at most three tokens) for the grammar's few real ambiguities, documented in
  // docs/language.md. None looks back or at spacing: the lexer owns the negative-number rule.

  /** After `let x =`: a pipeline starts with a component name not followed by an operator or call. */
  private pipelineAhead(): boolean {
    if (!tokenMatcher(this.LA(1), T.Identifier)) return false;
    const next = this.LA(2);
    if (continuesNameInExpression(next)) return false;
    return !tokenMatcher(next, T.BinaryOperator);
  }

  /**
   * Another item follows: an expression (a `{` only as a record, else it opens a settings block),
   * or a comma and one. In a fan-out's branch a comma separates branches, so there it continues
   * the items only before an assignment (`[set a = 1, b = 2 -> print, csv "x.csv"]`).
   */
  private itemAhead(inFanOut: boolean): boolean {
    let first = this.LA(1);
    let offset = 1;
    if (tokenMatcher(first, T.Comma)) {
      if (inFanOut && !(tokenMatcher(this.LA(2), T.Identifier) && tokenMatcher(this.LA(3), T.Equals))) return false;
      offset = 2;
      first = this.LA(2);
    }
    if (!startsExpression(first)) return false;
    return !tokenMatcher(first, T.LBrace) || this.recordAhead(offset);
  }

  /** `{` at `offset` starts a record literal, `{}` or `{ name: ...` (layout drops line breaks after `{`). */
  private recordAhead(offset: number): boolean {
    if (!tokenMatcher(this.LA(offset), T.LBrace)) return false;
    const token = this.LA(offset + 1);
    return (
      tokenMatcher(token, T.RBrace) || (tokenMatcher(token, T.Identifier) && tokenMatcher(this.LA(offset + 2), T.Colon))
    );
  }
}

let shared: FlowParser | undefined;

/**
 * The one parser instance: Chevrotain parsers are built once and reused by resetting `input`.
 * Built on first use, so the scripts that regenerate its tables can load this module while the
 * tables are stale.
 *
 * @example
 * const Visitor = sharedParser().getBaseCstVisitorConstructor();
 */
export function sharedParser(): FlowParser {
  return (shared ??= new FlowParser());
}

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
  const parser = sharedParser();
  parser.input = tokens;
  const cst = onStatement ? parser.programByStatement(onStatement) : parser.program();
  return { cst, errors: [...parser.errors] };
}

/** The syntax errors of the parse under way, up to the token it has reached, or of the last parse. */
export function syntaxErrorsSoFar(): IRecognitionException[] {
  return sharedParser().errors;
}
