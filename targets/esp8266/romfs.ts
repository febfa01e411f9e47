/**
 * ROMFS images: MicroPython's read-only file system that a board maps into memory, so the .mpy
 * files in it run from flash instead of being copied into the heap (MicroPython 1.25 and later,
 * on firmware built with a ROMFS partition, such as ESP8266_GENERIC's FLASH_2M_ROMFS variant).
 *
 * The format, from MicroPython's `docs/reference/romfs.rst`: a record is a kind and a payload
 * length, both varuints (big-endian, 7 bits a byte, the high bit set on all bytes but the last),
 * then the payload. The image is one record of kind 0x14a6b1, which encodes as `d2 cd 31`
 * ("RM1" with the high bits of the first two bytes set); its payload holds file records (kind 5:
 * name length, name, then a verbatim data record, kind 2) and directory records (kind 4: name
 * length, name, then the records of its entries).
 */

/** The bytes every ROMFS image starts with. */
export const ROMFS_MAGIC = Uint8Array.of(0xd2, 0xcd, 0x31);

const RECORD_FILESYSTEM = 0x14a6b1;
const RECORD_DATA_VERBATIM = 2;
const RECORD_DIRECTORY = 4;
const RECORD_FILE = 5;

export interface RomfsFile {
  /** Relative, `/`-separated: `flow.mpy`, `lib/tsl2591.mpy`. */
  readonly path: string;
  readonly contents: Uint8Array;
}

/**
 * Builds the ROMFS image of `files`, entries in name order so equal bundles give equal images.
 *
 * @example
 * const image = romfsImage([{ path: "flow.mpy", contents: bytecode }]);
 * image.subarray(0, 3); // d2 cd 31
 */
export function romfsImage(files: readonly RomfsFile[]): Uint8Array {
  const root: Directory = new Map();
  for (const file of files) {
    const parts = file.path.split("/");
    if (parts.some((part) => part === "" || part === "." || part === ".."))
      throw new Error(`cannot put ${JSON.stringify(file.path)} in a ROMFS image: paths are relative`);
    let directory = root;
    for (const part of parts.slice(0, -1)) {
      const entry = directory.get(part) ?? new Map();
      if (!(entry instanceof Map)) throw new Error(`${file.path}: ${part} is a file in the ROMFS image`);
      directory.set(part, entry);
      directory = entry;
    }
    const name = parts.at(-1)!;
    if (directory.has(name)) throw new Error(`${file.path} is in the ROMFS image twice`);
    directory.set(name, file.contents);
  }
  return record(RECORD_FILESYSTEM, entries(root));
}

/** The file in every image flowc builds, naming the flow, so a later deploy knows the partition is its own. */
export const FLOWC_ROMFS_MARKER = "flowc-deploy.json";

/**
 * The image of a bundle's bytecode that `flowc build` writes as flow.romfs and `flowc deploy` puts
 * in a ROMFS partition: the .mpy files and {@link FLOWC_ROMFS_MARKER}.
 *
 * @example
 * flowRomfsImage([{ path: "flow.mpy", contents }], "client.flow"); // d2 cd 31 …
 */
export function flowRomfsImage(bytecode: readonly RomfsFile[], flow: string): Uint8Array {
  // The file's name, not its path: the same flow gives the same image wherever it is built from.
  const name = flow.split(/[\\/]/).at(-1);
  const marker: RomfsFile = {
    path: FLOWC_ROMFS_MARKER,
    contents: new TextEncoder().encode(`${JSON.stringify({ flow: name, files: bytecode.map((file) => file.path) })}\n`),
  };
  return romfsImage([...bytecode, marker]);
}

/**
 * Whether a board mounts the image at the start of `partition`: MicroPython checks only the header
 * and that the image's length fits, then reads records as files are looked up, so a half-written
 * image behind a whole header is mounted, and its files are missing or damaged.
 *
 * @example
 * romfsMounts(Buffer.alloc(4096, 0xff)); // false: erased flash
 */
export function romfsMounts(partition: Uint8Array): boolean {
  if (!ROMFS_MAGIC.every((byte, i) => partition[i] === byte)) return false;
  return readRecord(partition, 0, partition.length)?.kind === RECORD_FILESYSTEM;
}

/**
 * The files of a ROMFS image, or undefined when `image` does not start with one. Bytes after the
 * image (the rest of a flash partition) are ignored, as the board ignores them.
 *
 * @example
 * readRomfs(romfsImage([{ path: "a.mpy", contents: bytes }])); // Map { "a.mpy" => bytes }
 */
export function readRomfs(image: Uint8Array): Map<string, Uint8Array> | undefined {
  if (!ROMFS_MAGIC.every((byte, i) => image[i] === byte)) return undefined;
  const top = readRecord(image, 0, image.length);
  if (!top || top.kind !== RECORD_FILESYSTEM) return undefined;
  const files = new Map<string, Uint8Array>();
  const walk = (start: number, end: number, prefix: string): boolean => {
    for (let at = start; at < end;) {
      const entry = readRecord(image, at, end);
      if (!entry) return false;
      if (entry.kind === RECORD_FILE || entry.kind === RECORD_DIRECTORY) {
        const length = readVaruint(image, entry.payload, entry.end);
        if (!length || length.next + length.value > entry.end) return false;
        const name = new TextDecoder().decode(image.subarray(length.next, length.next + length.value));
        const inner = length.next + length.value;
        if (entry.kind === RECORD_DIRECTORY) {
          if (!walk(inner, entry.end, `${prefix}${name}/`)) return false;
        } else {
          const data = readRecord(image, inner, entry.end);
          if (!data || data.kind !== RECORD_DATA_VERBATIM) return false;
          files.set(prefix + name, image.subarray(data.payload, data.end));
        }
      }
      // Other kinds (padding, and kinds newer than this reader) are skipped, as the board does.
      at = entry.end;
    }
    return true;
  };
  return walk(top.payload, top.end, "") ? files : undefined;
}

type Directory = Map<string, Uint8Array | Directory>;

function entries(directory: Directory): Uint8Array {
  const names = [...directory.keys()].sort();
  return concat(
    names.map((name) => {
      const entry = directory.get(name)!;
      const encodedName = new TextEncoder().encode(name);
      const named = [varuint(encodedName.length), encodedName];
      return entry instanceof Map
        ? record(RECORD_DIRECTORY, concat([...named, entries(entry)]))
        : record(RECORD_FILE, concat([...named, record(RECORD_DATA_VERBATIM, entry)]));
    }),
  );
}

function record(kind: number, payload: Uint8Array): Uint8Array {
  return concat([varuint(kind), varuint(payload.length), payload]);
}

function varuint(value: number): Uint8Array {
  const bytes = [value & 0x7f];
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) bytes.unshift(0x80 | (rest & 0x7f));
  return Uint8Array.from(bytes);
}

function readVaruint(bytes: Uint8Array, at: number, end: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = at; i < end && i < at + 5; i++) {
    value = value * 128 + (bytes[i]! & 0x7f);
    if (!(bytes[i]! & 0x80)) return { value, next: i + 1 };
  }
  return undefined;
}

function readRecord(
  bytes: Uint8Array,
  at: number,
  end: number,
): { kind: number; payload: number; end: number } | undefined {
  const kind = readVaruint(bytes, at, end);
  const length = kind && readVaruint(bytes, kind.next, end);
  if (!kind || !length || length.next + length.value > end) return undefined;
  return { kind: kind.value, payload: length.next, end: length.next + length.value };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
