/**
 * The tutorial end to end on a board: `flowc deploy` (the installed command) puts the client on a
 * simulated ESP8266 over its serial port, the board restarts into it and publishes to mosquitto,
 * and `flowc run server.flow` writes the rows to its CSV; on stock firmware and on firmware with a
 * ROMFS partition, where the bytecode runs from /rom.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { mosquittoAvailable, startMosquitto } from "../support/mosquitto.js";
import { socatAvailable, startSimulatedBoard } from "../support/serial-board/simulated-board.js";
import { csvRows, runFlowc, stopProcesses, tutorial, waitForRows } from "./support.js";

afterEach(stopProcesses);

/** Stock firmware, and firmware with a ROMFS partition (the bytecode then runs from /rom). */
const firmwares = [
  { name: "on its file system", board: {}, written: ["main.py", "flow.mpy", "config.py", "tsl2591.mpy"], romfs: null },
  {
    name: "with its bytecode in ROMFS",
    board: { romfsBytes: 320 * 1024, version: "MicroPython v1.25.0 on 2025-04-15" },
    written: ["main.py", "config.py"],
    romfs: { files: ["flow.mpy", "tsl2591.mpy"], written: true },
  },
];

describe.skipIf(!socatAvailable || !mosquittoAvailable)("the tutorial on a board", () => {
  it.each(firmwares)(
    "deploys client.flow over serial $name, and the board's readings reach server.flow's CSV",
    async (firmware) => {
      const folder = await mkdtemp(join(tmpdir(), "flowc-board-e2e-"));
      const broker = await startMosquitto();
      // The board's virtual 5 s pass in 50 ms of real time.
      const board = await startSimulatedBoard({
        timeScale: 0.01,
        wifi: { ssid: "my_wifi_sid", password: "my_wifi_password" },
        mqtt: broker.url,
        ...firmware.board,
      });
      try {
        // Paths in a flow are relative to its file: the server's test.csv goes next to this copy.
        await copyFile(join(tutorial, "server.flow"), join(folder, "server.flow"));
        const server = runFlowc(["run", join(folder, "server.flow"), "--broker", broker.url], { cwd: folder });
        await server.live();
        const deploy = runFlowc(
          [
            "deploy",
            join(tutorial, "client.flow"),
            "--port",
            board.port,
            "--secrets",
            join(tutorial, "secrets.example.json"),
            "--format",
            "json",
          ],
          { cwd: folder },
        );
        expect(await deploy.finished).toEqual({ code: 0, signal: null });
        const report = JSON.parse(deploy.stdout()) as Record<string, unknown>;
        expect(report).toMatchObject({
          port: board.port,
          written: firmware.written,
          removed: [],
          romfs: firmware.romfs,
        });
        const rows = await waitForRows(join(folder, "test.csv"), 5);
        // ts is the host's time (set ts = now()); the id and value are the board's.
        for (const [, , id, value] of rows) {
          expect(id).toBe("lux-1");
          expect(Number(value)).toBeCloseTo(300.0, 1);
        }
        server.child.kill("SIGTERM");
        expect((await server.finished).code).toBe(0);
        expect((await csvRows(join(folder, "test.csv"))).length).toBeGreaterThanOrEqual(5);
      } finally {
        await board.stop();
        await broker.dispose();
        await rm(folder, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
