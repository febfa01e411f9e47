/**
 * Where a device expression loses precision the host keeps. MicroPython on the ESP8266 stores a
 * float in 30 bits (a 22-bit mantissa: about 6 significant digits), the host in 64. Integers are
 * exact on both (the board grows them as big as needed), so what matters is where a value becomes
 * a float: a unix timestamp (about 1.7e9) divided, or mixed with a fraction, is rounded to whole
 * minutes; a running float sum stops growing once it is a few million times what it adds.
 * Each finding is a W705 warning at the step, before the bundle is built.
 */
import { diagnostic, DiagnosticCodes, type Diagnostic } from "../../compiler/diagnostics.js";
import type { IRNode, IRProgram } from "../../compiler/ir.js";
import type { ParamValue } from "../../compiler/registry.js";
import { stdlib } from "../../compiler/stdlib.js";
import type { TypedExpression } from "../../compiler/typed.js";

/** Field names that hold unix seconds in the built-in schemas. */
const timestampFields = new Set(["ts"]);

/**
 * W705 for every step whose expressions lose precision on the board.
 *
 * @example
 * floatPrecisionWarnings(program); // [W705 "`map ts / 60` turns a unix timestamp into a float..."]
 */
export function floatPrecisionWarnings(program: IRProgram): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  for (const node of program.nodes) {
    const expressions = Object.values(node.params).flatMap(expressionsOf);
    if (expressions.some(floatsATimestamp))
      warnings.push(
        warning(
          node,
          `\`${node.label}\` turns a unix timestamp into a float, which the ESP8266 keeps to about 6 digits: it is off by up to 2 minutes there`,
          "keep timestamps whole (`ts - start`, `ts * 1000`), or do this step on the host",
        ),
      );
    if (isRunningFloatSum(node))
      warnings.push(
        warning(
          node,
          `\`${node.label}\` keeps a running sum in a float, which the ESP8266 keeps to about 6 digits: once the sum is a few million times what it adds, it stops growing there`,
          "sum integers (round each value), reset the sum with a window (`sum over 1h`), or sum on the host",
        ),
      );
  }
  return warnings;
}

function warning(node: IRNode, message: string, hint: string): Diagnostic {
  return diagnostic(DiagnosticCodes.DevicePrecision, node.span, message, hint);
}

function expressionsOf(value: ParamValue): TypedExpression[] {
  if (value.kind === "expression") return [value.expr];
  if (value.kind === "binding") return [value.init];
  if (value.kind === "assignments") return value.items.map((item) => item.expr);
  return [];
}

function children(expr: TypedExpression): readonly TypedExpression[] {
  switch (expr.kind) {
    case "field":
      return [expr.object];
    case "binary":
      return [expr.left, expr.right];
    case "unary":
      return [expr.operand];
    case "call":
      return expr.args;
    case "record":
      return expr.fields;
    default:
      return [];
  }
}

function isTimestamp(expr: TypedExpression): boolean {
  return (
    (expr.kind === "field" && timestampFields.has(expr.name)) ||
    (expr.kind === "call" && stdlib.get(expr.fn)?.readsClock === true)
  );
}

const isFraction = (expr: TypedExpression) =>
  expr.kind === "literal" && typeof expr.value === "number" && !Number.isInteger(expr.value);

/** `ts / 60`, `now() * 0.5`, `ts + 0.25`: arithmetic whose result is a float holding a timestamp. */
function floatsATimestamp(expr: TypedExpression): boolean {
  if (expr.kind === "binary" && ["+", "-", "*", "/"].includes(expr.operator)) {
    const [left, right] = [expr.left, expr.right];
    const timestamp = isTimestamp(left) ? right : isTimestamp(right) ? left : undefined;
    // A difference of two timestamps is small and whole: exact on the board.
    if (timestamp && !(expr.operator === "-" && isTimestamp(left) && isTimestamp(right)))
      if (expr.operator === "/" || isFraction(timestamp)) return true;
  }
  return children(expr).some(floatsATimestamp);
}

/**
 * `scan total = 0.0, total + val`: an accumulator (a node's `binding` parameter) that one of the
 * node's expressions adds non-integer numbers to.
 */
function isRunningFloatSum(node: IRNode): boolean {
  const params = Object.values(node.params);
  const accumulator = params.find((value) => value.kind === "binding");
  if (accumulator?.kind !== "binding") return false;
  const addsToItself = (expr: TypedExpression): boolean =>
    (expr.kind === "binary" &&
      expr.operator === "+" &&
      [expr.left, expr.right].some((side) => side.kind === "binding" && side.name === accumulator.name)) ||
    children(expr).some(addsToItself);
  const integer = (type: TypedExpression["type"]) => type.kind === "scalar" && type.name === "int";
  return params.some((value) => value.kind === "expression" && addsToItself(value.expr) && !integer(value.expr.type));
}
