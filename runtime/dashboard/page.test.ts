// The dashboard in a real browser: Debian's chromium, headless, driven by playwright-core. A flow
// reads SensorEvents from MQTT into a chart; the test publishes and watches the page: it loads
// without a console error, draws a line per sensor, shows a point within a second of its
// publication, shows the flow's picture and counters, and picks up again when the server restarts.
// The screenshot is kept in .tmp/artifacts/dashboard.png (UPDATE_SCREENSHOT=1 also refreshes
// docs/dashboard.png, the README's picture).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderGraph } from "../../compiler/diagram/index.js";
import { ChartBoard } from "../charts.js";
import type { RunningFlow } from "../run.js";
import { compile, runProgram } from "../../test/support/catalogue.js";
import { startDashboard, type Dashboard } from "./server.js";

const chromiumPath = "/usr/bin/chromium";
const artifacts = join(import.meta.dirname, "../../.tmp/artifacts");

const flowText = `# The tutorial's server, with a live chart beside its CSV file
mqtt "sensor-data"
  -> json as SensorEvent
  -> [chart "Light" window 10min by sensor_id y "lux", csv "light.csv"]
`;

let folder: string;
let browser: BrowserContext;
let flow: RunningFlow;
let client: MqttClient;
let dashboard: Dashboard;
let diagram: string;
const charts = new ChartBoard();
const workingDirectory = process.cwd();

function serve(port: number) {
  return startDashboard({ port, charts, stats: flow.stats, diagram, title: "server.flow" });
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "flowc-dashboard-"));
  // light.csv goes into the test's folder, whether paths are resolved from the working directory or the flow's.
  process.chdir(folder);
  const { programs, diagnostics } = compile([{ path: "server.flow", text: flowText }]);
  expect(diagnostics).toEqual([]);
  diagram = await renderGraph(programs, "svg");
  flow = await runProgram(programs, {
    broker: "embedded",
    embeddedBroker: { host: "127.0.0.1", port: 0 },
    charts,
    stdout: { write: () => true, once: () => undefined },
    stderr: () => {},
  });
  await flow.ready;
  client = await mqtt.connectAsync(flow.brokerUrl!, { log: () => {} });
  dashboard = await serve(0);
  // A fresh profile each run, so nothing from an earlier run (cache, storage) plays a part.
  browser = await chromium.launchPersistentContext(join(folder, "chromium-profile"), {
    executablePath: chromiumPath,
    viewport: { width: 1280, height: 860 },
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
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await client?.endAsync();
  await dashboard?.close();
  await flow?.stop();
  process.chdir(workingDirectory);
  rmSync(folder, { recursive: true, force: true });
});

/** The tutorial's light readings: two sensors, a slow swell each, a reading every 2 s. */
function reading(sensor: string, ts: number): string {
  const phase = sensor === "lux-1" ? 0 : 2;
  const base = sensor === "lux-1" ? 320 : 190;
  return JSON.stringify([sensor, ts, Math.round((base + 60 * Math.sin(ts / 40 + phase)) * 100) / 100]);
}

async function publish(sensor: string, ts: number): Promise<void> {
  await client.publishAsync("sensor-data", reading(sensor, ts));
}

/** Page code (run in the browser, hence text): how many points chart "Light" has drawn. */
const lightPoints = `Number(document.querySelector('[data-chart="Light"]')?.dataset.points ?? 0)`;
/** Page code: whether the page says it is connected. */
const live = `document.getElementById("status")?.textContent === "live"`;

function drawnPoints(page: Page): Promise<number> {
  return page.evaluate(lightPoints) as Promise<number>;
}

describe("dashboard in Chromium", () => {
  it.skipIf(!existsSync(chromiumPath))(
    "draws published points live, shows the flow and its counters, and reconnects after a restart",
    async () => {
      const start = Math.floor(Date.now() / 1000) - 300;
      for (let ts = start; ts < start + 300; ts += 2) {
        await publish("lux-1", ts);
        await publish("lux-2", ts + 1);
      }

      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      await page.goto(dashboard.url);
      await page.waitForFunction(live);
      await page.waitForFunction(`${lightPoints} >= 300`);
      expect(await page.locator('[data-chart="Light"] .u-legend .u-series').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining("lux-1"), expect.stringContaining("lux-2")]),
      );
      expect(await page.locator('[data-chart="Light"] canvas').count()).toBeGreaterThan(0);

      // A point published now is on the page within a second.
      const before = await drawnPoints(page);
      const published = Date.now();
      await publish("lux-1", start + 300);
      await page.waitForFunction(`${lightPoints} > ${before}`, undefined, { timeout: 5000 });
      const latencyMs = Date.now() - published;
      expect(latencyMs).toBeLessThan(1000);

      // The flow's picture and its counters.
      expect(await page.evaluate(`document.getElementById("diagram").naturalWidth`)).toBeGreaterThan(0);
      // The counters arrive every second: the source's `out` reaches every message published.
      await page.waitForFunction(
        `Number(document.querySelector("#stats tbody tr td:nth-child(3)")?.textContent) >= 301`,
      );
      const firstRow = await page.locator("#stats tbody tr").first().locator("td").allTextContents();
      expect(firstRow[0]).toContain('mqtt "sensor-data"');
      expect(await page.locator("#stats tbody tr").count()).toBe(flow.stats.length);

      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, "dashboard.png"), fullPage: true });
      if (process.env.UPDATE_SCREENSHOT === "1")
        copyFileSync(join(artifacts, "dashboard.png"), join(import.meta.dirname, "../../docs/dashboard.png"));
      expect(problems).toEqual([]);

      // The server goes away and comes back on the same port: the page says so, then carries on.
      const port = dashboard.port;
      await dashboard.close();
      await page.waitForFunction(`!(${live})`);
      dashboard = await serve(port);
      await page.waitForFunction(live, undefined, { timeout: 10_000 });
      const afterRestart = await drawnPoints(page);
      await publish("lux-2", start + 301);
      await page.waitForFunction(`${lightPoints} > ${afterRestart}`, undefined, { timeout: 5000 });
      await page.close();
    },
    60_000,
  );
});
