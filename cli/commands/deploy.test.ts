import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployBundle, openBoard } from "../../targets/esp8266/deploy/deploy.js";
import { locateBoardLine, type BundleSourceMap } from "../../targets/esp8266/source-map.js";
import { explainOpenError, openSerialTransport } from "../../targets/esp8266/deploy/serial-transport.js";
import {
  socatAvailable,
  startSimulatedBoard,
  type SimulatedBoard,
} from "../../test/support/serial-board/simulated-board.js";
import {
  buildBundle,
  bundleHashes,
  capture,
  client,
  switchWithCuts,
  cutPoints,
  deploy,
  deployPy,
  root,
  secrets,
  thermometer,
  wifi,
  withRepl,
} from "../../test/support/serial-board/deploying.js";
import { boardsCommand } from "./boards.js";
import { buildCommand } from "./build.js";
import { deployCommand } from "./deploy.js";
import { monitorCommand } from "./monitor.js";

let folder: string;
let thermometerFlow: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-deploy-"));
  thermometerFlow = join(folder, "thermometer.flow");
  await writeFile(thermometerFlow, thermometer);
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe.skipIf(!socatAvailable)("flowc deploy to a simulated board on a serial port", () => {
  let board: SimulatedBoard;
  beforeAll(async () => {
    board = await startSimulatedBoard({ timeScale: 0.01, wifi });
  });
  afterAll(async () => {
    await board?.stop();
  });

  it("writes the tutorial client, resets the board into it, and a second deploy writes nothing", async () => {
    const first = await deploy([client], { port: board.port });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.report).toMatchObject({
      port: board.port,
      written: ["main.py", "flow.mpy", "config.py", "tsl2591.mpy"],
      unchanged: [],
      removed: [],
    });
    expect(first.report!.bytes).toBeGreaterThan(5000);
    board.clearOutput();
    await board.waitForOutput(/SensorEvent\(sensor_id='lux-1', ts=\d+, val=300\.\d+\)\r\n/);
    const expected = await bundleHashes(join(root, client));
    expect(await board.files()).toMatchObject(expected);

    const again = await deploy([client], { port: board.port });
    expect(again.report).toMatchObject({
      written: [],
      unchanged: ["main.py", "flow.mpy", "config.py", "tsl2591.mpy"],
      removed: [],
    });
    // One command asks for every hash; no file content travels.
    expect(again.report!.bytes).toBeLessThan(first.report!.bytes / 4);
  });

  it("writes only what changed, removes the driver the flow dropped, and leaves other files alone", async () => {
    await deploy([client], { port: board.port });
    await withRepl(board.port, (repl) => repl.exec("f=open('notes.txt','w')\nf.write('mine')\nf.close()"));
    const { report, code } = await deploy([thermometerFlow], { port: board.port });
    expect(code).toBe(0);
    expect(report).toMatchObject({
      // main.py only imports the flow: the same for both.
      written: ["flow.mpy", "mcp9808.mpy"],
      unchanged: ["main.py", "config.py"],
      removed: ["tsl2591.mpy"],
    });
    const files = await board.files();
    expect(Object.keys(files).sort()).toEqual([
      "config.py",
      "flow.mpy",
      "flowc-deploy.json",
      "main.py",
      "mcp9808.mpy",
      "notes.txt",
    ]);
    board.clearOutput();
    await board.waitForOutput(/SensorEvent\(sensor_id='temp-1'/);
  });

  it("prints what it did as text, and with --no-reset leaves the board at its REPL", async () => {
    const { code, stderr } = await deploy([client], { port: board.port, format: "text", reset: false });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^ {2}wrote flow\.mpy \(\d+ bytes\)\n {2}wrote tsl2591\.mpy \(\d+ bytes\)$/m);
    expect(stderr).not.toMatch(/wrote main\.py/);
    expect(stderr).toMatch(/^ {2}removed mcp9808\.mpy$/m);
    expect(stderr).toMatch(
      /flowc deploy: examples\/tutorial\/client\.flow on .* \(MicroPython 1\.27\.0\): 2 written, 2 unchanged, 1 removed; \d+ bytes in [\d.]+ s\n$/,
    );
    board.clearOutput();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(board.output()).not.toContain("SensorEvent");
    await board.powerCycle();
    await board.waitForOutput(/sensor_id='lux-1'/);
  });

  it("leaves a bootable board whatever byte the cable is cut at, and the next deploy repairs it", async () => {
    const flows = [join(root, client), thermometerFlow] as const;
    const hashes = await Promise.all(flows.map((file) => bundleHashes(file)));
    await switchWithCuts(board, flows, cutPoints(6), {
      check: async ({ running, where }) => {
        const files = await board.files();
        expect(files, `${where}: the files of the bundle that runs`).toMatchObject(hashes[running]!);
        expect(Object.keys(files).filter((name) => name.endsWith(".flowc-new")).length).toBeLessThanOrEqual(3);
      },
      // The board ends up with exactly the new bundle.
      checkRepaired: async (target) => {
        const after = await board.files();
        expect(after).toMatchObject(hashes[target]!);
        expect(Object.keys(after).some((name) => name.endsWith(".flowc-new"))).toBe(false);
      },
    });
  }, 120_000);

  it("streams the board's output after the reset with --monitor, until stopped", async () => {
    const { out, streams } = capture();
    const controller = new AbortController();
    const deploying = deployCommand(
      [thermometerFlow],
      { port: board.port, secrets, monitor: true, signal: controller.signal },
      streams,
    );
    const deadline = Date.now() + 10_000;
    while (!out.stdout.includes("sensor_id='temp-1'") && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(await deploying).toBe(0);
    expect(out.stderr).toMatch(/flowc deploy: .*thermometer\.flow on .*; reset\n/);
    expect(out.stdout).toMatch(/^SensorEvent\(sensor_id='temp-1', ts=\d+, val=21\.5\)$/m);
  });

  it("maps a sensor fault the board reports to its line in the .flow file", async () => {
    await deploy([client], { port: board.port });
    const { out, streams } = capture();
    const controller = new AbortController();
    const monitoring = monitorCommand(client, { port: board.port, signal: controller.signal, color: false }, streams);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await board.setSensor("tsl2591", false);
    const deadline = Date.now() + 10_000;
    while (!out.stdout.includes("-->") && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(await monitoring).toBe(0);
    await board.setSensor("tsl2591", true);
    expect(out.stdout).toContain(
      [
        'flowc: tsl2591 "lux-1" every 5s failed: [Errno 19] ENODEV',
        "  --> examples/tutorial/client.flow:6:1",
        '  6 | tsl2591 "lux-1" every 5s -> [print, mqtt "sensor-data"]',
        "    | ^^^^^^^^^^^^^^^^^^^^^^^^",
      ].join("\n"),
    );

    // A traceback frame names the node's function, which flow.mpy keeps as bytecode does.
    const files = await buildBundle(join(root, client));
    const map = JSON.parse(String(files.find((file) => file.path === "flowmap.json")!.contents)) as BundleSourceMap;
    const node = map.faults['tsl2591 "lux-1" every 5s']!;
    const flow = Buffer.from(files.find((file) => file.path === "flow.mpy")!.contents);
    expect(flow.includes(Buffer.from(node))).toBe(true);
    expect(locateBoardLine(`  File "flow.py", line 40, in ${node}_timer`, map)?.[1]).toBe(6);
  });

  it("lists the board with its MicroPython version, and leaves it running", async () => {
    const { out, streams } = capture();
    expect(await boardsCommand({ port: [board.port], format: "json" }, streams)).toBe(0);
    const rows = JSON.parse(out.stdout) as { port: string; micropython?: string | null }[];
    expect(rows.find((row) => row.port === board.port)).toMatchObject({ micropython: "1.27.0", romfsBytes: null });
    board.clearOutput();
    await board.waitForOutput(/sensor_id='lux-1'/);
  });

  it("refuses a bundle that needs a newer MicroPython, writing nothing", async () => {
    const before = await board.files();
    const link = await openBoard({ kind: "serial", port: board.port });
    const files = [
      { path: "main.py", contents: "print('new')\n" },
      { path: "manifest.json", contents: JSON.stringify({ micropython: "1.99" }) },
    ];
    await expect(deployBundle(link, files, { flow: "x.flow" }).finally(() => link.close())).rejects.toThrow(
      "the board runs MicroPython 1.27.0, and this bundle needs 1.99 or later",
    );
    expect(await board.files()).toEqual(before);
  });
});

describe.skipIf(!socatAvailable)("flowc deploy to old firmware over WebREPL", () => {
  let board: SimulatedBoard;
  beforeAll(async () => {
    board = await startSimulatedBoard({
      timeScale: 0.01,
      wifi,
      rawPaste: false,
      flashBytes: 64 * 1024,
      webreplPassword: "hunter2",
      version: "MicroPython v1.12 on 2019-12-20",
    });
  });
  afterAll(async () => {
    await board?.stop();
  });

  it("refuses the .mpy bundle on firmware older than 1.19, and deploys the --py bundle over WebREPL without raw-paste", async () => {
    const before = await board.files();
    const refused = await deploy([client], { webrepl: board.webrepl!, password: "hunter2" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^flowc deploy: the board runs MicroPython 1\.12\.0, and this bundle needs 1\.19 or later: flash a newer firmware/,
    );
    expect(await board.files()).toEqual(before);

    const report = await deployPy(join(root, client), { kind: "webrepl", url: board.webrepl!, password: "hunter2" });
    expect(report).toMatchObject({
      port: board.webrepl,
      written: ["main.py", "flow.py", "config.py", "tsl2591.py"],
      micropython: "1.12.0",
      rawPaste: false,
    });
    board.clearOutput();
    await board.waitForOutput(/SensorEvent\(sensor_id='lux-1'/);
    expect(await board.files()).toMatchObject(await bundleHashes(join(root, client), true));
  });

  it("says when the WebREPL password is wrong", async () => {
    const { code, stderr } = await deploy([client], { webrepl: board.webrepl!, password: "wrong" });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^flowc deploy: ws:\/\/127\.0\.0\.1:\d+ (refused the password|closed the connection: wrong password\?)\n$/,
    );
  });

  it("checks free flash before writing anything", async () => {
    await withRepl(board.port, (repl) => repl.exec("f=open('log.bin','wb')\nf.write(bytes(30000))\nf.close()"));
    const before = await board.files();
    await expect(deployPy(thermometerFlow, { kind: "serial", port: board.port })).rejects.toThrow(
      /^the board has \d+ bytes of flash free and this deploy needs \d+ \(2 files to write\): nothing was written; /,
    );
    expect(await board.files()).toEqual(before);
  });

  it("writes files through plain raw mode on the serial port, where WebREPL used its file transfer", async () => {
    await withRepl(board.port, (repl) => repl.exec("import os\nos.remove('log.bin')"));
    const report = await deployPy(thermometerFlow, { kind: "serial", port: board.port });
    expect(report).toMatchObject({
      written: ["flow.py", "mcp9808.py"],
      unchanged: ["main.py", "config.py"],
      removed: ["tsl2591.py"],
      rawPaste: false,
    });
    expect(await board.files()).toMatchObject(await bundleHashes(thermometerFlow, true));
  });

  it("monitors over WebREPL with the source map of a build folder", async () => {
    const out = join(folder, "board");
    // The board runs the --py bundle; its build folder's source map is what monitor reads.
    expect(
      await buildCommand([thermometerFlow], { target: "esp8266", out, secrets, py: true }, capture().streams),
    ).toBe(0);
    const { out: printed, streams } = capture();
    const controller = new AbortController();
    const monitoring = monitorCommand(
      out,
      { webrepl: board.webrepl!, password: "hunter2", signal: controller.signal, color: false },
      streams,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await board.setSensor("mcp9808", false);
    const deadline = Date.now() + 10_000;
    while (!printed.stdout.includes("-->") && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(await monitoring).toBe(0);
    await board.setSensor("mcp9808", true);
    expect(printed.stdout).toContain(
      [
        'flowc: mcp9808 "temp-1" every 5s failed: [Errno 19] ENODEV',
        `  --> ${thermometerFlow}:5:1`,
        '  5 | mcp9808 "temp-1" every 5s -> [print, mqtt "sensor-data"]',
      ].join("\n"),
    );
  });
});

describe("flowc deploy errors before any board answers", () => {
  it("names a missing port", async () => {
    const { code, stderr } = await deploy([client], { port: "/dev/ttyNOPE0" });
    expect(code).toBe(1);
    expect(stderr).toBe(
      "flowc deploy: no serial port /dev/ttyNOPE0: is the board plugged in? `flowc boards` lists the ports\n",
    );
  });

  it("names the group to join when the port is not the user's", () => {
    const error = explainOpenError("/dev/ttyUSB0", new Error("Error: Permission denied, cannot open /dev/ttyUSB0"));
    expect(error.message).toMatch(/^permission denied opening \/dev\/ttyUSB0: .*sudo usermod -aG dialout \$USER/);
  });

  it("asks where the board is", async () => {
    const { code, stderr } = await deploy([client], {});
    expect(code).toBe(2);
    expect(stderr).toBe(
      "flowc deploy: say where the board is: --port DEVICE (USB serial) or --webrepl ws://HOST:8266\n",
    );
  });

  it.skipIf(!socatAvailable)("shows what a port that is not a MicroPython REPL sent", async () => {
    // A serial console that asks for a login whatever it is sent.
    const host = join(folder, "ttyLOGIN");
    const device = join(folder, "ttyLOGIN-device");
    const socat: ChildProcess = spawn("socat", [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`]);
    try {
      while (!existsSync(host) || !existsSync(device)) await new Promise((resolve) => setTimeout(resolve, 20));
      const console = await openSerialTransport(device);
      let asked = false;
      console.onData(() => {
        if (!asked) void console.write(Buffer.from("login: "));
        asked = true;
      });
      const { code, stderr } = await deploy([client], { port: host });
      await console.close();
      expect(code).toBe(1);
      expect(stderr).toBe(
        `flowc deploy: ${host} is not answering as a MicroPython REPL (no raw REPL prompt after Ctrl-C, Ctrl-A within 3 s); it sent 7 bytes "login: "\n`,
      );
    } finally {
      socat.kill();
    }
  });
});
