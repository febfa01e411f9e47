/**
 * Typed access to a node's checked parameters for component implementations. The checker has
 * validated every value against its declaration, so a wrong kind here is a bug in a declaration
 * or an implementation, reported as such; `secret`/`env` values are resolved on the way.
 */
import { isAbsolute, relative, resolve } from "node:path";
import type { IRNode } from "../compiler/ir.js";
import type { ParamValue } from "../compiler/registry.js";
import type { TypedExpression } from "../compiler/typed.js";
import type { RecordType } from "../compiler/types.js";
import type { ConfigResolver } from "./config.js";

type Kind = ParamValue["kind"];
type ValueOf<K extends Kind> = Extract<ParamValue, { kind: K }>;

/**
 * A path written in a flow, resolved from the flow file's folder `baseDir`: relative to the
 * working directory when it lies below it (messages then show `logs/test.csv`, not a long
 * absolute path), absolute otherwise.
 *
 * @example
 * // run from /home/pi with flows/server.flow saying csv "test.csv"
 * resolveFlowPath("flows", "test.csv"); // "flows/test.csv"
 * resolveFlowPath("/etc/flowc", "test.csv"); // "/etc/flowc/test.csv"
 */
export function resolveFlowPath(baseDir: string, path: string): string {
  const absolute = resolve(baseDir, path);
  const fromHere = relative(process.cwd(), absolute);
  return fromHere === "" || fromHere.startsWith("..") || isAbsolute(fromHere) ? absolute : fromHere;
}

/**
 * @example
 * const params = new NodeParams(node, config);
 * const topic = params.string("topic");
 * const file = params.path("file"); // relative to the .flow file's folder
 * const everyMs = params.durationMs("every");
 * const qos = params.optionalNumber("qos") ?? 0;
 * const condition = params.expression("condition");
 */
export class NodeParams {
  constructor(
    private readonly node: IRNode,
    private readonly config: ConfigResolver,
    /** The folder relative file paths are resolved from: the `.flow` file's. Default: the working directory. */
    private readonly baseDir = ".",
  ) {}

  /** The value as checked, with `secret`/`env` resolved; undefined when absent. */
  get(name: string): ParamValue | undefined {
    const value = this.node.params[name];
    return value === undefined ? undefined : this.config.param(value);
  }

  string(name: string): string {
    return this.required(name, "string").value;
  }

  optionalString(name: string): string | undefined {
    return this.optional(name, "string")?.value;
  }

  /**
   * A file path, resolved from the `.flow` file's folder (as every config format does), so a flow
   * reads and writes the same files whichever directory it is run from.
   *
   * @example
   * // in examples/tutorial/server.flow: csv "test.csv"
   * params.path("file"); // "/…/examples/tutorial/test.csv"
   */
  path(name: string): string {
    return resolveFlowPath(this.baseDir, this.string(name));
  }

  optionalPath(name: string): string | undefined {
    const value = this.optionalString(name);
    return value === undefined ? undefined : resolveFlowPath(this.baseDir, value);
  }

  number(name: string): number {
    return this.required(name, "number").value;
  }

  optionalNumber(name: string): number | undefined {
    return this.optional(name, "number")?.value;
  }

  bool(name: string): boolean {
    return this.required(name, "bool").value;
  }

  optionalBool(name: string): boolean | undefined {
    return this.optional(name, "bool")?.value;
  }

  durationMs(name: string): number {
    return this.required(name, "duration").ms;
  }

  optionalDurationMs(name: string): number | undefined {
    return this.optional(name, "duration")?.ms;
  }

  enumValue<T extends string = string>(name: string): T {
    return this.required(name, "enum").value as T;
  }

  schema(name: string): RecordType {
    return this.required(name, "schema").type;
  }

  optionalSchema(name: string): RecordType | undefined {
    return this.optional(name, "schema")?.type;
  }

  /** An expression parameter (`filter`'s condition, `map`'s expr). */
  expression(name: string): TypedExpression {
    return this.required(name, "expression").expr;
  }

  /** The node ids of a `streams` parameter (`merge`, `sample`), for {@link RuntimeContext.observe}. */
  streams(name: string): readonly string[] {
    return this.required(name, "streams").ids;
  }

  /** A value of any kind, checked to be one of `kinds`. */
  required<K extends Kind>(name: string, kind: K): ValueOf<K> {
    const value = this.optional(name, kind);
    if (value === undefined)
      throw new Error(
        `${this.describe()} has no \`${name}\` parameter; its declaration should make it required or give it a default`,
      );
    return value;
  }

  optional<K extends Kind>(name: string, kind: K): ValueOf<K> | undefined {
    const value = this.get(name);
    if (value === undefined) return undefined;
    if (value.kind !== kind)
      throw new Error(
        `${this.describe()}: parameter \`${name}\` is a ${value.kind}, but the implementation expects a ${kind}`,
      );
    return value as ValueOf<K>;
  }

  private describe(): string {
    return `${this.node.id} ${this.node.label}`;
  }
}
