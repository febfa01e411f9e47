/**
 * flowc's compiler API. Pure: it takes source texts and returns diagnostics and IR; reading files,
 * printing and running belong to the CLI and the targets.
 *
 * @example
 * import { compile } from "flowc";
 * const result = compile([{ path: "server.flow", text }]);
 * if (!hasErrors(result.diagnostics)) runProgram(result.programs);
 */
import type { Program } from "./ast.js";
import type { CheckedProgram } from "./checked.js";
import { checkProgram } from "./checker.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import type { IRProgram } from "./ir.js";
import { lower } from "./lower.js";
import { parseSource } from "./parse.js";
import { Registry, type Target } from "./registry.js";
import { SourceFile } from "./source.js";
import { checkTopics } from "./topic-check.js";
import { allDeclarations } from "../components/declarations.js";

export interface CompileInput {
  readonly path: string;
  readonly text: string;
}

export interface CompileOptions {
  /** Check every file against this target (default: a file's `device` block decides). */
  readonly target?: Target;
  /** Use another registry (tests and embedders); default: every component in components/. */
  readonly registry?: Registry;
}

export interface CompileResult {
  readonly sources: Map<string, SourceFile>;
  /** One per input, in order. */
  readonly asts: Program[];
  /** One per input, in order; useful for tooling even when there are errors. */
  readonly checked: CheckedProgram[];
  /** One per input file without errors, in input order. */
  readonly programs: IRProgram[];
  /** All files' diagnostics and the cross-file topic checks, sorted. */
  readonly diagnostics: Diagnostic[];
}

let defaultRegistry: Registry | undefined;

/** The registry of every component in components/. */
export function registry(): Registry {
  defaultRegistry ??= new Registry(allDeclarations);
  return defaultRegistry;
}

/**
 * Parses, checks and lowers `.flow` sources.
 *
 * @example
 * const { programs, diagnostics } = compile([{ path: "a.flow", text: 'tsl2591 every 2s -> mqtt "sensor-data"' }]);
 */
export function compile(inputs: readonly CompileInput[], options: CompileOptions = {}): CompileResult {
  const components = options.registry ?? registry();
  const sources = new Map<string, SourceFile>();
  const asts: Program[] = [];
  const checkedPrograms: CheckedProgram[] = [];
  const programs: IRProgram[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const input of inputs) {
    const source = new SourceFile(input.path, input.text);
    sources.set(input.path, source);
    const parsed = parseSource(source);
    asts.push(parsed.program);
    const checked = checkProgram(parsed.program, components, options.target ? { target: options.target } : {});
    checkedPrograms.push(checked.program);
    const fileDiagnostics = [
      ...parsed.diagnostics,
      ...withoutFollowOnErrors(checked.diagnostics, parsed.diagnostics, source),
    ];
    diagnostics.push(...fileDiagnostics);
    if (!hasErrors(fileDiagnostics)) programs.push(lower(checked.program));
  }
  if (programs.length === inputs.length) diagnostics.push(...checkTopics(programs));
  return { sources, asts, checked: checkedPrograms, programs, diagnostics: sortDiagnostics(diagnostics) };
}

/**
 * Where the parser had to recover, what the checker says about the same lines is mostly an echo
 * of the syntax error; warnings about a broken file are noise. Both are dropped.
 */
function withoutFollowOnErrors(checked: Diagnostic[], syntax: Diagnostic[], source: SourceFile): Diagnostic[] {
  if (syntax.length === 0) return checked;
  const brokenLines = new Set(syntax.map((d) => source.position(d.span.start).line));
  return checked.filter((d) => d.severity === "error" && !brokenLines.has(source.position(d.span.start).line));
}

export { parseSource } from "./parse.js";
export { SourceFile } from "./source.js";
export type { Span } from "./source.js";
export * from "./diagnostics.js";
export type { IRNode, IRProgram, SettingsBlock, TopicUse } from "./ir.js";
export type * from "./registry.js";
export { Registry, componentKey } from "./registry.js";
export * from "./types.js";
export type { TypedExpression } from "./typed.js";
export { topicMatches } from "./topic-check.js";
// The text renderers only: SVG rendering loads Graphviz (WebAssembly) and lives in ./graph/svg.js.
export { toDot } from "./diagram/dot.js";
export { toMermaid } from "./diagram/mermaid.js";
