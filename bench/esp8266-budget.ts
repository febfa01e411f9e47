// The tutorial client's ESP8266 bundle against its budgets: .py bytes on flash (target ≤ 8 KB;
// the tutorial's hand-assembled thingflow.py, tsl2591.py, wifi.py, mqtt_writer.py, client.py and
// config.py come to 15.9 KB) and heap in use, measured in real MicroPython between steps that
// JavaScript drives, after setup and after 100 and 1,000 samples (target ≤ 8 KB, no growth).
//
//   npm run bench:esp8266
import { readFileSync } from "node:fs";
import { compile } from "../compiler/index.js";
import { buildEsp8266Bundle } from "../targets/esp8266/build.js";
import { MicroPythonDevice } from "../targets/esp8266/simulator/board.js";

const handAssembledBytes = 15.9 * 1024;
const text = readFileSync(new URL("../examples/tutorial/client.flow", import.meta.url), "utf8");
const { programs, diagnostics } = compile([{ path: "client.flow", text }], { target: "esp8266" });
if (diagnostics.some((d) => d.severity === "error")) throw new Error("examples/tutorial/client.flow does not compile");
const secrets = { wifi_essid: "lab", wifi_password: "password", mqtt_host: "192.168.1.10" };
const bundle = buildEsp8266Bundle(programs[0]!, { secrets, env: {} });

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log("tutorial client bundle (flowc build examples/tutorial/client.flow --target esp8266):");
for (const file of bundle.manifest.files)
  console.log(`  ${file.path.padEnd(14)} ${String(file.bytes).padStart(6)} bytes`);
const bytes = bundle.manifest.pythonBytes;
console.log(
  `  .py total      ${String(bytes).padStart(6)} bytes = ${kb(bytes)}  (target ≤ 8 KB: ${bytes <= 8192 ? "met" : "not met"}; ` +
    `${(bytes / handAssembledBytes).toFixed(2)}× the hand-assembled 15.9 KB)`,
);
console.log(`  heap estimate in manifest.json: ${kb(bundle.manifest.heapEstimate)}`);

const files = Object.fromEntries(
  bundle.files.filter((file) => file.path.endsWith(".py")).map((file) => [file.path, file.contents]),
);
const device = await MicroPythonDevice.create({
  files,
  sensors: { tsl2591: { lux: 284.13 } },
  wifi: { ssid: secrets.wifi_essid, password: secrets.wifi_password },
});
try {
  await device.setup();
  // Heap without the qstr pools: they grow in steps of a few KB shared with the harness's own modules.
  const heap = () => {
    const reading = device.heap();
    return { used: reading.used, smooth: reading.used - reading.qstrBytes };
  };
  const afterSetup = heap();
  const samples = async (count: number) => {
    for (let i = 0; i < count; i++) {
      device.advance(5000);
      await device.step();
    }
  };
  await samples(100);
  const after100 = heap();
  await samples(900);
  const after1000 = heap();
  console.log("heap in use on the device (MicroPython 1.27, gc.mem_alloc between steps):");
  for (const [label, reading] of [
    ["after setup", afterSetup],
    ["after 100 samples", after100],
    ["after 1,000 samples", after1000],
  ] as const)
    console.log(
      `  ${label.padEnd(20)} ${kb(reading.used).padStart(8)}  (${kb(reading.smooth)} without interned strings)`,
    );
  const growth = after1000.smooth - after100.smooth;
  console.log(
    `  growth 100 → 1,000 samples: ${growth} bytes; target ≤ 8 KB steady: ${after1000.used <= 8192 ? "met" : "not met"}, ` +
      `no growth: ${growth <= 0 ? "met" : "not met"}`,
  );
  console.log(`  published: ${device.mqtt.published.length} messages, e.g. ${device.mqtt.published.at(-1)?.text}`);
} finally {
  await device.close();
}
