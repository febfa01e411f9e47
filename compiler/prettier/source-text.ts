/**
 * What the printer reads back from the original text: literals as written, grouping parentheses
 * (the AST keeps only their span) and blank lines. Everything else is printed from the AST.
 */
import type { NumberLiteral, StringLiteral } from "../ast.js";
import type { Span } from "../source.js";

const simpleEscapes: Readonly<Record<string, string>> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\t": "\\t",
  "\r": "\\r",
  "\0": "\\0",
};

/**
 * Characters that would be invisible or misleading if written raw: controls, line and paragraph
 * separators, lone surrogates and format characters (bidirectional overrides, zero-width space,
 * BOM). The two joiners are left alone because words and emoji sequences need them.
 */
const invisible = String.raw`\p{Cc}\p{Zl}\p{Zp}\p{Cs}\p{Cf}`;
const needsEscape = new RegExp(`[${invisible}]`, "u");
const joiners = new Set(["\u200c", "\u200d"]);
/** A string with nothing to escape, the common case, is printed as it is without looking at each character. */
const plain = new RegExp(String.raw`^[^"\\${invisible}]*$`, "u");

/**
 * A string literal in canonical form: double quotes, the short escapes where the language has
 * one, `\u{hex}` for other invisible characters, everything else raw.
 *
 * @example
 * printString({ kind: "string", value: 'say "hi"\n', span }); // '"say \\"hi\\"\\n"'
 */
export function printString(literal: StringLiteral): string {
  if (plain.test(literal.value)) return `"${literal.value}"`;
  let out = '"';
  for (const character of literal.value) {
    const simple = simpleEscapes[character];
    if (simple !== undefined) out += simple;
    else if (needsEscape.test(character) && !joiners.has(character))
      out += `\\u{${character.codePointAt(0)!.toString(16).toUpperCase()}}`;
    else out += character;
  }
  return out + '"';
}

const numberToken = /0x[0-9A-Fa-f]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/;

/**
 * A number as written (`0x29`, `2.5e-1`, `1883`). The parser folds a leading minus into the
 * literal, so the sign comes from the minus signs in front of the digits.
 *
 * @example
 * printNumber(literalOf("-0.4"), "-0.4"); // "-0.4"
 */
export function printNumber(literal: NumberLiteral, text: string): string {
  const written = text.slice(literal.span.start, literal.span.end);
  const match = numberToken.exec(written);
  if (!match) return String(literal.value);
  const minuses = written.slice(0, match.index).split("-").length - 1;
  return (minuses % 2 === 1 ? "-" : "") + match[0];
}

/**
 * True when the text of `span` is one parenthesised group, `(…)`, whose parentheses the parser
 * dropped. `(a) + (b)` starts and ends with parentheses but is not one group.
 */
export function isParenthesized(span: Span, text: string): boolean {
  const { start, end } = span;
  if (text[start] !== "(" || text[end - 1] !== ")") return false;
  let depth = 0;
  for (let i = start; i < end; i++) {
    const character = text[i];
    if (character === '"') {
      i++;
      while (i < end && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    } else if (character === "#") {
      while (i < end && text[i] !== "\n") i++;
    } else if (character === "(") {
      depth++;
    } else if (character === ")") {
      depth--;
      if (depth === 0) return i === end - 1;
    }
  }
  return false;
}

/**
 * True when an empty line follows the line on which `offset` lies (after any comment that ends
 * that line). Runs of blank lines count once: the formatter keeps at most one.
 */
export function isFollowedByBlankLine(text: string, offset: number): boolean {
  let i = text.indexOf("\n", offset);
  if (i < 0) return false;
  i++;
  while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\r")) i++;
  return text[i] === "\n";
}

/** True when the source has a line break between `from` and `to`. */
export function hasLineBreakBetween(text: string, from: number, to: number): boolean {
  return text.slice(from, to).includes("\n");
}
