/**
 * The `_harness` module: the functions the simulated device modules (python/sim_*.py) call to
 * reach the device state kept in TypeScript. This is the whole Python↔JS contract of the
 * harness, so its rules live here:
 *
 * - A function must never throw. A JS exception escaping into MicroPython leaves the wasm port's
 *   external-call depth raised for good, and from then on its garbage collector never runs (the
 *   port only collects when control returns to the top level). Every function is therefore
 *   wrapped: a failure is recorded on the host, `undefined` is returned, and the harness rethrows
 *   the recorded error when the Python call returns.
 * - Python passes only None, bools, numbers and strings (bytes as hex): other objects would be
 *   pinned by JS proxies until JS garbage collection, making heap readings nondeterministic.
 * - Integers returned to Python must fit in 32 bits (the proxy converts them as i32).
 */
import { readRomfs, romfsMounts } from "../romfs.js";
import { STA_IF } from "./wifi-model.js";
import { Errno } from "./errno.js";
import { UNIX_AT_2000, type VirtualClock } from "./clock.js";
import type { I2cBus } from "./i2c-bus.js";
import type { MqttModel, IncomingMessage } from "./mqtt-model.js";
import type { WifiModel } from "./wifi-model.js";

/** The ESP8266's flash: erased a 4 KB sector at a time, written a 4-byte word at a time. */
const FLASH_SECTOR = 4096;
const FLASH_WRITE_UNIT = 4;

/** What a bridge call that lets virtual time pass reports (mirrored in sim_support.py). */
export const SleepStatus = {
  /** The program continues. */
  Running: 0,
  /** The device halted (the watchdog fired): unwind the program. */
  Halted: 1,
  /** The run's virtual-time budget is spent: unwind the program. */
  TimeLimit: 2,
} as const;
export type SleepStatus = (typeof SleepStatus)[keyof typeof SleepStatus];

/** The ADC input: TOUT (ADC 0) and the supply voltage (ADC 1). */
export interface AdcInput {
  /** What `ADC(0).read()` returns, 0..1024 (rounded and clamped). */
  raw: number;
  /** What `ADC(1).read()` returns: the supply in mV. */
  vccMillivolts: number;
}

/** The network time `ntptime` fetches. */
export interface NtpServer {
  /** Unix time (seconds) the server reports at virtual time 0; it advances with the clock. */
  unixTime: number;
  /** While true, queries time out (OSError(ETIMEDOUT) after `ntptime.timeout` s). */
  fail: boolean;
}

/** The device state the bridge reads and changes; implemented by the harness. */
export interface BridgeHost {
  readonly clock: VirtualClock;
  readonly i2c: I2cBus;
  readonly wifi: WifiModel;
  readonly mqtt: MqttModel;
  readonly adc: AdcInput;
  readonly ntp: NtpServer;
  /** Input levels of pins, and the levels the program drove on outputs. */
  readonly pins: Map<number, number>;
  readonly uniqueId: Buffer;
  /** What `machine.reset_cause()` reports in this boot. */
  resetCause(): number;
  /** The RTC's user memory, which survives deep sleep. */
  readRtcMemory(): Buffer;
  /** The ROMFS partition of firmware built with one (erased flash reads 0xff), else undefined. */
  readonly romfs: Buffer | undefined;
  writeRtcMemory(memory: Buffer): void;
  /** Lets `ms` of virtual time pass for the program (sleep); may halt or end the run. */
  passTime(ms: number): SleepStatus;
  /** The program stops running: deep sleep (`sleepMs` −1 = until reset) or machine.reset(). */
  halt(reason: "deepsleep" | "reset", sleepMs: number): void;
  startWatchdog(timeoutMs: number): void;
  feedWatchdog(): void;
  /** Records a bridge function's exception, to be rethrown when the Python call returns. */
  bridgeFailed(error: unknown): void;
}

/**
 * Builds the object to register as the `_harness` module.
 *
 * @example
 * mp.registerJsModule("_harness", createBridge(host));
 */
export function createBridge(host: BridgeHost): Record<string, (...args: never[]) => unknown> {
  const { clock, i2c, wifi, mqtt } = host;
  const functions = {
    // ---- sim_time ----
    ticks_period: () => clock.ticksPeriod,
    ticks_ms: () => clock.ticksMs(),
    ticks_us: () => clock.ticksUs(),
    sleep_ms: (ms: number) => host.passTime(ms),
    rtc_seconds: () => clock.rtcSeconds(),

    // ---- sim_machine ----
    rtc_set: (secondsSince2000: number) => clock.setRtc(secondsSince2000),
    rtc_memory_read: () => host.readRtcMemory().toString("hex"),
    rtc_memory_write: (hex: string) => host.writeRtcMemory(Buffer.from(hex, "hex")),
    reset_cause: () => host.resetCause(),
    unique_id: () => host.uniqueId.toString("hex"),
    halt: (reason: "deepsleep" | "reset", sleepMs: number) => host.halt(reason, sleepMs),
    wdt_start: (timeoutMs: number) => host.startWatchdog(timeoutMs),
    wdt_feed: () => host.feedWatchdog(),
    pin_read: (pin: number) => host.pins.get(pin) ?? 0,
    pin_write: (pin: number, level: number) => {
      host.pins.set(pin, level);
    },
    adc_read: (channel: number) =>
      channel === 0 ? Math.max(0, Math.min(1024, Math.round(host.adc.raw))) : Math.round(host.adc.vccMillivolts),
    i2c_scan: (scl: number, sda: number) => i2c.scan(scl, sda),
    i2c_read: (scl: number, sda: number, address: number, register: number, count: number) => {
      const data = i2c.readRegisters(scl, sda, address, register, count);
      return typeof data === "number" ? data : Buffer.from(data).toString("hex");
    },
    i2c_write: (scl: number, sda: number, address: number, register: number, hex: string) =>
      i2c.writeRegisters(scl, sda, address, register, [...Buffer.from(hex, "hex")]),

    // ---- sim_vfs (firmware with a ROMFS partition) ----
    rom_size: () => host.romfs?.length ?? 0,
    rom_read: (offset: number, length: number) => host.romfs?.subarray(offset, offset + length).toString("hex") ?? "",
    rom_erase: (length: number) => {
      const romfs = host.romfs;
      if (!romfs || !(length >= 0 && length <= romfs.length)) return -Errno.EINVAL;
      romfs.fill(0xff, 0, Math.min(romfs.length, Math.ceil(length / FLASH_SECTOR) * FLASH_SECTOR));
      return FLASH_WRITE_UNIT;
    },
    rom_write: (offset: number, hex: string) => {
      const romfs = host.romfs;
      const data = Buffer.from(hex, "hex");
      // The ESP8266 port writes whole 4-byte words, the bytes after the buffer included (whatever
      // RAM holds there: zeros here), and flash can only clear bits until a sector is erased.
      const words = Math.ceil(data.length / FLASH_WRITE_UNIT) * FLASH_WRITE_UNIT;
      if (!romfs || offset % FLASH_WRITE_UNIT !== 0 || offset < 0 || offset + words > romfs.length) return -Errno.EIO;
      for (let i = 0; i < words; i++) romfs[offset + i] = romfs[offset + i]! & (data[i] ?? 0);
      return 0;
    },
    rom_index: () => {
      const romfs = host.romfs;
      if (!romfs || !romfsMounts(romfs)) return null;
      // A damaged image is mounted all the same; none of its files can be read.
      const files = readRomfs(romfs) ?? new Map<string, Uint8Array>();
      return [...files]
        .map(([path, data]) => `${path}\t${data.byteOffset - romfs.byteOffset}\t${data.length}`)
        .join("\n");
    },

    // ---- sim_network ----
    wlan_active: (iface: number, flag: number) => wifi.active(iface, flag),
    wlan_connect: (ssid: string | null, key: string | null) => wifi.connect(ssid, key),
    wlan_disconnect: () => wifi.disconnect(),
    wlan_status: () => wifi.status(),
    wlan_rssi: () => wifi.rssi(),
    wlan_ifconfig: (iface: number) => wifi.ifconfig(iface),
    wlan_essid: (iface: number) =>
      iface === STA_IF ? wifi.essid() : `MicroPython-${host.uniqueId.subarray(-3).toString("hex")}`,
    wlan_mac: (iface: number) => {
      // Espressif's OUI and the chip id; the access point's address sets the locally-administered bit.
      const mac = Buffer.concat([Buffer.from([0x5c, 0xcf, 0x7f]), host.uniqueId.subarray(-3)]);
      if (iface !== STA_IF) mac[0] = mac[0]! | 0x02;
      return mac.toString("hex");
    },
    wlan_scan: () => wifi.scan(),

    // ---- sim_ntptime ----
    ntp_query: (_server: string) => {
      if (!wifi.linkUp()) return -Errno.EHOSTUNREACH;
      if (host.ntp.fail) return -Errno.ETIMEDOUT;
      return host.ntp.unixTime - UNIX_AT_2000 + clock.nowUs / 1e6;
    },

    // ---- sim_umqtt_simple ----
    mqtt_connect: (
      clientId: string,
      server: string,
      port: number,
      user: string | null,
      password: string | null,
      keepaliveS: number,
      ssl: boolean,
      cleanSession: boolean,
      willTopic: string | null,
      willMessage: string | null,
      willHex: boolean,
      willQos: number,
      willRetain: boolean,
    ) => {
      const will =
        willTopic === null
          ? null
          : { topic: willTopic, payload: payloadOf(willMessage ?? "", willHex), qos: willQos, retain: willRetain };
      return mqtt.clientConnect(clientId, server, port, user, password, keepaliveS, ssl, cleanSession, will);
    },
    mqtt_publish: (handle: number, topic: string, payload: string, hex: boolean, retain: boolean, qos: number) =>
      mqtt.clientPublish(handle, topic, payloadOf(payload, hex), retain, qos),
    mqtt_subscribe: (handle: number, filter: string, qos: number) => mqtt.clientSubscribe(handle, filter, qos),
    mqtt_ping: (handle: number) => mqtt.clientPing(handle),
    mqtt_disconnect: (handle: number) => mqtt.clientDisconnect(handle),
    mqtt_poll: (handle: number, blocking: boolean): IncomingMessage | number => mqtt.clientPoll(handle, blocking),
  };

  const guarded: Record<string, (...args: never[]) => unknown> = {};
  for (const [name, fn] of Object.entries(functions) as [string, (...args: never[]) => unknown][]) {
    guarded[name] = (...args: never[]) => {
      try {
        return fn(...args);
      } catch (error) {
        host.bridgeFailed(
          new Error(`_harness.${name} failed: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          }),
        );
        return undefined;
      }
    };
  }
  return guarded;
}

function payloadOf(text: string, hex: boolean): Buffer {
  return hex ? Buffer.from(text, "hex") : Buffer.from(text, "utf8");
}
