// The two ways `import text from "./file.py?raw"` is served outside vitest: the esbuild plugin
// that builds dist/ and the Node hooks bin/flowc.js registers when it runs the sources.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawTextPlugin } from "../scripts/build.mjs";

// Quotes, a backslash, a non-ASCII character and no final newline: what a naive loader mangles.
const driverText = "I2C_ADDRESS = 0x29\nprint(\"lux \\u00b5\", 'ok')  # µ\n\tpass";

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-raw-"));
  await writeFile(join(folder, "driver.py"), driverText);
  await writeFile(join(folder, "entry.ts"), 'import text from "./driver.py?raw";\nexport default text;\n');
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe("?raw imports", () => {
  it("are bundled as the file's exact text", async () => {
    const result = await esbuild.build({
      entryPoints: [join(folder, "entry.ts")],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      plugins: [rawTextPlugin],
      logLevel: "silent",
    });
    const bundled = result.outputFiles[0]!.text;
    const module = (await import(`data:text/javascript,${encodeURIComponent(bundled)}`)) as { default: string };
    expect(module.default).toBe(driverText);
  });

  it("load as the file's exact text through the from-source hooks", async () => {
    const hooks = pathToFileURL(fileURLToPath(new URL("../scripts/raw-text-hooks.mjs", import.meta.url))).href;
    const driver = `${pathToFileURL(join(folder, "driver.py")).href}?raw`;
    const script =
      `import { register } from "node:module";` +
      `register(${JSON.stringify(hooks)});` +
      `const { default: text } = await import(${JSON.stringify(driver)});` +
      `process.stdout.write(JSON.stringify(text));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
    expect(JSON.parse(stdout)).toBe(driverText);
  });
});
