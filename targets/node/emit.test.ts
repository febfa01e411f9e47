import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import type { IRProgram } from "../../compiler/ir.js";
import { emitNodeModule } from "./emit.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

function programsOf(files: Record<string, string>): IRProgram[] {
  const result = compile(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    { target: "node" },
  );
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.programs;
}

/** The IR a module carries, read back by evaluating its string literal as JavaScript would. */
function embeddedPrograms(module: string): unknown {
  const literal = /^const programs = JSON\.parse\((.*)\);$/m.exec(module)?.[1];
  expect(literal).toBeDefined();
  return JSON.parse(new Function(`return ${literal!};`)() as string);
}

describe("emitNodeModule", () => {
  it("writes flow.mjs and a package.json that depends on this flowc", () => {
    const files = emitNodeModule(programsOf({ "server.flow": 'mqtt "t" -> json as SensorEvent -> print\n' }), {
      flowcVersion: "1.2.3",
    });
    expect(files.map((file) => file.path)).toEqual(["flow.mjs", "package.json"]);
    const packageJson = JSON.parse(files[1]!.contents);
    expect(packageJson).toMatchObject({ name: "server", type: "module", dependencies: { flowc: "^1.2.3" } });
    expect(files[0]!.contents).toContain('from "flowc/runtime"');
    expect(files[0]!.contents).not.toContain("compiler");
  });

  it("embeds any string of the flow unchanged and always emits valid JavaScript", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ maxLength: 20 }), (topic, label) => {
        const safeTopic = topic.replace(/[+#\0]/g, "_") || "t";
        const text = `mqtt ${JSON.stringify(safeTopic)} -> print ${JSON.stringify(label)}\n`;
        const result = compile([{ path: "f.flow", text }], { target: "node" });
        fc.pre(result.programs.length === 1);
        const [module] = emitNodeModule(result.programs, { flowcVersion: "0.1.0" });
        expect(() => transformSync(module!.contents, { format: "esm", loader: "js" })).not.toThrow();
        expect(embeddedPrograms(module!.contents)).toEqual(JSON.parse(JSON.stringify(result.programs)));
        const params = (embeddedPrograms(module!.contents) as IRProgram[])[0]!.nodes.map((node) => node.params);
        expect(params[0]!.topic).toEqual({ kind: "string", value: safeTopic });
        expect(params[1]!.label).toEqual({ kind: "string", value: label });
      }),
      { numRuns: 300 },
    );
  });
});

describe("a built Node flow", () => {
  let folder: string;
  beforeAll(async () => {
    // Inside the checkout, so that node_modules/flowc can point at it as `npm install` would.
    await mkdir(join(root, ".tmp"), { recursive: true });
    folder = await mkdtemp(join(root, ".tmp", "node-build-"));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it("runs without the compiler, with flowc run's flags", async () => {
    const programs = programsOf({
      "pub.flow": 'sim "s-1" every 20ms value 5 -> take 4 -> mqtt "built/t"\n',
      "sub.flow": 'mqtt "built/t" -> json as SensorEvent -> take 4 -> csv "out.csv"\n',
    });
    for (const file of emitNodeModule(programs, { flowcVersion: "0.1.0" }))
      await writeFile(join(folder, file.path), file.contents);
    await mkdir(join(folder, "node_modules"));
    await symlink(root, join(folder, "node_modules", "flowc"), "dir");

    const run = spawnSync(process.execPath, ["flow.mjs", "--broker", "embedded", "--port", "0", "--seed", "5"], {
      cwd: folder,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.stderr).toContain("embedded MQTT broker listening");
    expect(run.status).toBe(0);
    const rows = (await readFile(join(folder, "out.csv"), "utf8")).trimEnd().split("\n");
    expect(rows).toHaveLength(5);
    expect(rows[1]).toMatch(/,s-1,5\.\d+$/);
  });

  it("exits 1 with a one-line message when a secret is missing", async () => {
    const programs = programsOf({ "sub.flow": 'broker secret("mqtt_host")\nmqtt "t" -> print\n' });
    for (const file of emitNodeModule(programs, { flowcVersion: "0.1.0" }))
      await writeFile(join(folder, file.path), file.contents);
    const run = spawnSync(process.execPath, ["flow.mjs"], { cwd: folder, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/^flow\.mjs: secret "mqtt_host" is not set/);
  });
});
