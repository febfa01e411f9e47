/**
 * `flowc deploy` without the command line: open a board (serial or WebREPL), sync a bundle's
 * files onto it (file-sync.ts), its bytecode into a ROMFS partition where the firmware has one
 * (romfs-sync.ts), and soft-reset it into the new program.
 */
import type { BundleFile } from "../bundle.js";
import { Connection } from "./connection.js";
import { syncFiles, type DeployFile, type SyncResult } from "./file-sync.js";
import { RawRepl, type RawReplOptions } from "./raw-repl.js";
import { flowRomfsImage } from "../romfs.js";
import { placeBytecode, writeRomfs } from "./romfs-sync.js";
import { openSerialTransport } from "./serial-transport.js";
import { openWebReplTransport } from "./webrepl-transport.js";

/** Where the board is: a serial port, or WebREPL on the network. */
export type BoardAddress =
  | { readonly kind: "serial"; readonly port: string; readonly baud?: number }
  | { readonly kind: "webrepl"; readonly url: string; readonly password: string };

/** Opens the link to a board. Errors say what to do (no such port, permission denied, wrong password). */
export async function openBoard(address: BoardAddress): Promise<Connection> {
  const transport =
    address.kind === "serial"
      ? await openSerialTransport(address.port, address.baud)
      : await openWebReplTransport(address.url, address.password);
  return new Connection(transport);
}

/** .mpy files need the bytecode version 6 loader: MicroPython 1.19 and later. */
const MPY_V6_MINIMUM = [1, 19];

/** The files of a bundle that go onto the board: its Python modules, compiled or not. */
export function deployableFiles(files: readonly BundleFile[]): DeployFile[] {
  return files
    .filter((file) => /\.(py|mpy)$/.test(file.path))
    .map((file) => ({
      path: file.path,
      contents: typeof file.contents === "string" ? Buffer.from(file.contents, "utf8") : file.contents,
    }));
}

/**
 * The oldest MicroPython a bundle runs on: manifest.json's `micropython` (`"1.19"`) when it says,
 * else 1.19 when it holds .mpy files, else no minimum.
 */
export function minimumVersionOf(files: readonly BundleFile[]): number[] | undefined {
  const manifest = files.find((file) => file.path === "manifest.json");
  if (manifest) {
    try {
      const declared = (JSON.parse(String(manifest.contents)) as { micropython?: unknown }).micropython;
      if (typeof declared === "string" && /^\d+(\.\d+)*$/.test(declared)) return declared.split(".").map(Number);
    } catch {
      // A manifest that is not JSON declares nothing.
    }
  }
  return files.some((file) => file.path.endsWith(".mpy")) ? MPY_V6_MINIMUM : undefined;
}

export interface DeployOptions extends RawReplOptions {
  /** The .flow file the bundle was built from. */
  readonly flow: string;
  /** Soft-reset the board afterwards so the new program starts (default true). */
  readonly reset?: boolean;
  /**
   * Where the bytecode (.mpy files) goes on a board whose firmware has a ROMFS partition:
   * `"auto"` (the default) into the partition when it is empty or holds an earlier deploy's image
   * and the image fits, `"always"` into it whatever it holds (an error without one), `"never"`
   * onto the file system.
   */
  readonly romfs?: "auto" | "always" | "never";
  readonly onFile?: (path: string, bytes: number) => void;
}

/** What `flowc deploy --format json` prints. */
export interface DeployReport {
  readonly port: string;
  readonly written: string[];
  readonly unchanged: string[];
  readonly removed: string[];
  /** Bytes sent to the board, protocol included. */
  readonly bytes: number;
  readonly seconds: number;
  /** MicroPython's version on the board. */
  readonly micropython: string;
  readonly rawPaste: boolean;
  readonly reset: boolean;
  /** The bytecode's place in the board's ROMFS partition, or null when it went to the file system. */
  readonly romfs: RomfsReport | null;
  /** Why the bytecode did not go into the ROMFS partition of a board that has one. */
  readonly romfsSkipped?: string;
}

/** What a deploy put in the board's ROMFS partition. */
export interface RomfsReport {
  /** The bytecode files in the image. */
  readonly files: string[];
  /** Bytes of the image, and of the partition it went into. */
  readonly bytes: number;
  readonly partitionBytes: number;
  /** False when the partition already held this image. */
  readonly written: boolean;
}

/**
 * Deploys a bundle over an open link: interrupts the program, syncs the files, soft-resets.
 *
 * @example
 * const link = await openBoard({ kind: "serial", port: "/dev/ttyUSB0" });
 * try {
 *   const report = await deployBundle(link, bundle.files, { flow: "client.flow" });
 *   report.written; // ["main.py", "config.py", "tsl2591.py"]
 * } finally {
 *   await link.close();
 * }
 */
export async function deployBundle(
  link: Connection,
  files: readonly BundleFile[],
  options: DeployOptions,
): Promise<DeployReport> {
  const started = performance.now();
  const bytesBefore = link.bytesWritten;
  const repl = new RawRepl(link, options);
  await repl.enter();
  const minimumVersion = minimumVersionOf(files);
  const sync = (wanted: readonly DeployFile[], onFile = options.onFile) =>
    syncFiles(repl, wanted, {
      flow: options.flow,
      ...(minimumVersion ? { minimumVersion } : {}),
      ...(onFile ? { onFile } : {}),
    });
  const deployable = deployableFiles(files);
  const bytecode = deployable.filter((file) => file.path.endsWith(".mpy"));
  const placement =
    options.romfs === "never" || bytecode.length === 0
      ? undefined
      : await placeBytecode(repl, flowRomfsImage(bytecode, options.flow), options.romfs === "always");
  const { result, romfs } = placement?.image
    ? await syncAroundImage(repl, placement, deployable, sync, options.onFile)
    : { result: await sync(deployable), romfs: null };
  const reset = options.reset !== false;
  if (reset) await repl.resetToProgram();
  else await repl.leave();
  return {
    port: link.transport.name,
    written: result.written,
    unchanged: result.unchanged,
    removed: result.removed,
    bytes: link.bytesWritten - bytesBefore,
    seconds: Math.round(performance.now() - started) / 1000,
    micropython: result.version,
    rawPaste: repl.rawPaste === true,
    reset,
    romfs,
    ...(placement?.skipped ? { romfsSkipped: placement.skipped } : {}),
  };
}

/**
 * A deploy whose bytecode goes into the ROMFS partition: unless the partition already holds the
 * image, the whole bundle goes onto the file system first, where it shadows the partition, so the
 * board boots from it whatever happens to the image; then the image; then the file system without
 * the bytecode, which removes the copies, and the board imports it from /rom.
 */
async function syncAroundImage(
  repl: RawRepl,
  placement: { readonly image: Uint8Array; readonly partitionBytes: number; readonly current: boolean },
  deployable: readonly DeployFile[],
  sync: (wanted: readonly DeployFile[], onFile?: (path: string, bytes: number) => void) => Promise<SyncResult>,
  onFile: ((path: string, bytes: number) => void) | undefined,
): Promise<{ result: SyncResult; romfs: RomfsReport }> {
  const { image, partitionBytes, current } = placement;
  const copies = new Set(deployable.filter((file) => file.path.endsWith(".mpy")).map((file) => file.path));
  let fallback: SyncResult | undefined;
  if (!current) {
    fallback = await sync(deployable, (path, bytes) => {
      if (!copies.has(path)) onFile?.(path, bytes);
    });
    await writeRomfs(repl, image);
    onFile?.(`ROMFS image (${[...copies].join(", ")})`, image.length);
  }
  const final = await sync(deployable.filter((file) => !copies.has(file.path)));
  // Reported as the file system's net change: the copies the fallback wrote and the final sync
  // removed are neither written nor removed.
  const written = [...new Set([...(fallback?.written ?? []), ...final.written])].filter((path) => !copies.has(path));
  const result = {
    ...final,
    written,
    unchanged: final.unchanged.filter((path) => !written.includes(path)),
    removed: [...new Set([...(fallback?.removed ?? []), ...final.removed])].filter(
      (path) => !copies.has(path) || !fallback?.written.includes(path),
    ),
  };
  return { result, romfs: { files: [...copies], bytes: image.length, partitionBytes, written: !current } };
}

/**
 * Asks a board for its MicroPython version and the size of its ROMFS partition (null when its
 * firmware has none), then soft-resets it so its program runs again. Resolves undefined when the
 * port does not answer as MicroPython.
 *
 * @example
 * await probeBoard(link); // { version: "1.25.0", machine: "ESP module with ESP8266", romfsBytes: 327680 }
 */
export async function probeBoard(
  link: Connection,
  timeoutMs = 1500,
): Promise<{ version: string; machine: string; romfsBytes: number | null } | undefined> {
  const repl = new RawRepl(link, { enterTimeoutMs: timeoutMs, execTimeoutMs: timeoutMs * 2 });
  try {
    await repl.enter();
  } catch {
    return undefined;
  }
  const output = await repl.exec(
    "import sys,os,json\ntry:\n import vfs\n r=len(vfs.rom_ioctl(2,0)) if vfs.rom_ioctl(1)>0 else None\nexcept (ImportError,AttributeError):\n r=None\n" +
      "print(json.dumps(['.'.join(str(n) for n in sys.implementation.version[:3]),os.uname().machine if hasattr(os,'uname') else sys.platform,r]))",
  );
  await repl.resetToProgram();
  const [version, machine, romfsBytes] = JSON.parse(output.trim()) as [string, string, number | null];
  return { version, machine, romfsBytes };
}
