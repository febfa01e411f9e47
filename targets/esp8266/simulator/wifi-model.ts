import type { VirtualClock } from "./clock.js";

/** `network.STAT_*` codes of the ESP8266 port. */
export const WifiStatus = {
  IDLE: 0,
  CONNECTING: 1,
  WRONG_PASSWORD: 2,
  NO_AP_FOUND: 3,
  CONNECT_FAIL: 4,
  GOT_IP: 5,
} as const;

/** `network.STA_IF` and `network.AP_IF`. */
export const STA_IF = 0;
export const AP_IF = 1;

/** The access point in range, and the faults to inject. All fields are optional. */
export interface WifiOptions {
  /** The access point's name; connecting to another gets STAT_NO_AP_FOUND. Omit to accept any. */
  ssid?: string;
  /** Its password; a different key gets STAT_WRONG_PASSWORD. Omit to accept any. */
  password?: string;
  /** Virtual ms from `connect()` until the station has an address (default 1500). */
  connectDelayMs?: number;
  /** Make this many connection attempts end in STAT_CONNECT_FAIL (default 0). */
  failFirstConnects?: number;
  /** Drop an established link once the device's uptime reaches this many ms. */
  dropLinkAtMs?: number;
  /** The station's address once connected (default 192.168.1.42 on 192.168.1.0/24). */
  ip?: string;
  /** Signal strength reported by `status('rssi')` and `scan()` (default -61 dBm). */
  rssi?: number;
}

interface Attempt {
  readonly id: number;
  readonly settlesAtMs: number;
  readonly outcome: number;
}

/**
 * The ESP8266's station and access-point interfaces and the network around them, on the virtual
 * clock. As on the real port `connect()` returns at once, `status()` reads STAT_CONNECTING until
 * the association delay has passed and then STAT_GOT_IP or the failure. A dropped link reads
 * STAT_IDLE until the program connects again (the SDK's automatic reconnection is not modelled).
 *
 * Each successful association is a new "link"; MQTT sessions opened over one link die with it.
 *
 * @example
 * const wifi = new WifiModel(clock, { ssid: "lab", password: "secret", failFirstConnects: 2 });
 * wifi.dropLink(); // e.g. between two scheduler steps
 */
export class WifiModel {
  /** How many times the program called `connect()`. */
  connectAttempts = 0;
  readonly #clock: VirtualClock;
  readonly #options: WifiOptions;
  #failuresLeft: number;
  #dropAtMs: number | undefined;
  #stationActive = false;
  #accessPointActive = true;
  #attempt: Attempt | undefined;
  #attemptCount = 0;
  #dropped = false;

  constructor(clock: VirtualClock, options: WifiOptions = {}) {
    this.#clock = clock;
    this.#options = options;
    this.#failuresLeft = options.failFirstConnects ?? 0;
    this.#dropAtMs = options.dropLinkAtMs;
  }

  /** Makes the next `count` connection attempts fail. */
  failNextConnects(count: number): void {
    this.#failuresLeft = count;
  }

  /** Drops the link now, as if the access point went away. */
  dropLink(): void {
    if (this.linkUp()) this.#dropped = true;
  }

  /** Drops the link when the device's uptime reaches `uptimeMs`. */
  dropLinkAt(uptimeMs: number): void {
    this.#dropAtMs = uptimeMs;
  }

  /** The station is associated and has an address. */
  linkUp(): boolean {
    this.#applyScheduledDrop();
    return this.#linkUpNow();
  }

  /** Identifies the current link: changes whenever the station (re)associates. */
  get linkId(): number {
    return this.#attempt?.id ?? 0;
  }

  /** Radio off, as after a reset; the schedule of faults carries on. */
  powerOff(): void {
    this.#stationActive = false;
    this.#accessPointActive = true;
    this.#attempt = undefined;
    this.#dropped = false;
  }

  /** `WLAN(iface).active()` (flag -1) or `.active(flag)`; returns the state. */
  active(iface: number, flag: number): boolean {
    if (flag >= 0) {
      if (iface === STA_IF) {
        this.#stationActive = flag === 1;
        if (!this.#stationActive) this.#attempt = undefined;
      } else this.#accessPointActive = flag === 1;
    }
    return iface === STA_IF ? this.#stationActive : this.#accessPointActive;
  }

  /** `WLAN(STA_IF).connect(ssid, key)`. */
  connect(ssid: string | null, key: string | null): void {
    this.#applyScheduledDrop();
    this.connectAttempts++;
    const { ssid: expectedSsid, password } = this.#options;
    let outcome: number = WifiStatus.GOT_IP;
    if (expectedSsid !== undefined && ssid !== expectedSsid) outcome = WifiStatus.NO_AP_FOUND;
    else if (password !== undefined && (key ?? "") !== password) outcome = WifiStatus.WRONG_PASSWORD;
    else if (this.#failuresLeft > 0) {
      this.#failuresLeft--;
      outcome = WifiStatus.CONNECT_FAIL;
    }
    this.#attempt = {
      id: ++this.#attemptCount,
      settlesAtMs: this.#clock.uptimeMs + (this.#options.connectDelayMs ?? 1500),
      outcome,
    };
    this.#dropped = false;
  }

  /** `WLAN(STA_IF).disconnect()`. */
  disconnect(): void {
    this.#attempt = undefined;
  }

  /** `WLAN(STA_IF).status()`. */
  status(): number {
    this.#applyScheduledDrop();
    const attempt = this.#attempt;
    if (!this.#stationActive || !attempt || this.#dropped) return WifiStatus.IDLE;
    return this.#clock.uptimeMs < attempt.settlesAtMs ? WifiStatus.CONNECTING : attempt.outcome;
  }

  /** `status('rssi')`. */
  rssi(): number {
    return this.#options.rssi ?? -61;
  }

  /** `WLAN(iface).ifconfig()` as "ip,netmask,gateway,dns". */
  ifconfig(iface: number): string {
    if (iface === AP_IF)
      return this.#accessPointActive
        ? "192.168.4.1,255.255.255.0,192.168.4.1,208.67.222.222"
        : "0.0.0.0,0.0.0.0,0.0.0.0,0.0.0.0";
    if (!this.linkUp()) return "0.0.0.0,0.0.0.0,0.0.0.0,0.0.0.0";
    const ip = this.#options.ip ?? "192.168.1.42";
    const gateway = ip.replace(/\.\d+$/, ".1");
    return `${ip},255.255.255.0,${gateway},${gateway}`;
  }

  /** The SSID the station is associated with, or "". */
  essid(): string {
    return this.linkUp() ? (this.#options.ssid ?? "") : "";
  }

  /** Access points in range as [ssid, channel, rssi] rows for `scan()`. */
  scan(): [string, number, number][] {
    const { ssid } = this.#options;
    return this.#stationActive && ssid !== undefined ? [[ssid, 6, this.rssi()]] : [];
  }

  #linkUpNow(): boolean {
    return this.#linkUpAt(this.#clock.uptimeMs);
  }

  #linkUpAt(uptimeMs: number): boolean {
    const attempt = this.#attempt;
    return (
      this.#stationActive &&
      attempt !== undefined &&
      !this.#dropped &&
      attempt.outcome === WifiStatus.GOT_IP &&
      uptimeMs >= attempt.settlesAtMs
    );
  }

  // Faults are applied lazily, whenever the model is consulted: the link drops if it was up at
  // the scheduled moment (it cannot have been re-established since without passing through here).
  #applyScheduledDrop(): void {
    const dropAtMs = this.#dropAtMs;
    if (dropAtMs === undefined || this.#clock.uptimeMs < dropAtMs) return;
    this.#dropAtMs = undefined;
    if (this.#linkUpAt(dropAtMs)) this.#dropped = true;
  }
}
