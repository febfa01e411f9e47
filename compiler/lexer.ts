/**
 * Stage 1: text → tokens. Comments go to their own token group so the formatter can keep them;
 * newlines are real tokens here and {@link ./layout.ts} decides which of them end a statement.
 */
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";

const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

/** Every infix operator: the parser reads `operand (BinaryOperator operand)*` and the AST builder applies precedence. */
export const BinaryOperator = createToken({ name: "BinaryOperator", pattern: Lexer.NA });
const binary = { categories: [BinaryOperator] };

function keyword(word: string, extra: Partial<Parameters<typeof createToken>[0]> = {}): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
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

export const keywordTokens = [Let, Schema, Broker, Device, True, False, And, Or, Not];
export const keywords: readonly string[] = ["let", "schema", "broker", "device", "true", "false", "and", "or", "not"];

export { Identifier };

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r]+/, group: Lexer.SKIPPED });
export const Newline = createToken({ name: "Newline", pattern: /\n/, line_breaks: true });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n]*/, group: "comments" });

/** Duration units and their length in milliseconds. */
export const durationUnits: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export const Duration = createToken({ name: "Duration", pattern: /\d+(?:\.\d+)?(?:ms|min|s|h|d)(?![A-Za-z0-9_])/ });
/** A number glued to an unknown suffix (`5sec`, `2x`): reported as E104 by the layout pass. */
export const BadUnit = createToken({
  name: "BadUnit",
  pattern: /(?!0x[0-9A-Fa-f])\d+(?:\.\d+)?(?![eE][+-]?\d)[A-Za-z_][A-Za-z0-9_]*/,
});
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /0x[0-9A-Fa-f]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
});
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n]|\\.)*"/ });
/** A string with no closing quote on its line: reported as E102. */
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n]|\\.)*/ });

export const Arrow = createToken({ name: "Arrow", pattern: /->/ });
export const EqualEqual = createToken({ name: "EqualEqual", pattern: /==/, ...binary });
export const NotEqual = createToken({ name: "NotEqual", pattern: /!=/, ...binary });
export const LessEqual = createToken({ name: "LessEqual", pattern: /<=/, ...binary });
export const GreaterEqual = createToken({ name: "GreaterEqual", pattern: />=/, ...binary });
export const Less = createToken({ name: "Less", pattern: /</, ...binary });
export const Greater = createToken({ name: "Greater", pattern: />/, ...binary });
export const Equals = createToken({ name: "Equals", pattern: /=/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/, ...binary });
export const Minus = createToken({ name: "Minus", pattern: /-/, ...binary });
export const Star = createToken({ name: "Star", pattern: /\*/, ...binary });
export const Slash = createToken({ name: "Slash", pattern: /\//, ...binary });
export const Percent = createToken({ name: "Percent", pattern: /%/, ...binary });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /]/ });
export const LBrace = createToken({ name: "LBrace", pattern: /{/ });
export const RBrace = createToken({ name: "RBrace", pattern: /}/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const Dot = createToken({ name: "Dot", pattern: /\./ });

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
 * One lexer for the process. Validating the token patterns costs a tenth of `flowc check`'s
 * start-up, so this one skips it; the lexer test builds one with validation and first-character
 * optimisation enforced.
 */
export const flowLexer = new Lexer(allTokens, { positionTracking: "full", skipValidations: true });

export type { IToken };
