/**
 * `influx` on the host: events become InfluxDB line protocol (`lux,sensor_id=lux-1
 * val=371.6,ts=1484535480.61 1484535480610000`), written in batches over HTTP with a keep-alive
 * connection: `/write` for InfluxDB 1.x, `/api/v2/write` for 2.x and 3.x. Times are sent in
 * microseconds, the precision of the tutorial's timestamps.
 *
 * A point is keyed by its measurement, tags and time, so writing it again replaces it: a batch
 * the server partly refused (a field whose type conflicts with earlier points) is split and
 * written again until the points at fault are found, and a redelivered message changes nothing.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { IRNode } from "../../compiler/ir.js";
import type { FlowType } from "../../compiler/types.js";
import { ProblemReporter } from "../../runtime/bad-input.js";
import { componentKey, type NodeImplementation, type RuntimeContext, type Sink } from "../../runtime/component.js";
import { RowStoreError, RowWriter, type RejectedRow, type RowStore } from "../../runtime/rows.js";
import { fieldNames } from "../field-list.js";

/** Measurement names escape commas and spaces. */
const escapeMeasurement = (name: string) => name.replace(/[, \\]/g, "\\$&").replace(/\n/g, "\\n");
/** Tag keys, tag values and field keys also escape `=`. */
const escapeKey = (name: string) => name.replace(/[,= \\]/g, "\\$&").replace(/\n/g, "\\n");
/** String field values are quoted, escaping quotes and backslashes. */
const quoteString = (text: string) => `"${text.replace(/["\\]/g, "\\$&")}"`;

type Encode = (value: unknown) => string | undefined;

/** A field value in line protocol; undefined when InfluxDB cannot store it (NaN, missing). */
function fieldEncoder(type: FlowType): Encode {
  if (type.kind === "scalar") {
    switch (type.name) {
      case "int":
        return (value) => (typeof value === "number" && Number.isFinite(value) ? `${Math.trunc(value)}i` : undefined);
      case "number":
      case "duration":
        return (value) => (typeof value === "number" && Number.isFinite(value) ? String(value) : undefined);
      case "bool":
        return (value) => (typeof value === "boolean" ? String(value) : undefined);
      default:
        return (value) => (typeof value === "string" ? quoteString(value) : undefined);
    }
  }
  return (value) => (value === undefined ? undefined : quoteString(JSON.stringify(value)));
}

export interface PointFormat {
  /** Tags, fields and time of an event: its line, or a reason it has none. */
  line(event: unknown, nowMs: number): string | { problem: string };
}

export interface PointOptions {
  readonly measurement: string;
  /** Fields written as tags; default `sensor_id` when the record has it. */
  readonly tags?: readonly string[];
  /** Fields written as fields; default every other one. */
  readonly fields?: readonly string[];
  /** The field holding unix seconds; default `ts` when it is a number. */
  readonly time?: string;
}

/**
 * The line protocol writer for events of `type`, compiled once: keys are escaped here, not per point.
 *
 * @example
 * pointFormat(SensorEvent, { measurement: "lux" }).line({ sensor_id: "lux-1", ts: 1484535480.613611, val: 371.6 }, Date.now());
 * // "lux,sensor_id=lux-1 ts=1484535480.613611,val=371.6 1484535480613611"
 */
export function pointFormat(type: FlowType, options: PointOptions): PointFormat {
  const measurement = escapeMeasurement(options.measurement);
  if (type.kind !== "record") {
    const encode = fieldEncoder(type);
    return {
      line: (event, nowMs) => {
        const value = encode(event);
        return value === undefined
          ? { problem: "not a finite number" }
          : `${measurement} value=${value} ${nowMs * 1000}`;
      },
    };
  }
  const has = (name: string) => type.fields.some((field) => field.name === name);
  const tagNames = options.tags ?? (has("sensor_id") ? ["sensor_id"] : []);
  const timeName =
    options.time ??
    type.fields.find((field) => field.name === "ts" && field.type.kind === "scalar" && field.type.name !== "string")
      ?.name;
  const fieldNameList =
    options.fields ?? type.fields.map((field) => field.name).filter((name) => !tagNames.includes(name));
  const tags = tagNames.map((name) => ({ name, prefix: `,${escapeKey(name)}=` }));
  const fields = fieldNameList.map((name) => ({
    name,
    key: escapeKey(name),
    encode: fieldEncoder(type.fields.find((field) => field.name === name)!.type),
  }));
  return {
    line: (event, nowMs) => {
      const record = event as Readonly<Record<string, unknown>>;
      let line = measurement;
      for (const tag of tags) {
        const value = record[tag.name];
        // InfluxDB has no empty tag values: an empty one is left out.
        if (value !== undefined && value !== null && value !== "") line += tag.prefix + escapeKey(String(value));
      }
      let separator = " ";
      for (const field of fields) {
        const value = field.encode(record[field.name]);
        if (value === undefined) continue;
        line += `${separator}${field.key}=${value}`;
        separator = ",";
      }
      if (separator === " ") return { problem: "no field has a value InfluxDB can store (NaN, infinite or missing)" };
      const seconds = timeName === undefined ? undefined : record[timeName];
      const micros =
        typeof seconds === "number" && Number.isFinite(seconds) ? Math.round(seconds * 1e6) : Math.round(nowMs * 1000);
      return `${line} ${micros}`;
    },
  };
}

export interface InfluxTarget {
  readonly url: string;
  /** 1.x */
  readonly database?: string;
  readonly username?: string;
  readonly password?: string;
  /** 2.x and 3.x */
  readonly bucket?: string;
  readonly org?: string;
  readonly token?: string;
}

/** The write endpoint and its headers. */
function endpoint(target: InfluxTarget): { url: URL; headers: Record<string, string> } {
  const base = target.url.replace(/\/+$/, "");
  const url = target.bucket !== undefined ? new URL(`${base}/api/v2/write`) : new URL(`${base}/write`);
  if (target.bucket !== undefined) {
    url.searchParams.set("bucket", target.bucket);
    if (target.org !== undefined) url.searchParams.set("org", target.org);
    url.searchParams.set("precision", "us");
  } else {
    url.searchParams.set("db", target.database ?? "");
    url.searchParams.set("precision", "u");
  }
  const headers: Record<string, string> = { "content-type": "text/plain; charset=utf-8" };
  if (target.token !== undefined) headers.authorization = `Token ${target.token}`;
  else if (target.username !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${target.username}:${target.password ?? ""}`).toString("base64")}`;
  return { url, headers };
}

interface Response {
  readonly status: number;
  readonly body: string;
}

const requestTimeoutMs = 10_000;

class InfluxStore implements RowStore<string> {
  readonly name: string;
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(target: InfluxTarget) {
    ({ url: this.url, headers: this.headers } = endpoint(target));
    const secure = this.url.protocol === "https:";
    this.agent = secure
      ? new HttpsAgent({ keepAlive: true, maxSockets: 1 })
      : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    this.request = secure ? httpsRequest : httpRequest;
    const where = target.bucket !== undefined ? `bucket "${target.bucket}"` : `database "${target.database}"`;
    this.name = `influx ${where} at ${this.url.host}`;
  }

  /** An empty write: checks that the server is there, the credentials and the database. */
  async probe(): Promise<void> {
    const response = await this.post("");
    // Some versions answer an empty body with 400 "no data": the rest was accepted.
    if (response.status >= 300 && !(response.status === 400 && /no data|empty/i.test(response.body)))
      throw this.failure(response, 0);
  }

  async write(lines: readonly string[]): Promise<readonly RejectedRow<string>[]> {
    const rejected: RejectedRow<string>[] = [];
    await this.writeFinding(lines, rejected);
    return rejected;
  }

  /** Writes `lines`; when the server refuses some, halves the batch until those are found (rewriting a point replaces it). */
  private async writeFinding(lines: readonly string[], rejected: RejectedRow<string>[]): Promise<void> {
    const response = await this.post(lines.join("\n"));
    if (response.status < 300) return;
    if (response.status !== 400) throw this.failure(response, lines.length);
    const reason = errorText(response.body);
    if (lines.length === 1) {
      rejected.push({ row: lines[0]!, reason });
      return;
    }
    const half = Math.ceil(lines.length / 2);
    await this.writeFinding(lines.slice(0, half), rejected);
    await this.writeFinding(lines.slice(half), rejected);
  }

  private failure(response: Response, points: number): RowStoreError {
    const reason = errorText(response.body) || `HTTP ${response.status}`;
    switch (response.status) {
      case 401:
      case 403:
        return new RowStoreError(
          `${this.name} refused the credentials (${reason}); check \`username\`/\`password\` or \`token\``,
          false,
        );
      case 404:
        return new RowStoreError(
          `${this.name}: ${reason}; create it first (influx -execute 'CREATE DATABASE ...', or the bucket in InfluxDB 2.x)`,
          false,
        );
      case 413:
        return new RowStoreError(`${this.name} refused ${points} points as too large; lower \`batch\``, false);
      default:
        // 429, 5xx: the server is overloaded or starting; it will take them later.
        return new RowStoreError(`${this.name} answered ${response.status} (${reason})`, response.status >= 429);
    }
  }

  private post(body: string): Promise<Response> {
    return new Promise((resolve, reject) => {
      const request = this.request(
        this.url,
        { method: "POST", agent: this.agent, headers: this.headers, timeout: requestTimeoutMs },
        (response: IncomingMessage) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
          response.on("error", (error) => reject(this.unreachable(error)));
        },
      );
      request.on("timeout", () => request.destroy(new Error(`no answer within ${requestTimeoutMs / 1000}s`)));
      request.on("error", (error) => reject(this.unreachable(error)));
      request.end(body);
    });
  }

  private unreachable(error: Error & { code?: string }): RowStoreError {
    const reason = error.code === "ECONNREFUSED" ? "connection refused" : error.message;
    return new RowStoreError(`cannot reach ${this.name} (${reason})`, true, { cause: error });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

/** InfluxDB's error message from a JSON body (`{"error": "..."}` in 1.x, `{"message": "..."}` in 2.x). */
function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
    const text = parsed.error ?? parsed.message;
    if (typeof text === "string") return text;
  } catch {
    // Not JSON: the body itself.
  }
  return body.trim().slice(0, 300);
}

function influxSink(node: IRNode, ctx: RuntimeContext): Sink {
  const { params } = ctx;
  const type = node.input ?? { kind: "any" };
  const list = (name: string) => {
    const value = params.optionalString(name);
    return value === undefined ? undefined : fieldNames(value);
  };
  const tags = list("tags");
  const fields = list("fields");
  const time = params.get("time");
  const format = pointFormat(type, {
    measurement: params.optionalString("measurement") ?? (type.kind === "record" ? (type.name ?? "events") : "value"),
    ...(tags ? { tags } : {}),
    ...(fields ? { fields } : {}),
    ...(time?.kind === "field" ? { time: time.name } : {}),
  });
  const optional = (name: string) => {
    const value = params.optionalString(name);
    return value === undefined ? {} : { [name]: value };
  };
  const store = new InfluxStore({
    url: params.string("url"),
    ...optional("database"),
    ...optional("username"),
    ...optional("password"),
    ...optional("bucket"),
    ...optional("org"),
    ...optional("token"),
  });
  const refused = new ProblemReporter({
    log: ctx.log,
    clock: ctx.clock,
    noun: ["a point the database refused", "points the database refused"],
    onProblem: () => ctx.stats.dropped++,
  });
  const writer = new RowWriter<string>({
    store,
    name: store.name,
    log: ctx.log,
    pressure: ctx.pressure,
    clock: ctx.clock,
    batchRows: params.number("batch"),
    lingerMs: params.durationMs("linger"),
    onRejected: ({ row, reason }) => refused.report(row, reason),
    onDropped: (rows) => (ctx.stats.dropped += rows),
    onFatal: (error) => ctx.fail(error),
  });
  writer.probe(() => store.probe());
  return {
    next: (event) => {
      const line = format.line(event, ctx.clock.now());
      if (typeof line === "string") writer.add(line);
      else ctx.badInput.report(event, line.problem);
    },
    completed() {},
    error() {},
    close: () => writer.close().finally(() => refused.flush()),
  };
}

export const nodeImplementations: NodeImplementation[] = [{ key: componentKey("sink", "influx"), sink: influxSink }];
