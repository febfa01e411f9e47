// Heap the tutorial client needs on the ESP8266, precompiled (.mpy, the default) and as source
// (--py), against a publish loop written by hand that does the same job with nothing of flowc's
// runtime: WiFi connect, umqtt.simple connect, read the TSL2591 (the same driver file the bundle
// ships, precompiled alike), print the event, publish it as JSON. Measured in real MicroPython
// 1.27 (WebAssembly) on the simulated board, every program at the same points:
//
// - flash: bytes of the board's files;
// - boot: what `import main; main.setup()` allocates, garbage included, less what the simulator
//   itself holds (gc.mem_alloc() at the end of the call, against its reading after a collection
//   before it). No collection runs inside a call in this port (see below), so this is every byte
//   boot allocated: an upper bound of the heap a board needs free to boot. Compiling .py is what
//   it was mostly made of before bundles were precompiled;
// - setup, 1,000: what stays live after setup() and after 1,000 samples, read after a collection
//   (`used`), and the same without the qstr pools (`smooth`: the pools grow in steps of a few KB
//   that the simulator's own modules already started, so they jump between runs of equal programs).
//
// Targets (issue 13): boot no more than the bare loop + 1 KB; steady heap ≤ 8 KB. The boot target
// is judged by bench/esp8266-heap.ts, which bisects the smallest heap each program boots in on a
// MicroPython that collects inside calls; `boot` here is the upper bound this port can give.
//
// The smallest heap the bundle boots in cannot be bisected over the heap size in this port, for two
// reasons either of which is enough. `loadMicroPython({ heapsize })` only sizes the first GC heap
// area: the port is built with MICROPY_GC_SPLIT_HEAP_AUTO and its gc_get_max_new_split() allows 128
// MB more, which malloc() grants from the wasm memory (the loader takes no Module hooks through
// which growth could be refused); `pystack` is the Python call stack, not the heap. And its
// gc_collect() only flags a collection for when control returns to JavaScript (the wasm stack
// cannot be scanned for roots), so even a heap that could not grow would fail at the first
// allocation past it that a board satisfies by collecting: the bisection would find the `boot`
// figure, not the smaller peak a board's collector needs. A real bisection needs a MicroPython
// that collects inside calls, such as the unix port's `-X heapsize=` (bench/esp8266-heap.ts), which
// neither npm nor Debian packages.
//
//   npm run bench:esp8266-mpy
import type { BundleFile } from "../targets/esp8266/bundle.js";
import { isBoardFile, precompileBundle } from "../targets/esp8266/precompile.js";
import { MicroPythonDevice } from "../targets/esp8266/simulator/board.js";
import { boardParts } from "../components/board.js";
import { bareLoop, tutorialClientSource } from "./esp8266-tutorial.js";

const source = tutorialClientSource();
const started = performance.now();
const precompiled = await precompileBundle(source);
const precompileMs = performance.now() - started;

// The same driver file the .mpy bundle ships, so the comparison is of everything around it.
const driver = precompiled.files.find((file) => file.path === "tsl2591.mpy")!;
const bare: BundleFile[] = [{ path: "main.py", contents: bareLoop }, driver];

interface Figures {
  flash: number;
  boot: number;
  afterSetup: number;
  after1000: number;
  /** after1000 without the qstr pools. */
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
    if (device.mqtt.published.length !== 1000) throw new Error(`published ${device.mqtt.published.length} of 1000`);
    const steady = device.heap();
    return {
      flash: boardFiles.reduce(
        (sum, file) =>
          sum + (typeof file.contents === "string" ? Buffer.byteLength(file.contents) : file.contents.byteLength),
        0,
      ),
      boot,
      afterSetup,
      after1000: steady.used,
      smooth: steady.used - steady.qstrBytes,
    };
  } finally {
    await device.close();
  }
}

const bareFigures = await measure(bare);
const rows: [string, Figures][] = [
  ["bare publish loop", bareFigures],
  ["flowc bundle, --py", await measure(source.files)],
  ["flowc bundle, .mpy", await measure(precompiled.files)],
];
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const signedKb = (bytes: number) => `${bytes >= 0 ? "+" : "−"}${kb(Math.abs(bytes))}`;
const columns = ["flash", "boot", "setup", "1,000", "smooth"];
console.log(`tutorial client on the simulated ESP8266 (precompiling took ${precompileMs.toFixed(0)} ms):`);
console.log(`  ${"".padEnd(22)} ${columns.map((column) => column.padStart(8)).join(" ")}`);
for (const [label, f] of rows) {
  const cells = [f.flash, f.boot, f.afterSetup, f.after1000, f.smooth].map((bytes) => kb(bytes).padStart(8));
  console.log(`  ${label.padEnd(22)} ${cells.join(" ")}`);
}
for (const [label, f] of rows.slice(1)) {
  const vsBare = (name: string, bytes: number, bare: number) =>
    `${name} ${(bytes / bare).toFixed(2)}× (${signedKb(bytes - bare)})`;
  console.log(
    `  ${label} against the bare loop: ${vsBare("boot", f.boot, bareFigures.boot)}, ` +
      `${vsBare("steady", f.after1000, bareFigures.after1000)}, ${vsBare("smooth", f.smooth, bareFigures.smooth)}`,
  );
}
const [, mpy] = rows[2]!;
const bootLimit = bareFigures.boot + 1024;
const steadyLimit = 8 * 1024;
const verdict = (bytes: number, limit: number) =>
  bytes <= limit ? `met, ${kb(limit - bytes)} to spare` : `not met by ${kb(bytes - limit)}`;
console.log(
  `  boot ≤ bare loop + 1 KB (${kb(bootLimit)}), as an upper bound: ${kb(mpy.boot)}, ${verdict(mpy.boot, bootLimit)}`,
);
console.log(`  target steady ≤ 8 KB: ${kb(mpy.after1000)}, ${verdict(mpy.after1000, steadyLimit)}`);
console.log(
  "  smallest heap to boot in, which the boot target is judged by: `npm run bench:esp8266-heap` (this port's heap" +
    " grows on demand and collects only between calls; see the header of bench/esp8266-mpy.ts).",
);
