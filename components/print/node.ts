/**
 * `print` on the host: one line per event on stdout, as the tutorial's server prints them —
 * records of a named schema the way Python prints a namedtuple,
 * `SensorEvent(sensor_id='lux-1', ts=1484535480.613611, val=371.6063)`; text as is; anything
 * else as JSON. Lines are gathered and written once per event-loop turn, and a slow reader of
 * stdout (a pipe into `less`) slows the flow down instead of filling memory.
 */
import type { FlowType, RecordType } from "../../compiler/types.js";
import { componentKey, type NodeImplementation, type Sink, type TextOutput } from "../../runtime/component.js";
import type { Backpressure } from "../../runtime/pressure.js";
import { formatPythonNumber, pythonStringRepr } from "../../runtime/stdlib-js.js";

/** A value the way Python's `repr` shows it (JSON-decoded values included). */
export function pythonRepr(value: unknown): string {
  switch (typeof value) {
    case "string":
      return pythonStringRepr(value);
    case "number":
      return formatPythonNumber(value);
    case "boolean":
      return value ? "True" : "False";
    case "object":
      if (value === null) return "None";
      if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
      return `{${Object.entries(value)
        .map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`)
        .join(", ")}}`;
    default:
      return "None";
  }
}

function namedTupleRepr(type: RecordType & { name: string }): (value: unknown) => string {
  const names = type.fields.map((field) => field.name);
  const labels = names.map((name, i) => `${i === 0 ? `${type.name}(` : ", "}${name}=`);
  const reprs = type.fields.map((field) =>
    field.type.kind === "record" && field.type.name !== undefined
      ? namedTupleRepr(field.type as RecordType & { name: string })
      : pythonRepr,
  );
  return (value) => {
    const record = value as Record<string, unknown>;
    let text = "";
    for (let i = 0; i < names.length; i++) text += labels[i]! + reprs[i]!(record[names[i]!]);
    return `${text})`;
  };
}

/**
 * How `print` shows events of `type`.
 *
 * @example
 * printFormat(SensorEvent)({ sensor_id: "lux-1", ts: 611, val: 284.1312 });
 * // "SensorEvent(sensor_id='lux-1', ts=611, val=284.1312)"
 */
export function printFormat(type: FlowType | undefined): (value: unknown) => string {
  if (type?.kind === "record" && type.name !== undefined) return namedTupleRepr(type as RecordType & { name: string });
  return (value) => (typeof value === "string" ? value : (JSON.stringify(value) ?? "null"));
}

/**
 * Lines for a text output, written once per event-loop turn, waiting for `drain` when it is full.
 * An output that closes (the reader of a pipe went away, as `flowc run a.flow | head` does) takes
 * nothing more and never drains: lines for it are dropped, so the flow neither waits for it nor
 * stops taking events, and its files are still written.
 */
class BatchedOutput {
  private text = "";
  private scheduled = false;
  private closed: boolean;
  private draining: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  constructor(
    private readonly output: TextOutput,
    private readonly pressure: Backpressure,
  ) {
    this.closed = output.destroyed === true;
    output.once("close", () => {
      this.closed = true;
      this.drained?.();
    });
  }

  add(line: string): void {
    this.text += line;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.text === "") return;
    const text = this.text;
    this.text = "";
    if (this.closed || this.output.write(text) || this.draining) return;
    this.pressure.block(this);
    this.draining = new Promise((resolve) => {
      this.drained = () => {
        this.drained = undefined;
        this.draining = undefined;
        this.pressure.unblock(this);
        resolve();
      };
      this.output.once("drain", () => this.drained?.());
    });
  };

  async close(): Promise<void> {
    this.flush();
    await this.draining;
  }
}

export const nodeImplementations: NodeImplementation[] = [
  {
    key: componentKey("sink", "print"),
    sink(node, ctx): Sink {
      const format = printFormat(node.input);
      const label = ctx.params.optionalString("label");
      const prefix = label === undefined ? "" : `${label}: `;
      const output = new BatchedOutput(ctx.stdout, ctx.pressure);
      return {
        next: (event) => output.add(`${prefix}${format(event)}\n`),
        completed() {},
        error() {},
        close: () => output.close(),
      };
    },
  },
];
