/**
 * The options `deploy` and `monitor` share for reaching a board: `--port` and `--baud` for USB
 * serial, `--webrepl` and `--password` for WebREPL.
 */
import { Option, type Command } from "commander";
import type { BoardAddress } from "../../targets/esp8266/deploy/deploy.js";

export interface BoardAddressOptions {
  readonly port?: string;
  readonly baud?: number;
  readonly webrepl?: string;
  readonly password?: string;
}

const baudRate = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new Error(`--baud must be a positive whole number, not "${value}"`);
  return parsed;
};

/** Adds --port, --baud, --webrepl and --password to a command. */
export function addBoardAddressOptions(command: Command): Command {
  return command
    .option("--port <device>", "the board's serial port (/dev/ttyUSB0, COM3; see `flowc boards`)")
    .addOption(new Option("--baud <rate>", "serial speed").default(115200).argParser(baudRate))
    .option("--webrepl <url>", "reach the board over WiFi through WebREPL instead (ws://HOST:8266)")
    .option("--password <password>", "the WebREPL password (also: FLOWC_WEBREPL_PASSWORD)");
}

/** The board the options name; throws a usage message when they name none or both. */
export function boardAddress(options: BoardAddressOptions, env = process.env): BoardAddress {
  if (options.port && options.webrepl) throw new Error("give --port or --webrepl, not both");
  if (options.port) return { kind: "serial", port: options.port, ...(options.baud ? { baud: options.baud } : {}) };
  if (options.webrepl) {
    const password = options.password ?? env.FLOWC_WEBREPL_PASSWORD;
    if (password === undefined) throw new Error("--webrepl needs --password (or FLOWC_WEBREPL_PASSWORD)");
    return { kind: "webrepl", url: options.webrepl, password };
  }
  throw new Error("say where the board is: --port DEVICE (USB serial) or --webrepl ws://HOST:8266");
}
