/**
 * The keys `dedupe ... state "file"` has let through, kept in a file so that a restart (even
 * after kill -9) still drops repeats, such as a device resending what it was not sure got
 * through, or a QoS 1 message delivered again.
 *
 * Each key is written ahead of the rows its event became, with the size each output file will
 * have once those rows are written (its watermark). A restarted run takes a key as seen only if
 * every such file has reached that size, so wherever the last run was killed:
 * - the rows are on disk, and the key counts: a repeat is dropped;
 * - the rows are not (all) on disk, and the key does not count: a repeat is written.
 * Files are only appended to (a failed write is cut back to whole lines), which is what makes a
 * size a proof. A file removed or cut short between runs lets its keys' repeats through again.
 */
import { appendFileSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { FileError } from "../../runtime/files.js";
import type { Logger } from "../../runtime/log.js";
import type { Backpressure } from "../../runtime/pressure.js";

type Watermarks = (readonly [path: string, size: number])[];

/** A key and the file sizes that prove its rows were written; `marks` undefined until known. */
export interface JournalEntry {
  readonly key: unknown;
  marks: Watermarks | undefined;
}

export interface KeyJournalOptions {
  readonly path: string;
  /** How many keys to remember: the file is rewritten with the latest these once it holds twice as many. */
  readonly capacity: number;
  readonly pressure: Backpressure;
  readonly log: Logger;
}

/**
 * One JSON array per line, `[key, [[file, size], ...]]`, oldest first.
 *
 * @example
 * const journal = new KeyJournal({ path: "seen.keys", capacity: 1000, pressure, log });
 * for (const key of journal.load()) recent.set(key, true);
 * const entry = journal.add(key);
 * out.next(event); // the event's rows are handed to the files
 * journal.handedOver(entry); // the files' sizes once they are written
 */
export class KeyJournal {
  /** Entries on file, oldest first: what a rewrite keeps the latest `capacity` of. */
  private onFile: JournalEntry[] = [];
  /** Entries not yet on file. */
  private pending: JournalEntry[] = [];
  private failing = false;
  private readonly stopListening: () => void;

  constructor(private readonly options: KeyJournalOptions) {
    // Before any file writes rows, the keys they stand for go to the journal.
    this.stopListening = options.pressure.onBeforeWrite(() => this.seal());
  }

  /**
   * Reads the keys on file whose rows reached the disk, the latest `capacity` of them; none when
   * there is no file yet. A line that does not parse (cut short when the machine lost power) is
   * skipped.
   *
   * @throws FileError when the file exists but cannot be read.
   */
  load(): unknown[] {
    let text: string;
    try {
      text = readFileSync(this.options.path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return [];
      throw new FileError(this.options.path, code, "read", error);
    }
    const sizes = new Map<string, number>();
    const sizeOf = (path: string) => {
      let size = sizes.get(path);
      if (size === undefined) {
        size = statSync(path, { throwIfNoEntry: false })?.size ?? -1;
        sizes.set(path, size);
      }
      return size;
    };
    const written: JournalEntry[] = [];
    for (const line of text.split("\n")) {
      const entry = parseEntry(line);
      if (entry?.marks?.every(([path, size]) => sizeOf(path) >= size)) written.push(entry);
    }
    this.onFile = written.slice(-this.options.capacity);
    return this.onFile.map((entry) => entry.key);
  }

  /** Adds `key`, before its event is handed on; see {@link handedOver}. */
  add(key: unknown): JournalEntry {
    const entry: JournalEntry = { key, marks: undefined };
    this.pending.push(entry);
    if (this.pending.length === 1) queueMicrotask(() => this.seal());
    return entry;
  }

  /** Records where the files will end once the rows `entry`'s event became are written. */
  handedOver(entry: JournalEntry): void {
    // Sealed already if a file started writing while the event was handed on: then the sizes
    // taken at that moment include its rows.
    entry.marks ??= this.options.pressure.watermarks();
  }

  /** Writes what is pending: the stream has ended. */
  end(): void {
    this.seal();
    this.stopListening();
  }

  private seal(): void {
    const entries = this.pending;
    if (entries.length === 0) return;
    this.pending = [];
    const { path, capacity } = this.options;
    let text = "";
    for (const entry of entries) {
      entry.marks ??= this.options.pressure.watermarks();
      // An untyped event without the `by` field has no key worth keeping.
      if (entry.key !== undefined) text += `${JSON.stringify([entry.key, entry.marks])}\n`;
    }
    try {
      appendFileSync(path, text);
      for (const entry of entries) this.onFile.push(entry);
      if (this.onFile.length > 2 * capacity) this.rewrite();
      if (this.failing) this.options.log.info(`writing dedupe state to ${path} again`);
      this.failing = false;
    } catch (error) {
      // Nothing is lost: the keys are still remembered in memory. Only a restart before the file
      // works again may let their repeats through.
      if (!this.failing) {
        const problem = new FileError(path, (error as NodeJS.ErrnoException).code, "write to", error);
        this.options.log.warn(`${problem.message}; repeats arriving after a restart may get through`);
      }
      this.failing = true;
    }
  }

  /** Keeps the latest `capacity` keys, replacing the file in one rename so a crash leaves one or the other. */
  private rewrite(): void {
    const { path, capacity } = this.options;
    this.onFile = this.onFile.slice(-capacity);
    let text = "";
    for (const entry of this.onFile) text += `${JSON.stringify([entry.key, entry.marks])}\n`;
    const temporary = `${path}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  }
}

function parseEntry(line: string): JournalEntry | undefined {
  if (line === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2 || !Array.isArray(value[1])) return undefined;
  const marks = value[1] as unknown[];
  const valid = marks.every(
    (mark) => Array.isArray(mark) && typeof mark[0] === "string" && typeof mark[1] === "number",
  );
  return valid ? { key: value[0] as unknown, marks: marks as Watermarks } : undefined;
}
