/**
 * What `chart` sinks draw: each chart's recent points, a line per key, bounded in time (the
 * chart's window) and in count (its `points`), so a chart left running for a month holds no more
 * than one left running for a minute. The dashboard (see {@link ./dashboard/server.ts}) reads
 * snapshots of the board and listens for new points; without a dashboard the board is only kept
 * in memory, still bounded.
 */

/** `[unix seconds, value]`, as uPlot and `GET /api/charts` take them. */
export type ChartPoint = [ts: number, value: number];

export interface ChartSeriesSnapshot {
  /** The `by` field's value (as text), or the plotted field's name when the chart has no `by`. */
  readonly key: string;
  readonly points: ChartPoint[];
}

/** One chart as `GET /api/charts` returns it. */
export interface ChartSnapshot {
  readonly name: string;
  /** The y axis's label (`y "lux"`), or the plotted field. */
  readonly y: string;
  /** How much time the chart shows, in seconds. */
  readonly windowSeconds: number;
  /** Most points kept per line. */
  readonly maxPoints: number;
  readonly series: ChartSeriesSnapshot[];
}

export interface ChartOptions {
  readonly y: string;
  readonly windowMs: number;
  /** Most points kept per line; older ones go first. */
  readonly maxPoints: number;
  /**
   * Where the chart goes among the others: charts of the same `flow` (any object, the program)
   * are ordered by `index` (the sink's place in the file) whatever order they are made in.
   */
  readonly place?: { readonly flow: object; readonly index: number };
}

/** One line of a chart: timestamps and values in two arrays, trimmed from the front. */
class Series {
  private ts: number[] = [];
  private values: number[] = [];
  /** Index of the first live point: trimming moves it, and the arrays are compacted only now and then. */
  private start = 0;

  constructor(readonly key: string) {}

  add(ts: number, value: number, options: ChartOptions): void {
    this.ts.push(ts);
    this.values.push(value);
    const oldest = ts - options.windowMs / 1000;
    while (this.start < this.ts.length && (this.ts[this.start]! < oldest || this.size > options.maxPoints))
      this.start++;
    // Compacting once the dead prefix is as long as the live part keeps adding O(1) on average.
    if (this.start > 1024 && this.start * 2 > this.ts.length) {
      this.ts = this.ts.slice(this.start);
      this.values = this.values.slice(this.start);
      this.start = 0;
    }
  }

  get size(): number {
    return this.ts.length - this.start;
  }

  snapshot(): ChartSeriesSnapshot {
    const points: ChartPoint[] = [];
    for (let i = this.start; i < this.ts.length; i++) points.push([this.ts[i]!, this.values[i]!]);
    return { key: this.key, points };
  }
}

/** Called for every point added to any chart of a board. */
export type PointListener = (chart: Chart, key: string, ts: number, value: number) => void;

/** One `chart` sink's data. */
export class Chart {
  private readonly series = new Map<string, Series>();
  /** The title, made unique among the board's charts (see {@link ChartBoard.chart}). */
  name: string;

  constructor(
    readonly title: string,
    readonly options: ChartOptions,
    private readonly notify: PointListener,
  ) {
    this.name = title;
  }

  /** Adds a point to the line of `key`; `ts` in unix seconds. */
  add(key: string, ts: number, value: number): void {
    let series = this.series.get(key);
    if (series === undefined) {
      series = new Series(key);
      this.series.set(key, series);
    }
    series.add(ts, value, this.options);
    this.notify(this, key, ts, value);
  }

  snapshot(): ChartSnapshot {
    return {
      name: this.name,
      y: this.options.y,
      windowSeconds: this.options.windowMs / 1000,
      maxPoints: this.options.maxPoints,
      series: [...this.series.values()].map((series) => series.snapshot()),
    };
  }
}

/**
 * Every chart of a run, in the order the sinks were built.
 *
 * @example
 * const board = new ChartBoard();
 * const light = board.chart("Light", { y: "lux", windowMs: 3_600_000, maxPoints: 5000 });
 * light.add("lux-1", Date.now() / 1000, 284.1);
 * board.snapshot(); // [{ name: "Light", y: "lux", windowSeconds: 3600, series: [{ key: "lux-1", points: [[..., 284.1]] }] }]
 */
export class ChartBoard {
  private readonly charts: Chart[] = [];
  private readonly listeners = new Set<PointListener>();

  /**
   * A new chart, after the others unless `options.place` puts it before one of its flow's. Two
   * sinks with the same title get two charts, the later one in the file named `Light (2)`, so
   * neither hides the other.
   */
  chart(name: string, options: ChartOptions): Chart {
    const chart = new Chart(name, options, (...point) => {
      for (const listener of this.listeners) listener(...point);
    });
    const place = options.place;
    const before = place
      ? this.charts.findIndex(
          (other) => other.options.place?.flow === place.flow && other.options.place.index > place.index,
        )
      : -1;
    if (before === -1) this.charts.push(chart);
    else this.charts.splice(before, 0, chart);
    // Charts are made before any point flows, so renaming them in order is still safe here.
    const taken = new Set<string>();
    for (const each of this.charts) {
      let unique = each.title;
      for (let n = 2; taken.has(unique); n++) unique = `${each.title} (${n})`;
      each.name = unique;
      taken.add(unique);
    }
    return chart;
  }

  get size(): number {
    return this.charts.length;
  }

  /** Every chart's current points. */
  snapshot(): ChartSnapshot[] {
    return this.charts.map((chart) => chart.snapshot());
  }

  /** Calls `listener` for every point added from now on; returns a function that stops it. */
  onPoint(listener: PointListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
