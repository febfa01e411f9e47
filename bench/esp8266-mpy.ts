// Precompiled (.mpy) against source (.py) bundles of the tutorial client, and both against a bare
// publish loop written by hand (WiFi, umqtt.simple, the TSL2591 driver, json.dumps: nothing of
// flowc's runtime), measured in real MicroPython 1.27 (WebAssembly) on the simulated board:
//
// - bytes on flash;
// - boot: what importing and setup() allocate before any collection, less what the simulator
//   itself holds. No collection runs inside a call in this port, so this is everything boot
//   allocated, garbage included: an upper bound of the peak a board needs to boot (the heap it
//   must have free). Compiling .py is what it is mostly made of.
// - live heap after setup and after 1,000 samples (targets: boot ≤ bare loop + 1 KB, steady ≤ 8 KB).
//
// The smallest heap cannot be bisected with MicroPython's heap size here: this WebAssembly port
// grows its GC heap on demand (split heap, "max new split: 134217728" in micropython.mem_info()),
// so `heapsize` is not a limit. The boot figure above is what that bisection would approach.
//
//   npm run bench:esp8266-mpy
import { readFileSync } from "node:fs";
import { buildEsp8266Bundle, compile } from "../test/support/catalogue.js";
import type { BundleFile } from "../targets/esp8266/bundle.js";
import { isBoardFile, precompileBundle } from "../targets/esp8266/precompile.js";
import { MicroPythonDevice } from "../targets/esp8266/simulator/board.js";
import { boardParts } from "../components/board.js";

const secrets = { wifi_essid: "lab", wifi_password: "password", mqtt_host: "192.168.1.10" };
const text = readFileSync(new URL("../examples/tutorial/client.flow", import.meta.url), "utf8");
const { programs } = compile([{ path: "client.flow", text }], { target: "esp8266" });
const source = buildEsp8266Bundle(programs[0]!, { secrets, env: {} });
const started = performance.now();
const precompiled = await precompileBundle(source);
const precompileMs = performance.now() - started;

// The hand-written loop: what the tutorial's client does, with nothing else.
const bareLoop = `import json, machine, network, time
from umqtt.simple import MQTTClient
from tsl2591 import Tsl2591
i2c = machine.I2C(scl=machine.Pin(5), sda=machine.Pin(4), freq=100000)
sensor = None
client = None
def setup():
    global sensor, client
    wlan = network.WLAN(network.STA_IF)
    wlan.active(True)
    wlan.connect("lab", "password")
    while not wlan.isconnected():
        time.sleep_ms(100)
    sensor = Tsl2591("lux-1", i2c)
    client = MQTTClient(b"bare", "192.168.1.10", 1883)
    client.connect()
def step():
    client.publish(b"sensor-data", json.dumps(["lux-1", time.time(), sensor.sample()]))
    return 5000
`;
// The same driver the bundle ships, so the comparison is of everything around it.
const driver = source.files.find((file) => file.path === "tsl2591.py")!;
const bare: BundleFile[] = [{ path: "main.py", contents: bareLoop }, driver];

interface Figures {
  bytes: number;
  boot: number;
  afterSetup: number;
  after1000: number;
  /** after1000 without the qstr pools, which grow in steps of a few KB shared with the harness. */
  smooth: number;
}

async function measure(files: readonly BundleFile[]): Promise<Figures> {
  const boardFiles = files.filter((file) => isBoardFile(file.path));
  const device = await MicroPythonDevice.create({
    files: Object.fromEntries(boardFiles.map((file) => [file.path, file.contents])),
    parts: boardParts,
    sensors: { tsl2591: { lux: 284.13 } },
    wifi: { ssid: "lab", password: "password" },
  });
  try {
    const harness = device.heap().alloc;
    await device.run("import gc\nimport main\nmain.setup()\n__boot = gc.mem_alloc()");
    const boot = ((await device.evaluate("__boot")) as number) - harness;
    await device.run("del __boot");
    const afterSetup = device.heap().used;
    for (let i = 0; i < 1000; i++) {
      device.advance(5000);
      await device.step();
    }
    return {
      bytes: boardFiles.reduce(
        (sum, file) =>
          sum + (typeof file.contents === "string" ? Buffer.byteLength(file.contents) : file.contents.byteLength),
        0,
      ),
      boot,
      afterSetup,
      after1000: device.heap().used,
      smooth: device.heap().used - device.heap().qstrBytes,
    };
  } finally {
    await device.close();
  }
}

const rows: [string, Figures][] = [
  ["bare publish loop (.py)", await measure(bare)],
  ["flowc bundle, --py", await measure(source.files)],
  ["flowc bundle, .mpy", await measure(precompiled.files)],
];
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`tutorial client on the simulated ESP8266 (precompiling took ${precompileMs.toFixed(0)} ms):`);
console.log(
  `  ${"".padEnd(26)} ${"flash".padStart(8)} ${"boot".padStart(8)} ${"setup".padStart(8)} ${"1,000".padStart(8)}`,
);
for (const [label, f] of rows)
  console.log(
    `  ${label.padEnd(26)} ${kb(f.bytes).padStart(8)} ${kb(f.boot).padStart(8)} ${kb(f.afterSetup).padStart(8)} ${kb(f.after1000).padStart(8)} ${kb(f.smooth).padStart(9)}`,
  );
const [, bareFigures] = rows[0]!;
const [, mpy] = rows[2]!;
console.log(
  `  .mpy boot vs bare loop: ${(mpy.boot / bareFigures.boot).toFixed(2)}× (${mpy.boot - bareFigures.boot >= 0 ? "+" : ""}${mpy.boot - bareFigures.boot} bytes; ` +
    `target ≤ +1 KB: ${mpy.boot <= bareFigures.boot + 1024 ? "met" : "not met"}); steady ${kb(mpy.after1000)} (target ≤ 8 KB: ${mpy.after1000 <= 8192 ? "met" : "not met"})`,
);
