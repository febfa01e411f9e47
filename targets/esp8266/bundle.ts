/**
 * `flowc build --target esp8266`: one checked program → the files to copy onto the board: flow.py
 * ({@link ./firmware/main-py.ts}, around the node functions of {@link ./firmware/nodes.ts}), a
 * main.py of a few lines that imports it, config.py (the only file with secrets), the sensor
 * drivers the flow uses, manifest.json and README.txt. {@link ./precompile.ts} turns flow.py and
 * the drivers into .mpy bytecode, which the board loads without compiling.
 */
import { ESP8266_HEAP_BYTES, ESP8266_HEAP_WARNING_BYTES, ESP8266_PROGRAM_HEAP_BYTES } from "./heap.js";
import { diagnostic, DiagnosticCodes, type Diagnostic } from "../../compiler/diagnostics.js";
import type { IRNode, IRProgram } from "../../compiler/ir.js";
import type { SourceFile } from "../../compiler/source.js";
import type { ConfigSources } from "../../shared/config.js";
import type { MicroPythonImplementation } from "./component.js";
import { ConfigFile, oneLine } from "./config-file.js";
import { mainPy } from "./firmware/main-py.js";
import { floatPrecisionWarnings } from "./float-precision.js";
import { emitNodeFunctions } from "./firmware/nodes.js";
import { readme } from "./firmware/readme.js";
import { minifyPython } from "./minify.js";

/** A file of the bundle, relative to the board's file system root: text, or .mpy bytecode. */
export interface BundleFile {
  readonly path: string;
  readonly contents: string | Uint8Array;
}

/** A file of a bundle before precompiling: all text. */
export interface TextBundleFile extends BundleFile {
  readonly contents: string;
}

/** The module main.py imports: the flow's code, as flow.py or precompiled flow.mpy. */
export const flowModule = "flow";

export interface BundleManifest {
  readonly flow: string;
  readonly files: readonly { path: string; bytes: number }[];
  readonly pythonBytes: number;
  readonly sources: readonly string[];
  readonly operators: readonly string[];
  readonly sinks: readonly string[];
  /** Heap the flow's state, drivers and runtime hold once running, in bytes (an estimate). */
  readonly heapEstimate: number;
  /** The board deep-sleeps between wake-ups: wire GPIO16 to RST. */
  readonly deepSleep: boolean;
  /** The oldest MicroPython that loads the bundle (`"1.19"` for mpy v6 files), when there is one. */
  readonly micropython?: string;
}

export interface BundleOptions {
  readonly implementations: Iterable<MicroPythonImplementation>;
  /** Where secrets come from: `--secrets` and `FLOWC_SECRET_<KEY>` variables. */
  readonly config?: ConfigSources;
  readonly sources?: ReadonlyMap<string, SourceFile>;
  /** Shrink the Python (default true); tests of generated code read it unminified. */
  readonly minify?: boolean;
  readonly flowcVersion?: string;
}

export interface Bundle<File extends BundleFile = BundleFile> {
  readonly files: readonly File[];
  readonly manifest: BundleManifest;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * What a running bundle holds besides its own code and state: the interpreter's working set and
 * an event in flight. With it, {@link BundleManifest.heapEstimate} came within 1 KB below and
 * 2.5 KB above the heap measured on the simulated board for every example (bundle.test.ts): the
 * tutorial's client 0.6 KB above, eight sensors with two windows each 2.3 KB above (their node
 * functions are folded into one per chain, which holds less than their source's size suggests).
 */
const baseHeapBytes = 1024;

/**
 * Builds the bundle for one program.
 *
 * @example
 * const { programs } = compile([{ path: "client.flow", text }], { target: "esp8266" });
 * const bundle = buildBundle(programs[0], { implementations: micropythonImplementations, config: { secrets } });
 * for (const file of bundle.files) await writeFile(join(out, file.path), file.contents);
 */
export function buildBundle(program: IRProgram, options: BundleOptions): Bundle<TextBundleFile> {
  const diagnostics: Diagnostic[] = floatPrecisionWarnings(program);
  const config = new ConfigFile(options.config ?? {}, program.file, options.sources, diagnostics);
  const nodes = emitNodeFunctions(program, options.implementations, config, diagnostics);
  const main = mainPy(program, nodes, config, diagnostics, options.flowcVersion);
  const minify = options.minify !== false;
  const pythonFiles: TextBundleFile[] = [
    { path: "main.py", contents: launcher(program.file, options.flowcVersion) },
    { path: `${flowModule}.py`, contents: main.text },
    { path: "config.py", contents: config.text() },
    ...[...nodes.drivers].map(([path, driver]) => ({ path, contents: driver.source })),
  ].map((file) => (minify ? { ...file, contents: minifyPython(file.contents) } : file));
  const pythonBytes = pythonFiles.reduce((sum, file) => sum + Buffer.byteLength(file.contents), 0);
  // The board compiles every .py file it imports into bytecode on the heap, which takes about as
  // many bytes as the minified source (identifiers and strings included).
  const heapEstimate = baseHeapBytes + nodes.stateBytes + main.stateBytes + minifiedBytes(pythonFiles, minify);
  const needs = `this flow needs about ${kilobytes(heapEstimate)} of heap`;
  const where = program.nodes[0]?.span ?? { file: program.file, start: 0, end: 0 };
  const smaller = "use smaller windows, fewer streams, or move aggregation to the host";
  if (heapEstimate > ESP8266_PROGRAM_HEAP_BYTES) {
    diagnostics.push(
      diagnostic(
        DiagnosticCodes.HeapExceeded,
        where,
        `${needs}, more than the ${kilobytes(ESP8266_PROGRAM_HEAP_BYTES)} an ESP8266 leaves a program once WiFi is up: it can never run`,
        smaller,
      ),
    );
  } else if (heapEstimate > ESP8266_HEAP_WARNING_BYTES) {
    diagnostics.push(
      diagnostic(
        DiagnosticCodes.HeapBudget,
        where,
        `${needs}, more than half of the ESP8266's ${kilobytes(ESP8266_HEAP_BYTES)}`,
        smaller,
      ),
    );
  }
  const byKind = (kind: IRNode["kind"]) => program.nodes.filter((node) => node.kind === kind).map((node) => node.label);
  const manifest: BundleManifest = {
    flow: program.file,
    files: pythonFiles.map((file) => ({ path: file.path, bytes: Buffer.byteLength(file.contents) })),
    pythonBytes,
    sources: byKind("source"),
    operators: byKind("operator"),
    sinks: byKind("sink"),
    heapEstimate,
    deepSleep: main.deepSleep,
  };
  return { files: [...pythonFiles, ...describingFiles(manifest)], manifest, diagnostics };
}

/** manifest.json and README.txt, which describe the bundle's other files. */
export function describingFiles(manifest: BundleManifest): TextBundleFile[] {
  return [
    { path: "manifest.json", contents: `${JSON.stringify(manifest, null, 2)}\n` },
    { path: "README.txt", contents: readme(manifest.flow, manifest.files, { deepSleep: manifest.deepSleep }) },
  ];
}

/**
 * main.py: what the board runs at boot. It only imports the flow, so the flow itself can ship
 * as precompiled flow.mpy (main.py is always source: the board runs it by that name).
 */
function launcher(flow: string, flowcVersion: string | undefined): string {
  return [
    `# ${oneLine(flow)} for esp8266, built by flowc${flowcVersion ? ` ${flowcVersion}` : ""}: the flow is in ${flowModule}.mpy (flow.py with --py).`,
    `from ${flowModule} import setup, step, stop, idle, run`,
    'if __name__ == "__main__":',
    "    run()",
    "",
  ].join("\n");
}

/** Bytes of the files once minified, as the board would load them. */
function minifiedBytes(files: readonly TextBundleFile[], minified: boolean): number {
  return files.reduce(
    (sum, file) => sum + Buffer.byteLength(minified ? file.contents : minifyPython(file.contents)),
    0,
  );
}

function kilobytes(bytes: number): string {
  return `${Math.round(bytes / 1024)} KB`;
}
