/**
 * The Prettier plugin for `.flow` files, shipped as `flowc` (the package's main entry re-exports it)
 * and as `flowc/prettier` (the plugin alone):
 *
 *     prettier --plugin flowc --write "**\/*.flow"
 *
 * Language `flowc`, parser `flowc` (Prettier's own `flow` is JavaScript with Flow types), printer
 * `flowc-ast`. The parser is the compiler's, so formatting can never disagree with compiling.
 */
import type { Parser, Plugin, Printer, SupportLanguage } from "prettier";
import {
  handleEndOfLineComment,
  handleOwnLineComment,
  handleRemainingComment,
  hasPrettierIgnore,
  printComment,
} from "./comments.js";
import { canAttachComment, childKeys, childNodes, type FormatNode } from "./nodes.js";
import { parseForFormatting } from "./parse.js";
import { printFlow } from "./print.js";

export { FlowcSyntaxError } from "./parse.js";

/** The language Prettier picks for `*.flow` files. */
export const languages: SupportLanguage[] = [
  {
    name: "flowc",
    parsers: ["flowc"],
    extensions: [".flow"],
    vscodeLanguageIds: ["flowc"],
  },
];

const locStart = (node: { span: { start: number } }) => node.span.start;
const locEnd = (node: { span: { end: number } }) => node.span.end;

export const parsers: Record<"flowc", Parser<FormatNode>> = {
  flowc: {
    astFormat: "flowc-ast",
    parse: (text, options) => parseForFormatting(text, options.filepath ?? "<input>.flow"),
    locStart,
    locEnd,
  },
};

/** Where something was written, not what it is: ignored by `prettier --debug-check`. */
const positionalProperties = new Set(["span", "file", "commentMarker", "commentTexts"]);

function massageAstNode(_original: unknown, cloned: Record<string, unknown>): void {
  for (const key of positionalProperties) delete cloned[key];
}
massageAstNode.ignoredProperties = positionalProperties;

export const printers: Record<"flowc-ast", Printer<FormatNode>> = {
  "flowc-ast": {
    print: printFlow,
    printComment,
    canAttachComment,
    getCommentChildNodes: (node) => [...childNodes(node)],
    getVisitorKeys: (node) => childKeys(node),
    handleComments: {
      ownLine: handleOwnLineComment,
      endOfLine: handleEndOfLineComment,
      remaining: handleRemainingComment,
    },
    hasPrettierIgnore,
    massageAstNode,
  },
};

/**
 * Pipelines read left to right and are often a little longer than code: 100 columns keeps a
 * source, a few steps and a fan-out on one line, as in the examples. A Prettier config wins.
 */
export const defaultOptions = { printWidth: 100 };

/**
 * The plugin object, for Prettier's API:
 *
 * @example
 * import { format } from "prettier";
 * import flowc from "flowc/prettier";
 * const text = await format(source, { parser: "flowc", plugins: [flowc] });
 */
const plugin: Plugin<FormatNode> = { languages, parsers, printers, defaultOptions };
export default plugin;
