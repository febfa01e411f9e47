/**
 * The Prettier printer: AST → Prettier document. The canonical layout:
 *
 * - one statement per line; a run of blank lines between statements becomes one;
 * - a pipeline (or a fan-out's branch) of two stages on one line when it fits `printWidth` and was
 *   written on one line; otherwise, as docs/language.md writes them, one `-> step` per line,
 *   indented two spaces; a fan-out `[a, b]` on one line when it fits, otherwise one branch per line;
 * - a stage's items as written, in order, with the commas written, so formatting never changes
 *   how the binder reads them; expressions are printed by the one shared printer ({@link ./text.ts});
 * - settings blocks one setting per line; schemas and records on one line when they fit, unless
 *   written with a line break after `{` (as Prettier does for JavaScript objects);
 * - single spaces around binary operators, `=` and after commas and colons; literals as written,
 *   strings re-escaped canonically; grouping parentheses kept where written or where needed.
 *
 * The whole file is laid out once more at the root to line up trailing comments and to check that
 * the result still parses to the same program ({@link ./verify.ts}).
 */
import { doc, type AstPath, type Doc, type ParserOptions } from "prettier";
import type * as A from "../ast.js";
import { alignComments, printCommentOnlyFile, printCommentsInside, printDanglingComments } from "./comments.js";
import { isBranch, isPipeline, isRoot, isSchemaField, type FormatNode, type FormatRoot } from "./nodes.js";
import { hasLineBreakBetween, isFollowedByBlankLine, isParenthesized } from "./source-text.js";
import { isGrouped, printExpression as printSharedExpression, printItems, type LayoutBuilders } from "./text.js";
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
  const text = options.originalText;
  if (isPipeline(node)) {
    return printChain(print("source"), path.map(print, "steps"), brokenChain([node.source, ...node.steps], text));
  }
  if (isBranch(node)) {
    const [head, ...tail] = path.map(print, "steps");
    return printChain(head!, tail, brokenChain(node.steps, text));
  }
  if (isSchemaField(node)) return [node.name.name, ": ", node.type.name];
  if (!("kind" in node)) return [(node as A.RecordFieldValue).name.name, ": ", print("value")];
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
    case "word":
      return node.name.name;
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

/**
 * The documented style: a chain of more than two stages, or one written on several lines, is
 * written one stage per line with a leading `->`.
 */
function brokenChain(
  stages: readonly { readonly span: { readonly start: number; readonly end: number } }[],
  text: string,
): boolean {
  if (stages.length > 2) return true;
  const [head, next] = stages;
  return head !== undefined && next !== undefined && hasLineBreakBetween(text, head.span.end, next.span.start);
}

/** `head -> step -> step`: on one line if it fits and may, else each `-> step` on its own indented line. */
function printChain(head: Doc, tail: Doc[], shouldBreak: boolean): Doc {
  // The head is inside the indent too, so comments printed on lines of their own after it line
  // up with the steps.
  return group(indent([head, ...tail.map((step) => [line, "-> ", step])]), { shouldBreak });
}

function printInvocation(path: AstPath<A.Invocation>, options: FlowOptions, print: Print): Doc {
  const node = path.node;
  const parts: Doc[] = [node.name.name, ...printItems(node.items, path.map(print, "items"))];
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

const builders: LayoutBuilders<Doc> = {
  group: (contents, options) => group(contents, options),
  indent: (contents) => indent(contents),
  join: (separator, parts) => join(separator, parts),
  ifBreak: (broken, flat) => ifBreak(broken, flat),
  line,
  softline,
};

function printExpression(path: AstPath<A.Expression>, options: FlowOptions, print: Print): Doc {
  const node = path.node;
  const text = options.originalText;
  if (node.kind === "record" && node.fields.length === 0) {
    const empty = [node.typeName ? `${node.typeName.name} ` : "", printCommentsInside(path) ?? "{}"];
    return isParenthesized(node.span, text) ? ["(", empty, ")"] : empty;
  }
  if (node.kind === "binary" && (node.operator === "and" || node.operator === "or")) {
    const [first, ...rest] = printLogicalChain(path as AstPath<A.BinaryExpression>, options, print);
    const chain = group([first!, indent(rest)]);
    return isGrouped(node, path.parent, path.key, text) ? ["(", chain, ")"] : chain;
  }
  return printSharedExpression(
    node,
    path.parent,
    path.key,
    { one: (key) => print(key), each: (key) => path.map(print, key as never) },
    { builders, text },
  ) as Doc;
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
