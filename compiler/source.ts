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
