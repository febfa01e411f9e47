import clockPy from "./clock.py?raw";
import { fillTemplate, pythonSection } from "./template.js";

/**
 * `now()`: seconds since the firmware's epoch (2000 on the ESP8266, so about the uptime) until NTP
 * sets the clock, then unix seconds. The sync is retried every minute until it works, then
 * hourly, because the ESP8266's RTC drifts by seconds an hour. Without an `ntp` setting
 * (`ntpHost` undefined) it is the board's own clock, bound by name: a function of its own would
 * keep bytecode and a function object in the heap for nothing.
 *
 * @example
 * clockSection('"pool.ntp.org"'); // now() and sync_clock()
 */
export function clockSection(ntpHost: string | undefined): string {
  if (ntpHost === undefined) return "now = time.time";
  return fillTemplate(pythonSection(clockPy), { NTP_HOST: ntpHost });
}
