/**
 * Stage 2: tokens → significant tokens. A newline ends a statement only where a statement can end:
 * newlines inside `(...)` and `[...]`, after `->`, `,` or an operator, and before `->`, `]`, `)`
 * or `}` continue the line, so pipelines can be written one stage per line.
 * Lexical errors are turned into diagnostics here.
 */
import { tokenMatcher, type IToken, type TokenType } from "chevrotain";
import { diagnostic, DiagnosticCodes, type Diagnostic } from "./diagnostics.js";
import * as T from "./lexer.js";
import { byteOrderMark, type SourceFile, type Span } from "./source.js";

export interface LexedSource {
  /** Tokens the parser sees. */
  readonly tokens: IToken[];
  /** Every comment, in order, for the formatter. */
  readonly comments: IToken[];
  readonly diagnostics: Diagnostic[];
}

const continuesAfter: TokenType[] = [
  T.Arrow,
  T.Comma,
  T.LParen,
  T.LBracket,
  T.LBrace,
  T.Equals,
  T.EqualEqual,
  T.NotEqual,
  T.Less,
  T.LessEqual,
  T.Greater,
  T.GreaterEqual,
  T.Plus,
  T.Minus,
  T.Sign,
  T.Star,
  T.Slash,
  T.Percent,
  T.And,
  T.Or,
  T.Not,
  T.Colon,
  T.Dot,
];
const continuesBefore: TokenType[] = [T.Arrow, T.RParen, T.RBracket, T.RBrace, T.Dot];

const isContinuedAfter = T.tokenKinds(continuesAfter);
const isContinuedBefore = T.tokenKinds(continuesBefore);

/**
 * Lexes a source file and applies the layout rule.
 *
 * @example
 * const { tokens, diagnostics } = lex(new SourceFile("a.flow", "tsl2591 every 2s -> print"));
 */
export function lex(source: SourceFile): LexedSource {
  // A byte-order mark is blank; replacing it keeps every offset where it was.
  const text = source.text.startsWith(byteOrderMark) ? ` ${source.text.slice(1)}` : source.text;
  const result = T.flowLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const error of result.errors) {
    const character = source.text.slice(error.offset, error.offset + error.length);
    diagnostics.push(
      diagnostic(
        DiagnosticCodes.UnknownCharacter,
        source.span(error.offset, error.offset + Math.max(1, error.length)),
        `unexpected character ${JSON.stringify(character.slice(0, 1))}`,
        character.startsWith("'") ? 'strings use double quotes: "text"' : "remove it, or put it inside a string",
      ),
    );
  }

  const tokens: IToken[] = [];
  const brackets: TokenType[] = [];
  const raw = result.tokens;
  for (let i = 0; i < raw.length; i++) {
    const token = raw[i]!;
    if (T.isNewline(token)) {
      const inside = brackets[brackets.length - 1];
      if (inside === T.LParen || inside === T.LBracket) continue;
      const previous = tokens[tokens.length - 1];
      if (!previous || T.isNewline(previous) || isContinuedAfter(previous)) continue;
      let j = i + 1;
      while (j < raw.length && T.isNewline(raw[j]!)) j++;
      const next = raw[j];
      if (!next || isContinuedBefore(next)) continue;
      tokens.push(token);
      continue;
    }
    if (T.isOpeningBracket(token)) {
      brackets.push(token.tokenType);
    } else if (T.isClosingBracket(token)) {
      brackets.pop();
    } else if (tokenMatcher(token, T.UnterminatedString)) {
      diagnostics.push(
        diagnostic(
          DiagnosticCodes.UnterminatedString,
          source.span(token.startOffset, token.startOffset + token.image.length),
          "this string has no closing quote",
          'close it with `"` on the same line; write `\\n` for a line break inside a string',
        ),
      );
      retype(token, T.StringLiteral, token.image + '"');
    }
    tokens.push(token);
  }
  while (tokens.length > 0 && T.isNewline(tokens[tokens.length - 1]!)) tokens.pop();
  return { tokens, comments: result.groups["comments"] ?? [], diagnostics };
}

/** Changes a token's kind in place; Chevrotain matches on `tokenTypeIdx`, so both must change. */
function retype(token: IToken, type: TokenType, image: string): void {
  token.tokenType = type;
  token.tokenTypeIdx = type.tokenTypeIdx!;
  token.image = image;
}

const unitAliases: Record<string, string> = {
  sec: "s",
  secs: "s",
  second: "s",
  seconds: "s",
  m: "min",
  mins: "min",
  minute: "min",
  minutes: "min",
  hr: "h",
  hour: "h",
  hours: "h",
  msec: "ms",
  millis: "ms",
  day: "d",
  days: "d",
};

/**
 * E104 for a number glued to an unknown unit (`5sec`). The lexer keeps such a literal whole: it is
 * a value in its own right where a parameter lists it (an accelerometer's `range 8g`), so the binder reports
 * it where it stands alone after an option, and the AST builder everywhere else.
 *
 * @example
 * unknownUnit(source.span(10, 15), "5sec"); // E104 "unknown unit `sec`", hint "write `5s` …"
 */
export function unknownUnit(span: Span, written: string): Diagnostic {
  const [, digits, unit] = /^(-?\d+(?:\.\d+)?)(.*)$/.exec(written)!;
  return diagnostic(
    DiagnosticCodes.UnknownUnit,
    { ...span, start: span.start + digits!.length },
    `unknown unit \`${unit}\``,
    unitHint(digits!, unit!),
  );
}

/** The duration a number with an unknown unit most likely means, so one typo gives one error: `5sec` is `5s`. */
export function likelyDuration(written: string): string {
  const [, digits, unit] = /^(-?\d+(?:\.\d+)?)(.*)$/.exec(written)!;
  return `${digits}${unitAliases[unit!.toLowerCase()] ?? "s"}`;
}

function unitHint(digits: string, unit: string): string {
  const alias = unitAliases[unit.toLowerCase()];
  if (alias) return `write \`${digits}${alias}\` (units: ms, s, min, h, d)`;
  return "durations take one of the units ms, s, min, h, d, as in `250ms` or `5s`";
}
