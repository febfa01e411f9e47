/**
 * Typing expressions: resolves names against the event in scope, bindings and `let` constants,
 * checks operators and calls, and produces {@link TypedExpression}s.
 */
import type * as A from "./ast.js";
import { diagnostic, DiagnosticCodes, didYouMean, type Diagnostic, type DiagnosticCode } from "./diagnostics.js";
import type { Span } from "./source.js";
import { EventName, stdlib } from "./stdlib.js";
import {
  AnyType,
  BoolType,
  DurationType,
  ErrorType,
  fieldOf,
  formatType,
  IntType,
  isAssignable,
  isNumeric,
  NumberType,
  StringType,
  type FlowType,
  type RecordType,
} from "./types.js";
import type { TypedExpression } from "./typed.js";

/** What names mean where an expression is written. */
export interface ExpressionScope {
  /** The event flowing through the stage, when the expression is evaluated per event. */
  readonly event?: FlowType;
  readonly bindings?: ReadonlyMap<string, FlowType>;
  readonly constants: ReadonlyMap<string, TypedExpression>;
  /** Names of streams, so that using one as a value gets a helpful message. */
  readonly streams: ReadonlySet<string>;
  readonly schemas: ReadonlyMap<string, RecordType>;
}

const errorExpression: TypedExpression = { kind: "literal", value: 0, type: ErrorType };

/**
 * Types one expression, reporting problems to `report`.
 *
 * @example
 * const typed = typeExpression(ast, { event: SensorEvent, constants, streams, schemas }, diagnostics);
 * typed.type; // BoolType for `val > 500`
 */
export function typeExpression(
  expression: A.Expression,
  scope: ExpressionScope,
  diagnostics: Diagnostic[],
): TypedExpression {
  const report = (code: DiagnosticCode, span: Span, message: string, hint?: string) => {
    diagnostics.push(diagnostic(code, span, message, hint));
    return errorExpression;
  };

  const visit = (expr: A.Expression): TypedExpression => {
    switch (expr.kind) {
      case "number":
        return { kind: "literal", value: expr.value, type: expr.isInteger ? IntType : NumberType };
      case "string":
        return { kind: "literal", value: expr.value, type: StringType };
      case "boolean":
        return { kind: "literal", value: expr.value, type: BoolType };
      case "duration":
        return { kind: "literal", value: expr.milliseconds, type: DurationType };
      case "name":
        return resolveName(expr);
      case "field": {
        const object = visit(expr.object);
        return accessField(object, expr.field.name, expr.field.span);
      }
      case "unary": {
        const operand = visit(expr.operand);
        if (operand.type.kind === "error") return errorExpression;
        if (expr.operator === "not") {
          if (!isAssignable(operand.type, BoolType)) {
            return report(
              DiagnosticCodes.TypeMismatch,
              expr.operand.span,
              `\`not\` needs a bool, but this is ${formatType(operand.type)}`,
            );
          }
          return { kind: "unary", operator: "not", operand, type: BoolType };
        }
        if (!isNumeric(operand.type) && operand.type.kind !== "any") {
          return report(
            DiagnosticCodes.TypeMismatch,
            expr.operand.span,
            `\`-\` needs a number, but this is ${formatType(operand.type)}`,
          );
        }
        return { kind: "unary", operator: "-", operand, type: operand.type.kind === "any" ? NumberType : operand.type };
      }
      case "binary":
        return binary(expr);
      case "call":
        return call(expr);
      case "record":
        return record(expr);
    }
  };

  const accessField = (object: TypedExpression, name: string, span: Span): TypedExpression => {
    if (object.type.kind === "error") return errorExpression;
    if (object.type.kind === "any") return { kind: "field", object, name, index: -1, type: AnyType };
    if (object.type.kind !== "record") {
      return report(
        DiagnosticCodes.UnknownField,
        span,
        `${formatType(object.type)} has no field \`${name}\``,
        "only records have fields",
      );
    }
    const index = object.type.fields.findIndex((field) => field.name === name);
    if (index < 0) {
      const fields = object.type.fields.map((field) => field.name);
      return report(
        DiagnosticCodes.UnknownField,
        span,
        `${formatType(object.type)} has no field \`${name}\``,
        didYouMean(name, fields) ?? `its fields are ${fields.map((f) => `\`${f}\``).join(", ")}`,
      );
    }
    return { kind: "field", object, name, index, type: object.type.fields[index]!.type };
  };

  const resolveName = (expr: A.NameExpression): TypedExpression => {
    const event = scope.event;
    if (event && expr.name === EventName) return { kind: "event", type: event };
    const binding = scope.bindings?.get(expr.name);
    if (binding) return { kind: "binding", name: expr.name, type: binding };
    if (event && (event.kind === "record" ? fieldOf(event, expr.name) : event.kind === "any")) {
      return accessField({ kind: "event", type: event }, expr.name, expr.span);
    }
    const constant = scope.constants.get(expr.name);
    if (constant) return constant;
    if (event?.kind === "error") return errorExpression;
    if (scope.streams.has(expr.name)) {
      return report(
        DiagnosticCodes.NotAStream,
        expr.span,
        `\`${expr.name}\` is a stream, not a value`,
        `read its latest event with \`sample ${expr.name}\`, or combine streams with \`merge\``,
      );
    }
    const candidates = [
      ...(event?.kind === "record" ? event.fields.map((field) => field.name) : []),
      ...(event ? [EventName] : []),
      ...(scope.bindings?.keys() ?? []),
      ...scope.constants.keys(),
    ];
    let hint = didYouMean(expr.name, candidates);
    if (!hint && event && event.kind === "scalar" && event.name === "string") {
      hint = "events here are raw `string` payloads: parse them first, as in `json as SensorEvent`";
    } else if (!hint && event?.kind === "record") {
      hint = `the event's fields are ${event.fields.map((f) => `\`${f.name}\``).join(", ")}; \`it\` is the whole event`;
    } else if (!hint && !event) {
      hint = "only `let` constants can be used here";
    }
    return report(DiagnosticCodes.UnknownName, expr.span, `unknown name \`${expr.name}\``, hint);
  };

  const binary = (expr: A.BinaryExpression): TypedExpression => {
    const left = visit(expr.left);
    const right = visit(expr.right);
    if (left.type.kind === "error" || right.type.kind === "error") return errorExpression;
    const op = expr.operator;
    const bothNumeric =
      (isNumeric(left.type) || left.type.kind === "any") && (isNumeric(right.type) || right.type.kind === "any");
    const mismatch = (expected: string) =>
      report(
        DiagnosticCodes.TypeMismatch,
        expr.span,
        `\`${op}\` needs ${expected}, but got ${formatType(left.type)} and ${formatType(right.type)}`,
        left.type.kind === "scalar" && left.type.name === "string" && isNumeric(right.type)
          ? "convert with `str(...)` or `float(...)` first"
          : undefined,
      );
    const make = (type: FlowType): TypedExpression => ({ kind: "binary", operator: op, left, right, type });
    switch (op) {
      case "+":
        if (
          isAssignable(left.type, StringType) &&
          isAssignable(right.type, StringType) &&
          (left.type.kind === "scalar" || right.type.kind === "scalar")
        ) {
          if (!(isNumeric(left.type) || isNumeric(right.type))) return make(StringType);
        }
        if (!bothNumeric) return mismatch("two numbers (or two strings)");
        return make(left.type === IntType && right.type === IntType ? IntType : NumberType);
      case "-":
      case "*":
      case "%":
        if (!bothNumeric) return mismatch("two numbers");
        if (op === "%" && evaluateConstant(right) === 0) return divisionByZero(expr);
        return make(left.type === IntType && right.type === IntType ? IntType : NumberType);
      case "/":
        if (!bothNumeric) return mismatch("two numbers");
        if (evaluateConstant(right) === 0) return divisionByZero(expr);
        return make(NumberType);
      case "<":
      case "<=":
      case ">":
      case ">=":
        if (!bothNumeric && !(isAssignable(left.type, StringType) && isAssignable(right.type, StringType))) {
          return mismatch("two numbers or two strings");
        }
        return make(BoolType);
      case "==":
      case "!=":
        if (!bothNumeric && !isAssignable(left.type, right.type) && !isAssignable(right.type, left.type)) {
          return mismatch("values of the same type");
        }
        return make(BoolType);
      case "and":
      case "or":
        if (!isAssignable(left.type, BoolType) || !isAssignable(right.type, BoolType)) return mismatch("two bools");
        return make(BoolType);
    }
  };

  const divisionByZero = (expr: A.BinaryExpression): TypedExpression =>
    report(
      DiagnosticCodes.InvalidValue,
      expr.right.span,
      `this ${expr.operator === "/" ? "divides" : "takes a remainder"} by zero`,
      "at run time a division by zero drops the event; here it always would",
    );

  const call = (expr: A.CallExpression): TypedExpression => {
    const fn = stdlib.get(expr.callee.name);
    if (!fn) {
      return report(
        DiagnosticCodes.UnknownFunction,
        expr.callee.span,
        `unknown function \`${expr.callee.name}\``,
        didYouMean(expr.callee.name, stdlib.keys()) ?? `the functions are ${[...stdlib.keys()].join(", ")}`,
      );
    }
    if (expr.args.length < fn.minArgs || expr.args.length > fn.maxArgs) {
      const expected = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
      return report(
        DiagnosticCodes.WrongArgumentCount,
        expr.span,
        `\`${fn.name}\` takes ${expected} argument${fn.maxArgs === 1 ? "" : "s"} but got ${expr.args.length}`,
        `usage: ${fn.signature}`,
      );
    }
    if (fn.config) {
      const [keyArg, fallbackArg] = expr.args;
      if (keyArg?.kind !== "string") {
        return report(
          DiagnosticCodes.InvalidValue,
          keyArg?.span ?? expr.span,
          `\`${fn.name}\` needs a string literal name`,
          `as in ${fn.signature}`,
        );
      }
      let fallback: string | number | boolean | undefined;
      let type: FlowType = StringType;
      if (fallbackArg) {
        const typedFallback = visit(fallbackArg);
        if (typedFallback.kind !== "literal") {
          return report(DiagnosticCodes.InvalidValue, fallbackArg.span, "the default must be a literal value");
        }
        fallback = typedFallback.value;
        type = typedFallback.type;
      }
      return {
        kind: "config",
        source: fn.config,
        key: keyArg.value,
        ...(fallback !== undefined ? { fallback } : {}),
        type,
      };
    }
    const args = expr.args.map(visit);
    if (args.some((arg) => arg.type.kind === "error")) return errorExpression;
    const result = fn.resultType(args.map((arg) => arg.type));
    if ("error" in result) {
      const arg = expr.args[result.argument] ?? expr;
      return report(
        DiagnosticCodes.TypeMismatch,
        arg.span,
        `\`${fn.name}\` ${result.error}, but got ${formatType(args[result.argument]?.type ?? ErrorType)}`,
        `usage: ${fn.signature}`,
      );
    }
    return { kind: "call", fn: fn.name, args, type: result };
  };

  const record = (expr: A.RecordLiteral): TypedExpression => {
    const values = new Map<string, TypedExpression>();
    for (const field of expr.fields) {
      if (values.has(field.name.name)) {
        report(DiagnosticCodes.DuplicateDefinition, field.name.span, `field \`${field.name.name}\` is given twice`);
        continue;
      }
      values.set(field.name.name, visit(field.value));
    }
    if (!expr.typeName) {
      const type: RecordType = {
        kind: "record",
        fields: [...values].map(([name, value]) => ({ name, type: value.type })),
      };
      return { kind: "record", fields: [...values.values()], type };
    }
    const schema = scope.schemas.get(expr.typeName.name);
    if (!schema) {
      return report(
        DiagnosticCodes.UnknownType,
        expr.typeName.span,
        `unknown schema \`${expr.typeName.name}\``,
        didYouMean(expr.typeName.name, scope.schemas.keys()) ?? "declare it with `schema Name { field: type }`",
      );
    }
    let failed = false;
    for (const field of expr.fields) {
      if (!fieldOf(schema, field.name.name)) {
        failed = true;
        report(
          DiagnosticCodes.UnknownField,
          field.name.span,
          `${schema.name} has no field \`${field.name.name}\``,
          didYouMean(
            field.name.name,
            schema.fields.map((f) => f.name),
          ),
        );
      }
    }
    const fields = schema.fields.map((field) => {
      const value = values.get(field.name);
      if (!value) {
        failed = true;
        report(
          DiagnosticCodes.MissingParameter,
          expr.span,
          `${schema.name} needs field \`${field.name}\``,
          `add \`${field.name}: ...\``,
        );
        return errorExpression;
      }
      if (!isAssignable(value.type, field.type)) {
        failed = true;
        const span = expr.fields.find((f) => f.name.name === field.name)!.value.span;
        report(
          DiagnosticCodes.TypeMismatch,
          span,
          `field \`${field.name}\` is ${formatType(field.type)}, but this is ${formatType(value.type)}`,
        );
      }
      return value;
    });
    return failed ? errorExpression : { kind: "record", fields, type: schema };
  };

  return visit(expression);
}

/** Evaluates a constant expression (literals and arithmetic on them) at compile time. */
export function evaluateConstant(expr: TypedExpression): number | string | boolean | undefined {
  switch (expr.kind) {
    case "literal":
      return expr.value;
    case "unary": {
      const value = evaluateConstant(expr.operand);
      if (expr.operator === "-" && typeof value === "number") return -value;
      if (expr.operator === "not" && typeof value === "boolean") return !value;
      return undefined;
    }
    case "binary": {
      const left = evaluateConstant(expr.left);
      const right = evaluateConstant(expr.right);
      if (left === undefined || right === undefined) return undefined;
      return constantOperators[expr.operator]?.(left, right);
    }
    default:
      return undefined;
  }
}

type Constant = number | string | boolean;
const constantOperators: Record<string, (a: Constant, b: Constant) => Constant | undefined> = {
  "+": (a, b) =>
    typeof a === "number" && typeof b === "number"
      ? a + b
      : typeof a === "string" && typeof b === "string"
        ? a + b
        : undefined,
  "-": (a, b) => (typeof a === "number" && typeof b === "number" ? a - b : undefined),
  "*": (a, b) => (typeof a === "number" && typeof b === "number" ? a * b : undefined),
  "/": (a, b) => (typeof a === "number" && typeof b === "number" && b !== 0 ? a / b : undefined),
  // Python's `%`, as both targets compute it: the result has the divisor's sign.
  "%": (a, b) => {
    if (typeof a !== "number" || typeof b !== "number" || b === 0) return undefined;
    const remainder = a % b;
    return remainder !== 0 && remainder < 0 !== b < 0 ? remainder + b : remainder;
  },
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  and: (a, b) => (typeof a === "boolean" && typeof b === "boolean" ? a && b : undefined),
  or: (a, b) => (typeof a === "boolean" && typeof b === "boolean" ? a || b : undefined),
};
