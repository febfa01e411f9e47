/**
 * Stage 5 output: the dataflow graph both targets consume. Nodes are sources, operators and sinks
 * with checked parameters and known input and output types; edges point downstream.
 */
import type { ComponentKind, ParamValue, Target } from "./registry.js";
import type { Span } from "./source.js";
import type { FlowType, RecordType } from "./types.js";

export interface IRNode {
  /** Unique within a program: `n0`, `n1`, ... in source order. */
  readonly id: string;
  readonly kind: ComponentKind;
  readonly name: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The event type flowing in (undefined for sources). */
  readonly input?: FlowType;
  /** The event type flowing out (undefined for sinks). */
  readonly output?: FlowType;
  /** Downstream node ids, in the order written. */
  readonly next: readonly string[];
  /** Upstream node ids: one for most nodes, several for `merge`, none for sources. */
  readonly previous: readonly string[];
  /** How the invocation was written, for graphs, stats and logs: `tsl2591 "lux-1" every 5s`. */
  readonly label: string;
  /** The `let` name this node's output is bound to, if any. */
  readonly streamName?: string;
  readonly span: Span;
}

/** Settings from `broker` and `device` statements, checked against their declarations. */
export interface SettingsBlock {
  readonly values: Readonly<Record<string, ParamValue>>;
  readonly nested: Readonly<Record<string, SettingsBlock>>;
  readonly span: Span;
}

/** An MQTT topic a program publishes or subscribes, for cross-file checks and graphs. */
export interface TopicUse {
  readonly topic: string;
  readonly direction: "publish" | "subscribe";
  readonly node: string;
  /**
   * For publishers, the type of the events sent; for subscribers, the type they decode the
   * payload as (the output of a `json as Schema` right after), or undefined when kept as text.
   */
  readonly type?: FlowType;
  readonly span: Span;
}

export interface IRProgram {
  readonly file: string;
  /** The target it was checked for: `--target`, or esp8266 for a file with a `device` block. */
  readonly target?: Target;
  readonly nodes: readonly IRNode[];
  readonly schemas: readonly RecordType[];
  readonly broker?: SettingsBlock;
  readonly device?: SettingsBlock;
  readonly topics: readonly TopicUse[];
}

/** Node lookup by id. */
export function nodeIndex(program: IRProgram): ReadonlyMap<string, IRNode> {
  return new Map(program.nodes.map((node) => [node.id, node]));
}
