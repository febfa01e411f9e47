// `flowc deploy` of the tutorial client to a simulated board on a serial port (a socat
// pseudo-terminal; the board runs MicroPython's REPL protocols in real MicroPython): bytes sent and
// seconds for a first deploy, a redeploy of the same flow, and a deploy where one file changed,
// against the baseline of copying every file each time (what a copy tool does), measured in the
// same run. A pseudo-terminal has no baud rate, so the time a real 115200-baud cable takes for the
// same bytes is computed alongside (10 bits a byte).
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

const board = await startSimulatedBoard({ timeScale: 0.01, wifi: { ssid: "lab", password: "password" } });
const runs = 5;
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
    const { bytes, written } = reports[0]!;
    return { label, bytes, seconds, written };
  };
  const wipe = async () => {
    const link = await openBoard({ kind: "serial", port: board.port });
    try {
      const repl = new RawRepl(link);
      await repl.enter();
      const names = [...bundle.files.map((file) => file.path), "flowc-deploy.json"];
      await repl.exec(`import os\nfor n in ${JSON.stringify(names)}:\n try:\n  os.remove(n)\n except OSError:\n  pass`);
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
  console.log(`flowc deploy ${path} to a simulated board on a pseudo-terminal (median of ${runs}):`);
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
