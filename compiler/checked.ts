/**
 * Stage 4 output: the checked AST. Every invocation is bound to its declaration with validated
 * parameters and known input and output types; names are resolved. {@link ./lower.ts} flattens it
 * into the IR graph.
 */
import type { SettingsBlock } from "./ir.js";
import type { ComponentDeclaration, ParamValue, Target } from "./registry.js";
import type { Span } from "./source.js";
import type { FlowType, RecordType } from "./types.js";
import type { TypedExpression } from "./typed.js";

export interface CheckedStage {
  readonly declaration: ComponentDeclaration;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly input?: FlowType | undefined;
  readonly output?: FlowType | undefined;
  /** Names of `let` streams this stage reads besides its input (`merge`, `sample`). */
  readonly streams: readonly string[];
  readonly label: string;
  readonly span: Span;
}

export type CheckedStep =
  | { readonly kind: "stage"; readonly stage: CheckedStage }
  | { readonly kind: "fanout"; readonly branches: readonly (readonly CheckedStep[])[]; readonly span: Span };

export interface CheckedPipeline {
  /** A new source, or the named stream the pipeline continues. */
  readonly head:
    | { readonly kind: "source"; readonly stage: CheckedStage }
    | { readonly kind: "stream"; readonly name: string; readonly span: Span };
  readonly steps: readonly CheckedStep[];
  /** The `let` name bound to this pipeline's output. */
  readonly binds?: string;
  readonly span: Span;
}

/** A type the checker inferred at a place in the source, for editor hovers. */
export interface TypeAnnotation {
  readonly span: Span;
  readonly type: FlowType;
  readonly description: string;
}

export interface CheckedProgram {
  readonly file: string;
  readonly target?: Target;
  readonly schemas: readonly RecordType[];
  /** The schemas a file that uses this one gets: those declared here and those used here. */
  readonly exportedSchemas: ReadonlyMap<string, ImportedSchema>;
  readonly constants: ReadonlyMap<string, TypedExpression>;
  readonly pipelines: readonly CheckedPipeline[];
  readonly broker?: SettingsBlock;
  readonly device?: SettingsBlock;
  readonly annotations: readonly TypeAnnotation[];
  /** The first sink writing each file, with what it writes there (checked across files: E411). */
  readonly written: readonly WrittenResource[];
}

/** What one sink writes into one resource, and where: `csv "out.csv"` writing `ts,val`. */
export interface WrittenResource {
  /** The resource as the sink names it, relative to its file's folder (`out.csv (daily)`). */
  readonly resource: string;
  /** What it writes there: a CSV header. */
  readonly shape: string;
  readonly span: Span;
  /** The sink and its resource, for messages: `csv out.csv`. */
  readonly what: string;
}

/** A schema declared in another file and brought in by `use`. */
export interface ImportedSchema {
  readonly type: RecordType;
  /** The schema's name in the file that declares it. */
  readonly declaredAt: Span;
}
