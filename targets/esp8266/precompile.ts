/**
 * Precompiled bundles: flow.py and the drivers become .mpy bytecode (mpy v6, which MicroPython
 * 1.19 and later load), so the board does not compile them at boot. Compiling Python needs
 * several KB of heap at once on the ESP8266, more than the flow needs once running; bytecode is
 * loaded as it is. main.py stays source (the board runs it by that name, and it is a few lines)
 * and so does config.py (its settings may be edited on the board).
 *
 * The compiler is MicroPython's own mpy-cross, compiled to WebAssembly (`@pybricks/mpy-cross-v6`),
 * at `-O3`: the bytecode carries no line numbers (about 7% of it, all held in RAM on the board).
 * Tracebacks still name the function, which is what `flowc monitor` maps to the `.flow` source;
 * `--py` bundles keep Python's line numbers.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describingFiles, type Bundle, type BundleFile, type TextBundleFile } from "./bundle.js";
import { flowRomfsImage } from "./romfs.js";

/** The oldest MicroPython that loads mpy v6 files. */
export const mpyMinimumMicroPython = "1.19";

/** mpy-cross's optimisation level: 3 leaves out line numbers (and asserts, which the runtime has none of). */
const optimisation = "-O3";

/** The bundle's bytecode as a ROMFS image, for firmware with a ROMFS partition. */
export const ROMFS_IMAGE = "flow.romfs";

/** Files left as source: the entry point and the editable settings. */
const keptAsSource = new Set(["main.py", "config.py"]);

/**
 * The bundle with flow.py and every driver compiled to .mpy; manifest.json records the files,
 * `micropython: "1.19"` and a heap estimate from the bytecode's size.
 *
 * @example
 * const bundle = await precompileBundle(buildEsp8266Bundle(programs[0], { secrets }));
 * bundle.files.map((file) => file.path);
 * // ["main.py", "flow.mpy", "config.py", "tsl2591.mpy", "flowmap.json", "flow.romfs", "manifest.json", "README.txt"]
 */
export async function precompileBundle(bundle: Bundle<TextBundleFile>): Promise<Bundle> {
  const boardFiles: BundleFile[] = [];
  // Files for the host, such as flowc monitor's source map, pass through; manifest.json and
  // README.txt are written anew below, since they list the precompiled files.
  const hostFiles = bundle.files.filter(
    (file) => !file.path.endsWith(".py") && file.path !== "manifest.json" && file.path !== "README.txt",
  );
  for (const file of bundle.files) {
    if (!file.path.endsWith(".py")) continue;
    if (keptAsSource.has(file.path)) boardFiles.push(file);
    else
      boardFiles.push({ path: file.path.replace(/\.py$/, ".mpy"), contents: await mpyCross(file.path, file.contents) });
  }
  // For tools other than flowc deploy (`mpremote romfs deploy flow.romfs`): the image deploy
  // writes into a ROMFS partition, byte for byte.
  const bytecode = boardFiles.filter((file) => file.path.endsWith(".mpy"));
  const image = {
    path: ROMFS_IMAGE,
    contents: flowRomfsImage(
      bytecode.map((file) => ({ path: file.path, contents: file.contents as Uint8Array })),
      bundle.manifest.flow,
    ),
  };
  const sourceBytes = bundle.manifest.files.reduce((sum, file) => sum + file.bytes, 0);
  const files = boardFiles.map((file) => ({ path: file.path, bytes: byteLength(file.contents) }));
  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  const manifest = {
    ...bundle.manifest,
    files,
    // The bytecode is what the board holds in RAM instead of the source it no longer compiles.
    heapEstimate: bundle.manifest.heapEstimate - sourceBytes + bytes,
    micropython: mpyMinimumMicroPython,
  };
  return {
    files: [...boardFiles, ...hostFiles, image, ...describingFiles(manifest)],
    manifest,
    diagnostics: bundle.diagnostics,
  };
}

/** Whether a bundle file goes onto the board's file system (Python source or bytecode). */
export function isBoardFile(path: string): boolean {
  return path.endsWith(".py") || path.endsWith(".mpy");
}

function byteLength(contents: string | Uint8Array): number {
  return typeof contents === "string" ? Buffer.byteLength(contents) : contents.byteLength;
}

const require = createRequire(import.meta.url);
let wasmBinary: Promise<Buffer> | undefined;

interface MpyCrossModule {
  arguments: string[];
  inputFileContents: string;
  wasmBinary: Uint8Array;
  callback: (status: number, mpy: Uint8Array | undefined, out: string[], err: string[]) => void;
}

/**
 * Compiles one file with mpy-cross. The wasm bytes are handed over directly: left to find them
 * itself, its Emscripten loader uses `fetch` whenever Node has one, which fails on a file path.
 * It also hooks `uncaughtException` and `unhandledRejection` on the process at every start; those
 * hooks are taken off again, so compiling leaves the process as it was.
 */
async function mpyCross(fileName: string, source: string): Promise<Uint8Array> {
  wasmBinary ??= readFile(require.resolve("@pybricks/mpy-cross-v6/build/mpy-cross-v6.wasm"));
  const start = require("@pybricks/mpy-cross-v6/build/mpy-cross-v6.js") as (module: MpyCrossModule) => void;
  const exceptionHooks = new Set(process.listeners("uncaughtException"));
  const rejectionHooks = new Set(process.listeners("unhandledRejection"));
  try {
    const binary = await wasmBinary;
    const { status, mpy, err } = await new Promise<{ status: number; mpy?: Uint8Array; err: string[] }>((resolve) =>
      start({
        arguments: [optimisation, fileName],
        inputFileContents: source,
        wasmBinary: binary,
        callback: (status, mpy, _out, err) => resolve({ status, ...(mpy ? { mpy } : {}), err }),
      }),
    );
    if (status !== 0 || !mpy) throw new Error(`mpy-cross could not compile ${fileName}: ${err.join("\n")}`);
    return Uint8Array.from(mpy);
  } finally {
    for (const hook of process.listeners("uncaughtException"))
      if (!exceptionHooks.has(hook)) process.off("uncaughtException", hook);
    for (const hook of process.listeners("unhandledRejection"))
      if (!rejectionHooks.has(hook)) process.off("unhandledRejection", hook);
  }
}
