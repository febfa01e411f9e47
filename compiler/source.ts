/**
 * Source files and spans. Every diagnostic and AST node points back into a {@link SourceFile}
 * through a {@link Span} of character offsets; line/column are derived on demand.
 */

/** A half-open range `[start, end)` of character offsets into one source file. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** A 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * A `.flow` source text with a lazily built line index.
 *
 * @example
 * const src = new SourceFile("server.flow", 'mqtt "sensor-data"\n  -> print');
 * src.position(22); // { line: 2, column: 4 }
 */
export class SourceFile {
  private lineStarts: number[] | undefined;

  constructor(
    readonly path: string,
    readonly text: string,
  ) {}

  /** The 1-based line and column of a character offset. */
  position(offset: number): Position {
    const starts = this.starts();
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const starts = this.starts();
    const start = starts[line - 1] ?? this.text.length;
    const next = starts[line] ?? this.text.length + 1;
    return this.text.slice(start, next - 1).replace(/\r$/, "");
  }

  /** A span of this file. */
  span(start: number, end: number): Span {
    return { file: this.path, start, end };
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }
}

/** U+FEFF at the start of a file: an encoding mark, not content. */
export const byteOrderMark = "\uFEFF";

/** Where a file's bytes stop being UTF-8: the first bad byte, and how many there are. */
export interface InvalidUtf8 {
  readonly byteOffset: number;
  readonly byte: number;
  readonly count: number;
}

/** A file's bytes as text, and where they are not UTF-8 if anywhere. */
export interface DecodedSource {
  /** The text; invalid sequences read as U+FFFD so the rest can still be checked. */
  readonly text: string;
  readonly invalid?: InvalidUtf8;
}

/**
 * Decodes a `.flow` file's bytes as UTF-8 (a byte-order mark is kept as the text's first
 * character; the lexer reads it as blank). Pure: the caller reads the file.
 *
 * @example
 * decodeSource(Buffer.from('print "caf\xe9"', "latin1")).invalid; // { byteOffset: 10, byte: 0xe9, count: 1 }
 */
export function decodeSource(bytes: Uint8Array): DecodedSource {
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  const invalid = invalidUtf8(bytes);
  if (!invalid) return { text };
  return { text, invalid: { byteOffset: invalid.first, byte: bytes[invalid.first]!, count: invalid.count } };
}

/**
 * True for text that is not a source file: a NUL character, or more than one character in ten a
 * control character or an undecodable byte (U+FFFD), as random or compiled data is.
 *
 * @example
 * looksLikeBinaryText("tsl2591 every 2s -> print"); // false
 */
export function looksLikeBinaryText(text: string): boolean {
  let suspicious = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) return true;
    if ((code < 32 && code !== 9 && code !== 10 && code !== 13 && code !== 12) || code === 0xfffd || code === 0x7f)
      suspicious++;
  }
  return suspicious > 8 && suspicious * 10 > text.length;
}

/**
 * The first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), and how many such places there are.
 */
function invalidUtf8(bytes: Uint8Array): { first: number; count: number } | undefined {
  let first = -1;
  let count = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    if (first < 0) first = i;
    count++;
    i++;
  }
  return first < 0 ? undefined : { first, count };
}

/** The length of the valid UTF-8 sequence starting at `i`, or 0 when there is none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  if (lead < 0x80) return 1;
  const continuation = (k: number, low = 0x80, high = 0xbf) => {
    const byte = bytes[i + k];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

/** The character offset in `decodeSource`'s text of a byte offset of valid UTF-8 before it. */
export function characterOffsetOf(bytes: Uint8Array, byteOffset: number): number {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes.subarray(0, byteOffset)).length;
}
