/**
 * MicroPython's raw REPL, from the host's side: interrupt the program, enter raw mode, run code and
 * collect its output and exception, and soft-reset into main.py. Code goes through raw-paste mode
 * (with the board's flow-control window) when the firmware offers it, else through plain raw mode
 * in small paced chunks, as MicroPython's own tools do. The byte-level protocol:
 *
 * - Ctrl-C interrupts the running program; Ctrl-A enters raw mode, answered by
 *   `raw REPL; CTRL-B to exit\r\n>`; Ctrl-B returns to the friendly REPL.
 * - Raw mode: the code, then Ctrl-D; the board says `OK`, runs it, and sends its output, `\x04`,
 *   the exception's traceback (empty when none), `\x04`, and the `>` prompt.
 * - Raw-paste: `\x05A\x01`; `R\x01` accepts, followed by the window size (2 bytes, little endian)
 *   and a `\x01`; the board sends another `\x01` whenever a window's worth has been read, `\x04`
 *   if it stops reading early. The host ends with `\x04` and the board acknowledges with `\x04`,
 *   then answers as in raw mode. `R\x00` means raw-paste is known but off; firmware that predates
 *   it answers with the raw REPL banner.
 * - Ctrl-D on an empty raw line soft-resets without running main.py, so a reset that should start
 *   the program goes back to the friendly REPL first.
 */
import { BoardTimeoutError, describeBytes, type Connection } from "./connection.js";

const RAW_BANNER = "raw REPL; CTRL-B to exit\r\n";

/** The port answers, but not as a MicroPython REPL. */
export class NotMicroPythonError extends Error {
  override readonly name = "NotMicroPythonError";
}

/** Code sent to the board raised; `traceback` is what the board printed. */
export class BoardPythonError extends Error {
  override readonly name = "BoardPythonError";
  constructor(readonly traceback: string) {
    super(traceback.trim().split(/\r?\n/).at(-1) ?? "the board raised an exception");
  }
}

export interface RawReplOptions {
  /** How long to wait for the raw REPL banner after interrupting (default 3 s). */
  readonly enterTimeoutMs?: number;
  /** How long one command may run (default 20 s). */
  readonly execTimeoutMs?: number;
  /** Use raw-paste mode when offered (default true). */
  readonly rawPaste?: boolean;
}

/**
 * The raw REPL of one board.
 *
 * @example
 * const repl = new RawRepl(new Connection(await openSerialTransport("/dev/ttyUSB0")));
 * await repl.enter();
 * const { stdout } = await repl.exec("import sys\nprint(sys.implementation.version)");
 * await repl.resetToProgram();
 */
export class RawRepl {
  /** Whether the firmware takes raw-paste: unknown until the first command. */
  rawPaste: boolean | undefined;
  readonly #enterTimeoutMs: number;
  readonly #execTimeoutMs: number;

  constructor(
    readonly link: Connection,
    options: RawReplOptions = {},
  ) {
    this.#enterTimeoutMs = options.enterTimeoutMs ?? 3000;
    this.#execTimeoutMs = options.execTimeoutMs ?? 20_000;
    if (options.rawPaste === false || link.transport.rawPaste === false) this.rawPaste = false;
  }

  /** Stops the running program and enters raw mode, at its `>` prompt. */
  async enter(): Promise<void> {
    const link = this.link;
    // Two interrupts: the second lands even if the first arrived while the program caught one.
    await link.write("\r\x03");
    await delay(50);
    await link.write("\x03");
    await delay(100);
    // What the interrupted program printed last; kept to show it if no raw REPL answers.
    const interrupted = link.discard();
    await link.write("\r\x01");
    try {
      await link.readUntil(`${RAW_BANNER}>`, this.#enterTimeoutMs, "to Ctrl-C, Ctrl-A");
    } catch (error) {
      if (error instanceof BoardTimeoutError) {
        const seen = Buffer.concat([interrupted, error.seen]);
        throw new NotMicroPythonError(
          `${link.transport.name} is not answering as a MicroPython REPL (no raw REPL prompt after Ctrl-C, Ctrl-A within ` +
            `${this.#enterTimeoutMs / 1000} s); it sent ${seen.length === 0 ? "nothing" : describeBytes(seen)}`,
        );
      }
      throw error;
    }
  }

  /** Runs code and returns its output; rejects with {@link BoardPythonError} if it raised. */
  async exec(code: string, timeoutMs = this.#execTimeoutMs): Promise<string> {
    const { stdout, stderr } = await this.execRaw(code, timeoutMs);
    if (stderr.length > 0) throw new BoardPythonError(stderr);
    return stdout;
  }

  /** Runs code at the `>` prompt; returns its output and its traceback (empty if none). */
  async execRaw(code: string, timeoutMs = this.#execTimeoutMs): Promise<{ stdout: string; stderr: string }> {
    const bytes = Buffer.from(code, "utf8");
    if (this.rawPaste !== false && (await this.#startRawPaste())) await this.#pasteWrite(bytes);
    else await this.#rawWrite(bytes);
    const stdout = await this.link.readUntil("\x04", timeoutMs, "while the code ran");
    const stderr = await this.link.readUntil("\x04", timeoutMs, "after the code's output");
    await this.link.readUntil(">", timeoutMs, "for the raw REPL prompt");
    return { stdout: stdout.subarray(0, -1).toString("utf8"), stderr: stderr.subarray(0, -1).toString("utf8") };
  }

  /** Leaves raw mode and soft-resets, so boot.py and main.py run; resolves once the board has rebooted. */
  async resetToProgram(): Promise<void> {
    await this.link.write("\x02");
    await this.link.readUntil(">>> ", this.#enterTimeoutMs, "to Ctrl-B (back to the friendly REPL)");
    await this.link.write("\x04");
    await this.link.readUntil("soft reboot\r\n", this.#enterTimeoutMs, "to Ctrl-D (soft reset)");
  }

  /** Leaves raw mode for the friendly REPL without resetting. */
  async leave(): Promise<void> {
    await this.link.write("\x02");
  }

  async #startRawPaste(): Promise<boolean> {
    await this.link.write("\x05A\x01");
    const answer = await this.link.readBytes(2, this.#enterTimeoutMs, "to the raw-paste request");
    if (answer.toString("latin1") === "R\x01") {
      this.rawPaste = true;
      return true;
    }
    this.rawPaste = false;
    if (answer.toString("latin1") === "R\x00") await this.link.readUntil(">", this.#enterTimeoutMs, "after R\\x00");
    // Firmware without raw-paste took `\x05A` as code and Ctrl-A as a raw REPL reset.
    else await this.link.readUntil(`${RAW_BANNER.slice(2)}>`, this.#enterTimeoutMs, "after the raw-paste request");
    return false;
  }

  async #pasteWrite(bytes: Buffer): Promise<void> {
    const link = this.link;
    const header = await link.readBytes(2, this.#enterTimeoutMs, "for the raw-paste window size");
    const window = header.readUInt16LE(0);
    let room = window;
    let sent = 0;
    while (sent < bytes.length) {
      // Credit the board has granted arrives as \x01; \x04 means it stopped reading.
      while (room === 0 || link.pending > 0) {
        const signal = await link.readByteIfAny(this.#execTimeoutMs);
        if (signal === 0x01) room += window;
        else if (signal === 0x04) {
          await link.write("\x04");
          return;
        } else
          throw new Error(
            signal === undefined
              ? "the board granted no raw-paste window in time"
              : `unexpected byte 0x${signal.toString(16)} from the board during raw-paste`,
          );
      }
      const chunk = bytes.subarray(sent, sent + room);
      await link.write(chunk);
      sent += chunk.length;
      room -= chunk.length;
    }
    await link.write("\x04");
    // Window credit still in flight comes before the acknowledgement.
    await link.readUntil("\x04", this.#execTimeoutMs, "acknowledging the end of the raw-paste");
  }

  async #rawWrite(bytes: Buffer): Promise<void> {
    // Without flow control the board's receive buffer is all there is: small chunks, paced.
    for (let at = 0; at < bytes.length; at += 256) {
      await this.link.write(bytes.subarray(at, at + 256));
      await delay(10);
    }
    await this.link.write("\x04");
    const ok = await this.link.readBytes(2, this.#execTimeoutMs, "to the code (expected OK)");
    if (ok.toString("latin1") !== "OK") throw new Error(`the board did not accept the code: ${describeBytes(ok)}`);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
