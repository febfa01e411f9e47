/**
 * The component registry: sources, operators and sinks are declared as data, one folder each under
 * `components/`. The checker validates every invocation against its declaration; the runtime and
 * the emitters look implementations up by the same key. Nothing in the compiler switches on a
 * component's name.
 */
import type { Span } from "./source.js";
import type { FlowType, RecordType } from "./types.js";
import type { DiagnosticCode } from "./diagnostics.js";
import type { TypedExpression } from "./typed.js";

export type Target = "node" | "esp8266";
export const allTargets: readonly Target[] = ["node", "esp8266"];

export type ComponentKind = "source" | "operator" | "sink";

/** What a parameter accepts. Values are checked at compile time. */
export type ParamType =
  | {
      readonly kind: "number";
      readonly min?: number;
      readonly max?: number;
      readonly integer?: boolean;
      /** Values inside the range that are still refused, and why (GPIO 6 to 11 drive the flash). */
      readonly excluded?: { readonly values: readonly number[]; readonly reason: string };
    }
  | { readonly kind: "string" }
  | { readonly kind: "bool" }
  | { readonly kind: "duration"; readonly minMs?: number }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  /** `10` events or `5s` of time, as in `avg over 10` / `avg over 5s`. */
  | { readonly kind: "count-or-duration" }
  /** A schema name: `json as SensorEvent`. */
  | { readonly kind: "schema" }
  /** A field of the input record: `avg over 10 of val`. `numeric` requires a number field. */
  | { readonly kind: "field"; readonly numeric?: boolean }
  /** An expression evaluated per event, with the input's fields in scope (and `it`). */
  | { readonly kind: "expression"; readonly result?: FlowType }
  /** `name = expression`, evaluated per event; repeatable (`set a = 1, b = 2`). */
  | { readonly kind: "assignment" }
  /** `name = constant`: introduces a binding that later expression parameters can read (`scan`). */
  | { readonly kind: "binding" }
  /** The name of a stream defined with `let`. */
  | { readonly kind: "stream" }
  /** An MQTT topic; `wildcards` allows `+` and `#` (subscriptions only). */
  | { readonly kind: "topic"; readonly wildcards: boolean };

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly doc: string;
  /** Filled by positional arguments, in declaration order. Positional params may also be named. */
  readonly positional?: boolean;
  /** Takes every remaining positional argument (`merge a, b, c`, `set a = 1, b = 2`). */
  readonly variadic?: boolean;
  readonly required?: boolean;
  /** Used when the parameter is not given. */
  readonly default?: ParamValue;
  /**
   * For `field` params: the field used when none is given and the input is a record (`val` for
   * aggregates). With a scalar input the parameter stays absent: the event itself is the value.
   */
  readonly defaultField?: string;
  /**
   * With {@link defaultField}: the default applies only when the input record has that field (of
   * the declared kind); otherwise the parameter stays absent instead of being an error. Aggregates
   * key by `sensor_id` this way, where there is one.
   */
  readonly defaultFieldIfPresent?: boolean;
  /** Written as a bare word meaning `true` (`retain`). Only for bool params. */
  readonly flag?: boolean;
  /** Targets on which the parameter may be given, when fewer than the component's (E501 elsewhere). */
  readonly targets?: readonly Target[];
  /** Why the parameter is unsupported on a target, used as the hint of E501. */
  readonly unsupportedHint?: Partial<Record<Target, string>>;
}

/** A checked parameter value, as the runtime and emitters receive it. */
export type ParamValue =
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "duration"; readonly ms: number }
  | { readonly kind: "enum"; readonly value: string }
  | { readonly kind: "count"; readonly value: number }
  | { readonly kind: "schema"; readonly type: RecordType }
  | { readonly kind: "field"; readonly name: string; readonly index: number; readonly type: FlowType }
  | { readonly kind: "expression"; readonly expr: TypedExpression }
  | {
      readonly kind: "assignments";
      readonly items: readonly { readonly field: string; readonly expr: TypedExpression }[];
    }
  | { readonly kind: "binding"; readonly name: string; readonly init: TypedExpression }
  | { readonly kind: "streams"; readonly ids: readonly string[] }
  /** A value kept out of source: resolved by the CLI (node) or written to config.py (device). */
  | { readonly kind: "secret"; readonly key: string }
  | { readonly kind: "env"; readonly name: string; readonly fallback?: string | number | boolean };

/** Everything a declaration's hooks may look at and report. */
export interface ComponentContext {
  /** The event type flowing in; for sources, undefined. */
  readonly input?: FlowType | undefined;
  readonly params: ReadonlyMap<string, ParamValue>;
  /** Where the invocation (or one of its parameters) was written. */
  span(param?: string): Span;
  report(code: DiagnosticCode, span: Span, message: string, hint?: string): void;
  /** The event type of a `let` stream named by a `stream` parameter. */
  streamType(name: string): FlowType;
}

/**
 * A source, operator or sink, declared as data.
 *
 * @example
 * export const takeDeclaration: ComponentDeclaration = {
 *   kind: "operator", name: "take", summary: "Passes the first n events, then completes.",
 *   params: [{ name: "count", type: { kind: "number", integer: true, min: 0 }, positional: true, required: true, doc: "how many" }],
 *   targets: ["node", "esp8266"],
 *   output: (ctx) => ctx.input!,
 *   example: "sim every 1s -> take 10 -> print",
 * };
 */
export interface ComponentDeclaration {
  readonly kind: ComponentKind;
  readonly name: string;
  /** One sentence, shown in hovers, completions and `docs/`. */
  readonly summary: string;
  readonly params: readonly ParamSpec[];
  readonly targets: readonly Target[];
  /** Why a target is unsupported, used as the hint of E501. */
  readonly unsupportedHint?: Partial<Record<Target, string>>;
  /**
   * Validates the input type; returns a message when the component cannot take it
   * (for example `json` needs `string` payloads). Omitted: any input.
   */
  readonly accepts?: (input: FlowType, ctx: ComponentContext) => string | undefined;
  /** The type of events it emits (sources and operators). */
  readonly output?: (ctx: ComponentContext) => FlowType;
  /** Checks beyond parameter types (value ranges that depend on each other, and so on). */
  readonly check?: (ctx: ComponentContext) => void;
  /**
   * The file (or other resource) a sink writes, and the shape of what it writes there (a CSV
   * header): two invocations in one program writing one resource in different shapes are E411.
   */
  readonly writes?: (ctx: ComponentContext) => { readonly resource: string; readonly shape: string } | undefined;
  /** True for sources that sample a sensor: they take `every` and emit on the device's scheduler. */
  readonly periodic?: boolean;
  /** A short example, checked by the tests and shown in docs and hovers. */
  readonly example: string;
}

/** The key implementations are looked up by: `source:mqtt`, `operator:filter`, `sink:csv`. */
export function componentKey(kind: ComponentKind, name: string): string {
  return `${kind}:${name}`;
}

/**
 * A lookup of declarations by kind and name.
 *
 * @example
 * const registry = new Registry(allDeclarations);
 * registry.get("source", "tsl2591")?.summary;
 */
export class Registry {
  private readonly byKey = new Map<string, ComponentDeclaration>();

  constructor(declarations: Iterable<ComponentDeclaration>) {
    for (const declaration of declarations) {
      const key = componentKey(declaration.kind, declaration.name);
      if (this.byKey.has(key)) throw new Error(`component ${key} is declared twice`);
      this.byKey.set(key, declaration);
    }
  }

  get(kind: ComponentKind, name: string): ComponentDeclaration | undefined {
    return this.byKey.get(componentKey(kind, name));
  }

  /** Every declaration of a kind, in registration order. */
  all(kind?: ComponentKind): ComponentDeclaration[] {
    return [...this.byKey.values()].filter((d) => kind === undefined || d.kind === kind);
  }

  names(kind?: ComponentKind): string[] {
    return [...new Set(this.all(kind).map((d) => d.name))];
  }
}
