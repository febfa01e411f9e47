/**
 * Diagnostics: every problem the compiler reports has a stable code, a severity, a span, a message
 * and usually a hint. The compiler core only collects them; the CLI renders them.
 */
import type { SourceFile, Span } from "./source.js";

export type Severity = "error" | "warning";

/**
 * The stable diagnostic codes. Codes never change meaning once released; new problems get new
 * codes. The first digit groups them: 1 lexical, 2 syntax, 3 names, 4 types and values,
 * 5 targets, 6 cross-file topics, 7 advice.
 */
export const DiagnosticCodes = {
  // lexical
  UnknownCharacter: "E101",
  UnterminatedString: "E102",
  InvalidEscape: "E103",
  UnknownUnit: "E104",
  InvalidUtf8: "E105",
  NotText: "E106",
  TooManyProblems: "E107",
  // syntax
  UnexpectedToken: "E201",
  MissingToken: "E202",
  UnclosedBracket: "E203",
  MissingSeparator: "E204",
  NestingTooDeep: "E205",
  /** A constant named like an option, written where it could be read as either (`broker host tls`). */
  AmbiguousItems: "W205",
  // names
  UnknownComponent: "E301",
  UnknownField: "E302",
  UnknownType: "E303",
  DuplicateDefinition: "E304",
  UnknownName: "E305",
  UnknownFunction: "E306",
  UnknownOption: "E307",
  DuplicateOption: "E308",
  UnknownSetting: "E309",
  UseNotFound: "E310",
  UseCycle: "E311",
  UsedFileNotSchemas: "E312",
  // types and values
  TypeMismatch: "E401",
  MissingUnit: "E402",
  WrongArgumentCount: "E403",
  MissingParameter: "E404",
  InvalidValue: "E405",
  WrongInputType: "E406",
  SinkNotLast: "E407",
  SourceNotFirst: "E408",
  NotAStream: "E410",
  FileShapeConflict: "E411",
  // targets
  UnsupportedOnTarget: "E501",
  MissingSecret: "E502",
  HeapExceeded: "E503",
  DeepSleepState: "E504",
  // cross-file topics
  TopicSchemaMismatch: "E601",
  InvalidTopic: "E603",
  // warnings
  NoPublisher: "W602",
  NoSubscriber: "W604",
  UnusedStream: "W701",
  UnusedConstant: "W702",
  HeapBudget: "W703",
  DeviceCaveat: "W704",
  DevicePrecision: "W705",
} as const;

export type DiagnosticCode = (typeof DiagnosticCodes)[keyof typeof DiagnosticCodes];

/** A secondary location that explains a diagnostic ("first defined here"). */
export interface RelatedInformation {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
  readonly related?: readonly RelatedInformation[];
}

/** Builds a diagnostic; the severity follows from the code's letter. */
export function diagnostic(
  code: DiagnosticCode,
  span: Span,
  message: string,
  hint?: string,
  related?: readonly RelatedInformation[],
): Diagnostic {
  const severity: Severity = code.startsWith("W") ? "warning" : "error";
  return { code, severity, message, span, ...(hint ? { hint } : {}), ...(related ? { related } : {}) };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/**
 * Orders two strings by their UTF-16 code units: the same order on every machine, and free of
 * `localeCompare`, whose first call loads ICU's collator (about a tenth of `flowc check`'s start).
 *
 * @example
 * ["b", "a"].sort(compareCodeUnits); // ["a", "b"]
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders diagnostics by file, then position, then code, so output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareCodeUnits(a.span.file, b.span.file) || a.span.start - b.span.start || compareCodeUnits(a.code, b.code),
  );
}

/**
 * Renders a diagnostic the way compilers people know do: `file:line:col`, the source line and a
 * caret under the span, then the hint.
 *
 * @example
 * renderDiagnostic(d, files);
 * // server.flow:1:15: error[E402]: `every` needs a duration with a unit
 * //   1 | tsl2591 every 2 -> print
 * //     |               ^
 * //   = hint: write `2s` (units: ms, s, min, h)
 */
export function renderDiagnostic(
  d: Diagnostic,
  files: ReadonlyMap<string, SourceFile>,
  options: { color?: boolean } = {},
): string {
  const paint = (code: string, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const file = files.get(d.span.file);
  const head = (where: string) =>
    `${where}: ${paint(d.severity === "error" ? "1;31" : "1;33", `${d.severity}[${d.code}]`)}: ${d.message}`;
  if (!file) return [head(d.span.file), ...(d.hint ? [`  = hint: ${d.hint}`] : [])].join("\n");
  const start = file.position(d.span.start);
  const end = file.position(Math.max(d.span.start, d.span.end - 1));
  const shown = visibleExcerpt(file.lineText(start.line), start.column);
  const gutter = String(start.line).length;
  const width = end.line === start.line ? Math.max(1, end.column - start.column + 1) : 1;
  const lines = [
    head(`${d.span.file}:${start.line}:${start.column}`),
    `  ${String(start.line).padStart(gutter)} | ${shown.text}`,
    `  ${" ".repeat(gutter)} | ${" ".repeat(shown.caret - 1)}${paint("1;36", "^".repeat(Math.min(width, excerptWidth)))}`,
  ];
  for (const related of d.related ?? []) {
    const at = files.get(related.span.file)?.position(related.span.start);
    lines.push(`  = note: ${related.message} (${related.span.file}:${at?.line ?? 0}:${at?.column ?? 0})`);
  }
  if (d.hint) lines.push(`  = hint: ${d.hint}`);
  return lines.join("\n");
}

/** The most columns of a source line a diagnostic shows. */
const excerptWidth = 100;

/**
 * The part of a line to show under a diagnostic: at most {@link excerptWidth} columns around
 * `column`, tabs as spaces and control characters as `?`, so neither a 30 KB line nor binary
 * bytes reach the terminal; `caret` is where `column` lands in it.
 */
function visibleExcerpt(line: string, column: number): { text: string; caret: number } {
  // eslint-disable-next-line no-control-regex
  const clean = line.replace(/\t/g, " ").replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  if (clean.length <= excerptWidth) return { text: clean, caret: column };
  const start = Math.max(0, Math.min(column - 1 - excerptWidth / 2, clean.length - excerptWidth));
  const cut = clean.slice(start, start + excerptWidth);
  const before = start > 0 ? "…" : "";
  const after = start + excerptWidth < clean.length ? "…" : "";
  return { text: `${before}${cut}${after}`, caret: column - start + before.length };
}

/** The JSON shape of `flowc check --format json`: stable field names, 1-based positions. */
export interface DiagnosticJson {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function diagnosticToJson(d: Diagnostic, files: ReadonlyMap<string, SourceFile>): DiagnosticJson {
  const file = files.get(d.span.file);
  const start = file?.position(d.span.start) ?? { line: 0, column: 0 };
  const end = file?.position(d.span.end) ?? start;
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
    file: d.span.file,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
  };
}

/** Edit distance, for "did you mean ...?" hints. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a small edit distance, if any. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** "did you mean `x`?" or undefined. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const match = closest(name, candidates);
  return match ? `did you mean \`${match}\`?` : undefined;
}
