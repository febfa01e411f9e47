/**
 * Brings a board's files in line with a bundle over the raw REPL, safely and with as few bytes as
 * possible:
 *
 * 1. One command asks the board for its MicroPython version, free flash (`os.statvfs`), the
 *    deploy manifest an earlier deploy left, and size + SHA-256 (`hashlib`) of every file the
 *    bundle or that manifest names; it also deletes temporary files a cut deploy left behind.
 * 2. Files with the same size and hash are skipped. Before anything is written, the board's
 *    firmware version and its free space are checked against what the bundle needs.
 * 3. Each changed file is written to `<name>.flowc-new` (through raw REPL commands, or the
 *    link's own file transfer where it has one: WebREPL's), and every temporary file's hash is
 *    checked on the board.
 * 4. One last command renames them into place (main.py last), deletes the files the earlier
 *    deploy wrote that the bundle no longer has, and writes the new manifest. The board runs a
 *    command only once it has received all of it, so a cable cut at any byte leaves either the
 *    old bundle or the new one, never a half-written file under a name the board imports.
 *
 * Files the manifest does not name are never touched.
 */
import { createHash } from "node:crypto";
import type { RawRepl } from "./raw-repl.js";

/** The board-side record of what a deploy wrote, at the file system root. */
export const DEPLOY_MANIFEST = "flowc-deploy.json";
/** Suffix of a file being written; renamed into place once verified. */
export const TEMPORARY_SUFFIX = ".flowc-new";

export interface DeployFile {
  /** Relative to the board's root, `/`-separated. */
  readonly path: string;
  readonly contents: Uint8Array;
}

export interface SyncOptions {
  /** The flow the bundle was built from, recorded in the manifest. */
  readonly flow: string;
  /** The oldest MicroPython that runs the bundle, e.g. `[1, 19]`. */
  readonly minimumVersion?: readonly number[];
  /** Called as each file is written, with its path and size. */
  readonly onFile?: (path: string, bytes: number) => void;
  /** Bytes of file content per command (default 1024: the board compiles each command in RAM). */
  readonly chunkBytes?: number;
}

export interface SyncResult {
  readonly written: string[];
  readonly unchanged: string[];
  readonly removed: string[];
  /** MicroPython's version on the board, e.g. `1.19.1`. */
  readonly version: string;
}

/** The board is out of flash for the files to write. */
export class OutOfFlashError extends Error {
  override readonly name = "OutOfFlashError";
}

/** The board's MicroPython is older than the bundle needs. */
export class FirmwareTooOldError extends Error {
  override readonly name = "FirmwareTooOldError";
}

interface BoardState {
  /** `sys.implementation.version`. */
  readonly version: number[];
  /** Free bytes and the block size of the root file system. */
  readonly free: number;
  readonly block: number;
  /** The previous deploy's manifest, or null. */
  readonly manifest: { flow?: string; files?: Record<string, string> } | null;
  /** Size and SHA-256 (hex) of each asked-for file that exists. */
  readonly files: Record<string, [number, string] | null>;
}

/**
 * Writes what changed, removes what an earlier deploy of a flow wrote and the bundle dropped.
 *
 * @example
 * await repl.enter();
 * const result = await syncFiles(repl, [{ path: "main.py", contents: main }], { flow: "client.flow" });
 * result.written; // ["main.py"], or [] when the board already had it
 */
export async function syncFiles(
  repl: RawRepl,
  files: readonly DeployFile[],
  options: SyncOptions,
): Promise<SyncResult> {
  for (const file of files) checkPath(file.path);
  const board = await readBoardState(
    repl,
    files.map((file) => file.path),
  );
  const version = board.version.join(".");
  if (options.minimumVersion && compareVersions(board.version, options.minimumVersion) < 0)
    throw new FirmwareTooOldError(
      `the board runs MicroPython ${version}, and this bundle needs ${options.minimumVersion.join(".")} or later: ` +
        "flash a newer firmware (micropython.org/download/esp8266)",
    );

  const hashes = new Map(files.map((file) => [file.path, sha256(file.contents)]));
  const changed = files.filter((file) => {
    const existing = board.files[file.path];
    return !existing || existing[0] !== file.contents.length || existing[1] !== hashes.get(file.path);
  });
  const unchanged = files.filter((file) => !changed.includes(file)).map((file) => file.path);
  const previous = Object.keys(board.manifest?.files ?? {});
  const removed = previous.filter((path) => !hashes.has(path) && board.files[path] != null);
  const manifest = `${JSON.stringify({ flow: options.flow, files: Object.fromEntries(hashes) })}\n`;
  // MicroPython's dicts do not keep their keys in order, so the entries are compared as a set.
  const recorded = Object.entries(board.manifest?.files ?? {});
  const manifestCurrent =
    board.manifest?.flow === options.flow &&
    recorded.length === hashes.size &&
    recorded.every(([path, hash]) => hashes.get(path) === hash);
  if (changed.length === 0 && removed.length === 0 && manifestCurrent)
    return { written: [], unchanged, removed: [], version };

  // The new copies sit beside the old ones until the commit, so all of them must fit at once.
  const blocks = (bytes: number) => Math.ceil(bytes / board.block) * board.block;
  const needed = changed.reduce((sum, file) => sum + blocks(file.contents.length), blocks(manifest.length));
  if (needed > board.free)
    throw new OutOfFlashError(
      `the board has ${board.free} bytes of flash free and this deploy needs ${needed} ` +
        `(${changed.length} file${changed.length === 1 ? "" : "s"} to write): nothing was written; ` +
        "delete files on the board you no longer need, or build a smaller bundle",
    );

  for (const file of changed) {
    await writeTemporary(repl, file, options.chunkBytes ?? 1024);
    options.onFile?.(file.path, file.contents.length);
  }
  await verifyTemporaries(repl, changed, hashes);
  // main.py last: until it is renamed the old main.py runs, and it finds the files it had.
  const order = [...changed].sort((a, b) => Number(a.path === "main.py") - Number(b.path === "main.py"));
  await repl.exec(
    [
      "import os",
      ...order.map((file) => `os.rename(${py(file.path + TEMPORARY_SUFFIX)},${py(file.path)})`),
      ...removed.map((path) => `os.remove(${py(path)})`),
      `f=open(${py(DEPLOY_MANIFEST + TEMPORARY_SUFFIX)},'w')`,
      `f.write(${py(manifest)})`,
      "f.close()",
      `os.rename(${py(DEPLOY_MANIFEST + TEMPORARY_SUFFIX)},${py(DEPLOY_MANIFEST)})`,
    ].join("\n"),
  );
  return { written: changed.map((file) => file.path), unchanged, removed, version };
}

/** What the board has: one command, so an unchanged board costs a single round trip. */
async function readBoardState(repl: RawRepl, paths: readonly string[]): Promise<BoardState> {
  const code = `import sys,os,json,hashlib,binascii
def h(p):
 try:
  n=os.stat(p)[6]
 except OSError:
  return None
 d=hashlib.sha256()
 b=bytearray(256)
 v=memoryview(b)
 f=open(p,'rb')
 while 1:
  k=f.readinto(b)
  if not k:break
  d.update(v[:k])
 f.close()
 return [n,binascii.hexlify(d.digest()).decode()]
try:
 f=open(${py(DEPLOY_MANIFEST)})
 m=json.load(f)
 f.close()
except (OSError,ValueError):
 m=None
ps=${JSON.stringify(paths)}
if m and isinstance(m.get('files'),dict):
 ps+=[p for p in m['files'] if p not in ps]
for p in ps+[${py(DEPLOY_MANIFEST)}]:
 try:
  os.remove(p+${py(TEMPORARY_SUFFIX)})
 except OSError:
  pass
s=os.statvfs('/')
print(json.dumps({'version':list(sys.implementation.version)[:3],'free':s[0]*s[4],'block':s[0],'manifest':m,'files':{p:h(p) for p in ps}}))`;
  const output = await repl.exec(code);
  try {
    return JSON.parse(output.trim()) as BoardState;
  } catch {
    throw new Error(
      `unexpected answer from the board while reading its files: ${JSON.stringify(output.slice(0, 200))}`,
    );
  }
}

async function writeTemporary(repl: RawRepl, file: DeployFile, chunkBytes: number): Promise<void> {
  const temporary = file.path + TEMPORARY_SUFFIX;
  const directories = file.path.split("/").slice(0, -1);
  const setup = [
    "import os",
    ...directories.map(
      (_, i) => `try:\n os.mkdir(${py(directories.slice(0, i + 1).join("/"))})\nexcept OSError:\n pass`,
    ),
    `f=open(${py(temporary)},'wb')`,
    "w=f.write",
  ];
  const contents = Buffer.from(file.contents);
  const link = repl.link;
  if (link.transport.putFile) {
    if (directories.length > 0) await repl.exec(setup.slice(0, -2).join("\n"));
    link.bytesWritten += await link.transport.putFile(temporary, contents);
    return;
  }
  const encoding = fileEncoding(contents);
  setup.push(...encoding.setup);
  // The first command opens the file, the last closes it; an empty file is both.
  const chunks = Math.max(1, Math.ceil(contents.length / chunkBytes));
  for (let i = 0; i < chunks; i++) {
    const chunk = contents.subarray(i * chunkBytes, (i + 1) * chunkBytes);
    const commands = [
      ...(i === 0 ? setup : []),
      `w(${encoding.chunk(chunk)})`,
      ...(i === chunks - 1 ? ["f.close()"] : []),
    ];
    await repl.exec(commands.join("\n"));
  }
}

async function verifyTemporaries(
  repl: RawRepl,
  files: readonly DeployFile[],
  hashes: ReadonlyMap<string, string>,
): Promise<void> {
  if (files.length === 0) return;
  const output = await repl.exec(`import hashlib,binascii
def h(p):
 d=hashlib.sha256()
 b=bytearray(256)
 v=memoryview(b)
 f=open(p,'rb')
 while 1:
  k=f.readinto(b)
  if not k:break
  d.update(v[:k])
 f.close()
 print(binascii.hexlify(d.digest()).decode())
for p in ${JSON.stringify(files.map((file) => file.path + TEMPORARY_SUFFIX))}:
 h(p)`);
  const got = output.trim().split(/\r?\n/);
  files.forEach((file, i) => {
    if (got[i] !== hashes.get(file.path))
      throw new Error(
        `${file.path} arrived damaged on the board (SHA-256 ${got[i] ?? "missing"}, expected ${hashes.get(file.path)}): ` +
          "nothing was replaced; deploy again, at a lower --baud if it repeats",
      );
  });
}

/** A Python string literal for a path or text: JSON's escapes are valid Python. */
function py(text: string): string {
  return JSON.stringify(text);
}

/** A Python bytes literal: printable ASCII as is, everything else escaped, so the code is 7-bit. */
export function bytesLiteral(bytes: Uint8Array): string {
  let out = "b'";
  for (const byte of bytes) {
    if (byte === 0x27) out += "\\'";
    else if (byte === 0x5c) out += "\\\\";
    else if (byte === 0x0a) out += "\\n";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return `${out}'`;
}

/**
 * How a file's bytes are written in the board's Python: as bytes literals, or, for a binary file
 * (.mpy) whose bytes would mostly take four-character escapes on the wire, as base64 that the
 * board decodes (`setup` imports the decoder once per file).
 *
 * @example
 * const encoding = fileEncoding(contents);
 * await repl.exec([...encoding.setup, `w(${encoding.chunk(contents)})`].join("\n"));
 */
export function fileEncoding(contents: Uint8Array): {
  readonly setup: readonly string[];
  chunk(bytes: Uint8Array): string;
} {
  const base64 = Math.ceil(contents.length / 3) * 4 + 6 < bytesLiteral(contents).length;
  if (!base64) return { setup: [], chunk: bytesLiteral };
  return {
    setup: ["from binascii import a2b_base64 as a"],
    chunk: (bytes) => `a(b'${Buffer.from(bytes).toString("base64")}')`,
  };
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Negative when `a` is older than `b`; missing parts count as 0. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function checkPath(path: string): void {
  if (path === "" || path.startsWith("/") || path.split("/").some((part) => part === ".." || part === ""))
    throw new Error(`cannot deploy ${JSON.stringify(path)}: paths are relative to the board's root`);
}
