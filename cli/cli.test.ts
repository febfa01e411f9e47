// Runs bin/flowc.js as a user would: a separate process, the bundle vitest's global setup keeps
// fresh (scripts/vitest-global-setup.mjs), real files, exit codes and output streams.
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckReport } from "./commands/check.js";
import { commands, main } from "./main.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "flowc.js");
const tutorialServer = join(root, "examples", "tutorial", "server.flow");
const tutorialClient = join(root, "examples", "tutorial", "client.flow");

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node bin/flowc.js ...args` without colour settings inherited from the test runner. */
function flowc(args: readonly string[], env: Record<string, string> = {}): Promise<Outcome> {
  const baseEnv: NodeJS.ProcessEnv = { ...process.env };
  delete baseEnv.NO_COLOR;
  delete baseEnv.FORCE_COLOR;
  delete baseEnv.FLOWC_FROM_SOURCE;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...baseEnv, ...env } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(error);
      else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

let folder: string;
let broken: string;
let warnsOnly: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-cli-"));
  broken = join(folder, "broken.flow");
  warnsOnly = join(folder, "warns.flow");
  // `every 2` lacks its unit: error E402 under the `2`.
  await writeFile(broken, "tsl2591 every 2 -> print\n");
  // A constant nobody uses: warning W702, and nothing else.
  await writeFile(warnsOnly, "let unused = 3\ntsl2591 every 2s -> print\n");
});

afterAll(() => rm(folder, { recursive: true, force: true }));

describe("flowc", () => {
  it("prints the package version with --version", async () => {
    const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
    expect(await flowc(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("lists every registered command with --help", async () => {
    const { code, stdout } = await flowc(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: flowc /);
    for (const name of Object.keys(commands)) expect(stdout).toMatch(new RegExp(`^  ${name} `, "m"));
  });

  it.each(Object.keys(commands))("shows help for `%s --help`", async (name) => {
    const { code, stdout } = await flowc([name, "--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: flowc ${name} `));
  });

  it("exits 2 on an unknown option, naming it", async () => {
    const { code, stderr } = await flowc(["check", "--colour", tutorialServer]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--colour'");
  });

  it("exits 2 on an unknown command, suggesting the closest one", async () => {
    const { code, stderr } = await flowc(["chek", tutorialServer]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'chek'");
    expect(stderr).toContain("check");
  });

  it("exits 2 on an option value it does not accept", async () => {
    const { code, stderr } = await flowc(["check", "--format", "xml", tutorialServer]);
    expect(code).toBe(2);
    expect(stderr).toContain("xml");
  });

  /** `flowc <command> <file>` on 2000 lines of `stage`, its output read like `head -c 1` does. */
  async function readingOnlyTheStart(command: string, stage: string) {
    const file = join(folder, `many-${command}.flow`);
    await writeFile(file, Array.from({ length: 2000 }, (_, i) => `sim "s${i}" ${stage}\n`).join(""));
    const child = spawn(process.execPath, [bin, command, file], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    // Take the first chunk, then close the pipe while flowc is still writing.
    child.stdout.once("data", () => child.stdout.destroy());
    const [code] = (await once(child, "close")) as [number];
    return { code, stderr };
  }

  it("ends quietly when the reader of its output stops early, as `flowc graph a.flow | head` does", async () => {
    expect(await readingOnlyTheStart("graph", "every 1s -> print")).toEqual({ code: 0, stderr: "" });
  });

  it("reports every error's exit code when the reader of `flowc check`'s output stops early", async () => {
    // The check script writes to the descriptors itself (cli/io.ts descriptorStreams).
    expect(await readingOnlyTheStart("check", "every 1x -> print")).toEqual({ code: 1, stderr: "" });
  });

  it("finishes its work when the reader of its messages stops early, as `flowc build ... 2>&1 | head -1` does", async () => {
    const out = join(folder, "built");
    const child = spawn(process.execPath, [bin, "build", tutorialServer, "--target", "node", "-o", out], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.resume();
    // The reader is gone before flowc says anything: every line it writes meets a closed pipe.
    child.stderr.destroy();
    const [code] = (await once(child, "close")) as [number];
    expect(code).toBe(0);
    expect(existsSync(join(out, "flow.mjs"))).toBe(true);
  });

  it("exits 2 and shows usage when no command is given", async () => {
    const { code, stderr } = await flowc([]);
    expect(code).toBe(2);
    expect(stderr).toContain("Usage: flowc");
  });
});

describe("flowc check", () => {
  it("passes the tutorial's two files, checked together", async () => {
    expect(await flowc(["check", tutorialClient, tutorialServer])).toEqual({
      code: 0,
      stdout: "ok: 2 files\n",
      stderr: "",
    });
  });

  it("exits 1 and renders each error with its location, source line and caret", async () => {
    const { code, stdout, stderr } = await flowc(["check", broken]);
    expect(code).toBe(1);
    expect(stderr).toBe("");
    expect(stdout).toContain(`${broken}:1:15: error[E402]: `);
    expect(stdout).toContain("  1 | tsl2591 every 2 -> print\n    |               ^\n");
    expect(stdout).toMatch(/\n1 error\n$/);
    expect(stdout).not.toContain("\x1b[");
  });

  it("exits 0 with warnings only, and counts them", async () => {
    const { code, stdout } = await flowc(["check", warnsOnly]);
    expect(code).toBe(0);
    expect(stdout).toContain("warning[W702]");
    expect(stdout).toMatch(/\nok: 1 file, 1 warning\n$/);
  });

  it("counts errors and warnings across files", async () => {
    const { code, stdout } = await flowc(["check", broken, warnsOnly]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/\n1 error, 1 warning\n$/);
  });

  it("prints one JSON report with --format json", async () => {
    const { code, stdout } = await flowc(["check", "--format", "json", broken, warnsOnly]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as CheckReport;
    expect(report).toEqual({
      files: [broken, warnsOnly],
      errors: 1,
      warnings: 1,
      diagnostics: [
        expect.objectContaining({ code: "E402", severity: "error", file: broken, line: 1, column: 15, endLine: 1 }),
        expect.objectContaining({ code: "W702", severity: "warning", file: warnsOnly, line: 1, column: 5 }),
      ],
    });
    for (const diagnostic of report.diagnostics) expect(typeof diagnostic.message).toBe("string");
  });

  it("checks against the target given with --target", async () => {
    const { code, stdout } = await flowc(["check", "--target", "esp8266", tutorialServer]);
    expect(code).toBe(1);
    expect(stdout).toContain("error[E501]");
  });

  it("colours when FORCE_COLOR asks, unless --no-color or NO_COLOR says otherwise", async () => {
    expect((await flowc(["check", broken], { FORCE_COLOR: "1" })).stdout).toContain("\x1b[1;31merror[E402]\x1b[0m");
    expect((await flowc(["check", "--no-color", broken], { FORCE_COLOR: "1" })).stdout).not.toContain("\x1b[");
    expect((await flowc(["check", broken], { FORCE_COLOR: "1", NO_COLOR: "1" })).stdout).not.toContain("\x1b[");
  });

  it("exits 2 with a clear message when a file cannot be read", async () => {
    const missing = join(folder, "missing.flow");
    expect(await flowc(["check", tutorialServer, missing])).toEqual({
      code: 2,
      stdout: "",
      stderr: `flowc check: cannot read ${missing}: no such file\n`,
    });
  });
});

describe("flowc check's code cache", () => {
  it("is one private file per bundle, and a damaged one is replaced without changing the result", async () => {
    const cacheHome = join(folder, "cache");
    const first = await flowc(["check", tutorialServer], { XDG_CACHE_HOME: cacheHome });
    const cacheFolder = join(cacheHome, "flowc");
    const files = await readdir(cacheFolder);
    expect(files).toEqual([expect.stringMatching(/^check\.cjs-.*\.v8cache$/)]);
    expect((await stat(cacheFolder)).mode & 0o777).toBe(0o700);
    expect((await stat(join(cacheFolder, files[0]!))).mode & 0o777).toBe(0o600);

    expect(await flowc(["check", tutorialServer], { XDG_CACHE_HOME: cacheHome })).toEqual(first);
    await writeFile(join(cacheFolder, files[0]!), "not a code cache", { mode: 0o600 });
    expect(await flowc(["check", tutorialServer], { XDG_CACHE_HOME: cacheHome })).toEqual(first);
    expect(await readdir(cacheFolder)).toEqual(files);
    expect((await stat(join(cacheFolder, files[0]!))).size).toBeGreaterThan(1000);
    expect(first).toEqual({ code: 0, stdout: "ok: 1 file\n", stderr: "" });
  });

  it("replaces a cache made by a run that stopped early with the first one that checks files, then keeps it", async () => {
    const cacheHome = join(folder, "cache-early");
    const cacheFolder = join(cacheHome, "flowc");
    const cache = async () => {
      const [file] = await readdir(cacheFolder);
      const path = join(cacheFolder, file!);
      return { kind: (await readFile(path))[0], size: (await stat(path)).size, written: (await stat(path)).mtimeMs };
    };
    expect((await flowc(["check", "--help"], { XDG_CACHE_HOME: cacheHome })).code).toBe(0);
    const early = await cache();
    expect(early.kind).toBe(0);

    expect(await flowc(["check", tutorialServer], { XDG_CACHE_HOME: cacheHome })).toMatchObject({ code: 0 });
    const checked = await cache();
    // The functions a check compiles are in it now.
    expect(checked.kind).toBe(1);
    expect(checked.size).toBeGreaterThan(early.size);

    expect(await flowc(["check", "--help"], { XDG_CACHE_HOME: cacheHome })).toMatchObject({ code: 0 });
    expect(await flowc(["check", tutorialServer], { XDG_CACHE_HOME: cacheHome })).toMatchObject({ code: 0 });
    expect(await cache()).toEqual(checked);
  });

  it("keeps one cache per install, so two installs used in turn do not replace each other's", async () => {
    const cacheHome = join(folder, "cache-installs");
    const otherInstall = join(folder, "other-install");
    await mkdir(join(otherInstall, "bin"), { recursive: true });
    await mkdir(join(otherInstall, "dist"), { recursive: true });
    // What `flowc check` loads; dist/cli.js only has to exist.
    for (const file of ["bin/flowc.js", "bin/code-cache.js", "bin/package.json", "dist/check.cjs", "dist/cli.js"]) {
      await copyFile(join(root, file), join(otherInstall, file));
    }
    const env = { ...process.env, XDG_CACHE_HOME: cacheHome };
    const run = (install: string) =>
      new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [join(install, "bin", "flowc.js"), "check", tutorialServer],
          { env },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        ),
      );
    expect(await run(root)).toBe("ok: 1 file\n");
    expect(await run(otherInstall)).toBe("ok: 1 file\n");
    const caches = await readdir(join(cacheHome, "flowc"));
    expect(caches).toHaveLength(2);
    expect(await run(root)).toBe("ok: 1 file\n");
    expect(await readdir(join(cacheHome, "flowc"))).toEqual(caches);
  });
});

describe("bin/flowc.js without the bundle", () => {
  it("runs the TypeScript sources when FLOWC_FROM_SOURCE=1", async () => {
    expect(await flowc(["check", tutorialServer], { FLOWC_FROM_SOURCE: "1" })).toEqual({
      code: 0,
      stdout: "ok: 1 file\n",
      stderr: "",
    });
  });
});

describe("flowc in-process", () => {
  it("writes every command's output to the streams it is given, not the process's", async () => {
    const written = { stdout: "", stderr: "" };
    const streams = {
      stdout: { write: (text: string | Uint8Array) => (written.stdout += String(text)) },
      stderr: { write: (text: string | Uint8Array) => (written.stderr += String(text)) },
    };
    expect(await main(["check", tutorialServer], streams)).toBe(0);
    expect(await main(["check", join(folder, "absent.flow")], streams)).toBe(2);
    expect(written).toEqual({
      stdout: "ok: 1 file\n",
      stderr: `flowc check: cannot read ${join(folder, "absent.flow")}: no such file\n`,
    });
  });
});

describe("the command registry", () => {
  it.each(Object.entries(commands))("loads `%s` as a command of that name", async (name, load) => {
    const register = await load();
    expect(register(new Command("flowc")).name()).toBe(name);
  });
});
