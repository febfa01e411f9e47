/**
 * The keys `dedupe ... state "file"` has let through, kept in a file so that a restart (even
 * after kill -9) still drops repeats, such as a device resending what it was not sure got
 * through, or a QoS 1 message delivered again.
 *
 * A key goes to the file only once everything the flow's files had been handed before it is
 * written: a key on file always stands for output on disk. A crash between the two can let one
 * repeat through, but never makes dedupe drop an event whose row is missing.
 */
import { appendFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { FileError } from "../../runtime/files.js";
import type { Logger } from "../../runtime/log.js";
import type { Backpressure } from "../../runtime/pressure.js";

export interface KeyJournalOptions {
  readonly path: string;
  /** How many keys to remember: the file is rewritten with the latest these once it holds twice as many. */
  readonly capacity: number;
  readonly pressure: Backpressure;
  readonly log: Logger;
}

/**
 * One JSON value per line, oldest first.
 *
 * @example
 * const journal = new KeyJournal({ path: "seen.keys", capacity: 1000, pressure, log });
 * for (const key of journal.load()) recent.set(key, true);
 * journal.record("lux-1/611"); // on file once the rows handed over so far are written
 */
export class KeyJournal {
  /** Keys on file, oldest first: what a rewrite keeps the latest `capacity` of. */
  private onFile: unknown[] = [];
  /** Keys let through this turn of the event loop, not yet waiting for their rows. */
  private batch: unknown[] = [];
  private failing = false;

  constructor(private readonly options: KeyJournalOptions) {}

  /**
   * Reads the keys on file, the latest `capacity` of them; none when there is no file yet. A line
   * that does not parse (one cut short when the machine lost power) is skipped.
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
    const keys: unknown[] = [];
    for (const line of text.split("\n")) {
      if (line === "") continue;
      try {
        keys.push(JSON.parse(line));
      } catch {
        // Skipped: a partial last line.
      }
    }
    this.onFile = keys.slice(-this.options.capacity);
    return this.onFile;
  }

  /** Writes `key` to the file once the output handed over before now is written. */
  record(key: unknown): void {
    if (key === undefined) return;
    this.batch.push(key);
    if (this.batch.length === 1) queueMicrotask(() => this.seal());
  }

  /** Seals the keys of this turn: they go to the file after the rows they led to. */
  private seal(): void {
    const keys = this.batch;
    if (keys.length === 0) return;
    this.batch = [];
    const written = this.options.pressure.whenWritten();
    if (written === undefined) this.append(keys);
    else void written.then(() => this.append(keys));
  }

  /** Seals what is waiting at once: the stream has ended. */
  end(): void {
    this.seal();
  }

  private append(keys: unknown[]): void {
    const { path, capacity } = this.options;
    try {
      let text = "";
      for (const key of keys) text += `${JSON.stringify(key)}\n`;
      appendFileSync(path, text);
      for (const key of keys) this.onFile.push(key);
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
    for (const key of this.onFile) text += `${JSON.stringify(key)}\n`;
    const temporary = `${path}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  }
}
