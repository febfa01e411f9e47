// Bundles flowc's entry points with esbuild into dist/: `npm run build`, and `npm install` /
// `npm ci` through the `prepare` script.
//
// Why bundle: chevrotain and the compiler are a few hundred ES modules; Node resolves and loads
// each one separately, which costs most of a second at every `flowc` start. One bundled file
// loads in a fraction of that. cli/main.ts imports each command with import(), and esbuild splits
// those into chunks (dist/chunks/), so `flowc check` neither parses nor runs what only another
// command needs (the MQTT client and broker for `run`, Graphviz for `graph`). Measured on the
// tutorial: splitting saves about 10% of `flowc check`'s start-up over one file holding
// everything; keeping mqtt and aedes external instead of bundled would only slow `flowc run`.
// `flowc check` itself goes further: it has a one-file CommonJS script of its own, dist/check.cjs,
// that bin/flowc.js runs with a V8 code cache. That script is minified: reading the text and the
// code cache is proportional to its size, and halving it saved a tenth of `flowc check`'s
// start-up. Its linked source map names the source lines of a stack trace
// (`node --enable-source-maps bin/flowc.js check ...`).
//
//   node scripts/build.mjs            build every entry whose source exists
//   node scripts/build.mjs --if-stale build only when a source is newer than dist/ (tests use this)
import { existsSync, readdirSync, statSync } from "node:fs";
import { readFile, rename, rm } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { cataloguePlugin } from "./catalogue.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** What dist/ holds, and the source each file is bundled from. */
export const entries = [
  // bin/flowc.js runs this.
  { output: "cli", source: "cli/main.ts" },
  // `import { compile } from "flowc"`, and `prettier --plugin flowc`.
  { output: "index", source: "cli/library.ts" },
  // `import ... from "flowc/runtime"`: what `flowc build --target node` output imports.
  { output: "runtime", source: "cli/runtime-library.ts" },
  // `plugins: ["flowc/prettier"]` in a Prettier config.
  { output: "prettier-plugin", source: "compiler/prettier/plugin.ts" },
];

/**
 * Commands bundled a second time, each with the command line around it, into one CommonJS script
 * that bin/flowc.js runs through `vm.Script` with a V8 code cache (see cli/check-main.ts).
 */
export const scripts = [{ output: "check.cjs", source: "cli/check-main.ts" }];

/**
 * Left to Node to load from node_modules. Prettier loads its own language plugins from files next
 * to itself, and a Prettier plugin must use the Prettier that loaded it, not a bundled copy;
 * MicroPython (for `flowc sim`) loads its WebAssembly from beside its own module; resvg (PNG for
 * `graph` and `plot`) and esbuild (bundling `build --target node` output) load their native
 * binaries from their platform's packages.
 */
const external = [
  "prettier",
  "@micropython/micropython-webassembly-pyscript",
  "serialport",
  "@resvg/resvg-js",
  "esbuild",
];

/** Folders and files whose changes make dist/ stale. */
const inputs = [
  "cli",
  "compiler",
  "components",
  "editors/lsp",
  "runtime",
  "shared",
  "targets",
  "package.json",
  "package-lock.json",
  "scripts/build.mjs",
  "scripts/catalogue.mjs",
];

/**
 * `import text from "./driver.py?raw"` gives the file's text as a string, as vitest does: the
 * MicroPython drivers ship inside the bundle that emits them.
 */
export const rawTextPlugin = {
  name: "raw-text",
  setup(esbuildBuild) {
    esbuildBuild.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.slice(0, -"?raw".length)),
      namespace: "raw-text",
    }));
    esbuildBuild.onLoad({ filter: /.*/, namespace: "raw-text" }, async (args) => ({
      contents: await readFile(args.path, "utf8"),
      loader: "text",
      watchFiles: [args.path],
    }));
  },
};

/**
 * Builds every entry whose source file exists into dist/; an entry whose source is not written
 * yet is skipped with a notice. Returns the entries built.
 *
 * @example
 * import { build } from "./scripts/build.mjs";
 * await build();
 */
export async function build({ log = (line) => process.stdout.write(`${line}\n`) } = {}) {
  const present = entries.filter((entry) => existsSync(join(root, entry.source)));
  for (const entry of entries) {
    if (!present.includes(entry)) log(`build: skipping dist/${entry.output}.js, ${entry.source} does not exist yet`);
  }
  const started = performance.now();
  // Built next to dist/ and swapped in when complete, so a flowc process that is starting (or a
  // test run in another terminal) sees the old bundle or the new one, never half of each; a fresh
  // folder also keeps chunks with stale content hashes from piling up.
  const staging = join(root, `.dist-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await Promise.all([bundle(present, staging), bundleScripts(staging)]).catch(async (error) => {
    await rm(staging, { recursive: true, force: true });
    throw error;
  });
  const dist = join(root, "dist");
  const retired = `${staging}-old`;
  if (existsSync(dist)) await rename(dist, retired);
  try {
    await rename(staging, dist);
  } catch (error) {
    // Another build (a second test run) swapped its dist/ in first; it holds the same sources.
    if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
    await rm(staging, { recursive: true, force: true });
  }
  await rm(retired, { recursive: true, force: true });
  const built = [
    ...present.map((entry) => `dist/${entry.output}.js`),
    ...scripts.map((script) => `dist/${script.output}`),
  ].join(", ");
  log(
    `build: ${built} and their chunks, ${megabytes(join(root, "dist"))}, in ${Math.round(performance.now() - started)} ms`,
  );
  return present;
}

/**
 * In the check script, `node:child_process` is required on first use instead of at start-up.
 * Commander requires it when it loads, for subcommands that are programs of their own, which
 * flowc has none of; loading it (with `net` and `dgram` behind it) was a few milliseconds of every
 * `flowc check`.
 */
const lazyChildProcessPlugin = {
  name: "lazy-child-process",
  setup(esbuildBuild) {
    esbuildBuild.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.namespace === "lazy-builtin"
        ? { path: "node:child_process", external: true }
        : { path: "node:child_process", namespace: "lazy-builtin" },
    );
    esbuildBuild.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, () => ({
      contents:
        "let loaded;\n" +
        "module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require('node:child_process'))[key] });\n",
      loader: "js",
    }));
  },
};

/**
 * The check script builds device bundles to report what `flowc build` would (heap, RTC memory) but
 * never precompiles them, so mpy-cross's loader stays out of it: a stand-in module refuses, should
 * that ever change, instead of a bundled loader that would need `import.meta` (which a CommonJS
 * script does not have, and esbuild warned about at every build).
 */
const noPrecompilePlugin = {
  name: "no-precompile",
  setup(esbuildBuild) {
    esbuildBuild.onResolve({ filter: /\/precompile\.js$/ }, (args) =>
      args.importer.endsWith(join("targets", "esp8266", "build.ts"))
        ? { path: "precompile", namespace: "no-precompile" }
        : undefined,
    );
    esbuildBuild.onLoad({ filter: /.*/, namespace: "no-precompile" }, () => ({
      contents:
        "export function precompileBundle() {\n" +
        '  throw new Error("flowc check does not precompile bundles: use flowc build");\n' +
        "}\n",
      loader: "js",
    }));
  },
};

/**
 * Two start-up costs of Chevrotain that the bundles patch away. Each replacement fails the build
 * if a Chevrotain upgrade changes the code it replaces (then check whether the cost is still there).
 *
 * - scan/lexer.js fills a 65,536-entry table (char code → first-character bucket) whenever a
 *   lexer is built, although the bucket of a code above 255 is plain arithmetic: the table only
 *   trades a division for a lookup, and flowc's sources are almost all ASCII, which skips both.
 *   Run once by the interpreter at every start, the loop was 3% of `flowc check`'s start-up.
 *   Chevrotain's own source marks it as a compromise ("Perhaps it should be lazy initialized");
 *   the bucket is computed instead.
 * - parse/parser/utils/apply_mixins.js gives the parser's prototype its ~250 methods from ten
 *   mixins one at a time. V8 keeps a prototype's properties in fast mode, copying its descriptors
 *   at each addition, so the loop was 2% of `flowc check`'s start-up. A prototype turned into a
 *   dictionary first (adding and deleting a property) takes each method in constant time, and V8
 *   makes it a fast prototype again when it is first used as one.
 */
const chevrotainPatches = [
  {
    file: /[\\/]chevrotain[\\/]lib[\\/]src[\\/]scan[\\/]lexer\.js$/,
    replacements: [
      [
        "return charCode < minOptimizationVal\n        ? charCode\n        : charCodeToOptimizedIdxMap[charCode];",
        "return charCode < minOptimizationVal ? charCode : 255 + ~~(charCode / 255);",
      ],
      [
        /function initCharCodeToOptimizedIndexMap\(\) \{\n(?: .*\n)*\}\n/,
        "function initCharCodeToOptimizedIndexMap() {}\n",
      ],
    ],
  },
  {
    file: /[\\/]chevrotain[\\/]lib[\\/]src[\\/]parse[\\/]parser[\\/]utils[\\/]apply_mixins\.js$/,
    replacements: [
      [
        "export function applyMixins(derivedCtor, baseCtors) {\n",
        "export function applyMixins(derivedCtor, baseCtors) {\n" +
          "    derivedCtor.prototype.__dictionaryMode = true;\n" +
          "    delete derivedCtor.prototype.__dictionaryMode;\n",
      ],
    ],
  },
];

const chevrotainStartupPlugin = {
  name: "chevrotain-start-up",
  setup(esbuildBuild) {
    for (const { file, replacements } of chevrotainPatches) {
      esbuildBuild.onLoad({ filter: file }, async (args) => {
        let contents = await readFile(args.path, "utf8");
        for (const [pattern, replacement] of replacements) {
          const patched = contents.replace(pattern, replacement);
          if (patched === contents)
            throw new Error(`${chevrotainStartupPlugin.name}: ${args.path} no longer has ${pattern}`);
          contents = patched;
        }
        return { contents, loader: "js" };
      });
    }
  },
};

/** Bundles the `present` entries, and the chunks they share or import lazily, into `outdir`. */
function bundle(present, outdir) {
  return esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(present.map((entry) => [entry.output, entry.source])),
    outdir,
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external,
    plugins: [rawTextPlugin, cataloguePlugin, chevrotainStartupPlugin],
    // CommonJS dependencies (aedes, vscode-languageserver) call require() for Node's built-in
    // modules; an ES module has no require of its own.
    banner: {
      js: 'import { createRequire as __flowcCreateRequire } from "node:module";\nconst require = __flowcCreateRequire(import.meta.url);',
    },
    // Lets code tell the bundle from the sources it is built from; unbundled runs (tests) read the
    // real environment variable, which is unset. The grammar, for one, can skip Chevrotain's
    // self-validation at start-up in the bundle, because every test run validates it.
    define: { "process.env.FLOWC_BUNDLED": '"1"' },
    sourcemap: "linked",
    legalComments: "linked",
    logLevel: "warning",
  });
}

/** Bundles each of {@link scripts} into one file of `outdir`, nothing split off or left out. */
function bundleScripts(outdir) {
  return Promise.all(
    scripts
      .filter((script) => existsSync(join(root, script.source)))
      .map((script) =>
        esbuild.build({
          absWorkingDir: root,
          entryPoints: [script.source],
          outfile: join(outdir, script.output),
          bundle: true,
          platform: "node",
          format: "cjs",
          target: "node20",
          plugins: [
            rawTextPlugin,
            cataloguePlugin,
            lazyChildProcessPlugin,
            noPrecompilePlugin,
            chevrotainStartupPlugin,
          ],
          define: { "process.env.FLOWC_BUNDLED": '"1"' },
          minify: true,
          sourcemap: "linked",
          legalComments: "linked",
          logLevel: "warning",
        }),
      ),
  );
}

/**
 * Whether dist/ is missing an entry whose source exists, or any file under {@link inputs} changed
 * after the oldest bundle was written.
 *
 * @example
 * if (isStale()) await build();
 */
export function isStale() {
  let oldestOutput = Infinity;
  for (const entry of entries) {
    if (!existsSync(join(root, entry.source))) continue;
    const output = join(root, "dist", `${entry.output}.js`);
    if (!existsSync(output)) return true;
    oldestOutput = Math.min(oldestOutput, statSync(output).mtimeMs);
  }
  for (const script of scripts) {
    if (!existsSync(join(root, script.source))) continue;
    const output = join(root, "dist", script.output);
    if (!existsSync(output)) return true;
    oldestOutput = Math.min(oldestOutput, statSync(output).mtimeMs);
  }
  return inputs.some((input) => newestChange(join(root, input)) > oldestOutput);
}

function newestChange(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  // A deleted file shows as a change of its folder.
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path, { recursive: true })) {
    newest = Math.max(newest, statSync(join(path, name)).mtimeMs);
  }
  return newest;
}

/** The size of the JavaScript under `folder`, source maps left out. */
function megabytes(folder) {
  const bytes = readdirSync(folder, { recursive: true })
    .filter((name) => name.endsWith(".js") || name.endsWith(".cjs"))
    .reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (process.argv.includes("--if-stale") && !isStale()) {
    process.stdout.write(`build: ${relative(process.cwd(), join(root, "dist")) || "dist"} is up to date\n`);
  } else {
    await build();
  }
}
