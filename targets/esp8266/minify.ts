/**
 * Shrinks Python source for flash without changing what it does: comments, blank lines and
 * trailing spaces go, and each block is indented by one space per level instead of four. The
 * device compiles .py files into RAM at import, so every byte shipped also costs heap while it is
 * parsed. Strings (including triple-quoted ones, which may span lines) are copied untouched, and
 * lines inside brackets or after a backslash continue the previous logical line, so their
 * indentation is insignificant and only trimmed.
 */

interface ScanState {
  /** The quote of a string that goes on past the end of the line, or undefined. */
  longString: string | undefined;
  /** Open brackets, for implicit line continuation. */
  depth: number;
  /** The previous line ended with a backslash. */
  backslash: boolean;
}

/**
 * Removes what Python ignores and re-indents blocks by one space per level.
 *
 * @example
 * minifyPython("def f(x):\n    # double it\n    return x * 2  # twice\n");
 * // "def f(x):\n return x * 2\n"
 */
export function minifyPython(source: string): string {
  const state: ScanState = { longString: undefined, depth: 0, backslash: false };
  /** Indentation widths of the enclosing blocks in the source, innermost last. */
  const widths: number[] = [0];
  const out: string[] = [];
  for (const line of source.split(/\r?\n/)) {
    const continuation = state.longString !== undefined || state.depth > 0 || state.backslash;
    const startsInString = state.longString !== undefined;
    const code = stripComment(line, state);
    if (startsInString) {
      // Inside a string every character counts, leading and trailing spaces included.
      out.push(code);
      continue;
    }
    const text = code.trimEnd();
    if (continuation) {
      if (text.trim() !== "") out.push(text.trimStart());
      continue;
    }
    if (text.trim() === "") continue;
    const width = text.length - text.trimStart().length;
    if (text.slice(0, width).includes("\t")) throw new Error("minifyPython: tab indentation is not supported");
    if (width > widths[widths.length - 1]!) widths.push(width);
    else {
      while (width < widths[widths.length - 1]!) widths.pop();
      if (width !== widths[widths.length - 1]) throw new Error(`minifyPython: inconsistent indentation: ${line}`);
    }
    out.push(" ".repeat(widths.length - 1) + text.trimStart());
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

/**
 * The line without its comment, updating `state` for strings, brackets and backslashes that
 * carry over to the next line.
 */
function stripComment(line: string, state: ScanState): string {
  let i = 0;
  if (state.longString !== undefined) {
    const end = findStringEnd(line, 0, state.longString);
    if (end < 0) return line;
    state.longString = undefined;
    i = end;
  }
  state.backslash = false;
  while (i < line.length) {
    const char = line[i]!;
    if (char === "#") return line.slice(0, i);
    if (char === '"' || char === "'") {
      const triple = line.startsWith(char.repeat(3), i) ? char.repeat(3) : char;
      const end = findStringEnd(line, i + triple.length, triple);
      if (end < 0) {
        // A triple-quoted string, or a short one continued with a backslash, goes on next line.
        if (triple.length === 3 || line.endsWith("\\")) state.longString = triple;
        return line;
      }
      i = end;
      continue;
    }
    if ("([{".includes(char)) state.depth++;
    else if (")]}".includes(char)) state.depth = Math.max(0, state.depth - 1);
    else if (char === "\\" && i === line.length - 1) state.backslash = true;
    i++;
  }
  return line;
}

/** The index just after the closing `quote` from `from`, skipping escapes; -1 if the line ends first. */
function findStringEnd(line: string, from: number, quote: string): number {
  for (let i = from; i < line.length; i++) {
    if (line[i] === "\\") i++;
    else if (line.startsWith(quote, i)) return i + quote.length;
  }
  return -1;
}
