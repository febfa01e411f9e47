/**
 * The flowc VS Code extension: highlighting comes from the contributed TextMate grammar; everything
 * that needs the compiler (diagnostics, hovers, completion) comes from `flowc lsp`, which this
 * starts over stdio. The extension holds no language knowledge of its own, so it never disagrees
 * with the compiler the project uses.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { LanguageClient, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

/**
 * The `flowc` to run: the `flowc.server.command` setting, else the workspace's own
 * `node_modules/.bin/flowc` (the version the project pins), else `flowc` on the PATH.
 */
function serverCommand(): string {
  const configured = vscode.workspace.getConfiguration("flowc").get<string>("server.command")?.trim();
  if (configured) return configured;
  const executable = process.platform === "win32" ? "flowc.cmd" : "flowc";
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const local = join(folder.uri.fsPath, "node_modules", ".bin", executable);
    if (existsSync(local)) return local;
  }
  return executable;
}

async function startClient(): Promise<void> {
  const serverOptions: ServerOptions = {
    command: serverCommand(),
    args: ["lsp"],
    // npm's `.cmd` shims only run through a shell on Windows.
    options: { shell: process.platform === "win32" },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: "flowc" }],
  };
  client = new LanguageClient("flowc", "flowc language server", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `Could not start \`${serverOptions.command} lsp\` (${reason}). Install flowc in the workspace ` +
        "(npm install flowc) or set flowc.server.command.",
    );
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("flowc.restartServer", async () => {
      await client?.stop();
      await startClient();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("flowc.server.command")) {
        await vscode.commands.executeCommand("flowc.restartServer");
      }
    }),
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
