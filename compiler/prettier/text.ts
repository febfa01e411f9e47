/**
 * The one printer of expressions and a stage's items, written against a small set of layout
 * builders so that it serves twice: the Prettier printer ({@link ./print.ts}) hands it Prettier's
 * document builders and prints children through Prettier (which places comments), and
 * {@link printLabel} hands it flat builders to label stages in `flowc graph`, `--stats` and logs.
 * Both print the same parentheses, literals and spacing. Nothing here imports Prettier, so the
 * checker can label stages without loading it.
 */
import { binaryPrecedence, comparisonPrecedence, notPrecedence } from "../ast.js";
import type * as A from "../ast.js";
import { isParenthesized, printNumber, printString } from "./source-text.js";

/** The layout builders the printer needs; Prettier's `doc.builders` is one implementation. */
export interface LayoutBuilders<D> {
  group(contents: D | D[], options?: { shouldBreak?: boolean }): D;
  indent(contents: D | D[]): D;
  join(separator: D | D[], parts: D[]): D;
  ifBreak(breakContents: D | string, flatContents: D | string): D;
  readonly line: D;
  readonly softline: D;
}

/** How a printer reaches a node's children: through Prettier's path, or directly. */
export interface ChildPrinter<D> {
  /** The child under `key` (`left`, `value`, …). */
  one(key: string): D;
  /** Each child in the array under `key` (`args`, `fields`, `items`). */
  each(key: string): D[];
}

/** What the expression printer needs besides the node. */
export interface PrintContext<D> {
  readonly builders: LayoutBuilders<D>;
  /** The source text, to print literals and grouping parentheses as written; absent for labels. */
  readonly text?: string;
  /** Prints `secret("…")` as `secret(…)`: labels reach logs, and secrets never do. */
  readonly redactSecrets?: boolean;
}

const negationPrecedence = 7;
const atomPrecedence = 8;

function precedence(node: A.Expression, text: string | undefined): number {
  switch (node.kind) {
    case "binary":
      return binaryPrecedence[node.operator];
    case "unary":
      return node.operator === "not" ? notPrecedence : negationPrecedence;
    case "number":
      return numberText(node, text).startsWith("-") ? negationPrecedence : atomPrecedence;
    default:
      return atomPrecedence;
  }
}

function numberText(node: A.NumberLiteral, text: string | undefined): string {
  return text === undefined ? String(node.value) : printNumber(node, text);
}

/**
 * Whether `node`, found under `key` in `parent`, must be parenthesised to parse back the same.
 * Parentheses the author wrote are kept anyway (where the source text is known).
 */
function needsParentheses(node: A.Expression, parent: object | null, key: string | null, text?: string): boolean {
  if (!parent || !("kind" in parent)) return false;
  const own = precedence(node, text);
  const container = parent as { kind: string; operator?: string };
  switch (container.kind) {
    case "binary": {
      const theirs = binaryPrecedence[container.operator as A.BinaryOperator];
      // Comparisons do not chain: `a < b < c` is a syntax error.
      if (theirs === comparisonPrecedence) return own <= comparisonPrecedence;
      return key === "left" ? own < theirs : own <= theirs;
    }
    case "unary":
      return own < (container.operator === "not" ? notPrecedence : negationPrecedence);
    case "field":
      return own < atomPrecedence;
    default:
      return false;
  }
}

/**
 * An expression, with the parentheses it was written with or needs under `parent`.
 *
 * @example
 * printExpression(node, parent, "left", printer, { builders, text });
 */
export function printExpression<D>(
  node: A.Expression,
  parent: object | null,
  key: string | null,
  children: ChildPrinter<D>,
  context: PrintContext<D>,
): D | (D | string)[] | string {
  const bare = printBareExpression(node, children, context);
  return isGrouped(node, parent, key, context.text) ? ["(", bare as D, ")"] : bare;
}

/** Whether the printer puts `node` in parentheses: written so, or needed under `parent`. */
export function isGrouped(node: A.Expression, parent: object | null, key: string | null, text?: string): boolean {
  return (text !== undefined && isParenthesized(node.span, text)) || needsParentheses(node, parent, key, text);
}

function printBareExpression<D>(
  node: A.Expression,
  children: ChildPrinter<D>,
  context: PrintContext<D>,
): D | string | (D | string)[] {
  const { group, indent, join, line, softline } = context.builders;
  switch (node.kind) {
    case "number":
      return numberText(node, context.text);
    case "string":
      return printString(node);
    case "boolean":
      return node.value ? "true" : "false";
    case "duration":
      return node.text;
    case "name":
      return node.name;
    case "field":
      return [children.one("object"), ".", node.field.name];
    case "unary":
      return [node.operator === "not" ? "not " : "-", children.one("operand")];
    case "call":
      if (node.args.length === 0) return [node.callee.name, "()"];
      if (context.redactSecrets && node.callee.name === "secret") return "secret(…)";
      return group([
        node.callee.name as D,
        "(" as D,
        indent([softline, join(["," as D, line], children.each("args"))]),
        softline,
        ")" as D,
      ]);
    case "record": {
      const head = node.typeName ? `${node.typeName.name} ` : "";
      if (node.fields.length === 0) return `${head}{}`;
      const brace = context.text?.indexOf("{", node.typeName?.span.end ?? node.span.start) ?? -1;
      const broken = brace >= 0 && context.text!.slice(brace, node.fields[0]!.span.start).includes("\n");
      return group(
        [head as D, "{" as D, indent([line, join(["," as D, line], children.each("fields"))]), line, "}" as D],
        {
          shouldBreak: broken,
        },
      );
    }
    case "binary":
      return [children.one("left"), " ", node.operator, " ", children.one("right")] as (D | string)[];
  }
}

/**
 * A stage's or setting's items as written: in order, a comma before each written after one, so
 * printing can never change how the binder reads them.
 */
export function printItems<D>(items: readonly A.Item[], printed: D[]): (D | string)[] {
  const parts: (D | string)[] = [];
  items.forEach((item, index) => {
    parts.push(item.afterComma ? ", " : " ", printed[index]!);
  });
  return parts;
}

/** Flat builders: everything on one line, as a label is. */
const flat: LayoutBuilders<unknown> = {
  group: (contents) => contents,
  indent: (contents) => contents,
  join: (separator, parts) => parts.flatMap((part, i) => (i === 0 ? [part] : [separator, part])),
  ifBreak: (_broken, flatContents) => flatContents,
  line: " ",
  softline: "",
};

function flatten(doc: unknown): string {
  if (typeof doc === "string") return doc;
  if (Array.isArray(doc)) return doc.map(flatten).join("");
  return "";
}

function expressionLabel(node: A.Expression, parent: object | null, key: string | null): unknown {
  const record = node as unknown as Record<string, unknown>;
  const children: ChildPrinter<unknown> = {
    one: (childKey) => expressionLabel(record[childKey] as A.Expression, node, childKey),
    each: (childKey) =>
      (record[childKey] as readonly unknown[]).map((child) =>
        node.kind === "record"
          ? [
              (child as A.RecordFieldValue).name.name,
              ": ",
              expressionLabel((child as A.RecordFieldValue).value, child as object, "value"),
            ]
          : expressionLabel(child as A.Expression, node, childKey),
      ),
  };
  return printExpression(node, parent, key, children, { builders: flat, redactSecrets: true });
}

/**
 * A stage as one line of text, printed as the formatter prints it (secrets redacted): the label
 * of a stage in `flowc graph`, `--stats` and logs.
 *
 * @example
 * printLabel(invocation); // "map (val + 1) * 2"
 */
export function printLabel(invocation: A.Invocation): string {
  const printed = invocation.items.map((item) => {
    switch (item.kind) {
      case "word":
        return item.name.name;
      case "assignment":
        return `${item.target.name} = ${flatten(expressionLabel(item.value, item, "value"))}`;
      case "value":
        return flatten(expressionLabel(item.value, item, "value"));
    }
  });
  return invocation.name.name + printItems(invocation.items, printed).join("");
}
