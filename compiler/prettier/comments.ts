/**
 * Comments. Prettier attaches each comment to a node (leading, trailing or dangling) using the
 * child lists from {@link ./nodes.ts}; the hooks here adjust where that lands, and the last pass
 * lines up trailing comments on consecutive lines, as in the tutorial:
 *
 *     mqtt "sensor-data"
 *       -> json as SensorEvent        # accepts ["lux-1", 611, 284.13] and {"sensor_id": ...}
 *       -> set ts = now()             # overwrite the device timestamp with host time
 */
import { doc, util, type AstPath, type Doc } from "prettier";
import { childNodes, isPipeline, isRoot, type FormatComment, type FormatNode, type FormatRoot } from "./nodes.js";
import { isFollowedByBlankLine } from "./source-text.js";

/** What Prettier knows about a comment while attaching it. */
interface AttachingComment extends FormatComment {
  readonly enclosingNode?: FormatNode;
  readonly precedingNode?: FormatNode;
  readonly followingNode?: FormatNode;
}

/** Prettier's own helpers for attaching, with the node types this plugin uses. */
type AddComment = (node: FormatNode, comment: FormatComment) => void;
const addTrailingComment = util.addTrailingComment as AddComment;
const { breakParent, hardline, indent, join, lineSuffix } = doc.builders;

/** Expressions printed on one line whatever their source layout: `3 - 0`, `round(val, 2)`, `a.b`. */
const inlineExpressionKinds = new Set(["binary", "unary", "call", "field"]);
const isInlineExpression = (node: FormatNode | undefined): boolean =>
  node !== undefined && "kind" in node && inlineExpressionKinds.has(node.kind);

/** The innermost stage (invocation) of `root` whose text holds `offset`. */
function stageAt(root: FormatNode, offset: number): FormatNode | undefined {
  let found: FormatNode | undefined;
  let node: FormatNode | undefined = root;
  while (node) {
    if ("kind" in node && node.kind === "invocation") found = node;
    node = childNodes(node).find((child) => child.span.start <= offset && offset < child.span.end);
  }
  return found;
}

/**
 * A comment inside an expression the printer puts on one line (`3 - # why\n 0`) trails the
 * stage it is in, so it ends that stage's line. As a trailing comment of an operand it would end
 * up after the expression all the same, but formatting the result again would attach it
 * differently: formatting would not be idempotent.
 */
function keepWithStage(comment: AttachingComment, root: FormatNode | undefined): boolean {
  if (!root || !isInlineExpression(comment.enclosingNode)) return false;
  const stage = stageAt(root, comment.span.start);
  if (!stage) return false;
  addTrailingComment(stage, comment);
  return true;
}

/**
 * Prettier's default puts a comment on its own line before the node that follows it. That is
 * right where the following node starts a line (a statement, a settings entry, a fan-out branch,
 * a record or schema field). Elsewhere the node follows other code on the same output line
 * (`-> step`, `merge a, b`, an operand), so the comment instead trails the node before it and is
 * printed on its own line after that node's line; with nothing before it, it trails the node after.
 */
export function handleOwnLineComment(
  comment: AttachingComment,
  _text?: string,
  _options?: unknown,
  root?: FormatNode,
): boolean {
  if (keepWithStage(comment, root)) return true;
  const { enclosingNode, precedingNode, followingNode } = comment;
  if (!enclosingNode || !followingNode || startsLine(enclosingNode, followingNode)) return false;
  // With no code of this node before it (`let x =`, then the comment, then the value), it trails
  // what follows, as the same comment at the end of the `=` line does: printed as leading, it
  // would end up there, and formatting again would move it once more.
  addTrailingComment(precedingNode ?? followingNode, comment);
  return true;
}

/**
 * A comment at the end of a line that has no code of this node before it (`let x = # why` with
 * the value on the next line) trails what follows instead, unless that starts a line of its own.
 */
export function handleEndOfLineComment(
  comment: AttachingComment,
  text?: string,
  _options?: unknown,
  root?: FormatNode,
): boolean {
  if (keepWithStage(comment, root) || keepPipelineBroken(comment, text)) return true;
  const { enclosingNode, precedingNode, followingNode } = comment;
  if (!enclosingNode || precedingNode || !followingNode || startsLine(enclosingNode, followingNode)) return false;
  addTrailingComment(followingNode, comment);
  return true;
}

/** Any other comment inside an expression trails its stage, as above; else Prettier's default. */
export function handleRemainingComment(
  comment: AttachingComment,
  _text?: string,
  _options?: unknown,
  root?: FormatNode,
): boolean {
  return keepWithStage(comment, root);
}

/**
 * A comment after a pipeline written over several lines trails its last stage, so the pipeline
 * stays broken, as formatting a comment inside that stage leaves it. As a comment of the whole
 * statement it would let the pipeline join onto one line.
 */
function keepPipelineBroken(comment: AttachingComment, text: string | undefined): boolean {
  const statement = comment.precedingNode;
  if (!text || !statement || !("kind" in statement) || statement.kind !== "pipeline" || isPipeline(statement))
    return false;
  if (!text.slice(statement.span.start, statement.span.end).includes("\n")) return false;
  const last = stageAt(statement, statement.span.end - 1);
  if (!last) return false;
  addTrailingComment(last, comment);
  return true;
}

/** Whether `node`, a child of `enclosing`, begins an output line of its own when its parent breaks. */
function startsLine(enclosing: FormatNode, node: FormatNode): boolean {
  if (isRoot(enclosing)) return true;
  // Steps of a pipeline or branch follow `->`; arguments, options and operands follow code too.
  if (!("kind" in enclosing)) return false;
  switch (enclosing.kind) {
    case "fanout":
    case "schema":
    case "record":
      return true;
    case "invocation":
      return enclosing.block?.includes(node as never) ?? false;
    default:
      return false;
  }
}

/**
 * `# prettier-ignore` on the line before a statement, a setting, a fan-out branch or a field
 * keeps that node exactly as written.
 */
export function hasPrettierIgnore(path: AstPath<FormatNode>): boolean {
  const comments = (path.node as { comments?: PrintedComment[] }).comments ?? [];
  return comments.some((comment) => comment.leading && /^#\s*prettier-ignore\s*$/.test(comment.text));
}

/**
 * Prints a comment as written, minus trailing blanks, behind the root's marker character so
 * {@link alignComments} can find it in the laid-out text.
 */
export function printComment(path: AstPath<FormatNode>): Doc {
  const root = path.root as FormatRoot;
  return [root.commentMarker, (path.node as unknown as FormatComment).text.trimEnd()];
}

/**
 * Comments Prettier could attach only as dangling (inside a node with no children around them)
 * are printed at the end of that node's line, where a comment is always allowed. Nodes with a
 * better place for them (an empty schema's braces) print them first with {@link printCommentsInside}.
 */
export function printDanglingComments(path: AstPath<FormatNode>): Doc[] {
  const root = path.root as FormatRoot;
  const parts: Doc[] = [];
  for (const comment of danglingComments(path.node)) {
    comment.printed = true;
    parts.push(lineSuffix([" ", root.commentMarker, comment.text.trimEnd()]), breakParent);
  }
  return parts;
}

/**
 * The dangling comments of an empty `{ }` as lines of their own between the braces, or
 * `undefined` when there are none.
 *
 * @example
 * const inside = printCommentsInside(path); // schema Empty {\n  # nothing yet\n}
 * return inside ? ["schema Empty ", inside] : "schema Empty {}";
 */
export function printCommentsInside(path: AstPath<FormatNode>): Doc | undefined {
  const root = path.root as FormatRoot;
  const comments = danglingComments(path.node);
  if (comments.length === 0) return undefined;
  for (const comment of comments) comment.printed = true;
  const lines = comments.map((comment) => [root.commentMarker, comment.text.trimEnd()]);
  return ["{", indent([hardline, join(hardline, lines)]), hardline, "}"];
}

/**
 * A file of comments and nothing else: Prettier leaves them on the root, unattached. One line
 * each, with a blank line where the source had one or more.
 */
export function printCommentOnlyFile(path: AstPath<FormatRoot>, originalText: string): Doc {
  const parts: Doc[] = [];
  let previous: PrintedComment | undefined;
  for (const comment of danglingComments(path.node)) {
    comment.printed = true;
    if (previous) parts.push(hardline, isFollowedByBlankLine(originalText, previous.span.end) ? hardline : "");
    parts.push(comment.text.trimEnd());
    previous = comment;
  }
  return parts;
}

function danglingComments(node: FormatNode): PrintedComment[] {
  const comments = (node as { comments?: PrintedComment[] }).comments ?? [];
  return comments.filter((comment) => !comment.leading && !comment.trailing && !comment.printed);
}

/** The flags Prettier sets on a comment once it is attached; `printed` must be set by whoever prints it. */
interface PrintedComment extends FormatComment {
  leading?: boolean;
  trailing?: boolean;
  printed?: boolean;
}

/** Trailing comments on consecutive lines start in one column: a tab stop at least this far past the code. */
const minimumGap = 2;
const commentTabStop = 8;

/**
 * The last pass over laid-out text: removes the comment markers and moves the trailing comments
 * of each run of consecutive lines to one column, the first multiple of 8 that leaves at least two
 * spaces after the longest line of code in the run. Widths count display columns (`tabWidth` per
 * indenting tab, two per wide character), as Prettier does when it measures lines.
 *
 * @example
 * alignComments("a \u{E000}# one\nlonger \u{E000}# two\n", "\u{E000}", 2);
 * // "a       # one\nlonger  # two\n"
 */
export function alignComments(text: string, marker: string, tabWidth: number): string {
  const lines = text.split("\n");
  const output: string[] = [];
  let run: { code: string; comment: string; width: number }[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const widest = Math.max(...run.map((line) => line.width));
    const column = Math.ceil((widest + minimumGap) / commentTabStop) * commentTabStop;
    for (const line of run) output.push(line.code + " ".repeat(column - line.width) + line.comment);
    run = [];
  };
  for (const line of lines) {
    const at = line.indexOf(marker);
    const code = at < 0 ? line : line.slice(0, at).trimEnd();
    if (at < 0 || code.trim() === "") {
      flush();
      output.push(at < 0 ? line : line.slice(0, at) + line.slice(at + marker.length));
      continue;
    }
    run.push({ code, comment: line.slice(at + marker.length), width: displayWidth(code, tabWidth) });
  }
  flush();
  return output.join("\n");
}

function displayWidth(code: string, tabWidth: number): number {
  const indent = /^\t*/.exec(code)![0].length;
  return indent * tabWidth + util.getStringWidth(code.slice(indent));
}

/**
 * A character absent from `text`, from the Private Use Areas, to mark comments while printing.
 *
 * @example
 * pickMarker("no private use here"); // "\u{E000}"
 */
export function pickMarker(text: string): string {
  for (let code = 0xe000; code <= 0xf8ff; code++) {
    const candidate = String.fromCodePoint(code);
    if (!text.includes(candidate)) return candidate;
  }
  for (let code = 0xf0000; code <= 0xffffd; code++) {
    const candidate = String.fromCodePoint(code);
    if (!text.includes(candidate)) return candidate;
  }
  throw new Error("flowc formatter: the file uses every private-use character; no comment marker is left");
}
