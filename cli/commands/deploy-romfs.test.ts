/**
 * `flowc deploy` to firmware with a ROMFS partition (MicroPython 1.25+, ESP8266_GENERIC
 * FLASH_2M_ROMFS): the bytecode goes into the partition, main.py and config.py onto the file
 * system, and the board stays bootable whatever byte a deploy is cut at.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Connection } from "../../targets/esp8266/deploy/connection.js";
import { deployableFiles } from "../../targets/esp8266/deploy/deploy.js";
import { sha256 } from "../../targets/esp8266/deploy/file-sync.js";
import { writeRomfs } from "../../targets/esp8266/deploy/romfs-sync.js";
import { RawRepl } from "../../targets/esp8266/deploy/raw-repl.js";
import { openSerialTransport } from "../../targets/esp8266/deploy/serial-transport.js";
import { ROMFS_IMAGE } from "../../targets/esp8266/precompile.js";
import { FLOWC_ROMFS_MARKER, readRomfs, romfsImage } from "../../targets/esp8266/romfs.js";
import {
  buildBundle,
  capture,
  client,
  cutAfter,
  cutPoints,
  switchWithCuts,
  deploy,
  root,
  thermometer,
  wifi,
  withRepl,
} from "../../test/support/serial-board/deploying.js";
import {
  socatAvailable,
  startSimulatedBoard,
  type SimulatedBoard,
} from "../../test/support/serial-board/simulated-board.js";
import { boardsCommand } from "./boards.js";

/** The ESP8266 FLASH_2M_ROMFS variant's partition. */
const PARTITION = 320 * 1024;
const version = "MicroPython v1.25.0 on 2025-04-15";

let folder: string;
let thermometerFlow: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "flowc-deploy-romfs-"));
  thermometerFlow = join(folder, "thermometer.flow");
  await writeFile(thermometerFlow, thermometer);
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Where a flow's bundle goes on a ROMFS board: sources on the file system, bytecode in the image. */
async function placement(file: string) {
  const files = deployableFiles(await buildBundle(file));
  const hashes = (wanted: typeof files) => Object.fromEntries(wanted.map((f) => [f.path, sha256(f.contents)]));
  return {
    fileSystem: hashes(files.filter((f) => !f.path.endsWith(".mpy"))),
    romfs: hashes(files.filter((f) => f.path.endsWith(".mpy"))),
    bytecode: files.filter((f) => f.path.endsWith(".mpy")).map((f) => f.path),
  };
}

describe.skipIf(!socatAvailable)("flowc deploy to a board with a ROMFS partition", () => {
  let board: SimulatedBoard;
  beforeAll(async () => {
    board = await startSimulatedBoard({
      timeScale: 0.01,
      wifi,
      version,
      romfsBytes: PARTITION,
      webreplPassword: "hunter2",
    });
  });
  afterAll(async () => {
    await board?.stop();
  });

  it("puts the bytecode in the partition and the sources on the file system, and a second deploy writes nothing", async () => {
    const first = await deploy([client], { port: board.port });
    expect(first.stderr).toBe("");
    expect(first.report).toMatchObject({
      written: ["main.py", "config.py"],
      removed: [],
      romfs: { files: ["flow.mpy", "tsl2591.mpy"], partitionBytes: PARTITION, written: true },
    });
    const expected = await placement(join(root, client));
    const files = await board.files();
    expect(Object.keys(files).sort()).toEqual(["config.py", "flowc-deploy.json", "main.py"]);
    expect(files).toMatchObject(expected.fileSystem);
    // Byte for byte the image `flowc build` writes as flow.romfs, for mpremote.
    const built = (await buildBundle(join(root, client))).find((file) => file.path === ROMFS_IMAGE)!;
    const builtFiles = readRomfs(built.contents as Uint8Array)!;
    expect(await board.romfs()).toEqual(
      Object.fromEntries([...builtFiles].map(([path, contents]) => [path, sha256(contents)])),
    );
    expect(await board.romfs()).toMatchObject(expected.romfs);
    expect(Object.keys((await board.romfs())!)).toContain(FLOWC_ROMFS_MARKER);
    board.clearOutput();
    await board.waitForOutput(/SensorEvent\(sensor_id='lux-1', ts=\d+, val=300\.\d+\)\r\n/);

    const again = await deploy([client], { port: board.port });
    expect(again.report).toMatchObject({
      written: [],
      unchanged: ["main.py", "config.py"],
      removed: [],
      romfs: { written: false },
    });
    expect(again.report!.bytes).toBeLessThan(first.report!.bytes / 4);
  });

  it("says what it did as text, and moves bytecode an earlier deploy left on the file system into the partition", async () => {
    await deploy([thermometerFlow], { port: board.port, romfs: false });
    expect(Object.keys(await board.files())).toEqual(expect.arrayContaining(["flow.mpy", "mcp9808.mpy"]));
    const { code, stderr } = await deploy([thermometerFlow], { port: board.port, format: "text" });
    expect(code).toBe(0);
    expect(stderr).toMatch(/^ {2}wrote ROMFS image \(flow\.mpy, mcp9808\.mpy\) \(\d+ bytes\)$/m);
    expect(stderr).toMatch(/^ {2}removed flow\.mpy\n {2}removed mcp9808\.mpy\n/m);
    expect(stderr).toMatch(/bytecode in ROMFS \(\d+ of 327680 bytes\); \d+ bytes in [\d.]+ s; reset\n$/);
    const expected = await placement(thermometerFlow);
    expect(Object.keys(await board.files()).sort()).toEqual(["config.py", "flowc-deploy.json", "main.py"]);
    expect(await board.romfs()).toMatchObject(expected.romfs);
    board.clearOutput();
    await board.waitForOutput(/SensorEvent\(sensor_id='temp-1'/);
  });

  it("leaves a bootable board whatever byte the cable is cut at, and the next deploy repairs it", async () => {
    const flows = [join(root, client), thermometerFlow] as const;
    const placements = await Promise.all(flows.map(placement));
    await switchWithCuts(board, flows, cutPoints(6), {
      // Each module the board imports is the running flow's, from the file system or the image.
      check: async ({ running, where }) => {
        const [files, image] = [await board.files(), (await board.romfs()) ?? {}];
        for (const path of placements[running]!.bytecode)
          expect(files[path] ?? image[path], `${where}: ${path}`).toBe(placements[running]!.romfs[path]);
      },
      checkRepaired: async (target) => {
        expect(await board.romfs()).toMatchObject(placements[target]!.romfs);
        expect(Object.keys(await board.files()).filter((name) => name.endsWith(".mpy"))).toEqual([]);
      },
    });
  }, 180_000);

  it("never leaves a half image: a write cut at any byte leaves none the board mounts, or a whole one", async () => {
    const contents = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 251));
    const [older, newer] = [contents.subarray(1000), contents].map((data) => ({
      data,
      image: romfsImage([{ path: "data.bin", contents: data }]),
    }));
    const measured = await withRepl(board.port, async (repl) => {
      const before = repl.link.bytesWritten;
      await writeRomfs(repl, newer!.image);
      return repl.link.bytesWritten - before;
    });
    for (const cut of cutPoints(8)) {
      await withRepl(board.port, (repl) => writeRomfs(repl, older!.image));
      const limit = Math.floor(cut * measured);
      const transport = await openSerialTransport(board.port);
      const repl = new RawRepl(new Connection(cutAfter(transport, limit)));
      await expect(repl.enter().then(() => writeRomfs(repl, newer!.image))).rejects.toThrow();
      await transport.close();
      const left = await board.romfs();
      expect(
        [null, sha256(older!.data), sha256(newer!.data)],
        `cut at byte ${limit} of ${measured}: ${JSON.stringify(left)}`,
      ).toContain(left && (left["data.bin"] ?? "damaged"));
    }
  });

  it("deploys over WebREPL on firmware with raw-paste, onto the file system and into the partition", async () => {
    await deploy([client], { port: board.port });
    const plain = await deploy([thermometerFlow], { webrepl: board.webrepl!, password: "hunter2", romfs: false });
    expect(plain.stderr).toBe("");
    const { report, code, stderr } = await deploy([thermometerFlow], { webrepl: board.webrepl!, password: "hunter2" });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(report).toMatchObject({ port: board.webrepl, romfs: { files: ["flow.mpy", "mcp9808.mpy"], written: true } });
    expect(await board.romfs()).toMatchObject((await placement(thermometerFlow)).romfs);
    expect(Object.keys(await board.files()).filter((name) => name.endsWith(".mpy"))).toEqual([]);
    board.clearOutput();
    await board.powerCycle();
    await board.waitForOutput(/SensorEvent\(sensor_id='temp-1'/);
  });

  it("is listed by flowc boards with its partition", async () => {
    const json = capture();
    expect(await boardsCommand({ port: [board.port], format: "json" }, json.streams)).toBe(0);
    const rows = JSON.parse(json.out.stdout) as { port: string }[];
    expect(rows.find((row) => row.port === board.port)).toMatchObject({ micropython: "1.25.0", romfsBytes: PARTITION });
    const text = capture();
    await boardsCommand({ port: [board.port] }, text.streams);
    expect(text.out.stdout).toContain(`${board.port}  MicroPython 1.25.0 (`);
    expect(text.out.stdout).toMatch(/\), ROMFS 320 KB\n/);
  });

  it("leaves a partition holding other files alone unless told, and --no-romfs keeps the bytecode on the file system", async () => {
    const fonts = romfsImage([{ path: "font.bin", contents: Buffer.alloc(600, 0x5a) }]);
    await withRepl(board.port, (repl) => writeRomfs(repl, fonts));
    const left = await deploy([client], { port: board.port });
    expect(left.report).toMatchObject({
      romfs: null,
      romfsSkipped: expect.stringMatching(/files flowc did not write/),
    });
    expect(Object.keys((await board.romfs())!)).toEqual(["font.bin"]);
    expect(await board.files()).toMatchObject((await placement(join(root, client))).romfs);

    const replaced = await deploy([client], { port: board.port, romfs: true });
    expect(replaced.report).toMatchObject({ romfs: { written: true } });
    expect(Object.keys(await board.files()).filter((name) => name.endsWith(".mpy"))).toEqual([]);

    const kept = await deploy([thermometerFlow], { port: board.port, romfs: false });
    expect(kept.report).toMatchObject({ romfs: null, written: ["flow.mpy", "mcp9808.mpy"] });
    board.clearOutput();
    await board.waitForOutput(/SensorEvent\(sensor_id='temp-1'/);
  });
});

describe.skipIf(!socatAvailable)("flowc deploy --romfs where the bytecode cannot go into a partition", () => {
  let small: SimulatedBoard;
  beforeAll(async () => {
    small = await startSimulatedBoard({ timeScale: 0.01, wifi, version, romfsBytes: 2048 });
  });
  afterAll(async () => {
    await small?.stop();
  });

  it("uses the file system when the image does not fit, and --romfs refuses, writing nothing", async () => {
    const refused = await deploy([client], { port: small.port, romfs: true });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^flowc deploy: the ROMFS image \(\d+ bytes\) is bigger than the partition \(2048 bytes\): nothing was written\n/,
    );
    expect(await small.files()).toEqual({});

    const fallback = await deploy([client], { port: small.port });
    expect(fallback.report).toMatchObject({
      written: ["main.py", "flow.mpy", "config.py", "tsl2591.mpy"],
      romfs: null,
      romfsSkipped: expect.stringMatching(
        /bigger than the partition \(2048 bytes\); the bytecode went to the file system/,
      ),
    });
    expect(await small.romfs()).toBeNull();
  });

  it.skipIf(!socatAvailable)("refuses --romfs on firmware without a partition", async () => {
    const plain = await startSimulatedBoard({ timeScale: 0.01, wifi });
    try {
      const refused = await deploy([client], { port: plain.port, romfs: true });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /^flowc deploy: the board's firmware has no ROMFS partition: flash a build with one/,
      );
      expect(await plain.files()).toEqual({});
    } finally {
      await plain.stop();
    }
  });
});
