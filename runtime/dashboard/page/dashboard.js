// The dashboard page of `flowc run --dashboard PORT` (served by runtime/dashboard/server.ts).
//
// Points arrive over Server-Sent Events in batches; they are appended to each line's arrays at
// once, but drawn at most once per animation frame, so the page keeps up with thousands of events
// a second. Each line keeps the chart's window of time and at most its `maxPoints`, as the server
// does, so a page left open for days holds no more than one just opened. When the server goes
// away the page says so and keeps trying; the snapshot a new connection starts with replaces
// what the page had.
"use strict";

(() => {
  const palette = ["#1f6feb", "#d1495b", "#2e933c", "#edae49", "#8e44ad", "#00798c", "#ff7f0e", "#6c757d"];
  const chartsElement = document.getElementById("charts");
  const statusElement = document.getElementById("status");
  const statsBody = document.querySelector("#stats tbody");
  const diagram = document.getElementById("diagram");

  /** @type {Map<string, ChartState>} charts by name, in the order the flow declares them */
  let charts = new Map();
  let frameRequested = false;
  let connections = 0;

  /**
   * @typedef {{ ts: number[], values: number[] }} Line
   * @typedef {{ name: string, y: string, windowSeconds: number, maxPoints: number, lines: Map<string, Line>,
   *   element: HTMLElement, plot: any, plottedKeys: string, dirty: boolean }} ChartState
   */

  /** Exposed for tests and the curious: how many frames were drawn, and the slowest one. */
  const counters = { frames: 0, slowestFrameMs: 0, points: 0 };
  window.flowcDashboard = counters;

  function setStatus(text, live) {
    statusElement.textContent = text;
    statusElement.classList.toggle("live", live);
  }

  function chartWidth(element) {
    return Math.max(300, element.clientWidth - 32);
  }

  /** A chart's state from its snapshot, reusing the element of a chart of the same name. */
  function chartFromSnapshot(snapshot, previous) {
    const element = previous?.element ?? document.createElement("div");
    element.className = "chart";
    element.dataset.chart = snapshot.name;
    previous?.plot?.destroy();
    const lines = new Map();
    for (const series of snapshot.series) {
      lines.set(series.key, {
        ts: series.points.map((point) => point[0]),
        values: series.points.map((point) => point[1]),
      });
    }
    return {
      name: snapshot.name,
      y: snapshot.y,
      windowSeconds: snapshot.windowSeconds,
      maxPoints: snapshot.maxPoints ?? 5000,
      lines,
      element,
      plot: undefined,
      plottedKeys: "",
      dirty: true,
    };
  }

  function applySnapshot(snapshot) {
    document.title = `${snapshot.title} · flowc dashboard`;
    document.getElementById("title").textContent = snapshot.title;
    const next = new Map();
    for (const chart of snapshot.charts) next.set(chart.name, chartFromSnapshot(chart, charts.get(chart.name)));
    for (const [name, chart] of charts) if (!next.has(name)) chart.element.remove();
    charts = next;
    chartsElement.replaceChildren(...[...charts.values()].map((chart) => chart.element));
    document.getElementById("no-charts").hidden = charts.size > 0;
    renderStats(snapshot.stats);
    requestFrame();
  }

  function addPoints(batch) {
    for (const update of batch) {
      const chart = charts.get(update.name);
      if (!chart) continue;
      for (const series of update.series) {
        let line = chart.lines.get(series.key);
        if (!line) chart.lines.set(series.key, (line = { ts: [], values: [] }));
        for (const [ts, value] of series.points) {
          line.ts.push(ts);
          line.values.push(value);
        }
        trim(line, chart);
      }
      chart.dirty = true;
    }
    requestFrame();
  }

  /** Drops what is older than the window before the newest point, and what exceeds maxPoints. */
  function trim(line, chart) {
    const oldest = line.ts[line.ts.length - 1] - chart.windowSeconds;
    let drop = Math.max(0, line.ts.length - chart.maxPoints);
    while (drop < line.ts.length && line.ts[drop] < oldest) drop++;
    if (drop > 0) {
      line.ts.splice(0, drop);
      line.values.splice(0, drop);
    }
  }

  /**
   * uPlot draws series over one shared x array: the union of the lines' times, each line holding
   * null where it has no point (drawn across, with spanGaps).
   */
  function alignedData(chart) {
    const lines = [...chart.lines.values()];
    if (lines.length === 1) return [lines[0].ts, lines[0].values];
    const times = [...new Set(lines.flatMap((line) => line.ts))].sort((a, b) => a - b);
    const index = new Map(times.map((time, i) => [time, i]));
    const columns = lines.map((line) => {
      const column = new Array(times.length).fill(null);
      for (let i = 0; i < line.ts.length; i++) column[index.get(line.ts[i])] = line.values[i];
      return column;
    });
    return [times, ...columns];
  }

  function createPlot(chart, data) {
    const keys = [...chart.lines.keys()];
    chart.plot = new uPlot(
      {
        title: chart.name,
        width: chartWidth(chart.element),
        height: 260,
        scales: { x: { time: true } },
        axes: [{}, { label: chart.y }],
        series: [
          {},
          ...keys.map((key, i) => ({
            label: key,
            stroke: palette[i % palette.length],
            width: 1.5,
            spanGaps: true,
            points: { show: false },
          })),
        ],
      },
      data,
      chart.element,
    );
    chart.plottedKeys = keys.join("\u0000");
  }

  function draw() {
    frameRequested = false;
    const started = performance.now();
    for (const chart of charts.values()) {
      if (!chart.dirty) continue;
      chart.dirty = false;
      const data = alignedData(chart);
      const keys = [...chart.lines.keys()].join("\u0000");
      // A new key is a new line: uPlot is rebuilt (rare), otherwise only given the new data.
      if (!chart.plot || keys !== chart.plottedKeys) {
        chart.plot?.destroy();
        chart.element.replaceChildren();
        createPlot(chart, data);
      } else {
        chart.plot.setData(data);
      }
      let points = 0;
      for (const line of chart.lines.values()) points += line.ts.length;
      chart.element.dataset.points = String(points);
    }
    counters.frames++;
    counters.slowestFrameMs = Math.max(counters.slowestFrameMs, performance.now() - started);
  }

  function requestFrame() {
    if (frameRequested) return;
    frameRequested = true;
    requestAnimationFrame(draw);
  }

  function renderStats(stages) {
    const rows = stages.map((stage) => {
      const row = document.createElement("tr");
      for (const cell of [stage.stage, stage.in, stage.out, stage.dropped, stage.errors, stage.rate]) {
        const td = document.createElement("td");
        td.textContent = String(cell);
        row.append(td);
      }
      return row;
    });
    statsBody.replaceChildren(...rows);
  }

  function connect() {
    const events = new EventSource("/api/events");
    events.addEventListener("open", () => setStatus("live", true));
    events.addEventListener("snapshot", (message) => {
      // After a reconnection the server may be running another flow: show its picture.
      if (connections++ > 0) diagram.src = `/flow.svg?${Date.now()}`;
      applySnapshot(JSON.parse(message.data));
    });
    events.addEventListener("points", (message) => {
      const batch = JSON.parse(message.data);
      for (const update of batch) for (const series of update.series) counters.points += series.points.length;
      addPoints(batch);
    });
    events.addEventListener("stats", (message) => renderStats(JSON.parse(message.data)));
    events.addEventListener("error", () => {
      setStatus("reconnecting…", false);
      // The browser retries by itself unless the server answered with an error: then we do.
      if (events.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
    });
  }

  window.addEventListener("resize", () => {
    for (const chart of charts.values()) chart.plot?.setSize({ width: chartWidth(chart.element), height: 260 });
  });

  connect();
})();
