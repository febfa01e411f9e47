/**
 * Checked expressions ({@link TypedExpression}) to JavaScript source, for the fused stages of the
 * Node runtime and for `flowc build --target node`. Every value from the program (strings, field
 * names) is emitted through `JSON.stringify` or checked to be a plain identifier, so nothing a
 * `.flow` file contains can inject code. Every compound expression is parenthesised, so operator
 * precedence never depends on the surrounding code.
 */
import type { BinaryOperator } from "../compiler/ast.js";
import { passesThrough, stdlib } from "../compiler/stdlib.js";
import { divisionMayFail, type TypedExpression } from "../compiler/typed.js";
import type { FlowType } from "../compiler/types.js";

/** A `secret(...)` or `env(...)` reference inside an expression. */
export type ConfigReference = Extract<TypedExpression, { kind: "config" }>;

/** The names the generated code may use; the caller declares them. */
export interface ExpressionNames {
  /** The variable holding the current event (`it`). */
  readonly event: string;
  /** The variable holding a {@link ./stdlib-js.ts RuntimeStdlib}. */
  readonly std: string;
  /** JavaScript reading a component binding, such as `scan`'s accumulator. */
  readonly binding?: (name: string) => string;
  /** JavaScript reading a config value; the runtime resolves it once and passes it as a constant. */
  readonly config: (reference: ConfigReference) => string;
}

/** A standard-library call as compiler/stdlib.ts says Node writes it. */
function stdlibCall(fn: string, args: readonly string[], argTypes: readonly FlowType[], std: string): string {
  const realisation = stdlib.get(fn)?.targets?.node;
  if (!realisation) throw new Error(`the standard library function \`${fn}\` has no JavaScript translation`);
  if (passesThrough(realisation, argTypes)) return args[0]!;
  const callee = realisation.from === "library" ? `${std}${propertyAccess(realisation.call)}` : realisation.call;
  return `${callee}(${args.join(", ")})`;
}

const binaryOperators: Readonly<Record<Exclude<BinaryOperator, "%">, string>> = {
  "+": "+",
  "-": "-",
  "*": "*",
  "/": "/",
  "==": "===",
  "!=": "!==",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
  and: "&&",
  or: "||",
};

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `.name` when `name` is a plain identifier, `["name"]` otherwise. */
export function propertyAccess(name: string): string {
  return identifier.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** A key in an object literal; `__proto__` is computed so that it stays an own property. */
export function propertyKey(name: string): string {
  return identifier.test(name) && name !== "__proto__" ? name : `[${JSON.stringify(name)}]`;
}

/** A literal value as JavaScript. */
export function literal(value: number | string | boolean): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Number.isNaN(value)) return "NaN";
  if (Object.is(value, -0)) return "(-0)";
  return value < 0 ? `(${value})` : String(value);
}

/**
 * Compiles one expression to a JavaScript expression.
 *
 * @example
 * // `val * 2 > 500 and sensor_id == "lux-1"` over a SensorEvent
 * compileExpression(typed, { event: "e", std: "std", config: (ref) => resolveLater(ref) });
 * // '(((e.val * 2) > 500) && (e.sensor_id === "lux-1"))'
 */
export function compileExpression(expr: TypedExpression, names: ExpressionNames): string {
  const visit = (node: TypedExpression): string => {
    switch (node.kind) {
      case "literal":
        return literal(node.value);
      case "event":
        return names.event;
      case "field":
        return node.index < 0
          ? `${names.std}.field(${visit(node.object)}, ${JSON.stringify(node.name)})`
          : `${visit(node.object)}${propertyAccess(node.name)}`;
      case "binding":
        if (!names.binding)
          throw new Error(
            `\`${node.name}\` is a binding, but this expression is compiled where no binding is in scope`,
          );
        return names.binding(node.name);
      case "config":
        return names.config(node);
      case "unary":
        return node.operator === "not" ? `(!${visit(node.operand)})` : `(-${visit(node.operand)})`;
      case "binary": {
        const left = visit(node.left);
        const right = visit(node.right);
        if (node.operator === "%") return `${names.std}.mod(${left}, ${right})`;
        if (divisionMayFail(node)) return `${names.std}.div(${left}, ${right})`;
        return `(${left} ${binaryOperators[node.operator]} ${right})`;
      }
      case "call":
        return stdlibCall(
          node.fn,
          node.args.map(visit),
          node.args.map((arg) => arg.type),
          names.std,
        );
      case "record":
        return `({ ${node.type.fields.map((field, i) => `${propertyKey(field.name)}: ${visit(node.fields[i]!)}`).join(", ")} })`;
    }
  };
  return visit(expr);
}
