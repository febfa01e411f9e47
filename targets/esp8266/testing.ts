/**
 * Running bundles on the simulated board (./simulator/): what the tests, `flowc sim`
 * and the end-to-end runs share.
 */
import { MicroPythonError, type MicroPythonDevice } from "./simulator/board.js";
import type { BundleFile } from "./bundle.js";
import { isBoardFile } from "./precompile.js";

/**
 * Copies a bundle's Python files (source and .mpy) to the board's file system root, as `mpremote cp` would, and
 * reboots it into a fresh interpreter; call `device.setup()` next, then `device.step()`.
 *
 * @example
 * const bundle = buildEsp8266Bundle(programs[0], { secrets });
 * await loadBundleIntoDevice(bundle.files, device);
 * await device.setup();
 * device.advance(5_000);
 * await device.step();
 */
export async function loadBundleIntoDevice(files: readonly BundleFile[], device: MicroPythonDevice): Promise<void> {
  for (const file of files) if (isBoardFile(file.path)) device.writeFile(file.path, file.contents);
  await device.reboot();
}

/**
 * The MicroPython exception a board call raised; throws when it raised none or failed otherwise.
 *
 * @example
 * const error = await micropythonErrorOf(device.run("sensor.sample()"));
 * error.errno; // Errno.ENODEV
 */
export async function micropythonErrorOf(promise: Promise<unknown>): Promise<MicroPythonError> {
  const outcome = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (outcome instanceof MicroPythonError) return outcome;
  throw new Error(`expected a MicroPython exception, got ${outcome === undefined ? "none" : String(outcome)}`);
}
