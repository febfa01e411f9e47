/**
 * The size limits of a `.flow` file, enforced once on the token stream before anything recursive
 * runs (parser, checker, formatter, emitters, language server), so no input can overflow a stack
 * however it is written. A statement over a limit gets one diagnostic and is left out; the rest
 * of the file is still parsed and checked.
 */
import type { IToken } from "chevrotain";
import { diagnostic, DiagnosticCodes, type Diagnostic } from "./diagnostics.js";
import * as T from "./lexer.js";
import type { SourceFile } from "./source.js";

/**
 * How deep one expression may nest: brackets inside brackets, and operators applied one after
 * another (`a + b + c` is two levels, since `+` groups to the left). Real formulas stay far below
 * it; generated code past it would overflow the stacks of the parser and of MicroPython's
 * compiler on the board.
 */
export const maxNestingDepth = 64;

/** Most diagnostics reported for one file; past it, one more says how many were left out. */
export const maxDiagnosticsPerFile = 50;

/** Tokens after which an operand starts afresh at the same level (a new argument, field, stage). */
const isSeparator = T.tokenKinds([T.Comma, T.Colon, T.Arrow, T.Equals, T.Newline]);
const isOperator = T.tokenKinds([T.BinaryOperator, T.Not, T.Dot]);

/**
 * Removes each statement whose expressions nest deeper than {@link maxNestingDepth}, with one
 * diagnostic at the token where it went over.
 *
 * @example
 * const { tokens, diagnostics } = withinNestingLimit(lexed.tokens, source);
 */
export function withinNestingLimit(
  tokens: readonly IToken[],
  source: SourceFile,
): { tokens: IToken[]; diagnostics: Diagnostic[] } {
  // Only a statement over the limit is left out; until one is, the tokens are kept as they are.
  let kept: IToken[] | undefined;
  const diagnostics: Diagnostic[] = [];
  let statementStart = 0;
  // Per open bracket: operators applied in a row at that level since the last separator.
  let runs = [0];
  let depth = 0;
  let overAt: IToken | undefined;
  const endStatement = (end: number) => {
    if (overAt) {
      kept ??= tokens.slice(0, statementStart);
      diagnostics.push(tooDeep(overAt, source));
    } else if (kept) {
      for (let i = statementStart; i < end; i++) kept.push(tokens[i]!);
    }
    statementStart = end;
    runs = [0];
    depth = 0;
    overAt = undefined;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (T.isNewline(token) && runs.length === 1) {
      endStatement(i);
      continue;
    }
    if (T.isOpeningBracket(token)) {
      runs.push(0);
      depth++;
    } else if (T.isClosingBracket(token)) {
      if (runs.length > 1) depth -= 1 + runs.pop()!;
    } else if (isSeparator(token)) {
      depth -= runs[runs.length - 1]!;
      runs[runs.length - 1] = 0;
    } else if (isOperator(token)) {
      runs[runs.length - 1]!++;
      depth++;
    }
    if (depth > maxNestingDepth) overAt ??= token;
  }
  endStatement(tokens.length);
  return { tokens: kept ?? [...tokens], diagnostics };
}

function tooDeep(token: IToken, source: SourceFile): Diagnostic {
  return diagnostic(
    DiagnosticCodes.NestingTooDeep,
    source.span(token.startOffset, token.startOffset + token.image.length),
    `this expression nests more than ${maxNestingDepth} levels deep (brackets and operators in a row); the statement is skipped`,
    "split it: name parts with `let`, or add the terms up in stages with `map`",
  );
}

/**
 * At most {@link maxDiagnosticsPerFile} diagnostics for each file, errors first, then one that
 * says how many more there were, so a file of garbage cannot flood a terminal or an editor.
 *
 * @example
 * const shown = capPerFile(diagnostics); // 51 at most per file
 */
export function capPerFile(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const list = byFile.get(d.span.file) ?? [];
    list.push(d);
    byFile.set(d.span.file, list);
  }
  const shown: Diagnostic[] = [];
  for (const list of byFile.values()) {
    if (list.length <= maxDiagnosticsPerFile) {
      shown.push(...list);
      continue;
    }
    const ordered = [...list.filter((d) => d.severity === "error"), ...list.filter((d) => d.severity !== "error")];
    const kept = ordered.slice(0, maxDiagnosticsPerFile);
    shown.push(...kept);
    const last = kept[kept.length - 1]!;
    const hidden = list.length - kept.length;
    shown.push(
      diagnostic(
        DiagnosticCodes.TooManyProblems,
        { file: last.span.file, start: last.span.start, end: last.span.start },
        `${hidden} more problem${hidden === 1 ? "" : "s"} in this file not shown (the first ${maxDiagnosticsPerFile} are)`,
        "fix these first; is this the file you meant?",
      ),
    );
  }
  return shown;
}
