import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildCommand, type BuildCommandOptions } from "./build.js";
import { readRomfs } from "../../targets/esp8266/romfs.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tutorial = join(root, "examples", "tutorial");

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-build-"));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(folder, { recursive: true, force: true });
});

async function build(files: readonly string[], options: BuildCommandOptions) {
  let stderr = "";
  const code = await buildCommand(files, options, {
    stdout: { write: () => true },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stderr };
}

describe("flowc build", () => {
  it("writes the tutorial client's ESP8266 bundle precompiled, secrets in config.py only", async () => {
    const out = join(folder, "board");
    const { code, stderr } = await build([join(tutorial, "client.flow")], {
      target: "esp8266",
      out,
      secrets: join(tutorial, "secrets.example.json"),
    });
    expect(stderr).toContain("flowc build: 8 files");
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      "README.txt",
      "config.py",
      "flow.mpy",
      "flow.romfs",
      "flowmap.json",
      "main.py",
      "manifest.json",
      "tsl2591.mpy",
    ]);
    expect(await readFile(join(out, "config.py"), "utf8")).toContain('WIFI_PASSWORD = "my_wifi_password"');
    // mpy v6 for a 31-bit small int (the ESP8266's), which MicroPython 1.19 and later load.
    for (const mpy of ["flow.mpy", "tsl2591.mpy"]) {
      const bytes = await readFile(join(out, mpy));
      expect([...bytes.subarray(0, 4)]).toEqual([0x4d, 6, 0, 31]);
      expect(bytes.includes("my_wifi_password")).toBe(false);
    }
    const launcher = (await readFile(join(out, "main.py"), "utf8")).split("\n").filter(Boolean);
    expect(launcher.length).toBeLessThanOrEqual(4);
    expect(launcher).toContain("from flow import setup, step, stop, idle, run");
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as { micropython: string };
    expect(manifest.micropython).toBe("1.19");
    const readme = await readFile(join(out, "README.txt"), "utf8");
    expect(readme).toContain("flow.mpy");
    expect(readme).toContain("mpremote romfs deploy flow.romfs && mpremote cp main.py config.py :");
    // The image holds the bytecode as built, and the marker that tells flowc deploy it is its own.
    const image = readRomfs(await readFile(join(out, "flow.romfs")))!;
    expect([...image.keys()]).toEqual(["flow.mpy", "flowc-deploy.json", "tsl2591.mpy"]);
    for (const mpy of ["flow.mpy", "tsl2591.mpy"])
      expect(Buffer.from(image.get(mpy)!)).toEqual(await readFile(join(out, mpy)));
  });

  it("writes readable .py with --py", async () => {
    const out = join(folder, "board");
    const secrets = join(tutorial, "secrets.example.json");
    const { code } = await build([join(tutorial, "client.flow")], { target: "esp8266", out, secrets, py: true });
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual([
      "README.txt",
      "config.py",
      "flow.py",
      "flowmap.json",
      "main.py",
      "manifest.json",
      "tsl2591.py",
    ]);
    expect(await readFile(join(out, "flow.py"), "utf8")).toContain("def setup():");
    expect(await readFile(join(out, "README.txt"), "utf8")).not.toContain("ROMFS");
    const manifest = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as { micropython?: string };
    expect(manifest.micropython).toBeUndefined();
  });

  it("warns when the bundle, WiFi password included, lands in a git work tree without being ignored", async () => {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: folder, stdio: "ignore" });
    git("init", "-q");
    const secrets = join(tutorial, "secrets.example.json");
    const client = join(tutorial, "client.flow");
    const warning = "is inside a git work tree and not ignored";
    expect((await build([client], { target: "esp8266", out: join(folder, "board"), secrets })).stderr).toContain(
      warning,
    );
    await writeFile(join(folder, ".gitignore"), "board/\n");
    expect((await build([client], { target: "esp8266", out: join(folder, "board"), secrets })).stderr).not.toContain(
      warning,
    );
    // Outside any work tree (the temporary folder's parent is not one), nothing to say.
    await rm(join(folder, ".git"), { recursive: true });
    expect((await build([client], { target: "esp8266", out: join(folder, "other"), secrets })).stderr).not.toContain(
      warning,
    );
  });

  it("reports every missing secret and writes nothing", async () => {
    const out = join(folder, "board");
    const { code, stderr } = await build([join(tutorial, "client.flow")], { target: "esp8266", out });
    expect(code).toBe(1);
    expect(stderr.match(/error\[E502\]/g)).toHaveLength(3);
    await expect(readdir(out)).rejects.toThrow();
  });

  it("refuses components the board cannot run, with a hint", async () => {
    const file = join(folder, "logger.flow");
    await writeFile(file, 'device esp8266 {\n  wifi "a", "b"\n}\nsim every 1s -> csv "x.csv"\n');
    const { code, stderr } = await build([file], { target: "esp8266", out: join(folder, "out") });
    expect(code).toBe(1);
    expect(stderr).toContain("logger.flow:4:17: error[E501]: `csv` is not available on esp8266");
    expect(stderr).toContain("write the CSV on the host");
  });

  it("takes secrets as key=value lines, and from FLOWC_SECRET_<KEY> variables", async () => {
    const secrets = join(folder, "secrets.env");
    await writeFile(secrets, "wifi_essid=lab\nwifi_password = p=w\"'\n");
    vi.stubEnv("FLOWC_SECRET_MQTT_HOST", "10.0.0.5");
    const out = join(folder, "board");
    const { code } = await build([join(tutorial, "client.flow")], { target: "esp8266", out, secrets });
    expect(code).toBe(0);
    const config = await readFile(join(out, "config.py"), "utf8");
    expect(config).toContain('WIFI_ESSID = "lab"');
    expect(config).toContain('WIFI_PASSWORD = "p=w\\"\'"');
    expect(config).toContain('MQTT_HOST = "10.0.0.5"');
  });

  it("refuses every host-only component at once, each with its hint", async () => {
    const file = join(folder, "host-only.flow");
    await writeFile(file, 'sim every 1s -> dedupe -> jsonl "x.jsonl"\ncsv "in.csv" -> print\n');
    const { code, stderr } = await build([file], { target: "esp8266", out: join(folder, "out") });
    expect(code).toBe(1);
    expect(stderr.match(/error\[E501\]: `(\w+)`/g)).toEqual([
      "error[E501]: `dedupe`",
      "error[E501]: `jsonl`",
      "error[E501]: `csv`",
    ]);
    expect(stderr.match(/= hint: /g)).toHaveLength(3);
  });

  it("builds several device flows into a folder each, printing warnings but succeeding", async () => {
    const out = join(folder, "boards");
    const { code, stderr } = await build(
      [join(tutorial, "client.flow"), join(root, "examples", "threshold-alerts", "alerts.flow")],
      { target: "esp8266", out, secrets: join(tutorial, "secrets.example.json") },
    );
    expect(code).toBe(0);
    expect(stderr).toContain("warning[W704]: no `wifi` setting");
    expect((await readdir(out)).sort()).toEqual(["alerts", "client"]);
    expect((await readdir(join(out, "alerts"))).sort()).toEqual([
      "README.txt",
      "config.py",
      "flow.mpy",
      "flow.romfs",
      "flowmap.json",
      "main.py",
      "manifest.json",
    ]);
  });

  it("writes a Node module with the runtime bundled in, and its package.json without dependencies", async () => {
    const out = join(folder, "server");
    const { code } = await build([join(tutorial, "server.flow")], { target: "node", out });
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(["flow.mjs", "package.json"]);
    const module = await readFile(join(out, "flow.mjs"), "utf8");
    expect(module).toContain("function runProgram(");
    expect(module).not.toContain('from "flowc/runtime"');
    expect(JSON.parse(await readFile(join(out, "package.json"), "utf8"))).not.toHaveProperty("dependencies");
  });
});
