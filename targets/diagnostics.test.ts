import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCommand } from "../cli/commands/check.js";
import { buildCommand } from "../cli/commands/build.js";
import { compile, micropythonImplementations } from "../test/support/catalogue.js";
import { FlowWorkspace } from "../editors/lsp/workspace.js";
import { targetDiagnostics } from "./diagnostics.js";

const device = 'device esp8266 {\n  wifi secret("ssid"), secret("password")\n  deep_sleep\n}\n';
const sleepy = `${device}sim "s" every 10s -> avg over 10 -> mqtt "t"\nmqtt "cmd" -> print\n`;
/** Twelve sources, each with big windows: far more than the board's 38 KB. */
const huge =
  'device esp8266 {\n  wifi "lab", "pw"\n}\n' +
  Array.from(
    { length: 12 },
    (_, i) => `sim "s${i}" every ${i + 1}s -> moving_avg 200 -> median over 200 -> mqtt "t${i}"\n`,
  ).join("");

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-target-diagnostics-"));
  await writeFile(join(folder, "sleepy.flow"), sleepy);
  await writeFile(join(folder, "huge.flow"), huge);
});
afterAll(() => rm(folder, { recursive: true, force: true }));

async function check(file: string, target?: "esp8266") {
  let stdout = "";
  const code = await checkCommand([join(folder, file)], target ? { target } : {}, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: () => true },
  });
  return { code, stdout };
}

describe("check tells everything build knows", () => {
  it("gives the device caveats without secrets, as build does with them", () => {
    const { programs, sources } = compile([{ path: "sleepy.flow", text: sleepy }]);
    expect(
      targetDiagnostics(programs, sources, { micropython: micropythonImplementations }).map((d) => [d.code, d.message]),
    ).toEqual([
      [
        "W704",
        "a board in deep sleep receives no MQTT messages: subscriptions only see what arrives while it is awake",
      ],
    ]);
  });

  it("has nothing to add for host flows", () => {
    const { programs, sources } = compile([{ path: "host.flow", text: "sim every 1s -> avg over 10 -> print\n" }]);
    expect(targetDiagnostics(programs, sources, { micropython: micropythonImplementations })).toEqual([]);
  });

  it("reports W704 from flowc check, with or without --target", async () => {
    for (const target of [undefined, "esp8266"] as const) {
      const { code, stdout } = await check("sleepy.flow", target);
      expect(code).toBe(0);
      expect(stdout).toContain("sleepy.flow:3:3: warning[W704]: a board in deep sleep receives no MQTT messages");
      expect(stdout.trim().split("\n").at(-1)).toBe("ok: 1 file, 1 warning");
    }
  });

  it("makes a flow that can never fit the heap an error, in check and in build", async () => {
    const checked = await check("huge.flow");
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(
      /huge\.flow:4:1: error\[E503\]: this flow needs about \d+ KB of heap, more than the 30 KB an ESP8266 leaves a program once WiFi is up: it can never run/,
    );
    let stderr = "";
    const built = await buildCommand(
      [join(folder, "huge.flow")],
      { target: "esp8266", out: join(folder, "out") },
      { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) } },
    );
    expect(built).toBe(1);
    expect(stderr).toContain("error[E503]");
  });

  it("publishes the same diagnostics in the language server", () => {
    const workspace = new FlowWorkspace();
    workspace.set(TextDocument.create("file:///w/sleepy.flow", "flowc", 1, sleepy));
    workspace.set(TextDocument.create("file:///w/huge.flow", "flowc", 1, huge));
    const diagnostics = workspace.diagnostics();
    expect(diagnostics.get("file:///w/sleepy.flow")!.map((d) => d.code)).toContain("W704");
    expect(diagnostics.get("file:///w/huge.flow")!.map((d) => [d.code, d.severity])).toContainEqual(["E503", 1]);
  });
});
