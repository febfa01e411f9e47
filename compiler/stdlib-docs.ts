/**
 * Renders the standard-library table of docs/language.md from compiler/stdlib.ts, so the docs list
 * exactly the functions the checker accepts. A test compares the committed section with this output.
 */
import { stdlibFunctions, type StdlibFunction } from "./stdlib.js";

/** Where the generated table sits in docs/language.md; the rest of that file is written by hand. */
export const stdlibDocsMarkers = {
  start:
    "<!-- stdlib: generated from compiler/stdlib.ts; run `UPDATE_GOLDEN=1 npx vitest run compiler/stdlib-docs.test.ts` after changing it. -->",
  end: "<!-- /stdlib -->",
} as const;

/** A table cell: pipes would end the cell early. */
const cell = (text: string) => text.replaceAll("|", "\\|");

function row(fn: StdlibFunction): string {
  return `| \`${cell(fn.signature)}\` | ${cell(fn.summary)} |`;
}

/**
 * The Markdown table of every stdlib function, between its markers.
 *
 * @example
 * renderStdlibDocs(); // "<!-- stdlib: … -->\n| function | meaning |\n|---|---|\n| `now(): number` | … |\n…"
 */
export function renderStdlibDocs(functions: readonly StdlibFunction[] = stdlibFunctions): string {
  return [
    stdlibDocsMarkers.start,
    "",
    "| function | meaning |",
    "|---|---|",
    ...functions.map(row),
    "",
    stdlibDocsMarkers.end,
  ].join("\n");
}

/**
 * `markdown` with the text between the stdlib markers replaced by {@link renderStdlibDocs}.
 *
 * @example
 * writeFileSync(path, withStdlibDocs(readFileSync(path, "utf8")));
 */
export function withStdlibDocs(markdown: string, functions: readonly StdlibFunction[] = stdlibFunctions): string {
  const start = markdown.indexOf(stdlibDocsMarkers.start);
  const end = markdown.indexOf(stdlibDocsMarkers.end);
  if (start < 0 || end < start) throw new Error("the stdlib markers are missing from the document");
  return markdown.slice(0, start) + renderStdlibDocs(functions) + markdown.slice(end + stdlibDocsMarkers.end.length);
}
