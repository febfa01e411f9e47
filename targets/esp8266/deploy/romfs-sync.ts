/**
 * Puts a bundle's bytecode into the board's ROMFS partition, where MicroPython runs it from flash
 * instead of copying it into the heap (firmware built with one: MicroPython 1.25 and later,
 * ESP8266_GENERIC's FLASH_2M_ROMFS variant). Over the raw REPL, with `vfs.rom_ioctl`: 3 erases
 * what the image spans and answers the write unit, 4 writes at an offset, 5 (where the port has
 * it) finishes.
 *
 * The board mounts the partition at boot only when it starts with the ROMFS header, so the first
 * write unit goes last: a write cut at any byte leaves either the complete image or no mountable
 * one, never a half image under /rom. deploy.ts keeps a copy of the bytecode on the file system
 * until the image is verified, so the board boots either way.
 */
import { FLOWC_ROMFS_MARKER } from "../romfs.js";
import { fileEncoding, sha256 } from "./file-sync.js";
import type { RawRepl } from "./raw-repl.js";

/** Board-side `hashed(d, n)`: SHA-256 (hex) of the first `n` bytes of the mapped partition `d`. */
const PREFIX_HASH = `import hashlib,binascii
def hashed(d,n):
 h=hashlib.sha256()
 for i in range(0,n,256):
  h.update(d[i:min(i+256,n)])
 return binascii.hexlify(h.digest()).decode()`;

/** What the ESP8266 port answers for the write-finishing ioctl it does not have: -EINVAL. */
const NO_SUCH_IOCTL = -22;

/** What the board's ROMFS partition holds. */
export interface RomfsPartition {
  /** Bytes of the partition. */
  readonly bytes: number;
  /** Whether it starts with a ROMFS image the board mounts. */
  readonly mounted: boolean;
  /** Whether that image is one flowc wrote (it holds {@link FLOWC_ROMFS_MARKER}). */
  readonly ours: boolean;
  /** SHA-256 (hex) of the partition's first `length` bytes, `length` as asked. */
  readonly prefixHash: string;
}

/** The board has no ROMFS partition where one was asked for, or the image does not fit it. */
export class RomfsUnavailableError extends Error {
  override readonly name = "RomfsUnavailableError";
}

/**
 * Asks the board about its ROMFS partition; undefined when its firmware has none. `length`
 * bytes of it are hashed, to compare with an image of that length without reading it back.
 *
 * @example
 * const partition = await readRomfsPartition(repl, image.length);
 * partition?.prefixHash === sha256(image); // the image is already there
 */
export async function readRomfsPartition(repl: RawRepl, length: number): Promise<RomfsPartition | undefined> {
  const output = await repl.exec(`${PREFIX_HASH}
import vfs,json
r=None
if hasattr(vfs,'rom_ioctl') and vfs.rom_ioctl(1)>0:
 d=vfs.rom_ioctl(2,0)
 try:
  o=${JSON.stringify(FLOWC_ROMFS_MARKER)} in [e[0] for e in vfs.VfsRom(d).ilistdir('/')]
  m=1
 except OSError:
  o=m=0
 r=[len(d),m,o,hashed(d,min(len(d),${length}))]
print(json.dumps(r))`);
  const answer = JSON.parse(output.trim()) as [number, number, boolean, string] | null;
  if (!answer) return undefined;
  const [bytes, mounted, ours, prefixHash] = answer;
  return { bytes, mounted: mounted === 1, ours, prefixHash };
}

/**
 * Erases what `image` spans and writes it, its first write unit last, then checks its SHA-256 on
 * the board. Throws when the board refuses a step or the image arrived damaged.
 *
 * @example
 * await writeRomfs(repl, flowRomfsImage(bytecode, "client.flow"));
 */
export async function writeRomfs(repl: RawRepl, image: Uint8Array, chunkBytes = 1024): Promise<void> {
  const prepared = Number((await repl.exec(`import vfs\nprint(vfs.rom_ioctl(3,0,${image.length}))`)).trim());
  if (!(prepared > 0))
    throw new Error(
      `the board could not erase its ROMFS partition (rom_ioctl answered ${prepared}): nothing was written`,
    );
  // Writes must cover whole write units; erased flash is 0xff, so padding with it changes nothing.
  const unit = prepared;
  const chunk = Math.ceil(chunkBytes / unit) * unit;
  const padded = Buffer.alloc(Math.ceil(image.length / unit) * unit, 0xff);
  padded.set(image);
  const offsets: number[] = [];
  for (let offset = chunk; offset < padded.length; offset += chunk) offsets.push(offset);
  offsets.push(0);
  const encoding = fileEncoding(padded);
  const setup = [
    "import vfs",
    ...encoding.setup,
    "def w(o,b):",
    " r=vfs.rom_ioctl(4,0,o,b)",
    " if r:raise OSError(-r)",
  ];
  for (const [i, offset] of offsets.entries())
    await repl.exec(
      [...(i === 0 ? setup : []), `w(${offset},${encoding.chunk(padded.subarray(offset, offset + chunk))})`].join("\n"),
    );
  // 5 finishes a write on ports that buffer it; the ESP8266 port has no 5 and answers -EINVAL.
  const output = await repl.exec(`${PREFIX_HASH}
import vfs
print(vfs.rom_ioctl(5,0),hashed(vfs.rom_ioctl(2,0),${image.length}))`);
  const [finished, hash] = output.trim().split(" ");
  if (Number(finished) < 0 && Number(finished) !== NO_SUCH_IOCTL)
    throw new Error(`the board could not finish writing its ROMFS partition (rom_ioctl answered ${finished})`);
  if (hash !== sha256(image))
    throw new Error(
      `the ROMFS image arrived damaged on the board (SHA-256 ${hash}, expected ${sha256(image)}): ` +
        "the bytecode on its file system still runs; deploy again, at a lower --baud if it repeats",
    );
}

/** Where a deploy puts the bytecode: the image for the partition, or why it stays on the file system. */
export type BytecodePlacement =
  | {
      readonly image: Uint8Array;
      readonly partitionBytes: number;
      readonly current: boolean;
      readonly skipped?: undefined;
    }
  | { readonly image?: undefined; readonly skipped?: string };

/**
 * Decides whether `image` goes into the board's ROMFS partition: when the board has one, the
 * image fits, and the partition is empty or holds an earlier deploy's image (or `always`, which
 * replaces any and fails without a partition). `current` says the partition already holds it.
 *
 * @example
 * const placement = await placeBytecode(repl, flowRomfsImage(bytecode, "client.flow"), false);
 * if (placement.image && !placement.current) await writeRomfs(repl, placement.image);
 */
export async function placeBytecode(repl: RawRepl, image: Uint8Array, always: boolean): Promise<BytecodePlacement> {
  const partition = await readRomfsPartition(repl, image.length);
  if (!partition) {
    if (always)
      throw new RomfsUnavailableError(
        "the board's firmware has no ROMFS partition: flash a build with one (ESP8266_GENERIC FLASH_2M_ROMFS, " +
          "MicroPython 1.25 or later), or deploy without --romfs",
      );
    return {};
  }
  if (image.length > partition.bytes) {
    const reason = `the ROMFS image (${image.length} bytes) is bigger than the partition (${partition.bytes} bytes)`;
    if (always) throw new RomfsUnavailableError(`${reason}: nothing was written`);
    return { skipped: `${reason}; the bytecode went to the file system` };
  }
  if (partition.mounted && !partition.ours && !always)
    return {
      skipped:
        "the ROMFS partition holds files flowc did not write, left alone (--romfs replaces them); " +
        "the bytecode went to the file system",
    };
  return {
    image,
    partitionBytes: partition.bytes,
    current: partition.mounted && partition.prefixHash === sha256(image),
  };
}
