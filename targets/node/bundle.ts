/**
 * `flowc build --target node` output that stands alone: the module emit.ts writes imports
 * `flowc/runtime`, and esbuild bundles that runtime (and the MQTT client, the broker, the CSV
 * writer it uses) into flow.mjs itself. The folder then needs Node and nothing else: no
 * `npm install`, no dependency on a `flowc` package from a registry (where anyone could publish
 * one under that name), and no path of the machine that built it.
 */
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import type { EmittedFile } from "./emit.js";

/** The runtime flowc was installed with: its dist/runtime.js, through the package's own exports. */
function runtimeEntry(): { file: string; packageRoot: string } {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("flowc/package.json");
  return { file: require.resolve("flowc/runtime"), packageRoot: dirname(packageJson) };
}

/**
 * Replaces `flow.mjs` among `files` with one bundle holding the runtime; other files pass as they are.
 *
 * @example
 * const files = await bundleNodeModule(emitNodeModule(programs));
 * for (const file of files) await writeFile(join(out, file.path), file.contents);
 */
export async function bundleNodeModule(files: readonly EmittedFile[]): Promise<EmittedFile[]> {
  const { build } = await import("esbuild");
  const runtime = runtimeEntry();
  return Promise.all(
    files.map(async (file) => {
      if (file.path !== "flow.mjs") return file;
      const result = await build({
        stdin: { contents: file.contents, loader: "js", sourcefile: "flow.mjs", resolveDir: runtime.packageRoot },
        bundle: true,
        write: false,
        platform: "node",
        format: "esm",
        target: "node20",
        // Paths in the bundle's comments are relative to flowc's folder, never absolute.
        absWorkingDir: runtime.packageRoot,
        legalComments: "none",
        logLevel: "silent",
        plugins: [
          {
            name: "flowc-runtime",
            setup(build) {
              build.onResolve({ filter: /^flowc\/runtime$/ }, () => ({ path: resolve(runtime.file) }));
            },
          },
        ],
      });
      return { path: file.path, contents: result.outputFiles[0]!.text };
    }),
  );
}
