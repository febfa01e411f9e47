/**
 * Runs the flowc language server on standard input and output. `flowc lsp` does the same through
 * the CLI; this entry point lets tests and editor setups start the server from the TypeScript
 * sources (`node --import tsx editors/lsp/stdio.ts`) without a build.
 */
import { startLanguageServer } from "./server.js";

startLanguageServer(process.stdin, process.stdout);
