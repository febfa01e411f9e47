/**
 * Stage 4 output: expressions after checking. Names are resolved (fields to their index, `let`
 * constants folded to literals, `secret`/`env` to config references) and every node has a type, so
 * the targets only translate, never infer.
 */
import type { BinaryOperator, UnaryOperator } from "./ast.js";
import { stdlib } from "./stdlib.js";
import type { FlowType, RecordType } from "./types.js";

export type TypedExpression =
  | { readonly kind: "literal"; readonly value: number | string | boolean; readonly type: FlowType }
  /** The current event (`it`). */
  | { readonly kind: "event"; readonly type: FlowType }
  /** `object.name`; `index` is the field's position in a record type, -1 for `json` values. */
  | {
      readonly kind: "field";
      readonly object: TypedExpression;
      readonly name: string;
      readonly index: number;
      readonly type: FlowType;
    }
  /** A binding introduced by the component itself, such as `scan`'s accumulator. */
  | { readonly kind: "binding"; readonly name: string; readonly type: FlowType }
  /** A value kept out of source, read at run time (node) or from `config.py` (device). */
  | {
      readonly kind: "config";
      readonly source: "secret" | "env";
      readonly key: string;
      readonly fallback?: string | number | boolean;
      readonly type: FlowType;
    }
  | {
      readonly kind: "binary";
      readonly operator: BinaryOperator;
      readonly left: TypedExpression;
      readonly right: TypedExpression;
      readonly type: FlowType;
    }
  | {
      readonly kind: "unary";
      readonly operator: UnaryOperator;
      readonly operand: TypedExpression;
      readonly type: FlowType;
    }
  /** A standard-library call; `fn` names an entry of {@link ./stdlib.ts}. */
  | { readonly kind: "call"; readonly fn: string; readonly args: readonly TypedExpression[]; readonly type: FlowType }
  /** A record literal; `fields` follow the order of `type.fields`. */
  | { readonly kind: "record"; readonly fields: readonly TypedExpression[]; readonly type: RecordType };

/** True when the expression reads nothing that changes per event or over time. */
export function isConstant(expr: TypedExpression): boolean {
  switch (expr.kind) {
    case "literal":
    case "config":
      return true;
    case "event":
    case "field":
    case "binding":
      return false;
    case "binary":
      return isConstant(expr.left) && isConstant(expr.right);
    case "unary":
      return isConstant(expr.operand);
    case "call":
      return !stdlib.get(expr.fn)?.readsClock && expr.args.every(isConstant);
    case "record":
      return expr.fields.every(isConstant);
  }
}

/** True for `/` and `%` whose divisor is not a non-zero literal: they may divide by zero at run time. */
export function divisionMayFail(expr: Extract<TypedExpression, { kind: "binary" }>): boolean {
  if (expr.operator !== "/" && expr.operator !== "%") return false;
  return !(expr.right.kind === "literal" && typeof expr.right.value === "number" && expr.right.value !== 0);
}

/**
 * True when evaluating the expression may divide by zero, which both targets answer the same way:
 * the event is dropped and counted as a failure of its stage. Iterative: the tree may be deep.
 *
 * @example
 * mayDivideByZero(typed); // true for `10 / val`, false for `val / 10`
 */
export function mayDivideByZero(expr: TypedExpression): boolean {
  const pending: TypedExpression[] = [expr];
  while (pending.length > 0) {
    const node = pending.pop()!;
    switch (node.kind) {
      case "binary":
        if (divisionMayFail(node)) return true;
        pending.push(node.left, node.right);
        break;
      case "unary":
        pending.push(node.operand);
        break;
      case "field":
        pending.push(node.object);
        break;
      case "call":
      case "record":
        pending.push(...(node.kind === "call" ? node.args : node.fields));
        break;
      default:
        break;
    }
  }
  return false;
}
