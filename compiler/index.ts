/**
 * flowc's compiler API. Pure: it takes source texts and returns diagnostics and IR; reading files,
 * printing and running belong to the CLI and the targets.
 *
 * The compiler knows no component by name: the caller hands it the catalogue's declarations as a
 * {@link Registry} (the CLI assembles it from `components/`).
 *
 * @example
 * import { compile, registry } from "flowc";
 * const result = compile([{ path: "server.flow", text }], { registry: registry() });
 * if (!hasErrors(result.diagnostics)) runProgram(result.programs, { implementations });
 */
import type { Program, UseStatement } from "./ast.js";
import type { CheckedProgram, ImportedSchema } from "./checked.js";
import { checkProgram } from "./checker.js";
import { diagnostic, DiagnosticCodes, hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import type { IRProgram } from "./ir.js";
import { lower } from "./lower.js";
import { parseSource } from "./parse.js";
import { Registry, type Target } from "./registry.js";
import { sourceOf, type CompileInput } from "./input.js";
import { capPerFile } from "./limits.js";
import type { SourceFile } from "./source.js";
import { checkTopics } from "./topic-check.js";
import { followUses, type SourceLoader } from "./uses.js";
import { writtenAcrossFiles } from "./written-files.js";

export type { CompileInput } from "./input.js";

export interface CompileOptions {
  /** Check every file against this target (default: a file's `device` block decides). */
  readonly target?: Target;
  /** The components a flow may use, by kind and name. */
  readonly registry: Registry;
  /**
   * Reads a file a `use` statement names that is not among the inputs (the compiler reads
   * nothing itself); without it only the inputs can be used.
   */
  readonly load?: SourceLoader;
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

/**
 * Parses, checks and lowers `.flow` sources. Files named by `use` statements are taken from the
 * inputs, or read through `options.load`; they lend their schemas and are not run themselves.
 *
 * @example
 * const { programs, diagnostics } = compile([{ path: "a.flow", text: 'tsl2591 every 2s -> mqtt "sensor-data"' }], { registry });
 * compile([{ path: "client.flow", bytes }], { registry, load: (path) => readFileSync(path) }); // with `use "schemas.flow"`
 */
export function compile(inputs: readonly CompileInput[], options: CompileOptions): CompileResult {
  const components = options.registry;
  const sources = new Map<string, SourceFile>();
  const parsed = new Map<string, { program: Program; diagnostics: Diagnostic[] }>();
  const parse = (input: CompileInput): Program => {
    const { source, diagnostics: encoding } = sourceOf(input);
    sources.set(input.path, source);
    const file = parseSource(source);
    const syntax = encoding.length > 0 ? withoutReplacementCharacters(file.diagnostics, source) : file.diagnostics;
    parsed.set(input.path, { program: file.program, diagnostics: [...encoding, ...syntax] });
    return file.program;
  };
  const roots = inputs.map((input) => ({ path: input.path, program: parse(input) }));
  const graph = followUses(roots, parse, options.load);
  const inputPaths = new Set(inputs.map((input) => input.path));

  const checkedFiles = new Map<string, { program: CheckedProgram; diagnostics: Diagnostic[] }>();
  for (const path of graph.order) {
    const file = parsed.get(path)!;
    const imported = importedSchemas(graph.uses.get(path) ?? [], checkedFiles);
    const checked = checkProgram(file.program, components, {
      ...(options.target ? { target: options.target } : {}),
      imported: imported.schemas,
    });
    const own = inputPaths.has(path) ? [] : onlySchemas(file.program);
    const fileDiagnostics = capPerFile([
      ...file.diagnostics,
      ...imported.diagnostics,
      ...own,
      ...withoutFollowOnErrors(checked.diagnostics, file.diagnostics, sources.get(path)!),
    ]);
    checkedFiles.set(path, { program: checked.program, diagnostics: fileDiagnostics });
  }

  for (const conflict of writtenAcrossFiles(inputs.map((input) => checkedFiles.get(input.path)!.program))) {
    checkedFiles.get(conflict.span.file)!.diagnostics.push(conflict);
  }
  const diagnostics: Diagnostic[] = [...graph.diagnostics];
  for (const file of checkedFiles.values()) diagnostics.push(...file.diagnostics);
  const asts = inputs.map((input) => parsed.get(input.path)!.program);
  const checkedPrograms = inputs.map((input) => checkedFiles.get(input.path)!.program);
  const programs: IRProgram[] = [];
  for (const input of inputs) {
    const file = checkedFiles.get(input.path)!;
    if (!hasErrors(file.diagnostics) && !hasErrors(graph.diagnostics.filter((d) => d.span.file === input.path)))
      programs.push(lower(file.program));
  }
  if (programs.length === inputs.length) diagnostics.push(...checkTopics(programs));
  return { sources, asts, checked: checkedPrograms, programs, diagnostics: sortDiagnostics(diagnostics) };
}

/**
 * The schemas a file's `use` statements bring in: each used file's own and what it uses in turn.
 * The same schema reached along two paths is one; two different schemas of one name are an error.
 */
function importedSchemas(
  uses: readonly { path: string; statement: UseStatement }[],
  checked: ReadonlyMap<string, { program: CheckedProgram }>,
): { schemas: Map<string, ImportedSchema>; diagnostics: Diagnostic[] } {
  const schemas = new Map<string, ImportedSchema>();
  const diagnostics: Diagnostic[] = [];
  for (const { path, statement } of uses) {
    for (const [name, schema] of checked.get(path)?.program.exportedSchemas ?? []) {
      const previous = schemas.get(name);
      if (!previous) schemas.set(name, schema);
      else if (
        previous.declaredAt.file !== schema.declaredAt.file ||
        previous.declaredAt.start !== schema.declaredAt.start
      )
        diagnostics.push(
          diagnostic(
            DiagnosticCodes.DuplicateDefinition,
            statement.path.span,
            `${JSON.stringify(statement.path.value)} brings in another \`${name}\` than ${previous.declaredAt.file} does`,
            "declare each schema in one file and use that file",
            [{ span: schema.declaredAt, message: `this \`${name}\` is declared here` }],
          ),
        );
    }
  }
  return { schemas, diagnostics };
}

/** A file that is only used lends its schemas; anything else in it would silently do nothing. */
function onlySchemas(program: Program): Diagnostic[] {
  return program.statements
    .filter((statement) => statement.kind !== "schema" && statement.kind !== "use")
    .map((statement) =>
      diagnostic(
        DiagnosticCodes.UsedFileNotSchemas,
        statement.span,
        "a file brought in with `use` may declare only schemas (and `use` others)",
        "move this into a file of its own and check or run both files together",
      ),
    );
}

/** Undecodable bytes read as U+FFFD; the encoding error already says so, once. */
function withoutReplacementCharacters(diagnostics: readonly Diagnostic[], source: SourceFile): Diagnostic[] {
  return diagnostics.filter((d) => !(d.code === "E101" && source.text.charCodeAt(d.span.start) === 0xfffd));
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
export { SourceFile, decodeSource } from "./source.js";
export { sourceOf } from "./input.js";
export type { SourceLoader } from "./uses.js";
export { maxNestingDepth, maxDiagnosticsPerFile } from "./limits.js";
export type { Span } from "./source.js";
export * from "./diagnostics.js";
export type { IRNode, IRProgram, SettingsBlock, TopicUse } from "./ir.js";
export type * from "./registry.js";
export { Registry, componentKey } from "./registry.js";
export * from "./types.js";
export type { TypedExpression } from "./typed.js";
export { topicMatches } from "./topic-filter.js";
// The text renderers only: SVG rendering loads Graphviz (WebAssembly) and lives in ./graph/svg.js.
export { toDot } from "./diagram/dot.js";
export { toMermaid } from "./diagram/mermaid.js";
