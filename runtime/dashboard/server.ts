/**
 * The live dashboard of `flowc run FILES --dashboard [HOST:]PORT`: one web page showing a chart
 * per `chart` sink, the flow's picture and the per-stage counters of `--stats`, all served by this
 * process (uPlot from flowc's own node_modules; nothing from a CDN).
 *
 * The page gets its data over Server-Sent Events from `/api/events`: a `snapshot` when it connects
 * (and again when it reconnects, so a restarted server is picked up where it is), then `points`
 * batched every {@link DashboardOptions.flushEveryMs} and `stats` every second. Batching here and
 * drawing once per animation frame in the page is what keeps it smooth at thousands of events a
 * second. `GET /api/charts` gives the same points as JSON for other tools:
 * `[{"name": "Light", "series": [{"key": "lux-1", "points": [[ts, value], ...]}]}]`.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo, Socket } from "node:net";
import type { ChartBoard, ChartPoint } from "../charts.js";
import { isLoopback } from "../net.js";
import { snapshotStats, type NodeStats, type StatsSnapshot } from "../stats.js";
import pageScript from "./page/dashboard.js?raw";
import pageStyle from "./page/dashboard.css?raw";
import pageHtml from "./page/index.html?raw";

export interface DashboardOptions {
  /** Default 127.0.0.1: only this machine. The caller warns about any other (see runtime/net.ts). */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly charts: ChartBoard;
  /** The flow's stages, as `--stats` counts them. */
  readonly stats: readonly NodeStats[];
  /** The flow's picture, as `flowc graph -o flow.svg` draws it. */
  readonly diagram: string;
  /** Shown as the page's title: the files being run. */
  readonly title: string;
  /** How often new points go to the pages; default 100 ms. */
  readonly flushEveryMs?: number;
  /** How often the counters go to the pages; default 1000 ms. */
  readonly statsEveryMs?: number;
}

export interface Dashboard {
  /** `http://127.0.0.1:8080/`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Ends every page's connection (they keep trying to reconnect) and stops listening. */
  close(): Promise<void>;
}

/** One stage's counters as the page shows them. */
interface StageCounters {
  readonly stage: string;
  readonly in: number;
  readonly out: number;
  readonly dropped: number;
  readonly errors: number;
  /** Events out per second since the previous message. */
  readonly rate: number;
}

/** A page slower than this many unsent bytes is disconnected; it reconnects to a fresh snapshot. */
const maxUnsentBytes = 4 * 1024 * 1024;

/** uPlot's files, from the node_modules flowc was installed with. */
async function loadUplot(): Promise<{ script: string; style: string }> {
  const require = createRequire(import.meta.url);
  const [script, style] = await Promise.all([
    readFile(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
    readFile(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
  ]);
  return { script, style };
}

/**
 * Starts serving the dashboard; resolves once it listens, rejects when it cannot (port in use).
 *
 * @example
 * const flow = await runProgram(programs, { charts });
 * const dashboard = await startDashboard({ port: 8080, charts, stats: flow.stats, diagram, title: "server.flow" });
 * await flow.done;
 * await dashboard.close();
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? "127.0.0.1";
  const uplot = await loadUplot();
  const assets: Record<string, { type: string; body: string }> = {
    "/": { type: "text/html; charset=utf-8", body: pageHtml },
    "/dashboard.js": { type: "text/javascript; charset=utf-8", body: pageScript },
    "/dashboard.css": { type: "text/css; charset=utf-8", body: pageStyle },
    "/uPlot.iife.min.js": { type: "text/javascript; charset=utf-8", body: uplot.script },
    "/uPlot.min.css": { type: "text/css; charset=utf-8", body: uplot.style },
    "/flow.svg": { type: "image/svg+xml; charset=utf-8", body: options.diagram },
  };

  const pages = new Set<ServerResponse>();
  const send = (page: ServerResponse, event: string, data: unknown) => {
    if (page.writableLength > maxUnsentBytes) {
      page.destroy();
      return;
    }
    page.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const broadcast = (event: string, data: unknown) => {
    for (const page of pages) send(page, event, data);
  };

  // New points wait here, per chart and key, until the next flush sends them to every page at once.
  let pending = new Map<string, Map<string, ChartPoint[]>>();
  const stopListening = options.charts.onPoint((chart, key, ts, value) => {
    if (pages.size === 0) return;
    let byKey = pending.get(chart.name);
    if (byKey === undefined) pending.set(chart.name, (byKey = new Map()));
    let points = byKey.get(key);
    if (points === undefined) byKey.set(key, (points = []));
    points.push([ts, value]);
  });
  const flushPoints = () => {
    if (pending.size === 0) return;
    const batch = [...pending].map(([name, byKey]) => ({
      name,
      series: [...byKey].map(([key, points]) => ({ key, points })),
    }));
    pending = new Map();
    broadcast("points", batch);
  };

  let previous: StatsSnapshot = snapshotStats(options.stats, Date.now());
  let lastCounters: StageCounters[] = counters(options.stats, previous, previous);
  const flushStats = () => {
    const now = snapshotStats(options.stats, Date.now());
    lastCounters = counters(options.stats, previous, now);
    previous = now;
    broadcast("stats", lastCounters);
  };
  const timers = [
    setInterval(flushPoints, options.flushEveryMs ?? 100),
    setInterval(flushStats, options.statsEveryMs ?? 1000),
    // A comment now and then keeps proxies from closing a quiet stream.
    setInterval(() => {
      for (const page of pages) page.write(": keep-alive\n\n");
    }, 15_000),
  ];
  for (const timer of timers) timer.unref();

  const openEvents = (request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    // The page retries after a second when the server goes away, and gets a fresh snapshot.
    response.write("retry: 1000\n\n");
    send(response, "snapshot", {
      title: options.title,
      charts: options.charts.snapshot(),
      stats: lastCounters,
    });
    pages.add(response);
    request.on("close", () => pages.delete(response));
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    // A page from another site must not read the flow's data through a name that points here.
    if (isLoopback(host) && !isLoopback(hostName(request.headers.host ?? ""))) {
      response.writeHead(403, { "content-type": "text/plain" }).end("the dashboard answers to localhost only\n");
      return;
    }
    const path = new URL(request.url ?? "/", "http://dashboard").pathname;
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (path === "/api/events") {
      openEvents(request, response);
    } else if (path === "/api/charts") {
      json(response, options.charts.snapshot());
    } else if (path === "/api/stats") {
      json(response, lastCounters);
    } else if (Object.hasOwn(assets, path)) {
      const asset = assets[path]!;
      response.writeHead(200, { "content-type": asset.type, "cache-control": "no-cache" }).end(asset.body);
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  };

  const server = createServer(handle);
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, host, () => resolve());
    });
  } catch (error) {
    for (const timer of timers) clearInterval(timer);
    stopListening();
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot serve the dashboard on ${host}:${options.port}: ${code === "EADDRINUSE" ? "the port is in use (pick another with --dashboard PORT)" : (error as Error).message}`,
    );
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/`,
    host,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        stopListening();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

function json(response: ServerResponse, value: unknown): void {
  response
    .writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
    .end(JSON.stringify(value));
}

/** `localhost` of `localhost:8080`, `::1` of `[::1]:8080`. */
function hostName(hostHeader: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(hostHeader);
  return bracketed ? bracketed[1]! : hostHeader.replace(/:\d*$/, "");
}

function counters(stats: readonly NodeStats[], before: StatsSnapshot, now: StatsSnapshot): StageCounters[] {
  const seconds = (now.timeMs - before.timeMs) / 1000;
  return stats.map((stage, i) => ({
    stage: `${stage.id} ${stage.label}`,
    in: stage.in,
    out: stage.out,
    dropped: stage.dropped,
    errors: stage.errors,
    rate: seconds > 0 ? Math.round((now.counts[i]!.out - before.counts[i]!.out) / seconds) : 0,
  }));
}
