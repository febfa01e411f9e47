// The live dashboard at 1,000 events a second (target: smooth), in headless Chromium: four
// sensors' points go into a chart for a few seconds while the page draws. Figures: the page's
// frames per second and its slowest drawing frame, against the same page idle in the same run
// (the ratio is what to compare across machines), the points the page received, and the server
// process's CPU per event.
//
//   npm run bench:dashboard
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ChartBoard } from "../runtime/charts.js";
import { startDashboard } from "../runtime/dashboard/server.js";

const eventsPerSecond = 1000;
const seconds = 5;
const keys = ["lux-1", "lux-2", "lux-3", "lux-4"];

const charts = new ChartBoard();
const light = charts.chart("Light", { y: "lux", windowMs: 600_000, maxPoints: 5000 });
const dashboard = await startDashboard({
  port: 0,
  charts,
  stats: [],
  diagram: "<svg xmlns='http://www.w3.org/2000/svg'/>",
  title: "bench",
});
const profile = mkdtempSync(join(tmpdir(), "flowc-bench-dashboard-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  viewport: { width: 1280, height: 800 },
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const page = await browser.newPage();
await page.goto(dashboard.url);
await page.waitForFunction(`document.getElementById("status")?.textContent === "live"`);

interface Counters {
  frames: number;
  slowestFrameMs: number;
  points: number;
}
const counters = () => page.evaluate("({ ...window.flowcDashboard })") as Promise<Counters>;
/** Animation frames the browser runs in `ms`, whether or not the page draws. */
const rafRate = (ms: number) =>
  page.evaluate(
    `new Promise((resolve) => { let n = 0; const end = performance.now() + ${ms}; const tick = () => { n++; if (performance.now() < end) requestAnimationFrame(tick); else resolve(n / (${ms} / 1000)); }; requestAnimationFrame(tick); })`,
  ) as Promise<number>;

const idleFps = await rafRate(2000);

const before = await counters();
const cpuBefore = process.cpuUsage();
let sent = 0;
let steady = false;
const start = Date.now();
const loadFps = rafRate(seconds * 1000);
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - start) / 1000) * eventsPerSecond);
    for (; sent < due; sent++) light.add(keys[sent % keys.length]!, Date.now() / 1000, 300 + 50 * Math.sin(sent / 200));
    // The first frames build the chart and its lines; what matters is each frame after.
    if (!steady && Date.now() - start >= 1000) {
      steady = true;
      void page.evaluate("window.flowcDashboard.slowestFrameMs = 0");
    }
    if (Date.now() - start >= seconds * 1000) {
      clearInterval(timer);
      resolve();
    }
  }, 10);
});
const fps = await loadFps;
await new Promise((resolve) => setTimeout(resolve, 500));
const after = await counters();
const cpu = process.cpuUsage(cpuBefore);

console.log(`dashboard at ${eventsPerSecond} events/s for ${seconds} s, ${keys.length} lines, in headless Chromium:`);
console.log(`  frames/s while idle (baseline)   ${idleFps.toFixed(1)}`);
console.log(
  `  frames/s under load              ${fps.toFixed(1)}  (${(fps / idleFps).toFixed(2)}× idle; target ≥ 0.9×)`,
);
console.log(
  `  drawing frames                   ${after.frames - before.frames}, slowest after the first second ${after.slowestFrameMs.toFixed(1)} ms (target < 16 ms)`,
);
console.log(`  points received / sent           ${after.points - before.points} / ${sent}`);
console.log(
  `  server CPU per event             ${((cpu.user + cpu.system) / sent).toFixed(1)} µs (the bench's own loop included)`,
);

await browser.close();
await dashboard.close();
rmSync(profile, { recursive: true, force: true });
