/**
 * The binder: the one place that decides what the items written after a stage's or setting's
 * name are (positional arguments, options with their values, flags), from the declaration's
 * parameters, then binds them: positional order, option names, defaults, required parameters and
 * value checks per {@link ParamType}. Shared by components and settings, so every parameter in
 * the language is read and checked the same way; completion asks it what may come next.
 */
import type * as A from "./ast.js";
import {
  closest,
  diagnostic,
  DiagnosticCodes,
  didYouMean,
  type Diagnostic,
  type DiagnosticCode,
} from "./diagnostics.js";
import { evaluateConstant, typeExpression, type ExpressionScope } from "./expressions.js";
import type { ParamSpec, ParamValue } from "./registry.js";
import type { Span } from "./source.js";
import { unknownUnit } from "./layout.js";
import { EventName } from "./stdlib.js";
import { BoolType, DurationType, fieldOf, formatType, isAssignable, isNumeric, type FlowType } from "./types.js";
import type { TypedExpression } from "./typed.js";

export interface BoundParams {
  readonly values: Map<string, ParamValue>;
  /** Where each given parameter was written. */
  readonly spans: Map<string, Span>;
  /** `let` streams named by `stream` parameters. */
  readonly streams: string[];
}

export interface BindContext {
  /** What the invocation is called in messages: `tsl2591`, `broker`. */
  readonly what: string;
  /** An example of correct use for hints. */
  readonly example: string;
  readonly scope: ExpressionScope;
  readonly diagnostics: Diagnostic[];
}

type Given = { readonly spec: ParamSpec; readonly span: Span } & (
  { readonly kind: "argument"; readonly argument: A.Argument } | { readonly kind: "option"; readonly option: A.Option }
);

const noBindings: ReadonlyMap<string, FlowType> = new Map();

interface ParamLookup {
  readonly positional: readonly ParamSpec[];
  /** The first parameter of each name, as a search in declaration order finds it. */
  readonly byName: ReadonlyMap<string, ParamSpec>;
}

/**
 * Declarations are static, so the lookups over a parameter list are built once per list rather
 * than searched per invocation and option: for a large file that search was a tenth of checking.
 */
const lookups = new WeakMap<readonly ParamSpec[], ParamLookup>();

function lookupOf(specs: readonly ParamSpec[]): ParamLookup {
  let lookup = lookups.get(specs);
  if (!lookup) {
    const byName = new Map<string, ParamSpec>();
    for (const spec of specs) if (!byName.has(spec.name)) byName.set(spec.name, spec);
    lookup = { positional: specs.filter((spec) => spec.positional), byName };
    lookups.set(specs, lookup);
  }
  return lookup;
}

/** What a stage's items are, read against its parameters. */
export interface ReadItems {
  readonly args: readonly A.Argument[];
  readonly options: readonly A.Option[];
}

/**
 * Reads an invocation's items as positional arguments, options and flags, by its parameters:
 *
 * - an item after a comma, a value other than a bare word, or `name = value` is positional;
 * - a word naming a parameter is that option, and takes the next item as its value, unless that
 *   is missing or names another parameter: then a `bool` parameter is a flag meaning `true`
 *   (`mqtt "x" retain qos 1`, `csv "f" header rotate daily`), and any other is read as a value
 *   where a positional argument is still open (`let host = "h"` then `broker host port 1883`);
 * - a word naming no parameter followed by a value is an (unknown) option with that value
 *   (`evry 5s`); alone, it is the positional argument where one is open and needed, or the word
 *   names a constant (`map val`, `csv out rotate daily`), and otherwise an (unknown) flag.
 *
 * A parameter that needs a value, followed by another parameter's name that cannot stand as an
 * option (it needs a value and none follows), takes that name as its value: `avg over 10 of over`
 * (a field named `over`) and `dedupe by state within 10` read as written. Where a constant is named
 * like the option that follows, `report` hears of it (W205): the line still reads the same as with
 * any other name. The reading depends only on the declaration and which names are constants,
 * never on spacing or line breaks, so formatting cannot change it.
 *
 * @example
 * readItems(invocation.items, declaration.params).options.map((o) => o.name.name); // ["every"]
 */
export function readItems(
  items: readonly A.Item[],
  specs: readonly ParamSpec[],
  isConstant: (name: string) => boolean = () => false,
  report?: (code: DiagnosticCode, span: Span, message: string, hint?: string) => void,
): ReadItems {
  const { positional, byName } = lookupOf(specs);
  const args: A.Argument[] = [];
  const options: A.Option[] = [];
  const openSlot = (): ParamSpec | undefined => {
    const last = positional[positional.length - 1];
    return args.length < positional.length ? positional[args.length] : last?.variadic ? last : undefined;
  };
  const namesParameter = (item: A.Item | undefined): item is A.Item & { kind: "word" } =>
    item?.kind === "word" && !item.afterComma && byName.has(item.name.name);
  const nameValue = (word: A.Identifier): A.NameExpression => ({ kind: "name", name: word.name, span: word.span });

  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind === "assignment") {
      args.push({ kind: "assignment", target: item.target, value: item.value, span: item.span });
      continue;
    }
    if (item.kind === "value" || item.afterComma) {
      args.push({ kind: "value", value: valueOf(item), span: item.span });
      continue;
    }
    const word = item.name;
    const spec = byName.get(word.name);
    const next = items[i + 1];
    const valueFollows = next !== undefined && !next.afterComma && next.kind !== "assignment" && !namesParameter(next);
    const withValue = (value: A.Item): A.Option => ({
      name: word,
      value: valueOf(value),
      span: { ...word.span, end: value.span.end },
    });
    if (spec) {
      if (valueFollows) {
        options.push(withValue(next));
        i++;
        continue;
      }
      if (spec.type.kind !== "bool" && namesParameter(next)) {
        // The next word names a parameter too. If it cannot stand as an option (it needs a value
        // and none follows), the only valid reading makes it this option's value.
        const standing = byName.get(next.name.name)!.type.kind === "bool" || valueAfter(items, i + 1, byName);
        if (!standing) {
          options.push(withValue(next));
          i++;
          continue;
        }
        if (isConstant(next.name.name)) {
          report?.(
            DiagnosticCodes.AmbiguousItems,
            { ...word.span, end: next.span.end },
            `the constant \`${next.name.name}\` is named like an option of this stage, so it is read as that option, not as the value of \`${word.name}\``,
            `rename the constant to give it as the value of \`${word.name}\``,
          );
        }
      }
      if (spec.type.kind !== "bool" && openSlot()) {
        args.push({ kind: "value", value: nameValue(word), span: word.span });
        continue;
      }
    } else if (!spec && valueFollows) {
      options.push(withValue(next));
      i++;
      continue;
    } else if (!spec) {
      const slot = openSlot();
      if (slot && (slot.required || isConstant(word.name))) {
        args.push({ kind: "value", value: nameValue(word), span: word.span });
        continue;
      }
    }
    options.push({ name: word, span: word.span });
  }
  return { args, options };
}

/** What may be written at an item of a stage, as the binder reads the items before it. */
export type NextItem =
  /** The value of the option just written (`every |`, `gain |`). */
  | { readonly kind: "value"; readonly spec: ParamSpec }
  /** A positional argument (after a comma: `merge a, |`). */
  | { readonly kind: "positional" }
  /** An option not given yet, or (first after the name) a positional argument. */
  | { readonly kind: "item"; readonly given: ReadonlySet<string>; readonly first: boolean };

/**
 * What may come at `items[index]`, read by the same rules as {@link readItems}: completion asks
 * this rather than walking tokens itself.
 *
 * @example
 * nextItem(invocation.items, 2, tsl2591.params); // after `every 5s gain`: { kind: "value", spec: gain }
 */
export function nextItem(items: readonly A.Item[], index: number, specs: readonly ParamSpec[]): NextItem {
  const at = items[index];
  if (at?.afterComma) return { kind: "positional" };
  // Read with the item at the cursor, so a word there is what the rules make of it.
  const { options } = readItems(items.slice(0, index + 1), specs);
  const valued = at && options.find((option) => option.value?.span.start === at.span.start);
  const spec = valued && lookupOf(specs).byName.get(valued.name.name);
  if (spec && !spec.flag) return { kind: "value", spec };
  const given = options.filter((option) => option !== valued && option.name.span.start !== at?.span.start);
  return { kind: "item", given: new Set(given.map((option) => option.name.name)), first: index === 0 };
}

/** Whether a value (not a parameter's name, not after a comma) follows `items[index]`. */
function valueAfter(items: readonly A.Item[], index: number, byName: ReadonlyMap<string, ParamSpec>): boolean {
  const next = items[index + 1];
  if (!next || next.afterComma || next.kind === "assignment") return false;
  return !(next.kind === "word" && byName.has(next.name.name));
}

/** The expression an item holds: a bare word is a name. */
function valueOf(item: A.Item): A.Expression {
  return item.kind === "word" ? { kind: "name", name: item.name.name, span: item.name.span } : item.value;
}

/**
 * Binds and checks the parameters of one invocation.
 *
 * @example
 * const bound = bindParams(invocation, declaration.params, { what: "tsl2591", example, scope, diagnostics });
 * bound.values.get("every"); // { kind: "duration", ms: 2000 }
 */
export function bindParams(
  invocation: A.Invocation,
  specs: readonly ParamSpec[],
  context: BindContext,
  /** Options written one per line in a settings block (`broker "h" {\n port 1883\n}`). */
  blockOptions: readonly A.Option[] = [],
): BoundParams {
  const { what, diagnostics } = context;
  const report = (code: DiagnosticCode, span: Span, message: string, hint?: string) => {
    diagnostics.push(diagnostic(code, span, message, hint));
  };
  const given = new Map<string, Given[]>();
  const add = (item: Given) => {
    const items = given.get(item.spec.name);
    if (items) items.push(item);
    else given.set(item.spec.name, [item]);
  };

  const { positional, byName } = lookupOf(specs);
  const read = readItems(invocation.items, specs, (name) => context.scope.constants.has(name), report);
  const args = read.args;
  const options = blockOptions.length > 0 ? [...read.options, ...blockOptions] : read.options;
  /** Parameters a misspelt option was meant to be (`evry 5s`): not reported missing as well. */
  const meant = new Set<string>();

  let next = 0;
  for (const argument of args) {
    const spec = positional[next];
    if (!spec) {
      const count = positional.length;
      report(
        DiagnosticCodes.WrongArgumentCount,
        argument.span,
        count === 0
          ? `\`${what}\` takes no positional arguments`
          : `\`${what}\` takes ${count} positional argument${count === 1 ? "" : "s"}, but got more`,
        `as in \`${context.example}\``,
      );
      break;
    }
    add({ spec, span: argument.span, kind: "argument", argument });
    if (!spec.variadic) next++;
  }

  for (const option of options) {
    const spec = byName.get(option.name.name);
    if (!spec) {
      const names = specs.map((candidate) => candidate.name);
      const likely = closest(option.name.name, names);
      if (likely) meant.add(likely);
      report(
        DiagnosticCodes.UnknownOption,
        option.name.span,
        `\`${what}\` has no option \`${option.name.name}\``,
        didYouMean(option.name.name, names) ??
          (names.length
            ? `its options are ${names.map((n) => `\`${n}\``).join(", ")}`
            : `\`${what}\` takes no options`),
      );
      continue;
    }
    if (given.has(spec.name) && !spec.variadic) {
      report(
        DiagnosticCodes.DuplicateOption,
        option.name.span,
        `\`${spec.name}\` is given twice`,
        "remove one of them",
      );
      continue;
    }
    add({ spec, span: option.span, kind: "option", option });
  }

  const values = new Map<string, ParamValue>();
  const spans = new Map<string, Span>();
  const streams: string[] = [];
  const scope = context.scope;
  // One context for every parameter: `bindings` grows as `scan`'s binding is read, so later
  // parameters see it; the scope's own bindings are copied only then, as few invocations bind.
  // Written out field by field rather than spread: scopes come in several shapes, and spreading
  // them takes V8's slow path once per invocation of a large file.
  let bindings: Map<string, FlowType> | undefined;
  const contextOver = (bindings: ReadonlyMap<string, FlowType> | undefined): BindContext => ({
    what,
    example: context.example,
    diagnostics,
    scope: { event: scope.event, bindings, constants: scope.constants, streams: scope.streams, schemas: scope.schemas },
  });
  let contextWithBindings = contextOver(scope.bindings ?? noBindings);
  for (const spec of specs) {
    const items = given.get(spec.name);
    if (!items) {
      const event = context.scope.event;
      if (spec.defaultField && event?.kind === "record") {
        if (spec.defaultFieldIfPresent && !hasFieldFor(event, spec.defaultField, spec.type)) continue;
        const name: A.NameExpression = { kind: "name", name: spec.defaultField, span: invocation.name.span };
        const value = fieldParam(
          name,
          spec.type.kind === "field" && (spec.type.numeric ?? false),
          context,
          (code, span, message, hint) =>
            report(
              code,
              span,
              `${message} (\`${what}\` reads \`${spec.defaultField}\` unless told otherwise)`,
              hint ?? `choose a field with \`${spec.name} <field>\``,
            ),
        );
        if (value) values.set(spec.name, value);
      } else if (spec.default) values.set(spec.name, spec.default);
      else if (spec.required && !meant.has(spec.name)) {
        report(
          DiagnosticCodes.MissingParameter,
          invocation.name.span,
          `\`${what}\` needs ${spec.positional ? "" : "option "}\`${spec.name}\`: ${spec.doc.replace(/\.$/, "")}`,
          `as in \`${context.example}\``,
        );
      }
      continue;
    }
    const first = items[0]!.span;
    spans.set(spec.name, { file: first.file, start: first.start, end: items[items.length - 1]!.span.end });
    const value = convert(items, spec, contextWithBindings, report, streams);
    if (value) {
      values.set(spec.name, value);
      if (value.kind === "binding") {
        if (!bindings) {
          bindings = new Map(scope.bindings ?? []);
          contextWithBindings = contextOver(bindings);
        }
        bindings.set(value.name, value.init.type);
      }
    }
  }
  return { values, spans, streams };
}

function convert(
  items: Given[],
  spec: ParamSpec,
  context: BindContext,
  report: (code: DiagnosticCode, span: Span, message: string, hint?: string) => void,
  streams: string[],
): ParamValue | undefined {
  const { what } = context;
  const label = `\`${spec.name}\` of \`${what}\``;
  const type = spec.type;
  const first = items[0]!;
  const expressionOf = (item: Given): A.Expression | undefined => {
    if (item.kind === "option") return item.option.value;
    if (item.argument.kind === "assignment") {
      if (type.kind !== "assignment" && type.kind !== "binding") {
        report(
          DiagnosticCodes.InvalidValue,
          item.argument.span,
          `${label} takes a value, not an assignment`,
          "compare with `==`; `=` assigns only in `let`, `set` and `scan`",
        );
        return undefined;
      }
    }
    return item.argument.value;
  };

  if (type.kind === "assignment" || type.kind === "binding") {
    const assignments: { field: string; expr: TypedExpression }[] = [];
    for (const item of items) {
      if (item.kind !== "argument" || item.argument.kind !== "assignment") {
        report(
          DiagnosticCodes.InvalidValue,
          item.span,
          `${label} is written \`name = value\``,
          `as in \`${context.example}\``,
        );
        continue;
      }
      const target = item.argument.target;
      if (type.kind === "binding") {
        const init = typeExpression(item.argument.value, { ...context.scope, event: undefined }, context.diagnostics);
        if (evaluateConstant(init) === undefined && init.type.kind !== "error") {
          report(
            DiagnosticCodes.InvalidValue,
            item.argument.value.span,
            `the initial value of \`${target.name}\` must be a constant`,
          );
        }
        return { kind: "binding", name: target.name, init };
      }
      if (assignments.some((a) => a.field === target.name)) {
        report(DiagnosticCodes.DuplicateOption, target.span, `\`${target.name}\` is assigned twice`);
        continue;
      }
      assignments.push({
        field: target.name,
        expr: typeExpression(item.argument.value, context.scope, context.diagnostics),
      });
    }
    return { kind: "assignments", items: assignments };
  }

  if (type.kind === "stream") {
    const ids: string[] = [];
    let failed = false;
    for (const item of items) {
      const expr = expressionOf(item);
      if (!expr) continue;
      if (expr.kind !== "name") {
        report(
          DiagnosticCodes.InvalidValue,
          expr.span,
          `${label} must name a stream defined with \`let\``,
          `as in \`${context.example}\``,
        );
        continue;
      }
      if (!context.scope.streams.has(expr.name)) {
        const isConstant = context.scope.constants.has(expr.name);
        report(
          isConstant ? DiagnosticCodes.NotAStream : DiagnosticCodes.UnknownName,
          expr.span,
          isConstant ? `\`${expr.name}\` is a constant, not a stream` : `unknown stream \`${expr.name}\``,
          didYouMean(expr.name, context.scope.streams) ?? "define it first: `let name = source ...`",
        );
        failed = true;
        continue;
      }
      ids.push(expr.name);
      streams.push(expr.name);
    }
    // A stream that failed to resolve is already reported; leave the parameter out so the
    // component's own checks do not pile on.
    return failed ? undefined : { kind: "streams", ids };
  }

  if (items.length > 1) {
    report(DiagnosticCodes.DuplicateOption, items[1]!.span, `\`${spec.name}\` is given twice`);
  }
  if (first.kind === "option" && !first.option.value) {
    if (type.kind === "bool" && spec.flag !== false) return { kind: "bool", value: true };
    report(
      DiagnosticCodes.MissingParameter,
      first.span,
      `option \`${spec.name}\` needs a value`,
      `as in \`${context.example}\``,
    );
    return undefined;
  }
  const expr = expressionOf(first);
  if (!expr) return undefined;
  const listed = type.kind === "enum" && expr.kind === "duration" && type.values.includes(expr.text);
  if (expr.kind === "duration" && expr.unknownUnit && !listed && type.kind !== "enum") {
    context.diagnostics.push(unknownUnit(expr.span, expr.text));
    return undefined;
  }

  switch (type.kind) {
    case "schema": {
      if (expr.kind !== "name") {
        report(DiagnosticCodes.InvalidValue, expr.span, `${label} must name a schema`, `as in \`${context.example}\``);
        return undefined;
      }
      const schema = context.scope.schemas.get(expr.name);
      if (!schema) {
        report(
          DiagnosticCodes.UnknownType,
          expr.span,
          `unknown schema \`${expr.name}\``,
          didYouMean(expr.name, context.scope.schemas.keys()) ?? "declare it with `schema Name { field: type }`",
        );
        return undefined;
      }
      return { kind: "schema", type: schema };
    }
    case "field": {
      // `by it.state` names the field where a bare `state` would be read as an option.
      const field =
        expr.kind === "field" && expr.object.kind === "name" && expr.object.name === EventName
          ? ({ kind: "name", name: expr.field.name, span: expr.field.span } as const)
          : expr;
      if (field.kind !== "name") {
        report(
          DiagnosticCodes.InvalidValue,
          expr.span,
          `${label} must name a field of the event`,
          `as in \`${context.example}\``,
        );
        return undefined;
      }
      return fieldParam(field, type.numeric ?? false, context, report);
    }
    case "enum": {
      // Listed values are written as the docs show them: `gain high`, `range 8g` (or quoted).
      const name =
        expr.kind === "name" || expr.kind === "string"
          ? expr.kind === "name"
            ? expr.name
            : expr.value
          : expr.kind === "duration"
            ? expr.text
            : expr.kind === "number"
              ? String(expr.value)
              : undefined;
      if (name === undefined || !type.values.includes(name)) {
        report(
          DiagnosticCodes.InvalidValue,
          expr.span,
          `${label} must be one of ${type.values.map((v) => `\`${v}\``).join(", ")}`,
          name === undefined ? undefined : didYouMean(name, type.values),
        );
        return undefined;
      }
      return { kind: "enum", value: name };
    }
    case "expression": {
      const typed = typeExpression(expr, context.scope, context.diagnostics);
      if (type.result && !isAssignable(typed.type, type.result)) {
        report(
          DiagnosticCodes.TypeMismatch,
          expr.span,
          `${label} must be ${formatType(type.result)}, but this is ${formatType(typed.type)}`,
          type.result === BoolType && isNumeric(typed.type) ? "compare it, as in `val > 100`" : undefined,
        );
      }
      return { kind: "expression", expr: typed };
    }
    default:
      return constantParam(expr, spec, context, report);
  }
}

/** True when `record` has a field `name` that a `field` parameter of `type` may name. */
function hasFieldFor(record: FlowType, name: string, type: ParamSpec["type"]): boolean {
  const field = fieldOf(record, name);
  if (!field) return false;
  return !(type.kind === "field" && type.numeric) || isNumeric(field.type) || field.type.kind === "any";
}

function fieldParam(
  expr: A.NameExpression,
  numeric: boolean,
  context: BindContext,
  report: (code: DiagnosticCode, span: Span, message: string, hint?: string) => void,
): ParamValue | undefined {
  const event = context.scope.event;
  if (!event || event.kind === "error") return undefined;
  if (event.kind === "any") return { kind: "field", name: expr.name, index: -1, type: event };
  if (event.kind !== "record") {
    report(
      DiagnosticCodes.WrongInputType,
      expr.span,
      `\`${context.what}\` reads field \`${expr.name}\`, but its events are ${formatType(event)}, which has no fields`,
    );
    return undefined;
  }
  const field = fieldOf(event, expr.name);
  if (!field) {
    const names = event.fields.map((f) => f.name);
    report(
      DiagnosticCodes.UnknownField,
      expr.span,
      `${formatType(event)} has no field \`${expr.name}\``,
      didYouMean(expr.name, names) ?? `its fields are ${names.map((n) => `\`${n}\``).join(", ")}`,
    );
    return undefined;
  }
  if (numeric && !isNumeric(field.type) && field.type.kind !== "any") {
    report(
      DiagnosticCodes.TypeMismatch,
      expr.span,
      `\`${context.what}\` needs a number field, but \`${expr.name}\` is ${formatType(field.type)}`,
    );
    return undefined;
  }
  return { kind: "field", name: expr.name, index: event.fields.indexOf(field), type: field.type };
}

function constantParam(
  expr: A.Expression,
  spec: ParamSpec,
  context: BindContext,
  report: (code: DiagnosticCode, span: Span, message: string, hint?: string) => void,
): ParamValue | undefined {
  const type = spec.type;
  const label = `\`${spec.name}\` of \`${context.what}\``;
  const { constants, streams, schemas } = context.scope;
  const typed = typeExpression(expr, { constants, streams, schemas }, context.diagnostics);
  if (typed.type.kind === "error") return undefined;
  if (typed.kind === "config") {
    if (type.kind === "duration" || type.kind === "count-or-duration") {
      report(
        DiagnosticCodes.InvalidValue,
        expr.span,
        `${label} must be written in the source`,
        "durations cannot come from secrets or the environment",
      );
      return undefined;
    }
    return typed.source === "secret"
      ? { kind: "secret", key: typed.key }
      : { kind: "env", name: typed.key, ...(typed.fallback !== undefined ? { fallback: typed.fallback } : {}) };
  }
  const value = evaluateConstant(typed);
  if (value === undefined) {
    report(
      DiagnosticCodes.InvalidValue,
      expr.span,
      `${label} must be a constant`,
      "use a literal or a `let` constant; per-event values are not allowed here",
    );
    return undefined;
  }
  const mismatch = (expected: string, hint?: string) => {
    report(
      DiagnosticCodes.TypeMismatch,
      expr.span,
      `${label} must be ${expected}, but this is ${formatType(typed.type)}`,
      hint,
    );
    return undefined;
  };
  switch (type.kind) {
    case "number": {
      if (typed.type === DurationType) return mismatch("a number", "durations are for `every`, `over` and the like");
      if (typeof value !== "number") return mismatch("a number");
      if (type.integer && !Number.isInteger(value)) return mismatch("a whole number");
      if ((type.min !== undefined && value < type.min) || (type.max !== undefined && value > type.max)) {
        report(
          DiagnosticCodes.InvalidValue,
          expr.span,
          `${label} must be ${rangeText(type.min, type.max)}, but is ${value}`,
        );
        return undefined;
      }
      if (type.excluded?.values.includes(value)) {
        report(DiagnosticCodes.InvalidValue, expr.span, `${label} cannot be ${value}`, type.excluded.reason);
        return undefined;
      }
      return { kind: "number", value };
    }
    case "string":
      if (typeof value !== "string") return mismatch("a string", `write it in quotes: "${String(value)}"`);
      return { kind: "string", value };
    case "bool":
      if (typeof value !== "boolean") return mismatch("`true` or `false`");
      return { kind: "bool", value };
    case "duration":
    case "count-or-duration": {
      if (typed.type === DurationType && typeof value === "number") {
        if (value <= 0) {
          report(
            DiagnosticCodes.InvalidValue,
            expr.span,
            `${label} must be longer than zero`,
            value < 0
              ? `durations must be positive${expr.kind === "duration" ? `: write \`${expr.text.slice(1)}\`` : ""}`
              : undefined,
          );
          return undefined;
        }
        if (type.kind === "duration" && type.minMs !== undefined && value < type.minMs) {
          report(DiagnosticCodes.InvalidValue, expr.span, `${label} must be at least ${type.minMs}ms`);
          return undefined;
        }
        return { kind: "duration", ms: value };
      }
      if (type.kind === "count-or-duration" && typeof value === "number") {
        if (!Number.isInteger(value) || value < 1) {
          report(
            DiagnosticCodes.InvalidValue,
            expr.span,
            `${label} must be a whole number of events (at least 1) or a duration`,
          );
          return undefined;
        }
        return { kind: "count", value };
      }
      if (typeof value === "number") {
        report(
          DiagnosticCodes.MissingUnit,
          expr.span,
          `${label} needs a duration with a unit`,
          `write \`${value}s\` (units: ms, s, min, h, d)`,
        );
        return undefined;
      }
      return mismatch("a duration such as `5s`");
    }
    case "topic": {
      if (typeof value !== "string") return mismatch("a topic string");
      const problem = topicProblem(value, type.wildcards);
      if (problem) {
        report(
          DiagnosticCodes.InvalidTopic,
          expr.span,
          `invalid MQTT topic ${JSON.stringify(value)}: ${problem.message}`,
          problem.hint,
        );
        return undefined;
      }
      return { kind: "string", value };
    }
    default:
      return undefined;
  }
}

function rangeText(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
  if (min !== undefined) return `at least ${min}`;
  return `at most ${max}`;
}

/** Validates an MQTT topic or topic filter per MQTT 3.1.1 §4.7. */
export function topicProblem(topic: string, wildcards: boolean): { message: string; hint: string } | undefined {
  if (topic.length === 0) return { message: "a topic cannot be empty", hint: 'as in "sensor-data"' };
  if (topic.includes("\0")) return { message: "a topic cannot contain NUL", hint: "remove the \\0" };
  const levels = topic.split("/");
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (!level.includes("+") && !level.includes("#")) continue;
    if (!wildcards) {
      return {
        message: "wildcards `+` and `#` are only for subscribing",
        hint: 'publish to a concrete topic such as "sensors/lux-1"',
      };
    }
    if (level.includes("#") && (level !== "#" || i !== levels.length - 1)) {
      return { message: "`#` must be a whole level and the last one", hint: 'as in "sensors/#"' };
    }
    if (level.includes("+") && level !== "+") {
      return { message: "`+` must be a whole level", hint: 'as in "sensors/+/lux"' };
    }
  }
  return undefined;
}

export type { FlowType };
