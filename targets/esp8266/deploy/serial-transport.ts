/**
 * A board on a USB serial port, through the `serialport` package: opening with errors that say
 * what to do, and listing ports with the USB-to-serial chip they belong to.
 */
import type { ByteTransport } from "./connection.js";

/** The port cannot be opened; the message says why and what to do. */
export class PortError extends Error {
  override readonly name = "PortError";
}

/** USB vendor:product ids of the USB-to-serial chips on ESP8266 boards. */
const USB_SERIAL_CHIPS: Readonly<Record<string, string>> = {
  "10c4:ea60": "CP210x",
  "1a86:7523": "CH340",
  "1a86:55d4": "CH9102",
  "0403:6001": "FTDI FT232R",
  "0403:6015": "FTDI FT231X",
  "067b:2303": "PL2303",
};

export interface SerialPortInfo {
  readonly path: string;
  /** `CP210x`, `CH340`, `FTDI FT232R`, or the manufacturer's name, or undefined. */
  readonly chip: string | undefined;
  readonly vendorId: string | undefined;
  readonly productId: string | undefined;
  readonly serialNumber: string | undefined;
}

/**
 * The serial ports of this machine, USB ones first.
 *
 * @example
 * for (const port of await listSerialPorts()) console.log(port.path, port.chip ?? "");
 */
export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  const { SerialPort } = await import("serialport");
  const ports = await SerialPort.list();
  return ports
    .map((port) => {
      const vendorId = port.vendorId?.toLowerCase();
      const productId = port.productId?.toLowerCase();
      const chip = (vendorId && productId && USB_SERIAL_CHIPS[`${vendorId}:${productId}`]) || port.manufacturer;
      return { path: port.path, chip, vendorId, productId, serialNumber: port.serialNumber };
    })
    .sort(
      (a, b) => Number(b.vendorId !== undefined) - Number(a.vendorId !== undefined) || a.path.localeCompare(b.path),
    );
}

/**
 * Opens a serial port at `baud` (8N1, no flow control), with errors that name the fix.
 *
 * @example
 * const transport = await openSerialTransport("/dev/ttyUSB0", 115200);
 */
export async function openSerialTransport(path: string, baud = 115200): Promise<ByteTransport> {
  const { SerialPort } = await import("serialport");
  const port = new SerialPort({ path, baudRate: baud, autoOpen: false, hupcl: false });
  await new Promise<void>((resolve, reject) =>
    port.open((error) => (error ? reject(explainOpenError(path, error)) : resolve())),
  );
  return {
    name: path,
    write: (data) =>
      new Promise((resolve, reject) => {
        port.write(Buffer.from(data), (error) => {
          if (error) reject(error);
          else port.drain((drainError) => (drainError ? reject(drainError) : resolve()));
        });
      }),
    onData: (listener) => port.on("data", listener),
    onClose: (listener) => port.on("close", (error?: Error | null) => listener(error ?? undefined)),
    close: () =>
      new Promise((resolve) => {
        if (!port.isOpen) resolve();
        else port.close(() => resolve());
      }),
  };
}

/** A port that would not open, explained: what is wrong and what to do about it. */
export function explainOpenError(path: string, error: Error): PortError {
  const message = error.message;
  if (/ENOENT|No such file|cannot find/i.test(message))
    return new PortError(`no serial port ${path}: is the board plugged in? \`flowc boards\` lists the ports`);
  if (/EACCES|Permission denied|Access denied/i.test(message))
    return new PortError(
      `permission denied opening ${path}: add yourself to the group that owns it ` +
        `(\`sudo usermod -aG dialout $USER\` on Debian/Ubuntu, \`uucp\` on Arch), then log in again`,
    );
  if (/EBUSY|Resource busy|locked/i.test(message))
    return new PortError(`${path} is in use by another program (a serial monitor, mpremote?): close it first`);
  return new PortError(`cannot open ${path}: ${message}`);
}
