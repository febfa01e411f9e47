/**
 * The language features of `flowc lsp`, without any I/O: the open documents, compiled together so
 * the cross-file topic checks run, and diagnostics, hovers and completions computed from the
 * compiler's results. server.ts connects this to a client; tests call it directly.
 */
import { fileURLToPath } from "node:url";
import {
  DiagnosticSeverity,
  MarkupKind,
  type CompletionItem,
  type Diagnostic as LspDiagnostic,
  type Hover,
  type Position,
} from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import {
  compile,
  decodeSource,
  type CompileInput,
  type CompileResult,
  type SourceLoader,
} from "../../compiler/index.js";
import { registry as defaultRegistry } from "../../components/declarations.js";
import { micropythonImplementations } from "../../components/micropython.js";
import type { Diagnostic } from "../../compiler/diagnostics.js";
import type { Registry } from "../../compiler/registry.js";
import type { Span } from "../../compiler/source.js";
import { targetDiagnostics } from "../../targets/diagnostics.js";
import { completionsAt } from "./completion.js";
import { hoverAt } from "./hover.js";

export interface WorkspaceOptions {
  /** The components to check against; default: every component in components/. */
  readonly registry?: Registry;
  /**
   * Reads a file from disk: one a `use` names that is not open, or an open document whose text
   * has U+FFFD, to tell a file that is not UTF-8 from a real U+FFFD. Default: nothing is read.
   */
  readonly readFile?: SourceLoader;
}

/** One compile of every open document. */
interface Analysis {
  readonly result: CompileResult;
  /** The compiler's diagnostics and the targets' (as `flowc check` reports them). */
  readonly diagnostics: readonly Diagnostic[];
  /** Input index of each document, by URI. */
  readonly indexOf: ReadonlyMap<string, number>;
  /** The URI of each compiled path, to map diagnostics back. */
  readonly uriOf: ReadonlyMap<string, string>;
}

/** The path a document is compiled under: its file path when it has one, else its URI. */
export function pathOf(uri: string): string {
  return uri.startsWith("file:") ? fileURLToPath(uri) : uri;
}

/**
 * The open `.flow` documents and what the compiler says about them.
 *
 * @example
 * const workspace = new FlowWorkspace();
 * workspace.set(TextDocument.create("file:///a.flow", "flowc", 1, "tsl2591 every 2 -> print"));
 * workspace.diagnostics().get("file:///a.flow"); // [{ code: "E402", range: ..., message: ... }]
 */
export class FlowWorkspace {
  private readonly documents = new Map<string, TextDocument>();
  private analysis: Analysis | undefined;
  readonly registry: Registry;
  private readonly readFile: SourceLoader | undefined;

  constructor(options: WorkspaceOptions = {}) {
    this.registry = options.registry ?? defaultRegistry();
    this.readFile = options.readFile;
  }

  /** Opens a document or replaces its text. */
  set(document: TextDocument): void {
    this.documents.set(document.uri, document);
    this.analysis = undefined;
  }

  delete(uri: string): void {
    if (this.documents.delete(uri)) this.analysis = undefined;
  }

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri);
  }

  /** The URIs of the open documents. */
  uris(): string[] {
    return [...this.documents.keys()];
  }

  /**
   * Diagnostics for every open document (an empty list for a clean one, so stale squiggles go),
   * with the compiler's code, severity and hint.
   */
  diagnostics(): Map<string, LspDiagnostic[]> {
    const { diagnostics, uriOf } = this.analyze();
    const byUri = new Map<string, LspDiagnostic[]>(this.uris().map((uri) => [uri, []]));
    for (const diagnostic of diagnostics) {
      const uri = uriOf.get(diagnostic.span.file);
      const document = uri ? this.documents.get(uri) : undefined;
      if (!uri || !document) continue;
      byUri.get(uri)!.push(this.toLsp(diagnostic, document, uriOf));
    }
    return byUri;
  }

  /** The hover at a position: a type, a component's or option's documentation, a signature. */
  hover(uri: string, position: Position): Hover | null {
    const document = this.documents.get(uri);
    const { result, indexOf } = this.analyze();
    const index = indexOf.get(uri);
    if (!document || index === undefined) return null;
    const found = hoverAt(
      { ast: result.asts[index]!, checked: result.checked[index]!, registry: this.registry },
      document.offsetAt(position),
    );
    if (!found) return null;
    return {
      contents: { kind: MarkupKind.Markdown, value: found.markdown },
      range: this.range(document, found.span),
    };
  }

  /** Completions at a position, from the text before it and the types the compiler infers. */
  completion(uri: string, position: Position): CompletionItem[] {
    const document = this.documents.get(uri);
    const { result, indexOf } = this.analyze();
    const index = indexOf.get(uri);
    if (!document || index === undefined) return [];
    return completionsAt({
      text: document.getText(),
      offset: document.offsetAt(position),
      path: pathOf(uri),
      ast: result.asts[index]!,
      registry: this.registry,
    });
  }

  private analyze(): Analysis {
    if (this.analysis) return this.analysis;
    const uris = this.uris();
    const inputs = uris.map((uri) => this.inputOf(pathOf(uri), this.documents.get(uri)!.getText()));
    const result = compile(inputs, { registry: this.registry, ...(this.readFile ? { load: this.readFile } : {}) });
    this.analysis = {
      result,
      diagnostics: [
        ...result.diagnostics,
        ...targetDiagnostics(result.programs, result.sources, { micropython: micropythonImplementations }),
      ],
      indexOf: new Map(uris.map((uri, index) => [uri, index])),
      uriOf: new Map(uris.map((uri, index) => [inputs[index]!.path, uri])),
    };
    return this.analysis;
  }

  /**
   * An open document as the compiler gets it. Editors show bytes that are not UTF-8 as U+FFFD;
   * when the file on disk decodes to the very same text, the compiler gets its bytes, so it
   * reports where the file stops being UTF-8 (E105) as `flowc check` does.
   */
  private inputOf(path: string, text: string): CompileInput {
    if (!this.readFile || !text.includes("\uFFFD")) return { path, text };
    const onDisk = this.readFile(path);
    if (onDisk instanceof Uint8Array && decodeSource(onDisk).text === text) return { path, bytes: onDisk };
    return { path, text };
  }

  private range(document: TextDocument, span: Span) {
    return { start: document.positionAt(span.start), end: document.positionAt(span.end) };
  }

  private toLsp(diagnostic: Diagnostic, document: TextDocument, uriOf: ReadonlyMap<string, string>): LspDiagnostic {
    const related = (diagnostic.related ?? []).flatMap((info) => {
      const uri = uriOf.get(info.span.file);
      const other = uri ? this.documents.get(uri) : undefined;
      return uri && other ? [{ location: { uri, range: this.range(other, info.span) }, message: info.message }] : [];
    });
    return {
      range: this.range(document, diagnostic.span),
      severity: diagnostic.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      code: diagnostic.code,
      source: "flowc",
      message: diagnostic.hint ? `${diagnostic.message}\nhint: ${diagnostic.hint}` : diagnostic.message,
      ...(related.length > 0 ? { relatedInformation: related } : {}),
    };
  }
}
