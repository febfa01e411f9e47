/**
 * The Prettier parser: the compiler's own front end ({@link parseSource}), so the formatter can
 * never disagree with the compiler about what a file means. Files with lexical or syntax errors
 * are refused with a Prettier-style error that carries the position.
 */
import type { Diagnostic } from "../diagnostics.js";
import { parseSource } from "../parse.js";
import { SourceFile } from "../source.js";
import { pickMarker } from "./comments.js";
import type { FormatRoot } from "./nodes.js";
import { commentTexts } from "./verify.js";

/**
 * Thrown for a file that does not parse. `loc` is what Prettier reads to print the file name,
 * position and a code frame; `diagnostics` and `source` let `flowc fmt` print the compiler's own
 * messages instead.
 */
export class FlowcSyntaxError extends SyntaxError {
  /** 1-based line and column of the first error, in Prettier's shape. */
  readonly loc: { readonly start: { readonly line: number; readonly column: number } };

  constructor(
    readonly diagnostics: readonly Diagnostic[],
    readonly source: SourceFile,
  ) {
    const first = diagnostics[0]!;
    const start = source.position(first.span.start);
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "";
    super(`${first.code} ${first.message}${more} (${start.line}:${start.column})`);
    this.name = "SyntaxError";
    this.loc = { start };
  }
}

/**
 * Parses `.flow` text for formatting.
 *
 * @throws {FlowcSyntaxError} when the text has lexical or syntax errors.
 * @example
 * const root = parseForFormatting('tsl2591 every 2s -> print\n', "a.flow");
 */
export function parseForFormatting(text: string, path: string): FormatRoot {
  const source = new SourceFile(path, text);
  const parsed = parseSource(source);
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new FlowcSyntaxError(errors, source);
  const { program } = parsed;
  return {
    ...program,
    comments: program.comments.map((comment) => ({ ...comment, value: comment.text })),
    commentTexts: commentTexts(program),
    commentMarker: pickMarker(text),
  };
}
