// `flowc deploy` of the tutorial client to a simulated board on a serial port (a socat
// pseudo-terminal; the board runs MicroPython's REPL protocols in real MicroPython): bytes sent and
// seconds for a first deploy, a redeploy of the same flow, and a deploy where one file changed,
// against the baseline of copying every file each time (what a copy tool does), measured in the
// same run. A pseudo-terminal has no baud rate, so the time a real 115200-baud cable takes for the
// same bytes is computed alongside (10 bits a byte). Then the same on firmware with a ROMFS
// partition, where the bytecode goes into the partition as one image.
//
//   npm run bench:deploy
import { readFileSync } from "node:fs";
import { buildEsp8266Bundle, compile } from "../test/support/catalogue.js";
import { deployBundle, openBoard, type DeployReport } from "../targets/esp8266/deploy/deploy.js";
import { RawRepl } from "../targets/esp8266/deploy/raw-repl.js";
import { precompileBundle } from "../targets/esp8266/precompile.js";
import { startSimulatedBoard } from "../test/support/serial-board/simulated-board.js";

const path = "examples/tutorial/client.flow";
const text = readFileSync(new URL(`../${path}`, import.meta.url), "utf8");
const result = compile([{ path, text }], { target: "esp8266" });
const secrets = { wifi_essid: "lab", wifi_password: "password", mqtt_host: "192.168.1.10" };
// What `flowc deploy` sends by default: the bundle precompiled to .mpy.
const bundle = await precompileBundle(
  buildEsp8266Bundle(result.programs[0]!, { secrets, env: {}, sources: result.sources }),
);
const other = await precompileBundle(
  buildEsp8266Bundle(result.programs[0]!, {
    secrets: { ...secrets, mqtt_host: "192.168.1.11" },
    env: {},
    sources: result.sources,
  }),
);

const runs = 5;
for (const romfsBytes of [0, 320 * 1024]) {
  const board = await startSimulatedBoard({
    timeScale: 0.01,
    wifi: { ssid: "lab", password: "password" },
    ...(romfsBytes ? { romfsBytes, version: "MicroPython v1.25.0 on 2025-04-15" } : {}),
  });
  try {
    const measure = async (label: string, prepare: () => Promise<void>, files = bundle.files) => {
      const reports: DeployReport[] = [];
      for (let i = 0; i < runs; i++) {
        await prepare();
        const link = await openBoard({ kind: "serial", port: board.port });
        try {
          reports.push(await deployBundle(link, files, { flow: path, reset: false }));
        } finally {
          await link.close();
        }
      }
      const seconds = reports.map((report) => report.seconds).sort((a, b) => a - b)[Math.floor(runs / 2)]!;
      const { bytes, written, romfs } = reports[0]!;
      return { label, bytes, seconds, written: [...written, ...(romfs?.written ? ["ROMFS image"] : [])] };
    };
    // Deletes the bundle's files and, on a ROMFS board, erases the partition's first sector: its
    // header gone, the board mounts no image.
    const wipe = async () => {
      const link = await openBoard({ kind: "serial", port: board.port });
      try {
        const repl = new RawRepl(link);
        await repl.enter();
        const names = [...bundle.files.map((file) => file.path), "flowc-deploy.json"];
        await repl.exec(
          `import os,vfs\nfor n in ${JSON.stringify(names)}:\n try:\n  os.remove(n)\n except OSError:\n  pass\n` +
            "if hasattr(vfs,'rom_ioctl'):\n vfs.rom_ioctl(3,0,4)",
        );
        await repl.leave();
      } finally {
        await link.close();
      }
    };
    const put = (files: typeof bundle.files) => async () => {
      const link = await openBoard({ kind: "serial", port: board.port });
      await deployBundle(link, files, { flow: path, reset: false }).finally(() => link.close());
    };
    const rows = [
      await measure("first deploy (every file: the baseline)", wipe),
      await measure("redeploy, nothing changed", put(bundle.files)),
      await measure("one file changed (config.py)", put(other.files)),
    ];
    const baseline = rows[0]!;
    const firmware = romfsBytes ? ", firmware with a ROMFS partition" : "";
    console.log(`flowc deploy ${path} to a simulated board on a pseudo-terminal${firmware} (median of ${runs}):`);
    for (const row of rows) {
      const cable = (row.bytes * 10) / 115200;
      console.log(
        `  ${row.label.padEnd(42)} ${String(row.bytes).padStart(6)} bytes  ${(row.bytes / baseline.bytes).toFixed(2)}×  ` +
          `${row.seconds.toFixed(2)} s here, ${cable.toFixed(2)} s of a 115200-baud cable  ` +
          `[${row.written.join(", ") || "nothing written"}]`,
      );
    }
  } finally {
    await board.stop();
  }
}
