// The dashboard's HTTP side: the page and uPlot served from this process, /api/charts in the
// documented shape, Server-Sent Events (a snapshot, then points in batches and counters), the
// loopback guard against other sites' pages, and a port that is taken.
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { ChartBoard } from "../charts.js";
import { NodeStats } from "../stats.js";
import { startDashboard, type Dashboard } from "./server.js";

const opened: Dashboard[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((dashboard) => dashboard.close()));
});

async function serve(charts = new ChartBoard(), stats: NodeStats[] = []) {
  const dashboard = await startDashboard({
    port: 0,
    charts,
    stats,
    diagram: "<svg xmlns='http://www.w3.org/2000/svg'/>",
    title: "light.flow",
    flushEveryMs: 20,
    statsEveryMs: 50,
  });
  opened.push(dashboard);
  return dashboard;
}

function get(dashboard: Dashboard, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    request({ host: dashboard.host, port: dashboard.port, path, headers }, (response) => {
      let body = "";
      response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode!, type: String(response.headers["content-type"]), body }),
      );
    })
      .on("error", reject)
      .end();
  });
}

/** Reads Server-Sent Events until `until` returns true for the events so far. */
function readEvents(dashboard: Dashboard, until: (events: { event: string; data: unknown }[]) => boolean) {
  return new Promise<{ event: string; data: unknown }[]>((resolve, reject) => {
    const events: { event: string; data: unknown }[] = [];
    const req = request({ host: dashboard.host, port: dashboard.port, path: "/api/events" }, (response) => {
      let buffer = "";
      response.setEncoding("utf8").on("data", (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(message)?.[1];
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
        }
        if (until(events)) {
          req.destroy();
          resolve(events);
        }
      });
    });
    req.on("error", reject).end();
  });
}

describe("dashboard server", () => {
  it("serves the page, its script and uPlot from this process, and the flow's picture", async () => {
    const dashboard = await serve();
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(dashboard, "/");
    expect(page.type).toContain("text/html");
    expect(page.body).toContain('<script src="/uPlot.iife.min.js">');
    expect(page.body).not.toMatch(/https?:\/\//);
    const uplot = await get(dashboard, "/uPlot.iife.min.js");
    expect(uplot.body).toContain("uPlot");
    expect((await get(dashboard, "/dashboard.js")).type).toContain("javascript");
    expect((await get(dashboard, "/dashboard.css")).body).toContain("grid-template-columns");
    expect((await get(dashboard, "/uPlot.min.css")).body).toContain(".uplot");
    expect((await get(dashboard, "/flow.svg")).type).toContain("image/svg+xml");
    expect((await get(dashboard, "/nothing")).status).toBe(404);
  });

  it("answers GET /api/charts with every chart's points, a series per key", async () => {
    const charts = new ChartBoard();
    const light = charts.chart("Light", { y: "lux", windowMs: 3_600_000, maxPoints: 100 });
    charts.chart("Empty", { y: "val", windowMs: 60_000, maxPoints: 100 });
    light.add("lux-1", 100, 1.5);
    light.add("lux-2", 101, 2.5);
    light.add("lux-1", 102, 3.5);
    const dashboard = await serve(charts);
    const response = await get(dashboard, "/api/charts");
    expect(response.type).toContain("application/json");
    expect(JSON.parse(response.body)).toEqual([
      {
        name: "Light",
        y: "lux",
        windowSeconds: 3600,
        maxPoints: 100,
        series: [
          {
            key: "lux-1",
            points: [
              [100, 1.5],
              [102, 3.5],
            ],
          },
          { key: "lux-2", points: [[101, 2.5]] },
        ],
      },
      { name: "Empty", y: "val", windowSeconds: 60, maxPoints: 100, series: [] },
    ]);
  });

  it("streams a snapshot, then new points in batches and the counters with their rate", async () => {
    const charts = new ChartBoard();
    const light = charts.chart("Light", { y: "lux", windowMs: 60_000, maxPoints: 100 });
    light.add("a", 1, 1);
    const stage = new NodeStats("n0", 'mqtt "sensor-data"');
    const dashboard = await serve(charts, [stage]);
    const reading = readEvents(
      dashboard,
      (events) => events.filter((e) => e.event === "points").length >= 1 && events.some((e) => e.event === "stats"),
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    for (let i = 2; i <= 4; i++) light.add("a", i, i);
    light.add("b", 5, 5);
    stage.out = 10;
    const events = await reading;
    expect(events[0]).toMatchObject({
      event: "snapshot",
      data: { title: "light.flow", charts: [{ name: "Light", series: [{ key: "a", points: [[1, 1]] }] }] },
    });
    const points = events.filter((e) => e.event === "points").flatMap((e) => e.data as never[]);
    expect(points).toEqual([
      {
        name: "Light",
        series: [
          {
            key: "a",
            points: [
              [2, 2],
              [3, 3],
              [4, 4],
            ],
          },
          { key: "b", points: [[5, 5]] },
        ],
      },
    ]);
    const stats = events.find((e) => e.event === "stats")!.data as { stage: string; out: number; rate: number }[];
    expect(stats[0]).toMatchObject({ stage: 'n0 mqtt "sensor-data"', out: 10 });
    expect(stats[0]!.rate).toBeGreaterThan(0);
  });

  it("refuses requests for another host name while it listens on loopback (DNS rebinding)", async () => {
    const dashboard = await serve();
    expect((await get(dashboard, "/api/charts", { host: "attacker.example:80" })).status).toBe(403);
    expect((await get(dashboard, "/api/charts", { host: `localhost:${dashboard.port}` })).status).toBe(200);
  });

  it("says which port is taken", async () => {
    const first = await serve();
    await expect(
      startDashboard({ port: first.port, charts: new ChartBoard(), stats: [], diagram: "", title: "" }),
    ).rejects.toThrow(`cannot serve the dashboard on 127.0.0.1:${first.port}: the port is in use`);
  });
});
