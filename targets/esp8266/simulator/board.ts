/**
 * A simulated ESP8266 running real MicroPython 1.27 (compiled to WebAssembly), for testing the
 * bundles `flowc build --target esp8266` emits and the sensor drivers they ship. See README.md.
 */
import { loadMicroPython, type MicroPython, type PythonError } from "@micropython/micropython-webassembly-pyscript";
import { ESP8266_PROGRAM_HEAP_BYTES } from "../heap.js";
import { createBridge, SleepStatus, type AdcInput, type BridgeHost, type NtpServer } from "./bridge.js";
import { VirtualClock, type ClockOptions } from "./clock.js";
import { I2cBus, type I2cTarget, type Now } from "./i2c-bus.js";
import { MqttModel, type MqttOptions } from "./mqtt-model.js";
import { WifiModel, type WifiOptions } from "./wifi-model.js";
import simEsp from "./python/sim_esp.py?raw";
import simInstall from "./python/sim_install.py?raw";
import simMachine from "./python/sim_machine.py?raw";
import simNetwork from "./python/sim_network.py?raw";
import simNtptime from "./python/sim_ntptime.py?raw";
import simSupport from "./python/sim_support.py?raw";
import simTime from "./python/sim_time.py?raw";
import simUmqtt from "./python/sim_umqtt.py?raw";
import simUmqttSimple from "./python/sim_umqtt_simple.py?raw";
import simVfs from "./python/sim_vfs.py?raw";

export { VirtualClock, UNIX_AT_2000, type ClockOptions } from "./clock.js";
export { Errno } from "./errno.js";
export { I2cBus, otherChip, type I2cTarget, type Now } from "./i2c-bus.js";
export { topicMatches } from "../../../compiler/topic-filter.js";
export { MqttModel, type MqttOptions, type MqttSession, type PublishedMessage, type Will } from "./mqtt-model.js";
export { WifiModel, WifiStatus, type WifiOptions } from "./wifi-model.js";
export type { AdcInput, NtpServer } from "./bridge.js";

/** `machine.reset_cause()` values of the ESP8266 port. */
export const ResetCause = {
  PWRON_RESET: 0,
  WDT_RESET: 1,
  SOFT_RESET: 4,
  DEEPSLEEP_RESET: 5,
  HARD_RESET: 6,
} as const;

/**
 * The settings of each sensor the board can carry, by component name. The ADC is the board's
 * own; every other entry is added by a component folder's `board.ts`, which declares its part:
 * `declare module ".../board.js" { interface SensorSettings { tsl2591: Tsl2591Options } }`.
 */
export interface SensorSettings {
  /** The ADC is always there; these are its inputs (default raw 0, supply 3300 mV). */
  adc: Partial<AdcInput>;
}

/** Each sensor's live model, by component name; component folders add theirs as to {@link SensorSettings}. */
export interface SimulatedSensors {
  adc: AdcInput;
}

/** The name of a sensor on the I2C bus. */
export type PartName = Exclude<keyof SimulatedSensors & keyof SensorSettings, "adc">;

/**
 * A sensor chip the board can carry, as a component folder's `board.ts` exports it: how to make
 * its register model, the reading `flowc sim` starts it with, and how that reading drifts.
 *
 * @example
 * export const boardParts: BoardPart[] = [
 *   { name: "tsl2591", create: (now, options) => new Tsl2591Model(now, options), demo: { lux: 300 } },
 * ];
 */
export interface BoardPart<Name extends PartName = PartName> {
  readonly name: Name;
  /** `now` is the board's virtual time in ms, for chips whose readings take time (integration). */
  create(now: Now, settings: SensorSettings[Name]): SimulatedSensors[Name] & I2cTarget;
  /** The settings `flowc sim` wires it with. */
  readonly demo: SensorSettings[Name];
  /** Moves the reading a little, `minutes` into a simulation, so filters and windows have work. */
  drift?(sensor: SimulatedSensors[Name], minutes: number): void;
}

/** The sensors to wire to the device. An I2C sensor left out is absent: reading it raises OSError(ENODEV). */
export type SensorOptions = Partial<SensorSettings>;

/** The device's sensors, live: change their readings (or `present`) between calls. */
export type Sensors = { readonly [Name in PartName]?: SimulatedSensors[Name] } & { readonly adc: AdcInput };

/** Options of {@link MicroPythonDevice.create}. Everything is optional. */
export interface DeviceOptions {
  /** Files in the device's flash, by path from its root: `{ "main.py": source, "config.py": ... }`. */
  files?: Record<string, string | Uint8Array>;
  sensors?: SensorOptions;
  /** The chips `sensors` may name (the catalogue's `board.ts` parts); naming another is an error. */
  parts?: readonly BoardPart[];
  /** The I2C bus the sensors are wired to (default SCL 5, SDA 4), and extra targets on it. */
  i2c?: { scl?: number; sda?: number; targets?: I2cTarget[] };
  /** The broker: recording only (default), or forwarding to a real one. */
  mqtt?: MqttOptions;
  /** The access point in range, and Wi-Fi faults. */
  wifi?: WifiOptions;
  /** The NTP server (default: Unix time 1484535480 at virtual time 0, the tutorial's date). */
  ntp?: Partial<NtpServer>;
  clock?: ClockOptions;
  /**
   * Bytes the program may hold (default {@link ESP8266_PROGRAM_HEAP_BYTES}), beyond what the
   * simulator's own modules take: a call after which it holds more fails with MemoryError, and
   * {@link HeapReading.free} is measured against it.
   */
  heapBudget?: number;
  /** What `machine.unique_id()` returns (default 00c0ffee). */
  uniqueId?: Uint8Array;
  /**
   * Bytes of a ROMFS partition, as firmware built with one has (ESP8266_GENERIC's FLASH_2M_ROMFS
   * variant: 320 KiB): `vfs.rom_ioctl` writes it and a valid image in it is mounted at /rom at
   * boot. It starts erased and survives reboots, like the files.
   */
  romfsBytes?: number;
  /** The generated program's entry points (default `main.setup()` and `main.step()`). */
  entry?: { module?: string; setup?: string; step?: string };
  /** Called with each line the device prints, as it prints it. */
  onOutput?: (line: string) => void;
}

/** Why and when the device stopped running Python. Times are uptime in virtual ms. */
export type Halt =
  /** `machine.deepsleep()`: until the RTC alarm after `sleepMs`, or (null) until an external reset. */
  | { readonly reason: "deepsleep"; readonly atMs: number; readonly sleepMs: number | null }
  /** `machine.reset()`, or the watchdog was not fed in time. */
  | { readonly reason: "reset" | "watchdog"; readonly atMs: number };

/** How a call into the device ended (a Python exception rejects with {@link MicroPythonError} instead). */
export type RunOutcome =
  /** The code completed; `value` is what setup()/step()/evaluate() returned, JSON-decoded (inf → Infinity, nan → null), else null. */
  | { readonly kind: "returned"; readonly value: unknown }
  /** The `forMs` budget of virtual time ran out while the program slept. */
  | { readonly kind: "time-limit" }
  /** The device halted; call {@link MicroPythonDevice.reboot} to start it again. */
  | { readonly kind: "halted"; readonly halt: Halt };

/** Options of a call into the device. */
export interface RunOptions {
  /**
   * Stop the program once this much virtual time has passed (checked whenever it sleeps), e.g.
   * to run a generated forever loop for a simulated minute.
   */
  forMs?: number;
}

/** A heap measurement, taken after a full garbage collection. */
export interface HeapReading {
  /** `gc.mem_alloc()`: everything live on the Python heap. */
  readonly alloc: number;
  /** What the harness's own modules held at boot, before any program file ran (ROM on a real device). */
  readonly harness: number;
  /** `alloc - harness`: what the program holds. */
  readonly used: number;
  /** `heapBudget - used`: what an ESP8266 would have left. */
  readonly free: number;
  /** Identifiers and interned strings the program added to the qstr pools. */
  readonly qstrs: number;
  /**
   * How much of `used` is qstr pools and string data. Pools grow by doubling, and the harness's
   * modules have already grown them past a device's, so this part moves in steps of a few KB:
   * `used - qstrBytes` is the smooth figure to compare between versions of a program.
   */
  readonly qstrBytes: number;
}

/** A Python exception that escaped from the program. */
export class MicroPythonError extends Error {
  override readonly name = "MicroPythonError";
  /** The exception's class, e.g. `OSError`. */
  readonly pythonType: string;
  /** The errno of an `OSError(n)`. */
  readonly errno: number | undefined;
  /** The traceback as MicroPython prints it (also the message). */
  readonly traceback: string;

  constructor(pythonType: string, traceback: string) {
    super(traceback.trim());
    this.pythonType = pythonType;
    this.traceback = traceback;
    const errno = /^OSError: (?:\[Errno )?(-?\d+)/m.exec(traceback);
    this.errno = errno ? Number(errno[1]) : undefined;
  }
}

const SIMULATION_DIRECTORY = "/sim";
// Imported as text rather than read from disk, so the harness also works bundled (`flowc sim`).
const SIMULATION_SOURCES: [string, string][] = [
  ["sim_esp.py", simEsp],
  ["sim_vfs.py", simVfs],
  ["sim_install.py", simInstall],
  ["sim_machine.py", simMachine],
  ["sim_network.py", simNetwork],
  ["sim_ntptime.py", simNtptime],
  ["sim_support.py", simSupport],
  ["sim_time.py", simTime],
  ["sim_umqtt.py", simUmqtt],
  ["sim_umqtt_simple.py", simUmqttSimple],
];

// Installs the simulated modules, then keeps in __main__ the three names the harness itself
// uses, so its own calls allocate nothing that lasts.
const BOOT_CODE = `
import sys
sys.path.insert(0, "${SIMULATION_DIRECTORY}")
import sim_install
sys.path.pop(0)
del sys
import gc as __harness_gc
from micropython import qstr_info as __harness_qstr_info
from sim_support import export as __harness_export
__harness_result = None
`;

/** Directories of the wasm filesystem that are not the device's flash. */
const NOT_FLASH = new Set(["tmp", "home", "dev", "proc", SIMULATION_DIRECTORY.slice(1)]);

const RESET_CAUSE_AFTER: Record<Halt["reason"], number> = {
  deepsleep: ResetCause.DEEPSLEEP_RESET,
  reset: ResetCause.SOFT_RESET,
  watchdog: ResetCause.WDT_RESET,
};

// The wasm module keeps its proxy tables in globals, so one interpreter can run at a time. When
// an interpreter is replaced, JS-side proxies of its Python objects must never be finalised: the
// finaliser would free the same slot number in the *current* interpreter. Each interpreter's
// `globals` holds the only such proxy the harness lets exist (see bridge.ts), so it is kept.
let liveDevice: MicroPythonDevice | undefined;
const retiredInterpreterGlobals: unknown[] = [];

/**
 * An ESP8266 running a MicroPython program against simulated hardware: `machine` (pins, I2C
 * sensors modelled at register level, ADC, RTC, watchdog, deep sleep), `network` (Wi-Fi with
 * fault injection), `time` on a virtual clock, `ntptime`, and `umqtt.simple` backed by a
 * recording broker or a real one.
 *
 * Time only passes when the program sleeps or the test calls {@link advance}. Heap readings
 * ({@link heap}) are only meaningful between calls: in this wasm port `gc.collect()` merely
 * schedules a collection for when control returns to JavaScript, so drive `step()` from the
 * test and measure in between.
 *
 * Only one device can be open per process (the wasm module's globals); `close()` it when done.
 *
 * @example
 * const device = await MicroPythonDevice.create({
 *   files: { "main.py": bundle.main, "config.py": bundle.config, "tsl2591.py": driver },
 *   sensors: { tsl2591: { lux: 284.13 } },
 *   wifi: { ssid: "lab", password: "secret" },
 * });
 * try {
 *   await device.setup();              // import main; main.setup()
 *   device.advance(5_000);
 *   await device.step();               // main.step()
 *   expect(device.mqtt.published[0]?.text).toMatch(/^\["lux-1", \d+, 284\.\d+\]$/);
 *   expect(device.heap().free).toBeGreaterThan(10_000);
 * } finally {
 *   await device.close();
 * }
 */
export class MicroPythonDevice {
  readonly clock: VirtualClock;
  readonly wifi: WifiModel;
  readonly mqtt: MqttModel;
  readonly sensors: Sensors;
  /** The NTP server; change `fail` or `unixTime` at any time. */
  readonly ntp: NtpServer;
  /** Pin levels: set inputs before the program reads them; outputs show what it drove. */
  readonly pins = new Map<number, number>();
  /** Every halt, oldest first. */
  readonly halts: Halt[] = [];
  readonly heapBudget: number;
  readonly #files = new Map<string, string | Uint8Array>();
  readonly #bus: I2cBus;
  readonly #entry: { module: string; setup: string; step: string };
  readonly #onOutput: ((line: string) => void) | undefined;
  readonly #uniqueId: Buffer;
  readonly #output: string[] = [];
  #mp!: MicroPython;
  #resetCause: number = ResetCause.PWRON_RESET;
  #rtcMemory: Buffer = Buffer.alloc(0);
  readonly #romfs: Buffer | undefined;
  #halt: Halt | null = null;
  #haltedAtUs = 0;
  #watchdog: { timeoutUs: number; deadlineUs: number; feeds: number } | undefined;
  #runDeadlineUs: number | undefined;
  #bridgeFailure: unknown;
  #harnessAlloc = 0;
  #harnessQstrs = { count: 0, bytes: 0 };
  /** While set, the device's output goes here instead of to its console (harness queries). */
  #capturedOutput: string[] | undefined;
  #closed = false;

  private constructor(options: DeviceOptions) {
    this.clock = new VirtualClock(options.clock);
    this.wifi = new WifiModel(this.clock, options.wifi);
    this.mqtt = new MqttModel(this.clock, this.wifi, options.mqtt);
    this.ntp = { unixTime: options.ntp?.unixTime ?? 1_484_535_480, fail: options.ntp?.fail ?? false };
    this.heapBudget = options.heapBudget ?? ESP8266_PROGRAM_HEAP_BYTES;
    this.#uniqueId = Buffer.from(options.uniqueId ?? Buffer.from("00c0ffee", "hex"));
    this.#onOutput = options.onOutput;
    this.#entry = { module: "main", setup: "setup", step: "step", ...options.entry };
    this.#romfs = options.romfsBytes ? Buffer.alloc(options.romfsBytes, 0xff) : undefined;
    for (const [path, content] of Object.entries(options.files ?? {}))
      this.#files.set(path.replace(/^\/+/, ""), content);

    // Sensors live in virtual time, independent of the device's reboots.
    const now = () => this.clock.nowUs / 1000;
    const { adc, ...chips } = options.sensors ?? {};
    const parts = new Map((options.parts ?? []).map((part) => [part.name as string, part]));
    const targets: I2cTarget[] = [];
    const sensors: Record<string, unknown> = {
      adc: { raw: adc?.raw ?? 0, vccMillivolts: adc?.vccMillivolts ?? 3300 },
    };
    for (const [name, settings] of Object.entries(chips)) {
      if (settings === undefined) continue;
      const part = parts.get(name);
      if (!part) throw new Error(`no simulated part named ${name}: pass its board part in \`parts\``);
      const sensor = part.create(now, settings as never);
      sensors[name] = sensor;
      targets.push(sensor);
    }
    this.sensors = sensors as Sensors;
    this.#bus = new I2cBus({ scl: options.i2c?.scl ?? 5, sda: options.i2c?.sda ?? 4 }, [
      ...targets,
      ...(options.i2c?.targets ?? []),
    ]);
  }

  /**
   * Boots a device: loads MicroPython, installs the simulated modules and writes the files.
   * Nothing of the program runs until {@link setup} or {@link run}.
   *
   * @example
   * const device = await MicroPythonDevice.create({ files: { "main.py": "print('hi')" } });
   * await device.run("import main");
   * device.output; // ["hi"]
   */
  static async create(options: DeviceOptions = {}): Promise<MicroPythonDevice> {
    if (liveDevice)
      throw new Error(
        "another MicroPythonDevice is still open in this process: close() it first (the wasm module is a singleton)",
      );
    const device = new MicroPythonDevice(options);
    liveDevice = device;
    try {
      await device.#boot(ResetCause.PWRON_RESET);
    } catch (error) {
      liveDevice = undefined;
      throw error;
    }
    return device;
  }

  /** Everything the device printed (its serial console), a line at a time, across reboots. */
  get output(): readonly string[] {
    return this.#output;
  }

  /** Returns the lines printed since the last call, and forgets them. */
  takeOutput(): string[] {
    return this.#output.splice(0);
  }

  /** Why the device stopped running Python, or null while it runs. */
  get halt(): Halt | null {
    return this.#halt;
  }

  /** The watchdog the program started in the current boot: its timeout and how often it was fed. */
  get watchdog(): { readonly timeoutMs: number; readonly feeds: number } | undefined {
    const watchdog = this.#watchdog;
    return watchdog && { timeoutMs: watchdog.timeoutUs / 1000, feeds: watchdog.feeds };
  }

  /** What `machine.reset_cause()` reports in the current boot. */
  get resetCause(): number {
    return this.#resetCause;
  }

  /** The RTC's user memory (`RTC().memory()`), which survives deep sleep. */
  get rtcMemory(): Buffer {
    return this.#rtcMemory;
  }

  /** The ROMFS partition (`romfsBytes`), live: what `vfs.rom_ioctl` wrote into it. */
  get romfs(): Buffer | undefined {
    return this.#romfs;
  }

  /**
   * Executes Python statements in `__main__`. Resolves when they complete, the device halts or
   * the `forMs` budget runs out, after forwarded MQTT traffic has settled; rejects with
   * {@link MicroPythonError} if an exception escapes.
   *
   * @example
   * await device.run("import machine; machine.deepsleep(60_000)"); // { kind: "halted", ... }
   * await device.run("import main; main.main()", { forMs: 60_000 }); // { kind: "time-limit" }
   */
  run(code: string, options: RunOptions = {}): Promise<RunOutcome> {
    return this.#execute(code, false, options);
  }

  /** Imports the entry module and calls its setup function (`import main; main.setup()`). */
  setup(options: RunOptions = {}): Promise<RunOutcome> {
    const { module, setup } = this.#entry;
    return this.#execute(`import ${module}\n__harness_result = __harness_export(${module}.${setup}())`, true, options);
  }

  /** Calls the entry module's step function (`main.step()`) once; `value` is its return value. */
  step(options: RunOptions = {}): Promise<RunOutcome> {
    const { module, step } = this.#entry;
    return this.#execute(`import ${module}\n__harness_result = __harness_export(${module}.${step}())`, true, options);
  }

  /**
   * Evaluates a Python expression in `__main__` and returns its value, which must be
   * JSON-serialisable (numbers, strings, None, lists, tuples, dicts); rejects if the device halts.
   *
   * @example
   * await device.run("from tsl2591 import Tsl2591; import machine; s = Tsl2591('lux-1', machine.I2C(scl=machine.Pin(5), sda=machine.Pin(4)))");
   * await device.evaluate("s.sample()"); // 284.13
   */
  async evaluate(expression: string): Promise<unknown> {
    const outcome = await this.#execute(`__harness_result = __harness_export(${expression})`, true, {});
    if (outcome.kind !== "returned") throw new Error(`evaluating \`${expression}\` did not return: ${outcome.kind}`);
    return outcome.value;
  }

  /**
   * Lets `ms` of virtual time pass while the program is not running (between steps). A watchdog
   * that is not fed in that time resets the device.
   */
  advance(ms: number): void {
    this.#assertOpen();
    if (!(ms >= 0)) throw new RangeError(`cannot advance by ${ms} ms`);
    const targetUs = this.clock.nowUs + Math.round(ms * 1000);
    this.#runWatchdogUntil(targetUs);
    this.clock.advanceToUs(targetUs);
  }

  /**
   * Measures the Python heap after a full collection. Call it between calls into the device:
   * the collection it requests runs when that request returns to JavaScript (this wasm port
   * cannot scan its own stack), and the reading is taken by the next call.
   *
   * @example
   * await device.setup();
   * const before = device.heap().used;
   * for (let i = 0; i < 1000; i++) await device.step();
   * expect(device.heap().used).toBe(before);
   */
  heap(): HeapReading {
    this.#assertOpen();
    const alloc = this.#measureAlloc();
    const used = alloc - this.#harnessAlloc;
    const qstrs = this.#measureQstrs();
    return {
      alloc,
      harness: this.#harnessAlloc,
      used,
      free: this.heapBudget - used,
      qstrs: qstrs.count - this.#harnessQstrs.count,
      qstrBytes: qstrs.bytes - this.#harnessQstrs.bytes,
    };
  }

  /**
   * Starts the device again in a fresh interpreter, as a real reset does: uptime and ticks
   * restart, files written by the program, the RTC (time and memory) and the sensors persist.
   * After deep sleep the clock first advances to the wake-up alarm. `machine.reset_cause()`
   * then reports DEEPSLEEP_RESET, WDT_RESET, SOFT_RESET (machine.reset()) or HARD_RESET.
   */
  async reboot(): Promise<void> {
    this.#assertOpen();
    const halt = this.#halt;
    if (halt?.reason === "deepsleep" && halt.sleepMs !== null)
      this.clock.advanceToUs(this.#haltedAtUs + halt.sleepMs * 1000);
    if (!halt) {
      this.mqtt.haltAll("device reset");
      this.wifi.powerOff();
    }
    this.#saveFlash();
    await this.mqtt.settle();
    await this.#boot(halt ? RESET_CAUSE_AFTER[halt.reason] : ResetCause.HARD_RESET);
  }

  /** Writes a file to the device's flash (it persists across reboots). */
  writeFile(path: string, content: string | Uint8Array): void {
    this.#assertOpen();
    const relative = path.replace(/^\/+/, "");
    this.#files.set(relative, content);
    writeFlashFile(this.#mp, relative, content);
  }

  /** Reads a file from the device's flash as UTF-8 text. */
  readFile(path: string): string {
    this.#assertOpen();
    return this.#mp.FS.readFile(`/${path.replace(/^\/+/, "")}`, { encoding: "utf8" });
  }

  /** Ends forwarded MQTT connections (ungracefully, so the broker sends wills) and frees the process's device slot. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.mqtt.close();
    } finally {
      if (liveDevice === this) liveDevice = undefined;
    }
  }

  async #boot(resetCause: number): Promise<void> {
    this.#resetCause = resetCause;
    this.#halt = null;
    this.#watchdog = undefined;
    this.#bridgeFailure = undefined;
    this.clock.boot();
    const print = (line: string) => {
      if (this.#capturedOutput) {
        this.#capturedOutput.push(line);
        return;
      }
      this.#output.push(line);
      this.#onOutput?.(line);
    };
    // The heap grows on demand in this port; the budget is enforced by #heapOverrun instead.
    const mp = await loadMicroPython({
      heapsize: this.heapBudget + 18 * 1024,
      stdout: print,
      stderr: print,
      linebuffer: true,
    });
    retiredInterpreterGlobals.push(mp.globals);
    mp.registerJsModule("_harness", createBridge(this.#bridgeHost()));
    mp.FS.mkdir(SIMULATION_DIRECTORY);
    for (const [name, source] of SIMULATION_SOURCES) mp.FS.writeFile(`${SIMULATION_DIRECTORY}/${name}`, source);
    for (const [path, content] of this.#files) writeFlashFile(mp, path, content);
    this.#mp = mp;
    try {
      mp.runPython(BOOT_CODE);
    } catch (error) {
      throw isPythonError(error) ? new MicroPythonError(error.type, error.message) : error;
    }
    this.#harnessAlloc = this.#measureAlloc();
    this.#harnessQstrs = this.#measureQstrs();
  }

  async #execute(code: string, returnsValue: boolean, options: RunOptions): Promise<RunOutcome> {
    this.#assertOpen();
    if (this.#halt)
      throw new Error(`the device halted (${this.#halt.reason} at ${this.#halt.atMs} ms): reboot() it first`);
    this.#runDeadlineUs = options.forMs === undefined ? undefined : this.clock.nowUs + Math.round(options.forMs * 1000);
    let outcome: RunOutcome = { kind: "returned", value: null };
    let failure: unknown;
    try {
      this.#mp.runPython(code);
      if (returnsValue) outcome = { kind: "returned", value: this.#takeResult() };
    } catch (error) {
      if (isPythonError(error) && error.type === "DeviceHalt")
        outcome = this.#halt ? { kind: "halted", halt: this.#halt } : { kind: "time-limit" };
      else failure = isPythonError(error) ? new MicroPythonError(error.type, error.message) : error;
    } finally {
      this.#runDeadlineUs = undefined;
    }
    // A failing bridge function is the root cause of whatever Python raised after it.
    if (this.#bridgeFailure !== undefined) {
      failure = this.#bridgeFailure;
      this.#bridgeFailure = undefined;
    }
    // The program may have swallowed DeviceHalt with a bare except; the device halted regardless.
    if (this.#halt && outcome.kind !== "halted") outcome = { kind: "halted", halt: this.#halt };
    if (failure === undefined && !this.#halt) failure = this.#heapOverrun();
    await this.mqtt.settle();
    if (failure !== undefined) throw failure;
    return outcome;
  }

  /**
   * A MemoryError when the program holds more than its budget. The WebAssembly port grows its heap
   * on demand (split heap), so `heapsize` cannot cap it; the budget is checked on what is live
   * after each call instead, which catches state that outgrows a board (not a passing spike).
   */
  #heapOverrun(): MicroPythonError | undefined {
    const used = this.#measureAlloc() - this.#harnessAlloc;
    if (used <= this.heapBudget) return undefined;
    const message = `memory allocation failed: the program holds ${used} bytes, more than the ${this.heapBudget} an ESP8266 leaves it`;
    return new MicroPythonError("MemoryError", `MemoryError: ${message}\n`);
  }

  #takeResult(): unknown {
    const json = this.#mp.globals.get("__harness_result") as string;
    this.#mp.globals.set("__harness_result", null);
    try {
      return JSON.parse(json);
    } catch {
      // MicroPython writes non-finite floats as bare inf/nan, which JSON lacks.
      return JSON.parse(json.replace(/\b(-?)inf\b/g, "$11e999").replace(/\bnan\b/g, "null"));
    }
  }

  // gc.collect() only flags a collection in this port; it runs as the call returns to JS, so
  // the reading must come from a second call.
  #measureAlloc(): number {
    this.#mp.runPython("__harness_gc.collect()");
    this.#mp.runPython("__harness_result = __harness_gc.mem_alloc()");
    const alloc = this.#mp.globals.get("__harness_result") as number;
    this.#mp.runPython("__harness_result = None");
    return alloc;
  }

  #measureQstrs(): { count: number; bytes: number } {
    this.#capturedOutput = [];
    try {
      this.#mp.runPython("__harness_qstr_info()");
      const info = /n_qstr=(\d+), n_str_data_bytes=\d+, n_total_bytes=(\d+)/.exec(this.#capturedOutput.join("\n"));
      if (!info) throw new Error(`unexpected micropython.qstr_info() output: ${this.#capturedOutput.join("\n")}`);
      return { count: Number(info[1]), bytes: Number(info[2]) };
    } finally {
      this.#capturedOutput = undefined;
    }
  }

  #passTime(ms: number): SleepStatus {
    if (this.#halt) return SleepStatus.Halted;
    let targetUs = this.clock.nowUs + Math.round(ms * 1000);
    const deadlineUs = this.#runDeadlineUs;
    const reachesDeadline = deadlineUs !== undefined && deadlineUs <= targetUs;
    if (reachesDeadline) targetUs = deadlineUs;
    if (this.#runWatchdogUntil(targetUs)) return SleepStatus.Halted;
    this.clock.advanceToUs(targetUs);
    return reachesDeadline ? SleepStatus.TimeLimit : SleepStatus.Running;
  }

  /** Fires the watchdog if it expires before `targetUs`; true if it did. */
  #runWatchdogUntil(targetUs: number): boolean {
    const watchdog = this.#watchdog;
    if (this.#halt || !watchdog || watchdog.deadlineUs > targetUs) return false;
    this.clock.advanceToUs(watchdog.deadlineUs);
    this.#enterHalt({ reason: "watchdog", atMs: this.clock.uptimeMs });
    return true;
  }

  #enterHalt(halt: Halt): void {
    this.#halt = halt;
    this.#haltedAtUs = this.clock.nowUs;
    this.halts.push(halt);
    this.#watchdog = undefined;
    this.mqtt.haltAll(`device halted: ${halt.reason}`);
    this.wifi.powerOff();
  }

  /** Keeps the files as the program left them (written, renamed, removed), for the next boot. */
  #saveFlash(): void {
    const fs = this.#mp.FS;
    this.#files.clear();
    const walk = (directory: string) => {
      for (const name of fs.readdir(`/${directory}`)) {
        if (name === "." || name === ".." || (directory === "" && NOT_FLASH.has(name))) continue;
        const path = directory ? `${directory}/${name}` : name;
        if (fs.isDir(fs.stat(`/${path}`).mode)) walk(path);
        else this.#files.set(path, fs.readFile(`/${path}`));
      }
    };
    walk("");
  }

  #bridgeHost(): BridgeHost {
    return {
      clock: this.clock,
      i2c: this.#bus,
      wifi: this.wifi,
      mqtt: this.mqtt,
      adc: this.sensors.adc,
      ntp: this.ntp,
      pins: this.pins,
      uniqueId: this.#uniqueId,
      resetCause: () => this.#resetCause,
      readRtcMemory: () => this.#rtcMemory,
      romfs: this.#romfs,
      writeRtcMemory: (memory) => {
        this.#rtcMemory = memory;
      },
      passTime: (ms) => this.#passTime(ms),
      halt: (reason, sleepMs) =>
        this.#enterHalt(
          reason === "deepsleep"
            ? { reason, atMs: this.clock.uptimeMs, sleepMs: sleepMs < 0 ? null : sleepMs }
            : { reason, atMs: this.clock.uptimeMs },
        ),
      startWatchdog: (timeoutMs) => {
        this.#watchdog = { timeoutUs: timeoutMs * 1000, deadlineUs: this.clock.nowUs + timeoutMs * 1000, feeds: 0 };
      },
      feedWatchdog: () => {
        const watchdog = this.#watchdog;
        if (!watchdog) return;
        watchdog.deadlineUs = this.clock.nowUs + watchdog.timeoutUs;
        watchdog.feeds++;
      },
      bridgeFailed: (error) => {
        this.#bridgeFailure ??= error;
      },
    };
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("the device is closed");
  }
}

function isPythonError(error: unknown): error is PythonError {
  return error instanceof Error && error.name === "PythonError" && typeof (error as PythonError).type === "string";
}

function writeFlashFile(mp: MicroPython, path: string, content: string | Uint8Array): void {
  const parts = path.split("/");
  for (let i = 1; i < parts.length; i++) {
    const directory = `/${parts.slice(0, i).join("/")}`;
    if (!mp.FS.analyzePath(directory).exists) mp.FS.mkdir(directory);
  }
  mp.FS.writeFile(`/${path}`, content);
}
