/**
 * `flowc build --target node`: a flow as an ES module that imports flowc's runtime and not its
 * compiler, to deploy on a host (a Raspberry Pi, a container) without the toolchain. bundle.ts
 * then bundles the runtime into it, so the module needs nothing installed beside it.
 *
 * The module carries the checked IR as data, not as generated code: the runtime already turns
 * each node into its fused implementation at start-up, and data cannot be injected into. The IR is
 * embedded as a JSON text inside a JavaScript string literal, both produced by JSON.stringify, so
 * every value of the .flow file (quotes, backslashes, `${}`, NUL, line separators) round-trips.
 * The only other text taken from the flow, the source file names in the header comment, is
 * JSON-escaped too, with the line separators JSON leaves raw escaped as well, so that nothing can
 * end the comment early.
 */
import { basename } from "node:path";
import packageJson from "../../package.json" with { type: "json" };
import type { IRProgram } from "../../compiler/ir.js";

/** One file of a build's output, relative to the output folder. */
export interface EmittedFile {
  readonly path: string;
  readonly contents: string;
}

export interface NodeModuleOptions {
  /**
   * The flowc version the module is built with, named in its header comment.
   * Default: this flowc's version.
   */
  readonly flowcVersion?: string;
}

/**
 * The files of a Node deployment: `flow.mjs` (runs the programs with the same flags as
 * `flowc run`) and a `package.json` without dependencies, so `npm start` works in
 * the output folder.
 *
 * @example
 * const { programs } = compile([{ path: "server.flow", text }], { target: "node" });
 * for (const file of emitNodeModule(programs)) await writeFile(join(dir, file.path), file.contents);
 */
export function emitNodeModule(programs: readonly IRProgram[], options: NodeModuleOptions = {}): EmittedFile[] {
  const flowcVersion = options.flowcVersion ?? packageJson.version;
  const sources = programs.map((program) => basename(program.file));
  const module = `#!/usr/bin/env node
// Built by flowc ${withoutLineSeparators(JSON.stringify(flowcVersion).slice(1, -1))} from ${withoutLineSeparators(sources.map((source) => JSON.stringify(source)).join(", "))}:
// edit the .flow files and rebuild rather than this file. Runs like \`flowc run\`:
//
//   node flow.mjs [--broker URL|embedded] [--port N] [--seed N] [--stats] [--stats-every S] [--secrets FILE]
//
// Secrets also come from FLOWC_SECRET_<KEY> environment variables.
import { parseArgs } from "node:util";
import { handleSignals, loadSecretsFile, nodeImplementations, runProgram } from "flowc/runtime";

// The flow's compiled graph. Numbers JSON cannot write are tagged as {"flowc:number": "-0"}.
const programs = JSON.parse(${withoutLineSeparators(JSON.stringify(encodeIR(programs)))}, (_key, value) =>
  typeof value === "object" && value !== null && typeof value["${numberTag}"] === "string" && Object.keys(value).length === 1
    ? Number(value["${numberTag}"])
    : value,
);

const usage =
  "usage: node flow.mjs [--broker URL|embedded] [--port N] [--seed N] [--stats] [--stats-every S] [--secrets FILE]";

function wholeNumber(flag, text, min, max) {
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < min || value > max)
    throw new Error(\`--\${flag} must be a whole number from \${min} to \${max}, not "\${text}"\`);
  return value;
}

/** The command line's flags, or undefined after printing help or a usage error. */
function readFlags() {
  try {
    const { values: flags } = parseArgs({
      options: {
        broker: { type: "string" },
        port: { type: "string", default: "1883" },
        seed: { type: "string" },
        stats: { type: "boolean", default: false },
        "stats-every": { type: "string", default: "10" },
        secrets: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    if (flags.help) {
      process.stdout.write(\`\${usage}\\n\`);
      return undefined;
    }
    return {
      broker: flags.broker,
      port: wholeNumber("port", flags.port, 0, 65535),
      seed: flags.seed === undefined ? undefined : wholeNumber("seed", flags.seed, 0, Number.MAX_SAFE_INTEGER),
      statsEverySeconds: flags.stats ? wholeNumber("stats-every", flags["stats-every"], 1, 86400) : undefined,
      secrets: flags.secrets,
    };
  } catch (error) {
    process.stderr.write(\`flow.mjs: \${error.message}\\n\${usage}\\n\`);
    process.exitCode = 2;
    return undefined;
  }
}

const flags = readFlags();
if (flags) {
  try {
    const flow = await runProgram(programs, {
      implementations: nodeImplementations,
      ...(flags.broker ? { broker: flags.broker } : {}),
      ...(flags.broker === "embedded" ? { embeddedBroker: { host: "127.0.0.1", port: flags.port } } : {}),
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.secrets ? { secrets: loadSecretsFile(flags.secrets) } : {}),
      ...(flags.statsEverySeconds ? { statsEveryMs: flags.statsEverySeconds * 1000 } : {}),
    });
    const removeSignalHandlers = handleSignals(flow);
    try {
      await flow.ready;
      await flow.done;
    } finally {
      removeSignalHandlers();
    }
  } catch (error) {
    process.stderr.write(\`flow.mjs: \${error.message}\\n\`);
    process.exitCode = 1;
  }
}
`;
  const name = sources.length === 1 ? sources[0]!.replace(/\.flow$/, "") : "flow";
  const manifest = {
    name: packageName(name),
    private: true,
    type: "module",
    description: `${sources.join(", ")} built by flowc for Node`,
    scripts: { start: "node flow.mjs" },
    engines: { node: ">=20" },
  };
  return [
    { path: "flow.mjs", contents: module },
    { path: "package.json", contents: `${JSON.stringify(manifest, null, 2)}\n` },
  ];
}

/**
 * The key marking a number JSON cannot write (`Infinity`, `-Infinity`, `NaN`, `-0`, which a
 * literal such as `1e999` produces). The colon keeps it apart from every name the IR uses as a
 * key: parameter, setting and field names are identifiers.
 */
const numberTag = "flowc:number";

/** The programs as JSON, with the numbers JSON would turn into `null` or `0` tagged instead. */
function encodeIR(programs: readonly IRProgram[]): string {
  return JSON.stringify(programs, (_key, value: unknown) =>
    typeof value === "number" && (!Number.isFinite(value) || Object.is(value, -0))
      ? { [numberTag]: Object.is(value, -0) ? "-0" : String(value) }
      : value,
  );
}

/**
 * JSON text with U+2028 and U+2029 written as escapes. JSON.stringify already escapes `\n` and
 * `\r`; these two it leaves raw, and although string literals may hold them since ES2019, they
 * end a `//` comment, so a file name holding one would turn its rest into code.
 */
function withoutLineSeparators(json: string): string {
  return json.replace(/[\u2028\u2029]/g, (separator) => `\\u${separator.charCodeAt(0).toString(16)}`);
}

/** npm package names are lower case, URL-safe and at most 214 characters. */
function packageName(name: string): string {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+/, "");
  return (safe || "flow").slice(0, 214);
}
