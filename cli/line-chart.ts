/**
 * A line chart as an SVG document, drawn by flowc itself for `flowc plot`: time along x (UTC),
 * values along y, a line per series, ticks at round times and values, a legend. Pure: data in,
 * text out. A series with more points than the chart has pixel columns is thinned to each
 * column's first, lowest, highest and last point, which draws the same picture.
 */

/** `[unix seconds, value]`. */
export type TimedPoint = readonly [ts: number, value: number];

export interface LineSeries {
  readonly key: string;
  readonly points: readonly TimedPoint[];
}

export interface LineChartOptions {
  readonly title: string;
  /** The y axis's label. */
  readonly y: string;
  readonly width?: number;
  readonly height?: number;
}

const palette = ["#1f6feb", "#d1495b", "#2e933c", "#edae49", "#8e44ad", "#00798c", "#ff7f0e", "#6c757d"];
const font = `font-family="DejaVu Sans, Verdana, sans-serif"`;

/** Tick steps for time axes, in seconds: round clock values only. */
const timeSteps = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
];

/**
 * Draws `series` as an SVG line chart.
 *
 * @example
 * lineChartSvg([{ key: "lux-1", points: [[1484535480, 284.1], [1484535482, 290.3]] }], { title: "test.csv", y: "value" });
 */
export function lineChartSvg(series: readonly LineSeries[], options: LineChartOptions): string {
  const width = options.width ?? 900;
  const height = options.height ?? 440;
  const margin = { top: 48, right: 24, bottom: 56, left: 72 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;

  let minTs = Infinity;
  let maxTs = -Infinity;
  let minValue = Infinity;
  let maxValue = -Infinity;
  for (const line of series) {
    for (const [ts, value] of line.points) {
      if (ts < minTs) minTs = ts;
      if (ts > maxTs) maxTs = ts;
      if (value < minValue) minValue = value;
      if (value > maxValue) maxValue = value;
    }
  }
  if (minTs === Infinity) [minTs, maxTs, minValue, maxValue] = [0, 1, 0, 1];
  if (maxTs === minTs) maxTs = minTs + 1;
  const yTicks = niceTicks(minValue, maxValue, 6);
  const yMin = Math.min(minValue, yTicks[0]!);
  const yMax = Math.max(maxValue, yTicks[yTicks.length - 1]!);
  const x = (ts: number) => margin.left + ((ts - minTs) / (maxTs - minTs)) * plotWidth;
  const y = (value: number) => margin.top + plotHeight - ((value - yMin) / (yMax - yMin || 1)) * plotHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="28" ${font} font-size="17" font-weight="bold" fill="#1d2430">${escapeXml(options.title)}</text>`,
  ];
  for (const tick of yTicks) {
    const ty = round(y(tick));
    parts.push(
      `<line x1="${margin.left}" y1="${ty}" x2="${margin.left + plotWidth}" y2="${ty}" stroke="#e3e7ee"/>`,
      `<text x="${margin.left - 8}" y="${ty + 4}" ${font} font-size="12" text-anchor="end" fill="#4a5568">${formatNumber(tick)}</text>`,
    );
  }
  const step = timeSteps.find((s) => (maxTs - minTs) / s <= 8) ?? Math.ceil((maxTs - minTs) / 8 / 86400) * 86400;
  for (let tick = Math.ceil(minTs / step) * step; tick <= maxTs; tick += step) {
    const tx = round(x(tick));
    parts.push(
      `<line x1="${tx}" y1="${margin.top}" x2="${tx}" y2="${margin.top + plotHeight}" stroke="#eef1f5"/>`,
      `<text x="${tx}" y="${margin.top + plotHeight + 18}" ${font} font-size="12" text-anchor="middle" fill="#4a5568">${formatTime(tick, step)}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#c5ccd6"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 12}" ${font} font-size="12" text-anchor="middle" fill="#4a5568">time (UTC, from ${escapeXml(new Date(minTs * 1000).toISOString().slice(0, 19).replace("T", " "))})</text>`,
    `<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" ${font} font-size="12" text-anchor="middle" fill="#4a5568">${escapeXml(options.y)}</text>`,
  );

  series.forEach((line, i) => {
    const colour = palette[i % palette.length]!;
    const points = thin(line.points, x)
      .map(([ts, value]) => `${round(x(ts))},${round(y(value))}`)
      .join(" ");
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="1.5" stroke-linejoin="round" points="${points}"/>`,
    );
  });

  // The legend, right-aligned above the plot: a swatch and the key per series.
  let legendX = margin.left + plotWidth;
  for (let i = series.length - 1; i >= 0; i--) {
    const label = escapeXml(series[i]!.key);
    legendX -= 24 + series[i]!.key.length * 7.5;
    parts.push(
      `<rect x="${round(legendX)}" y="19" width="12" height="12" fill="${palette[i % palette.length]}"/>`,
      `<text x="${round(legendX + 17)}" y="29" ${font} font-size="12" fill="#1d2430">${label}</text>`,
    );
  }
  parts.push("</svg>\n");
  return parts.join("\n");
}

/** Keeps, of the points falling into each pixel column, the first, lowest, highest and last. */
function thin(points: readonly TimedPoint[], x: (ts: number) => number): readonly TimedPoint[] {
  if (points.length < 4000) return points;
  const kept: TimedPoint[] = [];
  let column = NaN;
  let bucket: TimedPoint[] = [];
  const flush = () => {
    if (bucket.length === 0) return;
    let low = bucket[0]!;
    let high = bucket[0]!;
    for (const point of bucket) {
      if (point[1] < low[1]) low = point;
      if (point[1] > high[1]) high = point;
    }
    const chosen = new Set([bucket[0]!, low, high, bucket[bucket.length - 1]!]);
    kept.push(...bucket.filter((point) => chosen.has(point)));
    bucket = [];
  };
  for (const point of points) {
    const pixel = Math.floor(x(point[0]));
    if (pixel !== column) {
      flush();
      column = pixel;
    }
    bucket.push(point);
  }
  flush();
  return kept;
}

/** About `count` round values (1, 2 or 5 times a power of ten apart) covering min..max. */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (min === max) [min, max] = [min - 1, max + 1];
  const rough = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const ticks: number[] = [];
  for (let tick = Math.floor(min / step) * step; tick <= max + step / 2; tick += step)
    ticks.push(Number(tick.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

function formatTime(ts: number, step: number): string {
  const iso = new Date(ts * 1000).toISOString();
  if (step >= 86400) return iso.slice(0, 10);
  return step >= 60 ? iso.slice(11, 16) : iso.slice(11, 19);
}

function formatNumber(value: number): string {
  return String(Number(value.toPrecision(10)));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
