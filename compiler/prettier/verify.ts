/**
 * The formatter's safety net: formatted text must parse to the same program, with the same
 * comments in the same order. A formatter bug then fails loudly instead of rewriting a file into
 * something else.
 */
import type { Program } from "../ast.js";
import { parseSource } from "../parse.js";
import { SourceFile } from "../source.js";

/** Properties that say where something was written, not what it means. */
const positional = new Set(["span", "file", "comments"]);

/**
 * The meaning of a program as a string: its statements without spans, file names or attached
 * comments. Two programs with equal fingerprints compile identically.
 *
 * @example
 * programFingerprint(parseSource(new SourceFile("a.flow", "sim every 1s->print")).program) ===
 *   programFingerprint(parseSource(new SourceFile("b.flow", "sim every 1s -> print")).program); // true
 */
export function programFingerprint(program: Program): string {
  return JSON.stringify(program.statements, (key, value: unknown) => (positional.has(key) ? undefined : value));
}

/** The comments of a program as they read, in order, trailing blanks aside. */
export function commentTexts(program: Program): string[] {
  return program.comments.map((comment) => comment.text.trimEnd());
}

/**
 * Throws unless `formatted` parses cleanly to the same statements and comments as `original`.
 *
 * @example
 * assertSameProgram(program, commentTexts(program), formattedText);
 */
export function assertSameProgram(original: Program, originalComments: readonly string[], formatted: string): void {
  const reparsed = parseSource(new SourceFile(original.file, formatted));
  const problem = reparsed.diagnostics.find((d) => d.severity === "error");
  if (problem) {
    throw new Error(`flowc formatter bug: the formatted ${original.file} does not parse (${problem.message})`);
  }
  if (programFingerprint(reparsed.program) !== programFingerprint(original)) {
    throw new Error(`flowc formatter bug: formatting ${original.file} would change its meaning`);
  }
  const after = commentTexts(reparsed.program);
  if (after.length !== originalComments.length || after.some((text, i) => text !== originalComments[i])) {
    throw new Error(`flowc formatter bug: formatting ${original.file} would lose or reorder comments`);
  }
}
