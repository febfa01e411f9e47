/**
 * `flowc lsp`: the language server. It speaks LSP over a pair of streams (stdin/stdout when run by
 * an editor), keeps the open `.flow` documents in full-text sync, and answers from
 * {@link FlowWorkspace}: diagnostics after every change (of all open documents, since a change in
 * one file can fix or break a topic shared with another), hovers and completion.
 */
import {
  createConnection,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import packageJson from "../../package.json" with { type: "json" };
import { loadUsedFile } from "../../shared/used-files.js";
import { FlowWorkspace, type WorkspaceOptions } from "./workspace.js";

/**
 * Starts a language server on `input`/`output` and returns its connection. The process exits when
 * the client sends `exit` (code 0 after `shutdown`, 1 without), as the protocol asks, or when
 * `input` ends because the client went away.
 *
 * @example
 * startLanguageServer(process.stdin, process.stdout);
 */
export function startLanguageServer(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  options: WorkspaceOptions = {},
): Connection {
  if (output === process.stdout) {
    // Anything on stdout that is not a protocol message breaks the client: stray console output
    // from any module goes to stderr, which editors show in their log.
    for (const method of ["log", "info", "debug"] as const) console[method] = console.error;
  }
  const connection = createConnection(input, output);
  const documents = new TextDocuments(TextDocument);
  const workspace = new FlowWorkspace({ readFile: loadUsedFile, ...options });

  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Full,
      hoverProvider: true,
      completionProvider: { triggerCharacters: [">", ".", "["] },
    },
    serverInfo: { name: "flowc", version: packageJson.version },
  }));

  const publishAll = () => {
    for (const [uri, diagnostics] of workspace.diagnostics()) {
      void connection.sendDiagnostics({ uri, version: documents.get(uri)?.version, diagnostics });
    }
  };

  documents.onDidChangeContent((event) => {
    workspace.set(event.document);
    publishAll();
  });
  documents.onDidClose((event) => {
    workspace.delete(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
    publishAll();
  });

  connection.onHover((params) => workspace.hover(params.textDocument.uri, params.position));
  connection.onCompletion((params) => workspace.completion(params.textDocument.uri, params.position));

  documents.listen(connection);
  connection.listen();
  return connection;
}
