/**
 * Stage 1: text → tokens. Comments go to their own token group so the formatter can keep them;
 * newlines are real tokens here and {@link ./layout.ts} decides which of them end a statement.
 */
import { createToken, EOF, Lexer, type IToken, type TokenType } from "chevrotain";

/**
 * Characters a pattern can start with, for the lexer's first-character dispatch. Every token
 * gives them, and says whether Chevrotain counts the line terminators (`\n`, `\r`) inside it
 * for token line numbers (it does not look inside negated sets such as `[^\n]`), so building the
 * lexer need not analyse its regular expressions: that was a tenth of `flowc check`'s start-up.
 * The grammar test checks both against a lexer that works them out itself.
 */
const letters = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"];
const digits = [..."0123456789"];

const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  start_chars_hint: letters,
  line_breaks: false,
});

/** Every infix operator: the parser reads `operand (BinaryOperator operand)*` and the AST builder applies precedence. */
export const BinaryOperator = createToken({ name: "BinaryOperator", pattern: Lexer.NA });
const binary = { categories: [BinaryOperator] };

function keyword(word: string, extra: Partial<Parameters<typeof createToken>[0]> = {}): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    start_chars_hint: [word[0]!],
    line_breaks: false,
    longer_alt: Identifier,
    ...extra,
  });
}

/** Words reserved by the grammar. Component names (sensors, operators, sinks) are not keywords. */
export const Let = keyword("let");
export const Schema = keyword("schema");
export const Broker = keyword("broker");
export const Device = keyword("device");
export const True = keyword("true");
export const False = keyword("false");
export const And = keyword("and", binary);
export const Or = keyword("or", binary);
export const Not = keyword("not");
export const Use = keyword("use");

export const keywordTokens = [Let, Schema, Broker, Device, True, False, And, Or, Not, Use];
export const keywords: readonly string[] = [
  "let",
  "schema",
  "broker",
  "device",
  "true",
  "false",
  "and",
  "or",
  "not",
  "use",
];

export { Identifier };

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r]+/,
  group: Lexer.SKIPPED,
  start_chars_hint: [" ", "\t", "\r"],
  line_breaks: true,
});
export const Newline = createToken({ name: "Newline", pattern: /\n/, start_chars_hint: ["\n"], line_breaks: true });
export const Comment = createToken({
  name: "Comment",
  pattern: /#[^\n]*/,
  group: "comments",
  start_chars_hint: ["#"],
  line_breaks: false,
});

/** Duration units and their length in milliseconds. */
export const durationUnits: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export const Duration = createToken({
  name: "Duration",
  pattern: /\d+(?:\.\d+)?(?:ms|min|s|h|d)(?![A-Za-z0-9_])/,
  start_chars_hint: digits,
  line_breaks: false,
});
/** A number glued to an unknown suffix (`5sec`, `2x`): reported as E104 by the layout pass. */
export const BadUnit = createToken({
  name: "BadUnit",
  pattern: /(?!0x[0-9A-Fa-f])\d+(?:\.\d+)?(?![eE][+-]?\d)[A-Za-z_][A-Za-z0-9_]*/,
  start_chars_hint: digits,
  line_breaks: false,
});
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /0x[0-9A-Fa-f]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  start_chars_hint: digits,
  line_breaks: false,
});
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\n]|\\.)*"/,
  start_chars_hint: ['"'],
  line_breaks: false,
});
/** A string with no closing quote on its line: reported as E102. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\n]|\\.)*/,
  start_chars_hint: ['"'],
  line_breaks: false,
});

/** A token of fixed text: its first character is its start hint. */
function symbol(name: string, pattern: RegExp, extra: Partial<Parameters<typeof createToken>[0]> = {}): TokenType {
  const text = pattern.source.replace(/\\/g, "");
  return createToken({ name, pattern, start_chars_hint: [text[0]!], line_breaks: false, ...extra });
}

export const Arrow = symbol("Arrow", /->/);
export const EqualEqual = symbol("EqualEqual", /==/, binary);
export const NotEqual = symbol("NotEqual", /!=/, binary);
export const LessEqual = symbol("LessEqual", /<=/, binary);
export const GreaterEqual = symbol("GreaterEqual", />=/, binary);
export const Less = symbol("Less", /</, binary);
export const Greater = symbol("Greater", />/, binary);
export const Equals = symbol("Equals", /=/);
export const Plus = symbol("Plus", /\+/, binary);
/**
 * The negative-value rule, in one place: a `-` written apart from what precedes it (after a space,
 * a line break or at the start) and against what follows is a sign, not a subtraction, so
 * `calibrate offset -0.4` and `scan acc = 0 step -acc` hold a negative value where `val - 1` and
 * `val-1` subtract. The parser then reads a stage's items with no lookahead.
 */
export const Sign = createToken({
  name: "Sign",
  pattern: /(?<![^\s])-(?![\s>])/,
  start_chars_hint: ["-"],
  line_breaks: false,
});
export const Minus = symbol("Minus", /-/, binary);
export const Star = symbol("Star", /\*/, binary);
export const Slash = symbol("Slash", /\//, binary);
export const Percent = symbol("Percent", /%/, binary);
export const LParen = symbol("LParen", /\(/);
export const RParen = symbol("RParen", /\)/);
export const LBracket = symbol("LBracket", /\[/);
export const RBracket = symbol("RBracket", /]/);
export const LBrace = symbol("LBrace", /{/);
export const RBrace = symbol("RBrace", /}/);
export const Comma = symbol("Comma", /,/);
export const Colon = symbol("Colon", /:/);
export const Dot = symbol("Dot", /\./);

/** Order matters: longer and more specific patterns first. */
export const allTokens: TokenType[] = [
  BinaryOperator,
  WhiteSpace,
  Newline,
  Comment,
  Duration,
  BadUnit,
  NumberLiteral,
  StringLiteral,
  UnterminatedString,
  Arrow,
  EqualEqual,
  NotEqual,
  LessEqual,
  GreaterEqual,
  Less,
  Greater,
  Equals,
  Plus,
  Sign,
  Minus,
  Star,
  Slash,
  Percent,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Dot,
  ...keywordTokens,
  Identifier,
];

/**
 * A Chevrotain lexer whose tokens carry their start and end offsets and no lines or columns:
 * every span is offsets into the file (lines and columns come from {@link ./source.ts} when a
 * diagnostic is shown), and tracking lines too made lexing three times slower. Chevrotain's own
 * offset-only tokens lack the end offset that spans and the parser's node locations are built
 * from, so this lexer makes them with it (the grammar test fails if Chevrotain stops calling it).
 */
class OffsetLexer extends Lexer {
  createOffsetOnlyToken(image: string, startOffset: number, tokenTypeIdx: number, tokenType: TokenType): IToken {
    return { image, startOffset, endOffset: startOffset + image.length - 1, tokenTypeIdx, tokenType } as IToken;
  }
}

/**
 * One lexer for the process. Validating the token patterns costs a tenth of `flowc check`'s
 * start-up, so this one skips it; the lexer test builds one with validation and first-character
 * optimisation enforced.
 */
export const flowLexer: Lexer = new OffsetLexer(allTokens, { positionTracking: "onlyOffset", skipValidations: true });

/**
 * Whether a token is of one of `types`, or of a kind they group (`BinaryOperator`), as
 * Chevrotain's `tokenMatcher` decides, but by index: for the passes that look at every token of a
 * file.
 *
 * @example
 * const isBracket = tokenKinds([LParen, RParen]);
 * tokens.filter(isBracket);
 */
export function tokenKinds(types: readonly TokenType[]): (token: IToken) => boolean {
  const members: boolean[] = [];
  for (const type of types) {
    members[type.tokenTypeIdx!] = true;
    for (const member of Object.keys(type.categoryMatchesMap ?? {})) members[Number(member)] = true;
  }
  return (token) => members[token.tokenTypeIdx] === true;
}

export const isOpeningBracket = tokenKinds([LParen, LBracket, LBrace]);
export const isClosingBracket = tokenKinds([RParen, RBracket, RBrace]);
export const isNewline = tokenKinds([Newline]);

export type { IToken };

/**
 * Token types by name, end of input included: how the generated tables (lookahead paths, the
 * recorded grammar) name tokens.
 *
 * @example
 * tokensByName(allTokens).get("Newline"); // the Newline token type
 */
export function tokensByName(types: readonly TokenType[]): ReadonlyMap<string, TokenType> {
  return new Map([...types, EOF].map((type) => [type.name, type]));
}
