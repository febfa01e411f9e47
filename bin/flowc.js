#!/usr/bin/env node
// The `flowc` executable. It runs the esbuild bundle dist/cli.js, which `npm install` / `npm ci`
// build (the `prepare` script): one file loads several times faster than the few hundred modules
// chevrotain and the compiler are made of.
//
// A checkout that has not been built yet (or FLOWC_FROM_SOURCE=1, handy while editing the CLI)
// runs the TypeScript sources through tsx instead, after a one-line notice: slower to start, but
// a newcomer's first command works and a developer never runs a stale bundle by accident.
//
// This file and code-cache.js are CommonJS (bin/package.json): an ES module as the entry point
// starts Node's ES module loader, about a tenth of `flowc check`'s start-up, which the check
// script below never needs. Every other command imports its ES module bundle as before.
"use strict";
const { existsSync } = require("node:fs");
const nodeModule = require("node:module");
const { pathToFileURL } = require("node:url");

// Node 22.1+ can cache compiled code between runs; older Node lacks the function.
nodeModule.enableCompileCache?.();

const here = pathToFileURL(__filename);

async function main() {
  const args = process.argv.slice(2);
  const bundle = new URL("../dist/cli.js", here);
  const fromSource = process.env.FLOWC_FROM_SOURCE === "1" || !existsSync(bundle);
  // `flowc check` has a one-file script of its own that starts faster (cli/check-main.ts). The
  // command is the first word that is not an option, as cli/program.ts reads it.
  const checkScript = new URL("../dist/check.cjs", here);
  const script = !fromSource && args.find((arg) => !arg.startsWith("-")) === "check" && existsSync(checkScript);
  if (script) {
    const { loadScript } = require("./code-cache.js");
    const loaded = loadScript(checkScript);
    const exitCode = await loaded.exports.main(args);
    // 0 and 1 mean files were checked (1: with errors); 2 is a usage error.
    const help = args.includes("--help") || args.includes("-h");
    loaded.saveCache({ checkedFiles: exitCode <= 1 && !help });
    // The check script wrote its output synchronously and left nothing running, so nothing is
    // lost by leaving now rather than letting Node take the whole heap down first (a twentieth
    // of the command's start-up).
    process.exit(exitCode);
  } else {
    keepRunningWhenOutputCloses();
    const cli = fromSource ? await loadSources() : await import(bundle.href);
    process.exitCode = await cli.main(args);
  }
}

// A reader that stops early (`flowc graph a.flow | head`, `flowc build ... 2>&1 | head -1`) closes
// the pipe. That ends the output, not the command: every command still finishes its work (a
// running flow writes its files and disconnects cleanly) and exits with its own code. (The check
// script writes to the descriptors itself, and does the same; see cli/io.ts descriptorStreams.)
function keepRunningWhenOutputCloses() {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error) => {
      if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
    });
  }
}

async function loadSources() {
  let tsx;
  try {
    tsx = await import("tsx/esm/api");
  } catch {
    process.stderr.write("flowc: dist/cli.js is missing; run `npm run build` in the flowc folder.\n");
    process.exit(1);
  }
  if (process.env.FLOWC_FROM_SOURCE !== "1") {
    process.stderr.write(
      "flowc: dist/cli.js not built yet, running from source (slower); `npm run build` builds it.\n",
    );
  }
  tsx.register();
  // Files imported as `./driver.py?raw` are text, as in the bundle and in vitest.
  nodeModule.register("../scripts/raw-text-hooks.mjs", here);
  return import("../cli/main.ts");
}

// An error that escapes is a bug in flowc: Node prints it and exits with 1, as it did for the ES
// module this file used to be.
main().catch((error) => {
  process.exitCode = 1;
  throw error;
});
