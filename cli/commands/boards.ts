/**
 * `flowc boards [--port DEVICE...] [--no-probe] [--format text|json]`: lists the serial ports with
 * their USB-to-serial chip, and asks each whether it runs MicroPython (and which version).
 */
import { Option, type Command } from "commander";
import { ExitCode, processStreams, type CommandStreams } from "../io.js";

export interface BoardsCommandOptions {
  /** More ports to try, beyond those the system lists (e.g. a pseudo-terminal). */
  readonly port?: readonly string[];
  /** False with --no-probe: list only, without opening any port. */
  readonly probe?: boolean;
  readonly format?: "text" | "json";
}

interface BoardRow {
  readonly port: string;
  readonly chip: string | null;
  readonly vendorId: string | null;
  readonly productId: string | null;
  /** MicroPython's version when the port answered as MicroPython; null if it did not; absent unprobed. */
  readonly micropython?: string | null;
  readonly machine?: string;
  /** Bytes of the firmware's ROMFS partition, where `flowc deploy` puts the bytecode; null without one. */
  readonly romfsBytes?: number | null;
  readonly error?: string;
}

/**
 * Runs `flowc boards`; exit 0 (even with no boards), 1 when ports cannot be listed.
 *
 * @example
 * process.exitCode = await boardsCommand({ format: "json" });
 */
export async function boardsCommand(
  options: BoardsCommandOptions = {},
  streams: CommandStreams = processStreams,
): Promise<ExitCode> {
  const [{ listSerialPorts }, { openBoard, probeBoard }] = await Promise.all([
    import("../../targets/esp8266/deploy/serial-transport.js"),
    import("../../targets/esp8266/deploy/deploy.js"),
  ]);
  let listed;
  try {
    listed = await listSerialPorts();
  } catch (error) {
    streams.stderr.write(`flowc boards: cannot list serial ports: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  const extra = (options.port ?? []).filter((path) => !listed.some((port) => port.path === path));
  const ports = [
    ...listed,
    ...extra.map((path) => ({ path, chip: undefined, vendorId: undefined, productId: undefined })),
  ];
  const rows: BoardRow[] = [];
  for (const port of ports) {
    const row = {
      port: port.path,
      chip: port.chip ?? null,
      vendorId: port.vendorId ?? null,
      productId: port.productId ?? null,
    };
    if (options.probe === false) {
      rows.push(row);
      continue;
    }
    try {
      const link = await openBoard({ kind: "serial", port: port.path });
      try {
        const found = await probeBoard(link);
        rows.push(
          found
            ? { ...row, micropython: found.version, machine: found.machine, romfsBytes: found.romfsBytes }
            : { ...row, micropython: null },
        );
      } finally {
        await link.close();
      }
    } catch (error) {
      rows.push({ ...row, micropython: null, error: (error as Error).message });
    }
  }
  if (options.format === "json") {
    streams.stdout.write(`${JSON.stringify(rows)}\n`);
    return ExitCode.Ok;
  }
  if (rows.length === 0)
    streams.stdout.write("no serial ports found: is the board plugged in (and its USB driver loaded)?\n");
  for (const row of rows) {
    const usb = row.vendorId ? ` ${row.vendorId}:${row.productId}` : "";
    const chip = row.chip ? ` ${row.chip}` : "";
    const answer =
      row.micropython === undefined
        ? ""
        : row.micropython
          ? `  MicroPython ${row.micropython}${row.machine ? ` (${row.machine})` : ""}` +
            (row.romfsBytes ? `, ROMFS ${Math.round(row.romfsBytes / 1024)} KB` : "")
          : `  not MicroPython${row.error ? `: ${row.error}` : ""}`;
    streams.stdout.write(`${row.port}${chip}${usb}${answer}\n`);
  }
  return ExitCode.Ok;
}

/**
 * Adds `boards` to the `flowc` command line.
 *
 * @example
 * registerBoardsCommand(new Command("flowc"));
 */
export function registerBoardsCommand(program: Command, streams: CommandStreams = processStreams): Command {
  return program
    .command("boards")
    .summary("list serial ports and the MicroPython boards on them")
    .description(
      "List serial ports with their USB-to-serial chip (CP210x, CH340, FTDI) and ask each whether it runs " +
        "MicroPython: probing interrupts the board's program and soft-resets it afterwards, so it runs again.",
    )
    .option("--port <device...>", "also probe these ports (pseudo-terminals and others the system does not list)")
    .option("--no-probe", "only list the ports; open none")
    .addOption(new Option("--format <format>", "a table or one JSON array").choices(["text", "json"]).default("text"))
    .action(async (options: BoardsCommandOptions) => {
      process.exitCode = await boardsCommand(options, streams);
    });
}
