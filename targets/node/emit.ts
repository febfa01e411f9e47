/**
 * `flowc build --target node`: a flow as a standalone ES module that imports flowc's runtime and
 * not its compiler, to deploy on a host (a Raspberry Pi, a container) without the toolchain.
 *
 * The module carries the checked IR as data, not as generated code: the runtime already turns
 * each node into its fused implementation at start-up, and data cannot be injected into. The IR is
 * embedded as a JSON text inside a JavaScript string literal, both produced by JSON.stringify, so
 * every value of the .flow file (quotes, backslashes, `${}`, line separators) round-trips.
 */
import { basename } from "node:path";
import type { IRProgram } from "../../compiler/ir.js";

/** One file of a build's output, relative to the output folder. */
export interface EmittedFile {
  readonly path: string;
  readonly contents: string;
}

export interface NodeModuleOptions {
  /** The flowc version the module is built with; its package.json depends on a compatible one. */
  readonly flowcVersion: string;
}

/**
 * The files of a Node deployment: `flow.mjs` (runs the programs with the same flags as
 * `flowc run`) and a `package.json` that depends on flowc, so `npm install && npm start` works in
 * the output folder.
 *
 * @example
 * const { programs } = compile([{ path: "server.flow", text }], { target: "node" });
 * for (const file of emitNodeModule(programs, { flowcVersion: "0.1.0" })) await writeFile(join(dir, file.path), file.contents);
 */
export function emitNodeModule(programs: readonly IRProgram[], options: NodeModuleOptions): EmittedFile[] {
  const sources = programs.map((program) => basename(program.file));
  const module = `#!/usr/bin/env node
// Built by flowc ${options.flowcVersion} from ${sources.join(", ")}: edit the .flow files and rebuild
// rather than this file. Runs like \`flowc run\`:
//
//   node flow.mjs [--broker URL|embedded] [--port N] [--seed N] [--stats] [--secrets FILE]
import { parseArgs } from "node:util";
import { handleSignals, loadSecretsFile, runProgram } from "flowc/runtime";

const programs = JSON.parse(${JSON.stringify(JSON.stringify(programs))});

const { values: flags } = parseArgs({
  options: {
    broker: { type: "string" },
    port: { type: "string", default: "1883" },
    seed: { type: "string" },
    stats: { type: "boolean", default: false },
    "stats-every": { type: "string", default: "10" },
    secrets: { type: "string" },
  },
});

try {
  const flow = await runProgram(programs, {
    ...(flags.broker ? { broker: flags.broker } : {}),
    ...(flags.broker === "embedded" ? { embeddedBroker: { host: "127.0.0.1", port: Number(flags.port) } } : {}),
    ...(flags.seed !== undefined ? { seed: Number(flags.seed) } : {}),
    ...(flags.secrets ? { secrets: loadSecretsFile(flags.secrets) } : {}),
    ...(flags.stats ? { statsEveryMs: Number(flags["stats-every"]) * 1000 } : {}),
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
`;
  const name = sources.length === 1 ? sources[0]!.replace(/\.flow$/, "") : "flow";
  const packageJson = {
    name: packageName(name),
    private: true,
    type: "module",
    description: `${sources.join(", ")} built by flowc for Node`,
    scripts: { start: "node flow.mjs" },
    dependencies: { flowc: `^${options.flowcVersion}` },
    engines: { node: ">=20" },
  };
  return [
    { path: "flow.mjs", contents: module },
    { path: "package.json", contents: `${JSON.stringify(packageJson, null, 2)}\n` },
  ];
}

/** npm package names are lower case, URL-safe and at most 214 characters. */
function packageName(name: string): string {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+/, "");
  return (safe || "flow").slice(0, 214);
}
