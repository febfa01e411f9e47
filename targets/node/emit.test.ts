import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IRProgram } from "../../compiler/ir.js";
import { bundleNodeModule } from "./bundle.js";
import { emitNodeModule } from "./emit.js";
import { flowString } from "../../test/support/flow-string.js";
import { compile } from "../../test/support/catalogue.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

function programsOf(files: Record<string, string>): IRProgram[] {
  const result = compile(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    { target: "node" },
  );
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.programs;
}

/**
 * The IR a module carries, read back by evaluating the module's own `JSON.parse(...)` expression
 * (string literal and reviver) as JavaScript would.
 */
function embeddedPrograms(module: string): unknown {
  const expression = /^const programs = (JSON\.parse\([\s\S]*?\n\));$/m.exec(module)?.[1];
  expect(expression).toBeDefined();
  return new Function(`return ${expression!};`)() as unknown;
}

/**
 * Whether V8 parses `module` as an ES module. Importing it from a data: URL parses it and then
 * fails to link, since `flowc/runtime` cannot be resolved from there; so the module never runs,
 * and the error says which of the two went wrong.
 */
async function parsesAsModule(module: string): Promise<boolean> {
  const url = `data:text/javascript;base64,${Buffer.from(module).toString("base64")}`;
  const error = await import(/* @vite-ignore */ url).then(
    () => undefined,
    (error: unknown) => error as NodeJS.ErrnoException,
  );
  if (error instanceof SyntaxError) return false;
  expect(error?.code).toBe("ERR_UNSUPPORTED_RESOLVE_REQUEST");
  return true;
}

/** Strings made to break out of JavaScript strings, templates, comments and HTML. */
const hostile = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '"',
          "'",
          "`",
          "\\",
          "\n",
          "\r",
          "\0",
          "\u2028",
          "\u2029",
          "${process.exit(9)}",
          "</script>",
          "*/",
          "//",
          "\ud800",
        ),
        fc.string({ maxLength: 4 }),
      ),
      { maxLength: 8 },
    )
    .map((parts) => parts.join("")),
);

describe("emitNodeModule", () => {
  it("writes flow.mjs and a package.json without dependencies", () => {
    const files = emitNodeModule(programsOf({ "server.flow": 'mqtt "t" -> json as SensorEvent -> print\n' }), {
      flowcVersion: "1.2.3",
    });
    expect(files.map((file) => file.path)).toEqual(["flow.mjs", "package.json"]);
    const packageJson = JSON.parse(files[1]!.contents);
    expect(packageJson).toEqual({
      name: "server",
      private: true,
      type: "module",
      description: "server.flow built by flowc for Node",
      scripts: { start: "node flow.mjs" },
      engines: { node: ">=20" },
    });
    expect(files[0]!.contents).toContain("// Built by flowc 1.2.3 from");
    expect(files[0]!.contents).toContain('from "flowc/runtime"');
    expect(files[0]!.contents).not.toContain("compiler");
  });

  it("names the flowc that built it when no version is given", async () => {
    const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
    const [module] = emitNodeModule(programsOf({ "a.flow": 'mqtt "t" -> print\n' }));
    expect(module!.contents).toContain(`// Built by flowc ${version} from "a.flow"`);
  });

  // An overflowing literal (`1e999`) no longer gets this far: the checker refuses it (E405).
  it("keeps numbers JSON cannot write: negative zero", () => {
    const programs = programsOf({ "a.flow": "sim every 1s -> map val * 2 -> calibrate offset -0 -> print\n" });
    const [module] = emitNodeModule(programs);
    const embedded = embeddedPrograms(module!.contents) as IRProgram[];
    expect(embedded).toEqual(programs);
    expect(Object.is((embedded[0]!.nodes[2]!.params.offset as { value: number }).value, -0)).toBe(true);
  });

  it("keeps a file name that holds a line separator inside the header comment", async () => {
    const programs = programsOf({ "x\u2028globalThis.pwned = 1; //.flow": 'mqtt "t" -> print\n' });
    const [module] = emitNodeModule(programs);
    expect(module!.contents).not.toMatch(/[\u2028\u2029]/);
    expect(module!.contents).toContain("x\\u2028globalThis.pwned");
    expect(await parsesAsModule(module!.contents)).toBe(true);
  });

  it("embeds any topic, sensor id, label and file name unchanged and always emits a valid module", async () => {
    let compiled = 0;
    await fc.assert(
      fc.asyncProperty(hostile, hostile, hostile, hostile, hostile, async (topic, id, label, csvFile, flowFile) => {
        const publishTo = topic.replace(/[+#\0]/g, "_") || "t";
        const text =
          `sim ${flowString(id, true)} every 1s -> [print ${flowString(label, true)}, mqtt ${flowString(publishTo, true)}]\n` +
          `mqtt ${flowString(publishTo, true)} -> json as SensorEvent -> csv ${flowString(csvFile, true)}\n`;
        const result = compile([{ path: `${flowFile}.flow`, text }], { target: "node" });
        fc.pre(result.programs.length === 1 && !result.diagnostics.some((d) => d.severity === "error"));
        compiled++;
        const [module, manifest] = emitNodeModule(result.programs);
        expect(await parsesAsModule(module!.contents)).toBe(true);
        expect(JSON.parse(manifest!.contents).private).toBe(true);
        const embedded = embeddedPrograms(module!.contents) as IRProgram[];
        expect(embedded).toEqual(result.programs);
        const params = embedded[0]!.nodes.map((node) => node.params);
        expect(params[0]!.id).toEqual({ kind: "string", value: id });
        expect(params[1]!.label).toEqual({ kind: "string", value: label });
        expect(params[2]!.topic).toEqual({ kind: "string", value: publishTo });
        expect(params.at(-1)!.file).toEqual({ kind: "string", value: csvFile });
      }),
      { numRuns: 300 },
    );
    // The property must not pass by rejecting what it generates.
    expect(compiled).toBeGreaterThan(200);
  });
});

describe("a built Node flow", () => {
  let folder: string;
  beforeAll(async () => {
    // Outside the checkout, with no node_modules on the way up: the bundle must hold everything.
    folder = await mkdtemp(join(tmpdir(), "flowc-node-build-"));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it("runs without the compiler, with flowc run's flags", async () => {
    const programs = programsOf({
      "pub.flow": 'sim "s-1" every 20ms value 5 -> take 4 -> mqtt "built/t"\n',
      "sub.flow": 'mqtt "built/t" -> json as SensorEvent -> take 4 -> csv "out.csv"\n',
    });
    for (const file of await bundleNodeModule(emitNodeModule(programs)))
      await writeFile(join(folder, file.path), file.contents);

    const run = spawnSync(process.execPath, ["flow.mjs", "--broker", "embedded", "--port", "0", "--seed", "5"], {
      cwd: folder,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.stderr).toContain("embedded MQTT broker listening");
    expect(run.status).toBe(0);
    const rows = (await readFile(join(folder, "out.csv"), "utf8")).trimEnd().split("\n");
    expect(rows).toHaveLength(5);
    // A sine around 5 with amplitude 1, exactly 5 when the first sample falls in its first millisecond.
    const [, , sensor, value] = rows[1]!.split(",");
    expect(sensor).toBe("s-1");
    expect(Math.abs(Number(value) - 5)).toBeLessThanOrEqual(1);
  });

  it("holds flowc's runtime itself: no import of flowc, no node_modules, no path of the machine that built it", async () => {
    const programs = programsOf({ "a.flow": 'interval 10ms -> take 3 -> print "tick"\n' });
    const [module, manifest] = await bundleNodeModule(emitNodeModule(programs));
    for (let dir = folder; dir !== dirname(dir); dir = dirname(dir))
      expect(existsSync(join(dir, "node_modules"))).toBe(false);
    expect(module!.contents).not.toMatch(/from "flowc|import\("flowc/);
    for (const path of [root, homedir(), tmpdir()]) expect(module!.contents).not.toContain(path);
    expect(JSON.parse(manifest!.contents)).not.toHaveProperty("dependencies");
    await writeFile(join(folder, "flow.mjs"), module!.contents);
    const run = spawnSync(process.execPath, ["flow.mjs"], { cwd: folder, encoding: "utf8", timeout: 30_000 });
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 0, stdout: "tick: 0\ntick: 1\ntick: 2\n" });
  });

  it("exits 1 with a one-line message when a secret is missing", async () => {
    const programs = programsOf({ "sub.flow": 'broker secret("mqtt_host")\nmqtt "t" -> print\n' });
    for (const file of await bundleNodeModule(emitNodeModule(programs)))
      await writeFile(join(folder, file.path), file.contents);
    const run = spawnSync(process.execPath, ["flow.mjs"], { cwd: folder, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/^flow\.mjs: secret "mqtt_host" is not set/);
  });

  it("refuses flags it does not know, or values out of range, with its usage", async () => {
    for (const file of await bundleNodeModule(emitNodeModule(programsOf({ "sub.flow": 'mqtt "t" -> print\n' }))))
      await writeFile(join(folder, file.path), file.contents);
    for (const [args, message] of [
      [["--brokr", "embedded"], "Unknown option '--brokr'"],
      [["--port", "70000"], '--port must be a whole number from 0 to 65535, not "70000"'],
      [["--seed", "x"], "--seed must be a whole number"],
    ] as const) {
      const run = spawnSync(process.execPath, ["flow.mjs", ...args], {
        cwd: folder,
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain("usage: node flow.mjs [--broker URL|embedded]");
    }
    const help = spawnSync(process.execPath, ["flow.mjs", "--help"], {
      cwd: folder,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect([help.status, help.stdout]).toEqual([0, expect.stringMatching(/^usage: node flow\.mjs/)]);
  });
});
