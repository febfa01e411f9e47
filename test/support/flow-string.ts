/**
 * `text` as a .flow string literal that reads back as exactly `text`, for tests that put
 * arbitrary strings into programs. Quotes, backslashes and control characters are always escaped
 * (`\n \t \r \0`, the rest as `\u{hex}`, as are U+2028 and U+2029); other non-ASCII characters
 * are written as they are unless `escapeNonAscii` asks for `\u{hex}`, which the lexer reads too.
 *
 * @example
 * flowString('say "hi"\n'); // "say \"hi\"\n" as .flow source: `"say \"hi\"\n"`
 */
export function flowString(text: string, escapeNonAscii = false): string {
  let literal = '"';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (character === '"' || character === "\\") literal += `\\${character}`;
    else if (character === "\n") literal += "\\n";
    else if (character === "\t") literal += "\\t";
    else if (character === "\r") literal += "\\r";
    else if (character === "\0") literal += "\\0";
    else if (
      code < 0x20 ||
      (code >= 0x7f && code < 0xa0) ||
      code === 0x2028 ||
      code === 0x2029 ||
      (escapeNonAscii && code > 0x7e)
    )
      literal += `\\u{${code.toString(16)}}`;
    else literal += character;
  }
  return `${literal}"`;
}
