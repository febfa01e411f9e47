/**
 * A simulated ESP8266 running MicroPython behind a serial port and WebREPL, as a process of its
 * own (the MicroPython harness allows one device per process). Started by simulated-board.ts:
 *
 *     tsx --import ./scripts/register-raw-text.mjs test/support/serial-board/board.ts '<options JSON>'
 *
 * socat links two pseudo-terminals: the board holds one end, the host opens the other exactly as
 * it would open /dev/ttyUSB0. With `webrepl`, a WebSocket server on 127.0.0.1 speaks WebREPL's
 * login, carries the same console in text frames, and takes files by its binary file transfer. Standard output carries JSON lines: `{"ready":...}` once,
 * `{"out":...}` with everything the board prints, and `{"reply":...}` answers to the commands read
 * from standard input, one JSON object a line: `{"cmd":"power-cycle"}`, `{"cmd":"files"}`,
 * `{"cmd":"romfs"}`, `{"cmd":"sensor","sensor":"tsl2591","present":false}`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { SerialPort } from "serialport";
import { WebSocketServer, type WebSocket } from "ws";
import { boardParts } from "../../../components/board.js";
import { sha256 } from "../../../targets/esp8266/deploy/file-sync.js";
import { readRomfs, romfsMounts } from "../../../targets/esp8266/romfs.js";
import { MicroPythonDevice } from "../../../targets/esp8266/simulator/board.js";
import { ReplFirmware } from "./repl-firmware.js";
import { FileTransfer } from "./webrepl-file-transfer.js";

export interface BoardOptions {
  readonly files?: Record<string, string>;
  readonly flashBytes?: number;
  readonly timeScale?: number;
  readonly version?: string;
  readonly rawPaste?: boolean;
  readonly wifi?: { ssid: string; password: string };
  /** The broker the board's MQTT reaches (whatever host its config names). */
  readonly mqtt?: string;
  /** Serve WebREPL with this password. */
  readonly webreplPassword?: string;
  /** Bytes of a ROMFS partition, as firmware built with one has (none by default). */
  readonly romfsBytes?: number;
}

const options = JSON.parse(process.argv[2] ?? "{}") as BoardOptions;
const emit = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);

const folder = mkdtempSync(join(tmpdir(), "flowc-board-"));
const hostEnd = join(folder, "ttyUSB0");
const boardEnd = join(folder, "board");
const socat = spawn("socat", [`pty,raw,echo=0,link=${hostEnd}`, `pty,raw,echo=0,link=${boardEnd}`], {
  stdio: ["ignore", "ignore", "inherit"],
});
for (let waited = 0; !(existsSync(hostEnd) && existsSync(boardEnd)); waited += 20) {
  if (waited > 5000) throw new Error("socat did not create the pseudo-terminals");
  await new Promise((resolve) => setTimeout(resolve, 20));
}

const serial = new SerialPort({ path: boardEnd, baudRate: 115200 });
await new Promise<void>((resolve, reject) => serial.once("open", resolve).once("error", reject));
const sessions = new Set<WebSocket>();
const send = (bytes: Buffer) => {
  serial.write(bytes);
  // WebREPL's terminal: text frames holding the bytes as printed, as the firmware sends them.
  for (const session of sessions) session.send(bytes, { binary: false });
  emit({ out: bytes.toString("latin1") });
};

const firmware = new ReplFirmware(
  () =>
    MicroPythonDevice.create({
      files: options.files ?? {},
      // Every sensor the catalogue models, at its default address with its demo reading.
      parts: boardParts,
      sensors: { ...Object.fromEntries(boardParts.map((part) => [part.name, part.demo])), adc: { raw: 512 } },
      wifi: options.wifi ?? { ssid: "", password: "" },
      ...(options.mqtt ? { mqtt: { forwardTo: options.mqtt } } : {}),
      ...(options.romfsBytes ? { romfsBytes: options.romfsBytes } : {}),
      onOutput: (line) => send(Buffer.from(`${line}\r\n`, "utf8")),
    }),
  send,
  {
    ...(options.flashBytes ? { flashBytes: options.flashBytes } : {}),
    ...(options.timeScale ? { timeScale: options.timeScale } : {}),
    ...(options.version ? { version: options.version } : {}),
    ...(options.rawPaste === false ? { rawPaste: false } : {}),
  },
);
serial.on("data", (data: Buffer) => firmware.receive(data));

let webrepl: string | undefined;
let server: WebSocketServer | undefined;
if (options.webreplPassword !== undefined) {
  const password = options.webreplPassword;
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server!.once("listening", resolve));
  const address = server.address();
  webrepl = `ws://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  server.on("connection", (socket) => {
    let typed = "";
    let loggedIn = false;
    socket.send("Password: ");
    const transfer = new FileTransfer(
      (bytes) => socket.send(bytes, { binary: true }),
      (path, contents) => firmware.after(async () => firmware.device!.writeFile(path, contents)),
    );
    socket.on("message", (data: Buffer, binary: boolean) => {
      if (binary) return loggedIn ? transfer.receive(Buffer.from(data)) : undefined;
      if (loggedIn) return firmware.receive(Buffer.from(data));
      typed += data.toString("latin1");
      if (!/[\r\n]/.test(typed)) return;
      if (typed.replace(/[\r\n]+$/, "") !== password) {
        socket.send("\r\nAccess denied\r\n");
        socket.close();
        return;
      }
      loggedIn = true;
      socket.send("\r\nWebREPL connected\r\n>>> ");
      sessions.add(socket);
    });
    socket.on("close", () => sessions.delete(socket));
  });
}

await firmware.powerOn();
emit({ ready: { port: hostEnd, webrepl } });

const commands = createInterface({ input: process.stdin });
commands.on("line", (text) => {
  void (async () => {
    const command = JSON.parse(text) as { cmd: string; sensor?: "tsl2591" | "mcp9808"; present?: boolean };
    if (command.cmd === "power-cycle") {
      await firmware.powerCycle();
      emit({ reply: "power-cycle" });
    } else if (command.cmd === "files") {
      emit({ reply: "files", files: await firmware.after(listFlash) });
    } else if (command.cmd === "romfs") {
      // What the board mounts at /rom: nothing without a whole header, else the files it can read.
      const partition = firmware.device!.romfs;
      const image = partition && romfsMounts(partition) ? (readRomfs(partition) ?? new Map()) : undefined;
      const files = image && Object.fromEntries([...image].map(([path, data]) => [path, sha256(data)]));
      emit({ reply: "romfs", files: files ?? null });
    } else if (command.cmd === "sensor") {
      const model = firmware.device!.sensors[command.sensor!];
      if (model) model.present = command.present ?? true;
      emit({ reply: "sensor" });
    }
  })();
});
commands.on("close", () => void shutdown());
process.on("SIGTERM", () => void shutdown());

/** Every file in the board's flash with its SHA-256, read with the real `os` and `hashlib`. */
async function listFlash(): Promise<Record<string, string>> {
  return (await firmware.device!.evaluate(
    `(lambda os, hashlib, binascii: {e[0]: binascii.hexlify(hashlib.sha256(open(e[0], "rb").read()).digest()).decode() for e in os.ilistdir("/") if e[1] == 0x8000})(__import__("sys").modules["os"], __import__("hashlib"), __import__("binascii"))`,
  )) as Record<string, string>;
}

async function shutdown(): Promise<void> {
  await firmware.close();
  for (const session of sessions) session.terminate();
  server?.close();
  serial.close();
  socat.kill();
  rmSync(folder, { recursive: true, force: true });
  process.exit(0);
}
