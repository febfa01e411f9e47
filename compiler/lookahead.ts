/**
 * The parser's lookahead: which alternative of an `OR` to take, and whether to enter an
 * `OPTION` or `MANY`, from the next tokens. The paths each decision compares the input with are
 * Chevrotain's own LL(k) paths, worked out ahead of time by scripts/generate-grammar.ts into
 * {@link ./lookahead.generated.ts}: working them out at start-up was the costliest part of
 * parsing a small file (a few milliseconds of every `flowc check`), and most of it went to the
 * decisions at the end of a rule, whose "what follows" is the whole grammar.
 *
 * Outside the bundles (tests, `FLOWC_FROM_SOURCE`), each decision's table is checked against the
 * paths Chevrotain works out, the first time the parser reaches it, so an edited grammar with a
 * stale table fails loudly instead of parsing differently.
 */
import {
  getLookaheadPaths,
  LLkLookaheadStrategy,
  tokenMatcher,
  type ILookaheadStrategy,
  type IOrAlt,
  type IToken,
  type LookaheadProductionType,
  type Rule,
  type TokenType,
} from "chevrotain";

/** A decision's paths by token name: per alternative, the token sequences that choose it. */
export type NamedPaths = readonly (readonly (readonly string[])[])[];

/** How the generated table names a decision: rule, kind of production, occurrence (`MANY2` is 2). */
export function decisionKey(rule: string, kind: LookaheadProductionType, occurrence: number): string {
  return `${rule}:${kind}:${occurrence}`;
}

/**
 * Chevrotain's paths for one decision, by token name, as the generated table holds them. Of an
 * optional production (`OPTION`, `MANY`) only the paths into it are kept: Chevrotain decides on
 * those alone, having made sure they differ from what may follow it.
 *
 * @example
 * namedPaths(parser.getGAstProductions()["item"], "Option", 2, 3); // [[["Identifier", "Equals"]]]
 */
export function namedPaths(
  rule: Rule,
  kind: LookaheadProductionType,
  occurrence: number,
  maxLookahead: number,
): NamedPaths {
  const alternatives = getLookaheadPaths({ occurrence, rule, prodType: kind, maxLookahead });
  const decided = kind === "Alternation" ? alternatives : alternatives.slice(0, 1);
  return decided.map((alternative) => alternative.map((path) => path.map((token) => token.name)));
}

/** What a decision reads of the parser: its next tokens. */
type Parser = { LA(howMuch: number): IToken };

/**
 * Chevrotain's LL(k) lookahead, with the paths read from the generated table instead of worked
 * out from the grammar at start-up. Each decision is built the first time the parser reaches it.
 * What it decides is Chevrotain's own: the alternatives in order, a gate first when it has one,
 * the first whose paths match the next tokens.
 *
 * @example
 * const lookahead = new PrecomputedLookahead({ maxLookahead: 3, tokens: tokensByName(allTokens), table: lookaheadPaths, verify: true });
 * const parser = new FlowParser({ lookahead });
 */
export class PrecomputedLookahead implements ILookaheadStrategy {
  private readonly llk: ILookaheadStrategy;

  constructor(
    private readonly options: {
      readonly maxLookahead: number;
      /** The parser's token types by name ({@link tokensByName}). */
      readonly tokens: ReadonlyMap<string, TokenType>;
      /** The paths by {@link decisionKey}: {@link ./lookahead.generated.ts}. */
      readonly table: Readonly<Record<string, NamedPaths>>;
      /** Compare each table entry with Chevrotain's paths before using it (a stale table throws). */
      readonly verify: boolean;
    },
  ) {
    this.llk = new LLkLookaheadStrategy({ maxLookahead: options.maxLookahead });
  }

  validate(options: Parameters<ILookaheadStrategy["validate"]>[0]) {
    return this.llk.validate(options);
  }

  buildLookaheadForAlternation(options: Parameters<ILookaheadStrategy["buildLookaheadForAlternation"]>[0]) {
    const paths = () => this.pathsOf(options.rule, "Alternation", options.prodOccurrence);
    let decide: ((parser: Parser, alternatives: IOrAlt<unknown>[] | undefined) => number | undefined) | undefined;
    return function (this: Parser, alternatives?: IOrAlt<unknown>[]) {
      decide ??= options.hasPredicates ? gatedChoice(paths()) : choice(paths());
      return decide(this, alternatives);
    };
  }

  buildLookaheadForOptional(options: Parameters<ILookaheadStrategy["buildLookaheadForOptional"]>[0]) {
    const paths = () => this.pathsOf(options.rule, options.prodType, options.prodOccurrence)[0] ?? [];
    let enter: ((parser: Parser) => boolean) | undefined;
    return function (this: Parser) {
      enter ??= entry(paths());
      return enter(this);
    };
  }

  private pathsOf(rule: Rule, kind: LookaheadProductionType, occurrence: number): TokenType[][][] {
    const key = decisionKey(rule.name, kind, occurrence);
    const named = this.options.table[key];
    if (this.options.verify) {
      const expected = namedPaths(rule, kind, occurrence, this.options.maxLookahead);
      if (JSON.stringify(named) !== JSON.stringify(expected)) {
        throw new Error(
          `compiler/lookahead.generated.ts is stale at ${key} (the grammar changed): run \`npm run grammar:generate\``,
        );
      }
    }
    if (!named)
      throw new Error(`compiler/lookahead.generated.ts has no entry ${key}: run \`npm run grammar:generate\``);
    return named.map((alternative) => alternative.map((path) => path.map((name) => this.token(name))));
  }

  private token(name: string): TokenType {
    const token = this.options.tokens.get(name);
    if (!token) throw new Error(`compiler/lookahead.generated.ts names an unknown token ${name}`);
    return token;
  }
}

function matches(parser: Parser, path: readonly TokenType[]): boolean {
  for (let i = 0; i < path.length; i++) if (!tokenMatcher(parser.LA(i + 1), path[i]!)) return false;
  return true;
}

function matchesAny(parser: Parser, paths: readonly TokenType[][]): boolean {
  for (const path of paths) if (matches(parser, path)) return true;
  return false;
}

/**
 * For decisions made on one token (most of them), a table from token kind to the answer, a token
 * category standing for each of its members; the first alternative to claim a kind keeps it.
 */
function singleTokenTable<T>(alternatives: readonly TokenType[][][], answer: (index: number) => T): T[] | undefined {
  if (!alternatives.every((paths) => paths.every((path) => path.length === 1))) return undefined;
  const table: T[] = [];
  alternatives.forEach((paths, index) => {
    for (const [token] of paths) {
      for (const kind of [token!.tokenTypeIdx!, ...(token!.categoryMatches ?? [])]) table[kind] ??= answer(index);
    }
  });
  return table;
}

function choice(alternatives: TokenType[][][]) {
  const table = singleTokenTable(alternatives, (index) => index);
  if (table) return (parser: Parser) => table[parser.LA(1).tokenTypeIdx];
  return (parser: Parser) => {
    for (let index = 0; index < alternatives.length; index++)
      if (matchesAny(parser, alternatives[index]!)) return index;
    return undefined;
  };
}

function gatedChoice(alternatives: TokenType[][][]) {
  return (parser: Parser, gates: IOrAlt<unknown>[] | undefined) => {
    for (let index = 0; index < alternatives.length; index++) {
      const gate = gates?.[index]?.GATE;
      if (gate && gate.call(parser) === false) continue;
      if (matchesAny(parser, alternatives[index]!)) return index;
    }
    return undefined;
  };
}

function entry(paths: TokenType[][]) {
  const table = singleTokenTable([paths], () => true);
  if (table) return (parser: Parser) => table[parser.LA(1).tokenTypeIdx] === true;
  return (parser: Parser) => matchesAny(parser, paths);
}
