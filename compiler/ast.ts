/**
 * Stage 3 output: the abstract syntax tree, built from the CST by {@link ./cst-to-ast.ts}. Every
 * node carries the span it came from. Names are plain data; resolving them is the checker's job.
 */
import type { Span } from "./source.js";

export interface Identifier {
  readonly kind: "identifier";
  readonly name: string;
  readonly span: Span;
}

export type BinaryOperator = "+" | "-" | "*" | "/" | "%" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "and" | "or";

/**
 * How tightly each infix operator binds, loosest first: the parser's AST builder and the formatter
 * (which adds parentheses only where these require them) both read it.
 *
 * @example
 * binaryPrecedence["*"] > binaryPrecedence["+"]; // true
 */
export const binaryPrecedence: Readonly<Record<BinaryOperator, number>> = {
  or: 1,
  and: 2,
  "==": 4,
  "!=": 4,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
  "%": 6,
};
/** Prefix `not` binds between `and` and the comparisons. */
export const notPrecedence = 3;
/** The level of `==`, `!=`, `<`, `<=`, `>`, `>=`: they do not chain (`a < b < c` is refused). */
export const comparisonPrecedence = 4;
export type UnaryOperator = "-" | "not";

export type Expression =
  | NumberLiteral
  | StringLiteral
  | BooleanLiteral
  | DurationLiteral
  | NameExpression
  | FieldAccess
  | BinaryExpression
  | UnaryExpression
  | CallExpression
  | RecordLiteral;

export interface NumberLiteral {
  readonly kind: "number";
  readonly value: number;
  /** Written without a fraction or exponent, so typed `int`. */
  readonly isInteger: boolean;
  readonly span: Span;
}

export interface StringLiteral {
  readonly kind: "string";
  /** The decoded value, escapes applied. */
  readonly value: string;
  readonly span: Span;
}

export interface BooleanLiteral {
  readonly kind: "boolean";
  readonly value: boolean;
  readonly span: Span;
}

export interface DurationLiteral {
  readonly kind: "duration";
  readonly milliseconds: number;
  /** As written, for the formatter and messages: `5s`. */
  readonly text: string;
  /**
   * Written with a unit that is not a duration's (`8g`, `5sec`): a value only where a parameter
   * lists it (an accelerometer's `range 8g`), E104 elsewhere; `milliseconds` is then the likely meaning.
   */
  readonly unknownUnit?: true;
  readonly span: Span;
}

export interface NameExpression {
  readonly kind: "name";
  readonly name: string;
  readonly span: Span;
}

export interface FieldAccess {
  readonly kind: "field";
  readonly object: Expression;
  readonly field: Identifier;
  readonly span: Span;
}

export interface BinaryExpression {
  readonly kind: "binary";
  readonly operator: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
  readonly span: Span;
}

export interface UnaryExpression {
  readonly kind: "unary";
  readonly operator: UnaryOperator;
  readonly operand: Expression;
  readonly span: Span;
}

export interface CallExpression {
  readonly kind: "call";
  readonly callee: Identifier;
  readonly args: readonly Expression[];
  readonly span: Span;
}

export interface RecordFieldValue {
  readonly name: Identifier;
  readonly value: Expression;
  readonly span: Span;
}

export interface RecordLiteral {
  readonly kind: "record";
  /** `SensorEvent { ... }` names its schema; a bare `{ ... }` is an anonymous record. */
  readonly typeName?: Identifier;
  readonly fields: readonly RecordFieldValue[];
  readonly span: Span;
}

/**
 * One thing written after a stage's or setting's name, as written: the parser does not decide
 * what it is. A bare `word` may be an option's name, a flag or a value (`avg over 10`, `mqtt "x"
 * retain`, `map val`); the binder ({@link ./binder.ts}) decides from the component's declaration.
 * `afterComma` marks an item written after a comma, which continues a list of positional
 * arguments (`merge a, b`, `set a = 1, b = 2`).
 */
export type Item =
  | { readonly kind: "word"; readonly name: Identifier; readonly afterComma?: true; readonly span: Span }
  | { readonly kind: "value"; readonly value: Expression; readonly afterComma?: true; readonly span: Span }
  | {
      readonly kind: "assignment";
      readonly target: Identifier;
      readonly value: Expression;
      readonly afterComma?: true;
      readonly span: Span;
    };

/** A positional argument, as the binder reads it: an expression, or `name = expression` (`set ts = now()`). */
export type Argument =
  | { readonly kind: "value"; readonly value: Expression; readonly span: Span }
  | { readonly kind: "assignment"; readonly target: Identifier; readonly value: Expression; readonly span: Span };

/** An option, as the binder reads it: `every 2s`, `qos 1`, or a bare flag such as `retain`. */
export interface Option {
  readonly name: Identifier;
  readonly value?: Expression;
  readonly span: Span;
}

/**
 * A use of a component or setting: a name, the items written after it and, for settings blocks,
 * nested invocations. `tsl2591 "lux-1" every 5s` is name `tsl2591` with items `"lux-1"`, `every`
 * and `5s`; the binder reads them as one argument and one option.
 */
export interface Invocation {
  readonly kind: "invocation";
  readonly name: Identifier;
  readonly items: readonly Item[];
  readonly block?: readonly Invocation[];
  readonly span: Span;
}

/** `[print, mqtt "x" -> ...]`: the stream goes to every branch. */
export interface FanOut {
  readonly kind: "fanout";
  readonly branches: readonly Branch[];
  readonly span: Span;
}

export type Step = Invocation | FanOut;

/** A fan-out branch: one or more steps chained by `->`. */
export interface Branch {
  readonly steps: readonly Step[];
  readonly span: Span;
}

/** `source -> step -> step`. */
export interface Pipeline {
  readonly kind: "pipeline";
  readonly source: Invocation;
  readonly steps: readonly Step[];
  readonly span: Span;
}

export interface LetStatement {
  readonly kind: "let";
  readonly name: Identifier;
  readonly value: Expression | Pipeline;
  readonly span: Span;
}

export interface SchemaFieldDeclaration {
  readonly name: Identifier;
  readonly type: Identifier;
  readonly span: Span;
}

export interface SchemaStatement {
  readonly kind: "schema";
  readonly name: Identifier;
  readonly fields: readonly SchemaFieldDeclaration[];
  readonly span: Span;
}

/** `broker ...` or `device ...`: configuration, not dataflow. */
export interface SettingsStatement {
  readonly kind: "settings";
  readonly invocation: Invocation;
  readonly span: Span;
}

export interface PipelineStatement {
  readonly kind: "pipeline";
  readonly pipeline: Pipeline;
  readonly span: Span;
}

/** `use "schemas.flow"`: the schemas declared in another file, so each is declared once. */
export interface UseStatement {
  readonly kind: "use";
  /** The file, relative to the file that uses it. */
  readonly path: StringLiteral;
  readonly span: Span;
}

export type Statement = LetStatement | UseStatement | SchemaStatement | SettingsStatement | PipelineStatement;

export interface Comment {
  readonly text: string;
  readonly span: Span;
}

export interface Program {
  readonly file: string;
  readonly statements: readonly Statement[];
  readonly comments: readonly Comment[];
  readonly span: Span;
}
