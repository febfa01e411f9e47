/**
 * `flowc lsp`: runs the language server over stdin/stdout for editors (the VS Code extension in
 * editors/vscode starts it). It compiles the open `.flow` documents together as they change and
 * answers with diagnostics, hovers and completion; see editors/lsp/server.ts.
 */
import type { Command } from "commander";

/**
 * Adds `lsp` to the `flowc` command line.
 *
 * @example
 * registerLspCommand(new Command("flowc"));
 */
export function registerLspCommand(program: Command): Command {
  return (
    program
      .command("lsp")
      .description("run the language server (LSP over stdin/stdout) for editors")
      // Language clients may pass the transport they expect; stdio is the only one and the default.
      .option("--stdio", "talk LSP over stdin and stdout (the default)")
      .action(async () => {
        // Loaded here so other commands never load the language server library.
        const { startLanguageServer } = await import("../../editors/lsp/server.js");
        // The server keeps the process alive while the client is connected and ends it on `exit`.
        startLanguageServer(process.stdin, process.stdout);
      })
  );
}
