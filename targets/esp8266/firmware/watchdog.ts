import watchdogPy from "./watchdog.py?raw";
import watchdogSetupPy from "./watchdog_setup.py?raw";
import { fillTemplate, pythonSection, type FirmwareSection } from "./template.js";

/**
 * The watchdog: a virtual timer checks every second that the flow is still cycling and resets the
 * board when `step()` has not run for `timeoutMs` past the time it asked to be called again. The
 * ESP8266's hardware watchdog cannot do this itself: its timeout is fixed at a few seconds (the
 * port raises ValueError for any other), and it is not fed while umqtt.simple blocks in a
 * connect, so using it would reboot the board in a loop whenever the broker's host is down.
 *
 * `code` is the module-level part (`watch()`); `setup` are the statements that start the timer,
 * spliced into setup() rather than kept as a function whose bytecode would stay in the heap.
 *
 * @example
 * const watchdog = watchdogSection(30_000);
 * runtime.push(watchdog.code);
 * setup.push(...watchdog.setup);
 */
export function watchdogSection(timeoutMs: number): FirmwareSection {
  return {
    code: fillTemplate(pythonSection(watchdogPy), {
      TIMEOUT_MS: timeoutMs,
      TIMEOUT_SECONDS: Math.round(timeoutMs / 1000),
    }),
    setup: pythonSection(watchdogSetupPy).split("\n"),
  };
}
