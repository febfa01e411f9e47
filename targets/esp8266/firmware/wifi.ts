import wifiPy from "./wifi.py?raw";
import wifiSetupPy from "./wifi_setup.py?raw";
import { fillTemplate, pythonSection, type FirmwareSection } from "./template.js";

/**
 * WiFi in station mode with the access point off, as the tutorial sets it up; reconnects when
 * lost, at most every 10 s, and says why a connection failed. Without credentials the station
 * joins the network the board saved last (the ESP8266 keeps it in flash).
 *
 * Deadlines such as `_wifi_next` are None while nothing waits: a tick count kept for longer than
 * half the `ticks_ms` period (6 days) would compare as in the future. `_wifi_next` is None only
 * while the link is up, so finding it None with the station down means the link was lost.
 *
 * `code` is the module-level part (`wifi_up()`); `setup` are statements for setup(), which turn the
 * access point off and wait up to `setupWaitMs` for the first connection. They are spliced into
 * setup() rather than kept as a function of their own, whose bytecode would stay in the heap.
 *
 * @example
 * const wifi = wifiSection({ ssid: "config.WIFI_ESSID", password: "config.WIFI_PASSWORD" }, 15_000);
 * runtime.push(wifi.code);
 * setup.push(...wifi.setup);
 */
export function wifiSection(
  credentials: { ssid: string; password: string } | undefined,
  setupWaitMs: number,
): FirmwareSection {
  return {
    code: fillTemplate(pythonSection(wifiPy), {
      CREDENTIALS: credentials ? `${credentials.ssid}, ${credentials.password}` : "",
    }),
    setup: fillTemplate(pythonSection(wifiSetupPy), { SETUP_WAIT_MS: setupWaitMs }).split("\n"),
  };
}
