/**
 * `flowc lsp` in a real client session: the CLI started as a child process, LSP over its stdin and
 * stdout through vscode-languageserver-protocol's stream reader and writer, as an editor does.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import {
  CompletionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
  type CompletionItem,
  type MarkupContent,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from "vscode-languageserver-protocol/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** A secret the server could only show by reading the environment, which it must never do. */
const secretValue = "correct-horse-battery-staple";

let server: ChildProcessWithoutNullStreams;
let connection: ProtocolConnection;
let output = "";
const published: PublishDiagnosticsParams[] = [];
const waiting: { uri: string; resolve: (params: PublishDiagnosticsParams) => void }[] = [];

/** The next diagnostics the server publishes for `uri` (sent after the call). */
function nextDiagnostics(uri: string): Promise<PublishDiagnosticsParams> {
  return new Promise((resolve) => waiting.push({ uri, resolve }));
}

let version = 0;
async function openDocument(uri: string, text: string): Promise<void> {
  await connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "flowc", version: ++version, text },
  });
}

beforeAll(async () => {
  // From source, so the test covers the command as registered in cli/main.ts without a build.
  server = spawn(process.execPath, ["bin/flowc.js", "lsp", "--stdio"], {
    cwd: root,
    env: { ...process.env, FLOWC_FROM_SOURCE: "1", FLOWC_SECRET_WIFI_PASSWORD: secretValue },
  });
  server.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  server.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    published.push(params);
    const index = waiting.findIndex((waiter) => waiter.uri === params.uri);
    if (index >= 0) waiting.splice(index, 1)[0]!.resolve(params);
  });
  connection.listen();
});

afterAll(() => {
  connection?.dispose();
  if (server && server.exitCode === null) server.kill();
});

describe("flowc lsp over stdio", () => {
  it("initializes with full-text sync, hovers and completion", async () => {
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
    });
    expect(result.serverInfo?.name).toBe("flowc");
    expect(result.capabilities).toMatchObject({
      textDocumentSync: TextDocumentSyncKind.Full,
      hoverProvider: true,
      completionProvider: {},
    });
    await connection.sendNotification(InitializedNotification.type, {});
  });

  it("publishes a diagnostic with the compiler's code and range for a file with an error", async () => {
    const uri = "file:///work/client.flow";
    const diagnostics = nextDiagnostics(uri);
    await openDocument(
      uri,
      'device esp8266 {\n  wifi secret("wifi_essid"), secret("wifi_password")\n}\ntsl2591 "lux-1" every 2 -> print',
    );
    const params = await diagnostics;
    expect(params.diagnostics).toEqual([
      expect.objectContaining({
        code: "E402",
        severity: 1,
        source: "flowc",
        range: { start: { line: 3, character: 22 }, end: { line: 3, character: 23 } },
      }),
    ]);
  });

  it("publishes again as the document changes, clearing fixed errors", async () => {
    const uri = "file:///work/client.flow";
    const diagnostics = nextDiagnostics(uri);
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: ++version },
      contentChanges: [
        {
          text: 'device esp8266 {\n  wifi secret("wifi_essid"), secret("wifi_password")\n}\ntsl2591 "lux-1" every 2s -> print',
        },
      ],
    });
    expect((await diagnostics).diagnostics).toEqual([]);
  });

  it("shows the event type of a stage on hover", async () => {
    const uri = "file:///work/server.flow";
    const text = 'mqtt "sensor-data" -> json as SensorEvent -> print';
    const diagnostics = nextDiagnostics(uri);
    await openDocument(uri, text);
    await diagnostics;
    const hover = await connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: { line: 0, character: text.indexOf("json") + 1 },
    });
    expect((hover?.contents as MarkupContent).value).toContain("**json** (operator) — emits `SensorEvent`");
    expect(hover?.range).toEqual({
      start: { line: 0, character: text.indexOf("json") },
      end: { line: 0, character: text.indexOf("json") + 4 },
    });
  });

  it("completes operators and sinks after `->`", async () => {
    const uri = "file:///work/pipeline.flow";
    const text = 'mqtt "sensor-data" -> ';
    const diagnostics = nextDiagnostics(uri);
    await openDocument(uri, text);
    await diagnostics;
    const completion = await connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri },
      position: { line: 0, character: text.length },
    });
    const items = (Array.isArray(completion) ? completion : (completion?.items ?? [])) as CompletionItem[];
    const labels = items.map((item) => item.label);
    expect(labels).toContain("filter");
    expect(labels).toContain("csv");
    expect(labels).not.toContain("tsl2591");
  });

  it("checks the open documents together: a topic whose schemas disagree is an error in the subscriber", async () => {
    const serverUri = "file:///work/server.flow";
    // Closing the broken document lets the topic checks run: nothing open publishes the topic yet.
    const afterClose = nextDiagnostics(serverUri);
    await connection.sendNotification(DidCloseTextDocumentNotification.type, {
      textDocument: { uri: "file:///work/pipeline.flow" },
    });
    expect((await afterClose).diagnostics.map((d) => d.code)).toEqual(["W602"]);

    const uri = "file:///work/accel.flow";
    const afterOpen = nextDiagnostics(serverUri);
    await openDocument(uri, 'adxl345 "door" every 1s -> mqtt "sensor-data"');
    const params = await afterOpen;
    expect(params.diagnostics.map((d) => d.code)).toEqual(["E601"]);
    expect(params.diagnostics[0]!.relatedInformation?.[0]?.location.uri).toBe(uri);
  });

  it("shuts down and exits with status 0, never having shown the secret", async () => {
    await connection.sendRequest(ShutdownRequest.type);
    const exited = once(server, "exit");
    await connection.sendNotification(ExitNotification.type);
    const [code] = await exited;
    expect(code).toBe(0);
    expect(published.length).toBeGreaterThan(0);
    expect(output).not.toContain(secretValue);
  });
});
