/**
 * The console of a MicroPython board, byte for byte as the firmware's pyexec.c drives it, around
 * a simulated ESP8266 (the MicroPython harness): boot runs main.py, Ctrl-C interrupts it into the
 * friendly REPL (with echo, Ctrl-E paste mode, Ctrl-D soft reset), Ctrl-A enters raw mode (code,
 * Ctrl-D, `OK`, output, `\x04`, traceback, `\x04`, `>`), and `\x05A\x01` starts raw-paste with
 * the firmware's flow control: a window of half the 256-byte stdin buffer, a `\x01` per window
 * read, and bytes sent beyond the granted windows lost, as an overflowing UART would lose them.
 *
 * A flowc bundle's main.py is run the way `flowc sim` runs it, setup() then step() whenever it
 * asks, in real time scaled by `timeScale`, so Ctrl-C lands between steps.
 */
import type { MicroPythonDevice } from "../../../targets/esp8266/simulator/board.js";

export interface FirmwareOptions {
  /**
   * `MicroPython v1.19.1 on 2022-06-18`: the banner's first part. When given, programs also see
   * its version in `sys.implementation.version`; by default they see the harness's own.
   */
  readonly version?: string;
  /** Real ms per virtual ms between steps (default 1; tests use less). */
  readonly timeScale?: number;
  /** Flash the file system has, in bytes, as `os.statvfs` reports it (default 2 MiB). */
  readonly flashBytes?: number;
  /** Firmware older than 1.13 knows no raw-paste. */
  readonly rawPaste?: boolean;
}

type Mode = "program" | "friendly" | "paste" | "raw" | "raw-paste";

const STDIN_BUFFER = 256;
const CTRL_A = 0x01;
const CTRL_B = 0x02;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_E = 0x05;

/**
 * Replaces `os` for programs with one whose statvfs reports the modelled flash (the wasm file
 * system reports the host's). The real module stays reachable for everything else.
 */
const flashModelCode = (flashBytes: number, version?: readonly number[]) => `
import sys, os as __board_os
class __BoardOs:
    def __getattr__(self, name):
        return getattr(__board_os, name)
    def statvfs(self, path):
        used = 0
        def walk(d):
            nonlocal used
            for e in __board_os.ilistdir(d):
                p = d.rstrip("/") + "/" + e[0]
                if e[1] == 0x4000:
                    if p not in ("/tmp", "/home", "/dev", "/proc", "/sim"):
                        used += 4096
                        walk(p)
                else:
                    used += (__board_os.stat(p)[6] + 4095) // 4096 * 4096
        walk("/")
        total = ${Math.floor(flashBytes / 4096)}
        free = max(0, total - used // 4096)
        return (4096, 4096, total, free, free, 0, 0, 0, 0, 255)
sys.modules["os"] = __BoardOs()
del sys, __BoardOs
${version ? firmwareVersionCode(version) : ""}`;

/**
 * Replaces `sys` for programs with one whose `sys.implementation.version` is the modelled
 * firmware's, so a host that asks the board (as `flowc deploy` does) sees the banner's version.
 */
const firmwareVersionCode = (version: readonly number[]) => `
import sys as __board_sys
class __BoardImplementation:
    name = "micropython"
    version = (${version.join(", ")},)
    def __getattr__(self, name):
        return getattr(__board_sys.implementation, name)
class __BoardSys:
    implementation = __BoardImplementation()
    def __getattr__(self, name):
        return getattr(__board_sys, name)
__board_sys.modules["sys"] = __BoardSys()
del __BoardSys, __BoardImplementation
`;

/**
 * A board's firmware around a simulated device: feed it what the host sends, get what the board
 * prints through `send`.
 *
 * @example
 * const firmware = new ReplFirmware(() => MicroPythonDevice.create({ files }), (bytes) => port.write(bytes));
 * await firmware.powerOn();
 * port.on("data", (data) => firmware.receive(data));
 */
export class ReplFirmware {
  mode: Mode = "friendly";
  device: MicroPythonDevice | undefined;
  readonly #create: () => Promise<MicroPythonDevice>;
  readonly #send: (bytes: Buffer) => void;
  readonly #options: Required<FirmwareOptions>;
  /** The modelled firmware's version, when `version` names one. */
  readonly #version: number[] | undefined;
  #line: number[] = [];
  #queue: Promise<void> = Promise.resolve();
  #stepTimer: NodeJS.Timeout | undefined;
  #programRun = 0;
  #window = STDIN_BUFFER / 2;
  #windowRemain = 0;
  /** Raw-paste bytes the host may still send without overflowing the board's buffer. */
  #credit = 0;
  /** Bytes lost to overflow in the current raw-paste. */
  overflowed = 0;

  constructor(create: () => Promise<MicroPythonDevice>, send: (bytes: Buffer) => void, options: FirmwareOptions = {}) {
    this.#create = create;
    this.#send = send;
    this.#options = {
      version: options.version ?? "MicroPython v1.19.1 on 2022-06-18",
      timeScale: options.timeScale ?? 1,
      flashBytes: options.flashBytes ?? 2 * 1024 * 1024,
      rawPaste: options.rawPaste ?? true,
    };
    const named = options.version && /v(\d+)\.(\d+)(?:\.(\d+))?/.exec(options.version);
    this.#version = named ? [Number(named[1]), Number(named[2]), Number(named[3] ?? 0)] : undefined;
  }

  /** Cold boot: a fresh device (files kept across {@link powerCycle}), then main.py. */
  async powerOn(): Promise<void> {
    this.device = await this.#create();
    await this.#afterBoot(true);
  }

  /** Pulls the plug and plugs it in again: whatever ran stops, files stay. */
  powerCycle(): Promise<void> {
    return this.#enqueue(async () => {
      this.#stopProgram();
      this.mode = "friendly";
      this.#line = [];
      await this.device!.reboot();
      await this.#afterBoot(true);
    });
  }

  /** Runs `work` once everything received so far has been handled (a reset included). */
  after<T>(work: () => Promise<T>): Promise<T> {
    let result: T;
    return this.#enqueue(async () => {
      result = await work();
    }).then(() => result);
  }

  /** Bytes from the host, handled one at a time in order. */
  receive(data: Buffer): void {
    for (const byte of data) void this.#enqueue(() => this.#byte(byte));
  }

  async close(): Promise<void> {
    this.#stopProgram();
    await this.#queue;
    await this.device?.close();
  }

  #enqueue(work: () => Promise<void> | void): Promise<void> {
    this.#queue = this.#queue.then(work).catch((error: unknown) => {
      this.#print(`\r\nboard simulation error: ${(error as Error).stack ?? String(error)}\r\n`);
    });
    return this.#queue;
  }

  #print(text: string): void {
    this.#send(Buffer.from(text, "utf8"));
  }

  async #afterBoot(runMain: boolean): Promise<void> {
    await this.device!.run(flashModelCode(this.#options.flashBytes, this.#version));
    if (runMain && this.mode !== "raw") await this.#startProgram();
    else if (this.mode === "raw") this.#print("raw REPL; CTRL-B to exit\r\n>");
  }

  #banner(): void {
    this.#print(`${this.#options.version}; ESP module with ESP8266\r\nType "help()" for more information.\r\n>>> `);
  }

  async #startProgram(): Promise<void> {
    const device = this.device!;
    const hasMain = (await device.evaluate(
      "__import__('os').stat('main.py')[6] if 'main.py' in __import__('os').listdir() else -1",
    )) as number;
    if (hasMain < 0) {
      this.mode = "friendly";
      this.#banner();
      return;
    }
    this.mode = "program";
    const run = ++this.#programRun;
    try {
      const started = await device.setup();
      if (started.kind !== "returned") return this.#programEnded(`${started.kind}`);
    } catch (error) {
      return this.#programEnded(traceback(error));
    }
    const next = async () => {
      if (run !== this.#programRun || this.mode !== "program") return;
      let waitMs = 1000;
      try {
        const outcome = await device.step();
        if (outcome.kind !== "returned") return this.#programEnded(outcome.kind);
        if (typeof outcome.value === "number") waitMs = outcome.value;
      } catch (error) {
        return this.#programEnded(traceback(error));
      }
      this.#stepTimer = setTimeout(() => {
        if (run !== this.#programRun || this.mode !== "program") return;
        device.advance(waitMs);
        void this.#enqueue(next);
      }, waitMs * this.#options.timeScale);
    };
    void this.#enqueue(next);
  }

  #programEnded(reason: string): void {
    if (reason.startsWith("Traceback")) this.#print(reason.replace(/\r?\n/g, "\r\n"));
    else if (reason === "halted") {
      // Deep sleep or machine.reset(): the board restarts by itself.
      this.#stopProgram();
      void this.#enqueue(async () => {
        await this.device!.reboot();
        await this.#afterBoot(true);
      });
      return;
    }
    this.mode = "friendly";
    this.#banner();
  }

  #stopProgram(): void {
    this.#programRun++;
    if (this.#stepTimer) clearTimeout(this.#stepTimer);
    this.#stepTimer = undefined;
  }

  async #softReset(fromRaw: boolean): Promise<void> {
    this.#stopProgram();
    this.#print("MPY: soft reboot\r\n");
    this.mode = fromRaw ? "raw" : "friendly";
    await this.device!.reboot();
    await this.#afterBoot(!fromRaw);
  }

  async #byte(byte: number): Promise<void> {
    switch (this.mode) {
      case "program":
        if (byte === CTRL_C) {
          this.#stopProgram();
          this.#print(
            'Traceback (most recent call last):\r\n  File "main.py", line 1, in <module>\r\nKeyboardInterrupt: \r\n',
          );
          this.mode = "friendly";
          this.#banner();
        }
        return;
      case "friendly":
        return this.#friendly(byte);
      case "paste":
        return this.#paste(byte);
      case "raw":
        return this.#raw(byte);
      case "raw-paste":
        return this.#rawPaste(byte);
    }
  }

  async #friendly(byte: number): Promise<void> {
    if (byte === CTRL_A) {
      this.#line = [];
      this.mode = "raw";
      this.#print("\r\nraw REPL; CTRL-B to exit\r\n>");
    } else if (byte === CTRL_B) {
      this.#line = [];
      this.#print("\r\n");
      this.#banner();
    } else if (byte === CTRL_C) {
      this.#line = [];
      this.#print("\r\n>>> ");
    } else if (byte === CTRL_D && this.#line.length === 0) {
      this.#print("\r\n");
      await this.#softReset(false);
    } else if (byte === CTRL_E) {
      this.#line = [];
      this.mode = "paste";
      this.#print("\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ");
    } else if (byte === 0x0d) {
      const code = Buffer.from(this.#line).toString("utf8");
      this.#line = [];
      this.#print("\r\n");
      if (code.trim() !== "") await this.#execute(`exec(compile(${JSON.stringify(code)}, "<stdin>", "single"))`, false);
      this.#print(">>> ");
    } else if (byte === 0x08 || byte === 0x7f) {
      if (this.#line.pop() !== undefined) this.#print("\b \b");
    } else if (byte >= 0x20 || byte === 0x09) {
      this.#line.push(byte);
      this.#send(Buffer.from([byte]));
    }
  }

  async #paste(byte: number): Promise<void> {
    if (byte === CTRL_C) {
      this.#line = [];
      this.mode = "friendly";
      this.#print("\r\n>>> ");
    } else if (byte === CTRL_D) {
      const code = Buffer.from(this.#line).toString("utf8").replace(/\r/g, "\n");
      this.#line = [];
      this.mode = "friendly";
      this.#print("\r\n");
      await this.#execute(code, false);
      this.#print(">>> ");
    } else {
      this.#line.push(byte);
      this.#print(byte === 0x0d ? "\r\n=== " : String.fromCharCode(byte));
    }
  }

  async #raw(byte: number): Promise<void> {
    if (byte === CTRL_A) {
      const line = this.#line;
      this.#line = [];
      if (line.length === 2 && line[0] === CTRL_E) {
        if (line[1] === 0x41 && this.#options.rawPaste) {
          this.mode = "raw-paste";
          this.#windowRemain = this.#window;
          this.#credit = 2 * this.#window;
          this.overflowed = 0;
          this.#send(Buffer.from([0x52, 0x01, this.#window & 0xff, this.#window >> 8, 0x01]));
        } else if (this.#options.rawPaste) this.#print("R\x00>");
        else this.#print("raw REPL; CTRL-B to exit\r\n>");
        return;
      }
      this.#print("raw REPL; CTRL-B to exit\r\n>");
    } else if (byte === CTRL_B) {
      this.#line = [];
      this.mode = "friendly";
      this.#print("\r\n");
      this.#banner();
    } else if (byte === CTRL_C) {
      this.#line = [];
    } else if (byte === CTRL_D) {
      const code = Buffer.from(this.#line).toString("utf8");
      this.#line = [];
      this.#print("OK");
      if (code.length === 0) {
        this.#print("\r\n");
        await this.#softReset(true);
        return;
      }
      await this.#execute(code, true);
      this.#print(">");
    } else {
      this.#line.push(byte);
    }
  }

  async #rawPaste(byte: number): Promise<void> {
    if (byte === CTRL_C || byte === CTRL_D) {
      const code = Buffer.from(this.#line).toString("utf8");
      this.#line = [];
      this.mode = "raw";
      this.#print("\x04");
      if (byte === CTRL_C) this.#print("\x04Traceback (most recent call last):\r\nKeyboardInterrupt: \r\n\x04");
      else await this.#execute(code, true);
      this.#print(">");
      return;
    }
    if (this.#credit === 0) {
      // The host sent more than the windows it was granted: the UART buffer overflows.
      this.overflowed++;
      return;
    }
    this.#credit--;
    this.#line.push(byte);
    if (--this.#windowRemain === 0) {
      this.#windowRemain = this.#window;
      this.#credit += this.#window;
      this.#print("\x01");
    }
  }

  /** Runs code in __main__; raw mode frames output and traceback with \x04 as PRINT_EOF does. */
  async #execute(code: string, raw: boolean): Promise<void> {
    let failure = "";
    try {
      const outcome = await this.device!.run(code);
      if (outcome.kind === "halted") failure = "";
    } catch (error) {
      failure = traceback(error);
    }
    if (raw) this.#print(`\x04${failure.replace(/\r?\n/g, "\r\n")}\x04`);
    else if (failure) this.#print(failure.replace(/\r?\n/g, "\r\n"));
  }
}

function traceback(error: unknown): string {
  const text = (error as { traceback?: string }).traceback;
  return text ?? `Traceback (most recent call last):\nRuntimeError: ${(error as Error).message}\n`;
}
