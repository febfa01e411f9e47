import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { xmlWellFormed } from "../../test/support/diagram-fixtures.js";
import type { GraphFormat } from "../../compiler/diagram/index.js";
import { graphCommand, type GraphCommandOptions } from "./graph.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tutorial = [join(root, "examples/tutorial/client.flow"), join(root, "examples/tutorial/server.flow")];

/** Runs the command in-process with buffers for streams. */
async function graph(files: readonly string[], options: GraphCommandOptions = {}) {
  let stdout = "";
  let stderr = "";
  const code = await graphCommand(files, options, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-graph-"));
});
afterAll(() => rm(folder, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

describe("flowc graph", () => {
  it("prints Mermaid of the whole tutorial system by default", async () => {
    const { code, stdout, stderr } = await graph(tutorial);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/^flowchart LR\n/);
    expect(stdout).toContain('{{"sensor-data"}}:::topic');
  });

  it.each<[string, GraphFormat, RegExp]>([
    ["system.svg", "svg", /^<\?xml/],
    ["system.dot", "dot", /^digraph flow \{/],
    ["system.gv", "dot", /^digraph flow \{/],
    ["system.mmd", "mermaid", /^flowchart LR/],
  ])("writes %s as %s when no --format is given", async (name, _format, start) => {
    const output = join(folder, name);
    const { code, stdout } = await graph(tutorial, { output });
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(await readFile(output, "utf8")).toMatch(start);
  });

  it("writes a PNG for -o system.png, not text under that name", async () => {
    const output = join(folder, "system.png");
    expect(await graph(tutorial, { output })).toEqual({ code: 0, stdout: "", stderr: "" });
    const png = await readFile(output);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // Width and height from the IHDR chunk: the layout at twice its size, not an empty image.
    expect(png.readUInt32BE(16)).toBeGreaterThan(400);
    expect(png.readUInt32BE(20)).toBeGreaterThan(100);
  });

  it("refuses an extension it cannot tell a format from, writing nothing (exit 2)", async () => {
    const output = join(folder, "system.jpg");
    const { code, stderr } = await graph(tutorial, { output });
    expect(code).toBe(2);
    expect(stderr).toBe(
      `flowc graph: cannot tell the picture format from "${output}": name it .svg, .png, .dot, .gv or .mmd, or give --format\n`,
    );
    expect(existsSync(output)).toBe(false);
    expect((await graph(tutorial, { output, format: "dot" })).code).toBe(0);
  });

  it("lets --format win over the file extension", async () => {
    const output = join(folder, "forced.svg");
    expect((await graph(tutorial, { output, format: "dot" })).code).toBe(0);
    expect(await readFile(output, "utf8")).toMatch(/^digraph/);
  });

  it("prints well-formed SVG to standard output", async () => {
    const { code, stdout } = await graph(tutorial, { format: "svg" });
    expect(code).toBe(0);
    expect(xmlWellFormed(stdout)).toBe(true);
  });

  it("exits 1 and renders errors like flowc check, on stderr, drawing nothing", async () => {
    const broken = join(folder, "broken.flow");
    await writeFile(broken, "tsl2591 every 2 -> print\n");
    const output = join(folder, "broken.svg");
    const { code, stdout, stderr } = await graph([broken], { output, color: false });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${broken}:1:15: error[E402]`);
    expect(stderr).toContain("1 | tsl2591 every 2 -> print");
    expect(stderr).toMatch(/1 error: nothing drawn\n$/);
    expect(existsSync(output)).toBe(false);
  });

  it("draws despite warnings, and shows them on stderr", async () => {
    const warns = join(folder, "warns.flow");
    await writeFile(warns, "let unused = 3\ntsl2591 every 2s -> print\n");
    const { code, stdout, stderr } = await graph([warns], { format: "dot", color: false });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^digraph/);
    expect(stderr).toContain("warning[W702]");
  });

  it("exits 2 when a file cannot be read", async () => {
    const { code, stderr } = await graph([join(folder, "missing.flow")]);
    expect(code).toBe(2);
    expect(stderr).toContain("flowc graph: cannot read");
  });

  it("never shows a secret, whether provided through the secrets mechanism or written in a file", async () => {
    const secrets = {
      wifi_essid: "essid-from-secrets-file-5d1",
      wifi_password: "wifi-pass-from-secrets-file-3b7",
      mqtt_host: "10.77.0.1-from-secrets-file",
    };
    await writeFile(join(folder, "secrets.json"), JSON.stringify(secrets));
    vi.stubEnv("FLOWC_SECRET_MQTT_HOST", "10.88.0.2-from-environment");
    vi.stubEnv("FLOWC_SECRET_WIFI_PASSWORD", "wifi-pass-from-environment-9a4");
    vi.stubEnv("MQTT_PASSWORD", "password-from-environment-77e");
    const device = join(folder, "device.flow");
    await writeFile(
      device,
      'device esp8266 {\n  wifi secret("wifi_essid"), secret("wifi_password")\n  broker secret("mqtt_host") port 1883\n}\n' +
        'tsl2591 "lux-1" every 5s -> mqtt "sensor-data"\n',
    );
    const host = join(folder, "host.flow");
    await writeFile(
      host,
      'broker "localhost" port 1883 username "graph-user" password "literal-pass-9f2c" will_message env("MQTT_PASSWORD")\n' +
        'mqtt "sensor-data" -> json as SensorEvent -> print\n',
    );
    const leaks = [...Object.values(secrets), "10.88.0.2", "wifi-pass-from-environment", "password-from-environment"];
    for (const format of ["mermaid", "dot", "svg"] as const) {
      const { code, stdout, stderr } = await graph([device, host], { format });
      expect(code).toBe(0);
      expect(stdout).toContain("‹secret›");
      for (const leak of [...leaks, "literal-pass-9f2c", "graph-user", "wifi_password", "secret("]) {
        expect(stdout + stderr).not.toContain(leak);
      }
    }
  });

  it("runs from bin/flowc.js, registered in the command list", async () => {
    const result = await new Promise<{ code: number; stdout: string }>((resolve, reject) =>
      execFile(
        process.execPath,
        [join(root, "bin/flowc.js"), "graph", ...tutorial, "--format", "dot"],
        { cwd: root },
        (error, stdout) =>
          error && typeof error.code !== "number"
            ? reject(error)
            : resolve({ code: error ? (error.code as number) : 0, stdout }),
      ),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^digraph flow \{/);
    expect(result.stdout).toContain('[label="sensor-data", shape=hexagon');
  });
});
