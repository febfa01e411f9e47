/**
 * The Prettier printer: AST → Prettier document. The canonical layout:
 *
 * - one statement per line; a run of blank lines between statements becomes one;
 * - a pipeline on one line when it fits `printWidth`, otherwise one `-> step` per line, indented
 *   two spaces; a fan-out `[a, b]` on one line when it fits, otherwise one branch per line;
 * - settings blocks one setting per line; schemas and records on one line when they fit, unless
 *   written with a line break after `{` (as Prettier does for JavaScript objects);
 * - single spaces around binary operators, `=` and after commas and colons; literals as written,
 *   strings re-escaped canonically; grouping parentheses kept where written or where needed.
 *
 * The whole file is laid out once more at the root to line up trailing comments and to check that
 * the result still parses to the same program ({@link ./verify.ts}).
 */
import { doc, type AstPath, type Doc, type ParserOptions } from "prettier";
import { binaryPrecedence, comparisonPrecedence, notPrecedence } from "../ast.js";
import type * as A from "../ast.js";
import { alignComments, printCommentOnlyFile, printCommentsInside, printDanglingComments } from "./comments.js";
import { isBranch, isOption, isPipeline, isRoot, isSchemaField, type FormatNode, type FormatRoot } from "./nodes.js";
import {
  hasLineBreakBetween,
  isFollowedByBlankLine,
  isParenthesized,
  printNumber,
  printString,
} from "./source-text.js";
import { assertSameProgram } from "./verify.js";

const { group, hardline, indent, join, line, softline, ifBreak } = doc.builders;

type FlowPath = AstPath<FormatNode>;
type FlowOptions = ParserOptions<FormatNode>;
type Print = (selector?: string | number | Array<string | number> | AstPath) => Doc;

/**
 * Prettier's `print` entry point for every node.
 *
 * @example
 * const printer = { print: printFlow, ... };
 */
export function printFlow(path: FlowPath, options: FlowOptions, print: Print): Doc {
  const node = path.node;
  if (isRoot(node)) return printProgram(path as AstPath<FormatRoot>, options, print);
  const printed = printNode(path, options, print);
  const dangling = printDanglingComments(path);
  return dangling.length > 0 ? [printed, ...dangling] : printed;
}

function printNode(path: FlowPath, options: FlowOptions, print: Print): Doc {
  const node = path.node;
  if (isPipeline(node)) return printChain(print("source"), path.map(print, "steps"));
  if (isBranch(node)) {
    const [head, ...tail] = path.map(print, "steps");
    return printChain(head!, tail);
  }
  if (isSchemaField(node)) return [node.name.name, ": ", node.type.name];
  if (!("kind" in node)) {
    const option = node as A.Option | A.RecordFieldValue;
    if (!isOption(path.key)) return [option.name.name, ": ", print("value")];
    return option.value ? [option.name.name, " ", print("value")] : option.name.name;
  }
  switch (node.kind) {
    case "let":
      return ["let ", node.name.name, " = ", print("value")];
    case "use":
      return ["use ", print("path")];
    case "schema":
      return printSchema(path as AstPath<A.SchemaStatement>, options, print);
    case "settings":
      return print("invocation");
    case "pipeline":
      return print("pipeline");
    case "invocation":
      return printInvocation(path as AstPath<A.Invocation>, options, print);
    case "fanout":
      return group(["[", indent([softline, join([",", line], path.map(print, "branches"))]), softline, "]"]);
    case "value":
      return print("value");
    case "assignment":
      return [node.target.name, " = ", print("value")];
    default:
      return printExpression(path as AstPath<A.Expression>, options, print);
  }
}

function printProgram(path: AstPath<FormatRoot>, options: FlowOptions, print: Print): Doc {
  const root = path.node;
  const text = options.originalText;
  const parts: Doc[] = [];
  path.each((_, index) => {
    if (index > 0) {
      parts.push(hardline);
      if (isFollowedByBlankLine(text, root.statements[index - 1]!.span.end)) parts.push(hardline);
    }
    parts.push(print());
  }, "statements");
  parts.push(printCommentOnlyFile(path, text));

  const laidOut = doc.printer.printDocToString([parts, hardline], {
    printWidth: options.printWidth,
    tabWidth: options.tabWidth,
    useTabs: options.useTabs,
  }).formatted;
  if (laidOut.trim() === "") return "";
  const formatted = alignComments(laidOut, root.commentMarker, options.tabWidth);
  assertSameProgram(root, root.commentTexts, formatted);
  return join(hardline, formatted.split("\n"));
}

/** `head -> step -> step`: on one line if it fits, else each `-> step` on its own indented line. */
function printChain(head: Doc, tail: Doc[]): Doc {
  // The head is inside the indent too, so comments printed on lines of their own after it line
  // up with the steps.
  return group(indent([head, ...tail.map((step) => [line, "-> ", step])]));
}

function printInvocation(path: AstPath<A.Invocation>, options: FlowOptions, print: Print): Doc {
  const node = path.node;
  const parts: Doc[] = [node.name.name];
  if (node.args.length > 0) parts.push(" ", join(", ", path.map(print, "args")));
  for (const option of path.map(print, "options")) parts.push(" ", option);
  if (node.block) parts.push(" ", printSettingsBlock(path, options, print));
  return parts;
}

function printSettingsBlock(path: AstPath<A.Invocation>, options: FlowOptions, print: Print): Doc {
  const block = path.node.block!;
  if (block.length === 0) return "{}";
  const entries: Doc[] = [];
  path.each((_, index) => {
    if (index > 0) {
      entries.push(hardline);
      if (isFollowedByBlankLine(options.originalText, block[index - 1]!.span.end)) entries.push(hardline);
    }
    entries.push(print());
  }, "block");
  return ["{", indent([hardline, entries]), hardline, "}"];
}

function printSchema(path: AstPath<A.SchemaStatement>, options: FlowOptions, print: Print): Doc {
  const node = path.node;
  const head = ["schema ", node.name.name, " "];
  const first = node.fields[0];
  if (!first) return [head, printCommentsInside(path) ?? "{}"];
  const brace = options.originalText.indexOf("{", node.name.span.end);
  // Broken, fields are separated by line breaks alone, like settings.
  return group([head, "{", indent([line, join([ifBreak("", ","), line], path.map(print, "fields"))]), line, "}"], {
    shouldBreak: hasLineBreakBetween(options.originalText, brace, first.span.start),
  });
}

function printRecord(path: AstPath<A.RecordLiteral>, options: FlowOptions, print: Print): Doc {
  const node = path.node;
  const head = node.typeName ? [node.typeName.name, " "] : "";
  const first = node.fields[0];
  if (!first) return [head, printCommentsInside(path) ?? "{}"];
  const brace = options.originalText.indexOf("{", node.typeName?.span.end ?? node.span.start);
  return group([head, "{", indent([line, join([",", line], path.map(print, "fields"))]), line, "}"], {
    shouldBreak: hasLineBreakBetween(options.originalText, brace, first.span.start),
  });
}

const negationPrecedence = 7;
const atomPrecedence = 8;

function precedence(node: A.Expression, text: string): number {
  switch (node.kind) {
    case "binary":
      return binaryPrecedence[node.operator];
    case "unary":
      return node.operator === "not" ? notPrecedence : negationPrecedence;
    case "number":
      return printNumber(node, text).startsWith("-") ? negationPrecedence : atomPrecedence;
    default:
      return atomPrecedence;
  }
}

/**
 * Whether `node`, found under `key` in `parent`, must be parenthesised to parse back the same.
 * Parentheses the author wrote are kept anyway; this only matters for trees built otherwise.
 */
function needsParentheses(node: A.Expression, parent: FormatNode | null, key: string | null, text: string): boolean {
  if (!parent || !("kind" in parent)) return false;
  const own = precedence(node, text);
  switch (parent.kind) {
    case "binary": {
      const theirs = binaryPrecedence[parent.operator];
      // Comparisons do not chain: `a < b < c` is a syntax error.
      if (theirs === comparisonPrecedence) return own <= comparisonPrecedence;
      return key === "left" ? own < theirs : own <= theirs;
    }
    case "unary":
      return own < (parent.operator === "not" ? notPrecedence : negationPrecedence);
    case "field":
      return own < atomPrecedence;
    default:
      return false;
  }
}

function printExpression(path: AstPath<A.Expression>, options: FlowOptions, print: Print): Doc {
  const node = path.node;
  const text = options.originalText;
  const bare = printBareExpression(path, options, print);
  const parenthesized =
    isParenthesized(node.span, text) || needsParentheses(node, path.parent as FormatNode | null, path.key, text);
  return parenthesized ? ["(", bare, ")"] : bare;
}

function printBareExpression(path: AstPath<A.Expression>, options: FlowOptions, print: Print): Doc {
  const node = path.node;
  switch (node.kind) {
    case "number":
      return printNumber(node, options.originalText);
    case "string":
      return printString(node);
    case "boolean":
      return node.value ? "true" : "false";
    case "duration":
      return node.text;
    case "name":
      return node.name;
    case "field":
      return [print("object"), ".", node.field.name];
    case "unary":
      return [node.operator === "not" ? "not " : "-", print("operand")];
    case "call":
      if (node.args.length === 0) return [node.callee.name, "()"];
      return group([
        node.callee.name,
        "(",
        indent([softline, join([",", line], path.map(print, "args"))]),
        softline,
        ")",
      ]);
    case "record":
      return printRecord(path as AstPath<A.RecordLiteral>, options, print);
    case "binary":
      if (node.operator === "and" || node.operator === "or") {
        const [first, ...rest] = printLogicalChain(path as AstPath<A.BinaryExpression>, options, print);
        return group([first!, indent(rest)]);
      }
      return [print("left"), " ", node.operator, " ", print("right")];
  }
}

/**
 * `a and b and c` as `[a, " and" line b, " and" line c]`, so a long condition breaks after each
 * `and` (a line break after an operator continues the line) rather than only at the last one.
 */
function printLogicalChain(path: AstPath<A.BinaryExpression>, options: FlowOptions, print: Print): Doc[] {
  const node = path.node;
  const left = node.left;
  const flattens =
    left.kind === "binary" &&
    left.operator === node.operator &&
    !isParenthesized(left.span, options.originalText) &&
    !(left as { comments?: unknown[] }).comments?.length;
  const parts = flattens
    ? path.call((leftPath) => printLogicalChain(leftPath as AstPath<A.BinaryExpression>, options, print), "left")
    : [print("left")];
  parts.push([" ", node.operator, line, print("right")]);
  return parts;
}
