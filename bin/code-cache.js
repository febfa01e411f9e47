// Loads a one-file CommonJS bundle (dist/check.cjs) the way Node loads a CommonJS module, but
// through vm.Script with a V8 code cache: Node 20 has no compile cache of its own, and compiling
// the bundle's code again at every start was a fifth of `flowc check`'s start-up.
//
// The cache lives in the user's cache folder ($XDG_CACHE_HOME/flowc or ~/.cache/flowc, created
// private to the user), never beside the bundle, which a build may be replacing. Its file name
// holds a hash of the bundle's path, the bundle's file identity (inode, size, modification time
// to the nanosecond), Node's version and the platform, so a rebuilt bundle or another Node never
// meets a stale cache, and two installs of flowc (a global one and a project's) keep a cache
// each instead of replacing each other's at every start; V8 itself rejects a cache made under
// other flags. (Hashing the bundle's text instead cost loading node:crypto and reading 600 KB
// through it at every start.) Every step is optional: when the cache cannot be read, is rejected
// or cannot be written, the bundle is compiled as usual and runs the same.
"use strict";
const {
  lstatSync,
  mkdirSync,
  statSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} = require("node:fs");
const { createRequire } = require("node:module");
const { homedir } = require("node:os");
const { basename, dirname, join } = require("node:path");
const { fileURLToPath } = require("node:url");
const vm = require("node:vm");

// A cache holds the functions the run that made it compiled. One made by a run that stopped early
// (`flowc check --help`, a usage error) lacks most of what checking a file compiles, and every later
// check would compile that again, about a tenth of its start-up; so the cache's first byte says
// whether its run checked files, and the first run that does replaces a cache that did not.
const stoppedEarly = 0;
const checkedFiles = 1;

/**
 * Runs the CommonJS bundle at `url` and returns its exports, and `saveCache`, to call once the
 * command has run, so the cache holds the functions it compiled along the way too. Pass
 * `{ checkedFiles: false }` when the command stopped before its real work.
 */
function loadScript(url) {
  const path = fileURLToPath(url);
  const source = readFileSync(path, "utf8");
  const cacheFile = cacheFileFor(path);
  const stored = cacheFile && readPrivateFile(cacheFile);
  const cachedData = stored && stored.length > 1 ? stored.subarray(1) : undefined;
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapper, { filename: path, ...(cachedData ? { cachedData } : {}) });
  const bundleModule = { exports: {} };
  script.runInThisContext()(bundleModule.exports, createRequire(path), bundleModule, path, dirname(path));
  const saveCache = ({ checkedFiles: complete = true } = {}) => {
    if (!cacheFile) return;
    const accepted = cachedData !== undefined && !script.cachedDataRejected;
    if (accepted && (stored[0] === checkedFiles || !complete)) return;
    try {
      const kind = Buffer.of(complete ? checkedFiles : stoppedEarly);
      writeCache(cacheFile, Buffer.concat([kind, script.createCachedData()]));
    } catch {
      // An unwritable or full cache folder only costs the next start its compile time.
    }
  };
  return { exports: bundleModule.exports, saveCache };
}

module.exports = { loadScript };

function cacheFileFor(path) {
  const base = process.env.XDG_CACHE_HOME || (homedir() && join(homedir(), ".cache"));
  if (!base) return undefined;
  const bundle = statSync(path, { bigint: true });
  const key = [process.version, process.arch, process.platform, bundle.ino, bundle.size, bundle.mtimeNs].join("-");
  return join(base, "flowc", `${basename(path)}-${pathHash(path)}-${key}.v8cache`);
}

/** FNV-1a of the path, in hex: short, stable, and free of node:crypto's start-up. */
function pathHash(path) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) hash = Math.imul(hash ^ path.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** The file's bytes, when it is a plain file owned by this user that no one else may write. */
function readPrivateFile(file) {
  try {
    const stat = lstatSync(file);
    if (!stat.isFile() || (stat.mode & 0o022) !== 0) return undefined;
    if (typeof process.getuid === "function" && stat.uid !== process.getuid()) return undefined;
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the cache whole or not at all, and drops the caches of older builds of the same bundle. */
function writeCache(file, data) {
  const folder = dirname(file);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, data, { mode: 0o600 });
  renameSync(temporary, file);
  // The bundle's name and its path's hash: another install's caches are not ours to drop.
  const prefix = `${basename(file).split("-").slice(0, 2).join("-")}-`;
  for (const name of readdirSync(folder)) {
    if (name.startsWith(prefix) && name.endsWith(".v8cache") && name !== basename(file)) {
      rmSync(join(folder, name), { force: true });
    }
  }
}
