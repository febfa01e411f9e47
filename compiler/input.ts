/**
 * What the compiler is given: a file's text, or its bytes as read from disk. Bytes are decoded
 * here, so every command that reads files (check, fmt, build, run, graph, the language server)
 * reports a file that is not UTF-8 the same way, at the byte where it stops being UTF-8.
 */
import { diagnostic, DiagnosticCodes, type Diagnostic } from "./diagnostics.js";
import { characterOffsetOf, decodeSource, looksLikeBinaryText, SourceFile } from "./source.js";

/** A `.flow` file for {@link compile}: its text (an editor's buffer), or its bytes (a file). */
export type CompileInput =
  { readonly path: string; readonly text: string } | { readonly path: string; readonly bytes: Uint8Array };

/**
 * The source of an input and the encoding problem of its bytes, if any. Invalid sequences read as
 * U+FFFD so the rest of the file is still checked; the formatter must not write such a text back.
 *
 * @example
 * const { source, diagnostics } = sourceOf({ path: "a.flow", bytes: await readFile("a.flow") });
 */
export function sourceOf(input: CompileInput): { source: SourceFile; diagnostics: Diagnostic[] } {
  if ("text" in input) return { source: new SourceFile(input.path, input.text), diagnostics: [] };
  const decoded = decodeSource(input.bytes);
  const source = new SourceFile(input.path, decoded.text);
  const problem = decoded.invalid;
  // A binary file gets its own diagnostic from the parser; one is enough.
  if (!problem || looksLikeBinaryText(decoded.text)) return { source, diagnostics: [] };
  const at = characterOffsetOf(input.bytes, problem.byteOffset);
  const byte = `0x${problem.byte.toString(16).toUpperCase().padStart(2, "0")}`;
  const others = problem.count > 1 ? ` (and ${problem.count - 1} more such byte${problem.count > 2 ? "s" : ""})` : "";
  return {
    source,
    diagnostics: [
      diagnostic(
        DiagnosticCodes.InvalidUtf8,
        source.span(at, at + 1),
        `byte ${byte} at byte offset ${problem.byteOffset} is not UTF-8${others}`,
        "save the file as UTF-8 (it looks like Latin-1 or another legacy encoding)",
      ),
    ],
  };
}
