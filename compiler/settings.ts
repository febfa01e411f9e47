/**
 * Declarations of the `broker` and `device` settings, checked with the same parameter machinery
 * as components. Device blocks nest further settings (`wifi`, `broker`, `i2c`, ...).
 */
import type { ParamSpec } from "./registry.js";

export interface SettingDeclaration {
  readonly name: string;
  readonly summary: string;
  readonly params: readonly ParamSpec[];
  /** Settings allowed inside `{ ... }` after this one. */
  readonly block?: readonly SettingDeclaration[];
  readonly example: string;
}

const str = (name: string, doc: string, extra: Partial<ParamSpec> = {}): ParamSpec => ({
  name,
  type: { kind: "string" },
  doc,
  ...extra,
});

export const brokerSetting: SettingDeclaration = {
  name: "broker",
  summary: "The MQTT broker this flow connects to.",
  example: 'broker "localhost" port 1883 client_id "server-1"',
  params: [
    str("host", "Host name or address.", { positional: true, default: { kind: "string", value: "localhost" } }),
    {
      name: "port",
      type: { kind: "number", integer: true, min: 1, max: 65535 },
      doc: "TCP port; 1883 plain, 8883 TLS.",
    },
    str(
      "client_id",
      "A fixed client id; required for persistent sessions (`clean false`). Default: random on the host, the chip id in hex (`machine.unique_id()`) on an ESP8266.",
    ),
    str("username", "User name for password authentication."),
    str("password", 'Password; keep it out of source with `secret("...")`.'),
    { name: "tls", type: { kind: "bool" }, flag: true, doc: "Connect over TLS (mqtts)." },
    str("ca", "PEM file of the certificate authority that signed the broker's certificate (implies tls)."),
    {
      name: "keepalive",
      type: { kind: "duration", minMs: 1000 },
      default: { kind: "duration", ms: 60_000 },
      doc: "How often the client pings an idle broker.",
    },
    {
      name: "clean",
      type: { kind: "bool" },
      default: { kind: "bool", value: true },
      doc: "`clean false` keeps a persistent session: with QoS 1, messages sent while offline are delivered on reconnect.",
    },
    { name: "will_topic", type: { kind: "topic", wildcards: false }, doc: "Topic of the last-will message." },
    str("will_message", "Payload the broker publishes if this client disappears."),
    { name: "will_qos", type: { kind: "number", integer: true, min: 0, max: 2 }, doc: "QoS of the last will." },
    { name: "will_retain", type: { kind: "bool" }, flag: true, doc: "Retain the last-will message." },
  ],
};

const wifiSetting: SettingDeclaration = {
  name: "wifi",
  summary: "The WiFi network the device joins (station mode; the access point is turned off).",
  example: 'wifi secret("wifi_essid"), secret("wifi_password")',
  params: [
    str("ssid", "Network name.", { positional: true, required: true }),
    str("password", "Network password.", { positional: true, required: true }),
  ],
};

/** GPIO numbers of the ESP8266 that `machine.Pin` accepts: 6 to 11 are wired to the flash chip. */
const gpio = {
  kind: "number",
  integer: true,
  min: 0,
  max: 16,
  excluded: {
    values: [6, 7, 8, 9, 10, 11],
    reason: "GPIO 6 to 11 are wired to the flash chip; use 0 to 5 or 12 to 16",
  },
} as const;

const i2cSetting: SettingDeclaration = {
  name: "i2c",
  summary: "The I2C bus pins the sensors hang on.",
  example: "i2c scl 5 sda 4 freq 100000",
  params: [
    {
      name: "scl",
      type: gpio,
      default: { kind: "number", value: 5 },
      doc: "SCL GPIO.",
    },
    {
      name: "sda",
      type: gpio,
      default: { kind: "number", value: 4 },
      doc: "SDA GPIO.",
    },
    {
      name: "freq",
      type: { kind: "number", integer: true, min: 10_000, max: 400_000 },
      default: { kind: "number", value: 100_000 },
      doc: "Bus frequency in Hz.",
    },
  ],
};

const deepSleepSetting: SettingDeclaration = {
  name: "deep_sleep",
  summary:
    "Sleep between samples with machine.deepsleep (wire GPIO16 to RST so the RTC alarm can wake the board); each source's schedule and the steps' state are kept in RTC memory across the reset.",
  example: "deep_sleep",
  params: [
    {
      name: "enabled",
      type: { kind: "bool" },
      positional: true,
      default: { kind: "bool", value: true },
      doc: "On or off.",
    },
  ],
};

const ntpSetting: SettingDeclaration = {
  name: "ntp",
  summary: "Set the clock from NTP at boot so timestamps are unix seconds, not seconds since boot.",
  example: 'ntp "pool.ntp.org"',
  params: [str("host", "NTP server.", { positional: true, default: { kind: "string", value: "pool.ntp.org" } })],
};

const watchdogSetting: SettingDeclaration = {
  name: "watchdog",
  summary: "Reset the board if the main loop stalls for longer than the timeout.",
  example: "watchdog 30s",
  params: [
    {
      name: "timeout",
      type: { kind: "duration", minMs: 1000 },
      positional: true,
      default: { kind: "duration", ms: 30_000 },
      doc: "Longest stall tolerated.",
    },
  ],
};

export const deviceSetting: SettingDeclaration = {
  name: "device",
  summary: "The board this flow is built for, and its network and bus settings.",
  example:
    'device esp8266 {\n  wifi secret("wifi_essid"), secret("wifi_password")\n  broker secret("mqtt_host") port 1883\n}',
  params: [
    {
      name: "board",
      type: { kind: "enum", values: ["esp8266"] },
      positional: true,
      required: true,
      doc: "The board; flows with a device block are checked against that board's target.",
    },
  ],
  block: [wifiSetting, brokerSetting, i2cSetting, deepSleepSetting, ntpSetting, watchdogSetting],
};

/** Top-level settings statements, by keyword. */
export const topLevelSettings: ReadonlyMap<string, SettingDeclaration> = new Map([
  ["broker", brokerSetting],
  ["device", deviceSetting],
]);
